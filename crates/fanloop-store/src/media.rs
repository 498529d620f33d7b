//! Media library (being built).
