//! Black-box tests of media (being built).
