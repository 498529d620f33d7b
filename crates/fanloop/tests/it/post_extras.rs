//! Black-box tests of post extras (being built).
