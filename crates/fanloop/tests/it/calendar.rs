//! Black-box tests of `fanloop calendar`.
