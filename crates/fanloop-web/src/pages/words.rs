//! Word-list settings pages (being built).
