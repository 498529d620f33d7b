//! The media library pages (being built).
