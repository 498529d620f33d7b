//! Black-box tests of scripts (being built).
