//! Where a finding of the master lies in the editor's fields, so the page can highlight
//! it inside the text and select it on request.
//!
//! The linter reads the master as `# {title}\n{body}` and counts characters (code
//! points) in that text; the browser shows the title in an input and the body in a
//! textarea whose value has every line break as a single `\n`. A spot is in the
//! field's own characters as the browser holds them; the script turns characters into
//! UTF-16 units.

use crate::i18n::Tr;
use fanloop_text::Finding;

/// A finding's range within one field, in characters of the field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    /// The id of the input or textarea: `title` or `body`.
    pub field: &'static str,
    pub start: usize,
    pub end: usize,
    /// Where it starts in the field as the operator sees it, counted from 1 (the lint
    /// source's own lines count the title as line 1).
    pub line: usize,
    pub column: usize,
}

impl Spot {
    /// "正文 3:12": the field and the position, for the link's accessible name.
    pub fn place(&self, tr: &Tr) -> String {
        let label = if self.field == "title" {
            tr.t("field.title")
        } else {
            tr.t("field.body")
        };
        format!("{label} {}:{}", self.line, self.column)
    }

    fn new(field: &'static str, text: &str, start: usize, end: usize) -> Spot {
        let before: Vec<char> = text.chars().take(start).collect();
        let line_start = before.iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1);
        Spot {
            field,
            start,
            end,
            line: before.iter().filter(|&&c| c == '\n').count() + 1,
            column: start - line_start + 1,
        }
    }
}

/// The finding's spot, or `None` when it is about the post as a whole, spans both
/// fields, or lies in a title that an input could not show as it is.
pub fn spot(title: &str, body: &str, f: &Finding) -> Option<Spot> {
    if f.end <= f.start {
        return None;
    }
    let title_start = 2; // "# "
    let title_len = title.chars().count();
    let body_start = title_start + title_len + 1; // the line break after the title
    if f.start >= body_start {
        let (start, end) = (f.start - body_start, f.end - body_start);
        if !body.contains('\r') {
            return Some(Spot::new("body", body, start, end));
        }
        let shown = body.replace("\r\n", "\n").replace('\r', "\n");
        let (start, end) = (as_shown(body, start), as_shown(body, end));
        return Some(Spot::new("body", &shown, start, end));
    }
    let plain_title = !title.contains(['\r', '\n']);
    (plain_title && f.start >= title_start && f.end <= title_start + title_len)
        .then(|| Spot::new("title", title, f.start - title_start, f.end - title_start))
}

/// Character offset `at` of `body` in the text a textarea shows, where `\r\n` and a
/// lone `\r` are both one `\n`: every `\r` directly before a `\n` disappears.
fn as_shown(body: &str, at: usize) -> usize {
    let mut chars = body.chars().take(at).peekable();
    let mut dropped = 0;
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            dropped += 1;
        }
    }
    at - dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanloop_domain::Locale;
    use fanloop_text::{Linter, Post};

    /// The text each spot covers in the field as the browser holds it.
    /// `want`: (field, flagged text, line:column in the field) per spot.
    fn check(title: &str, body: &str, want: &[(&str, &str, &str)]) {
        let source = format!("# {title}\n{body}");
        let linter = Linter::builder().build().expect("built-in dictionaries");
        let findings = linter.lint(&Post::markdown(&source), None, Locale::ZhCn);
        let shown_body = body.replace("\r\n", "\n").replace('\r', "\n");
        let got: Vec<(&str, String, String)> = findings
            .iter()
            .filter_map(|f| spot(title, body, f))
            .map(|s| {
                let field = if s.field == "title" {
                    title
                } else {
                    &shown_body
                };
                let text = field.chars().skip(s.start).take(s.end - s.start).collect();
                (s.field, text, format!("{}:{}", s.line, s.column))
            })
            .collect();
        let want: Vec<(&str, String, String)> = want
            .iter()
            .map(|(f, t, at)| (*f, (*t).to_owned(), (*at).to_owned()))
            .collect();
        assert_eq!(got, want, "{title:?} / {body:?}");
    }

    #[test]
    fn spots_cover_the_flagged_words_in_each_field() {
        check("全网最低价", "正文", &[("title", "全网最低价", "1:1")]);
        check("秋季新品", "国家级品质", &[("body", "国家级", "1:1")]);
        check(
            "😀秋季",
            "🎉🎉 这是国家级品质",
            &[("body", "国家级", "1:6")],
        );
        check(
            "新品",
            "上一段\r\n下一段\r\r\n国家级",
            &[("body", "国家级", "4:1")],
        );
    }
}
