//! Short-video scripts (being built).
