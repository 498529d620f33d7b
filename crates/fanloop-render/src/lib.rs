//! Typesetting for Fanloop: one Markdown master rendered into each platform's format
//! (WeChat HTML with inline styles, Xiaohongshu notes, Weibo, Bluesky text + facets, …).
//!
//! Architecture invariant: pure and deterministic: no IO, no clock.
