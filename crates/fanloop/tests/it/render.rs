//! Black-box tests of `fanloop render`.
