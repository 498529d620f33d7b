//! Short-video script pages (being built).
