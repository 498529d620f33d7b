//! Findings as callers see them: positions in Unicode characters, 1-based line and
//! column, and words in the caller's language.

use crate::dictionary::Severity;
use serde::Serialize;

/// One problem in a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule family: `ad-law`, `marketing`, `title-party`, `cosmetics`, `food`,
    /// `health`, `workspace` or `platform`.
    pub rule: &'static str,
    /// What within the rule: `superlative`, `banned`, `title-length`, …
    pub category: &'static str,
    pub severity: Severity,
    /// Character offsets in the post's text, end exclusive. Findings about the post as a
    /// whole (a missing cover, too many images) are at 0..0.
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    /// The flagged text, cut to 50 characters and `…` when longer.
    pub text: String,
    pub message: String,
    pub suggestion: String,
}

/// A finding while positions are still byte offsets.
pub(crate) struct Raw {
    pub start: usize,
    pub end: usize,
    pub rule: &'static str,
    pub category: &'static str,
    pub severity: Severity,
    pub words: (String, String),
}

const EXCERPT: usize = 50;

/// Turns byte offsets into character offsets, lines and columns in one pass over the
/// text (findings are sorted first), so a 10 MB post with many findings stays linear.
pub(crate) fn finish(text: &str, mut raws: Vec<Raw>) -> Vec<Finding> {
    raws.sort_by_key(|r| (r.start, r.end, r.severity));
    let bytes = text.as_bytes();
    let (mut at, mut chars, mut line, mut line_start) = (0, 0, 1, 0);
    let mut out = Vec::with_capacity(raws.len());
    for raw in raws {
        let start = raw.start.min(bytes.len());
        for &b in &bytes[at.min(start)..start] {
            if b & 0xC0 != 0x80 {
                chars += 1;
            }
            if b == b'\n' {
                line += 1;
                line_start = chars;
            }
        }
        at = at.max(start);
        let span = text
            .get(start..raw.end.clamp(start, bytes.len()))
            .unwrap_or_default();
        let length = span.chars().count();
        let text = match span.char_indices().nth(EXCERPT) {
            Some((cut, _)) => format!("{}…", &span[..cut]),
            None => span.to_owned(),
        };
        out.push(Finding {
            rule: raw.rule,
            category: raw.category,
            severity: raw.severity,
            start: chars,
            end: chars + length,
            line,
            column: chars - line_start + 1,
            text,
            message: raw.words.0,
            suggestion: raw.words.1,
        });
    }
    out
}
