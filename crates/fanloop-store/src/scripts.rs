//! Short-video scripts and workspace word lists (being built).
