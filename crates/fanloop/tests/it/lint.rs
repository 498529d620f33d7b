//! Black-box tests of `fanloop lint`.
