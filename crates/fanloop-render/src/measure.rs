//! Length as each platform counts it, and where a limit or a feed fold falls.
//!
//! One function over [`Counting`], kept here until the shared text crate offers the same
//! count; it is the only place that knows the weighting rules.

use fanloop_domain::Counting;
use unicode_segmentation::UnicodeSegmentation;

/// How long a text is for one platform, and where thresholds fall in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub count: usize,
    /// Byte offset of the first unit that goes past `fold_at` (if the text is that long).
    pub fold_byte: Option<usize>,
    /// Byte offset of the first unit that goes past the limit (if it overflows).
    pub limit_byte: Option<usize>,
}

/// Counts `text` the way `counting` says, links weighing `url_weight` when given, and
/// locates the fold and the limit.
pub fn measure(
    text: &str,
    counting: Counting,
    url_weight: Option<usize>,
    fold_at: Option<usize>,
    limit: Option<usize>,
) -> Measure {
    // Weights are kept in half units so Weibo's "two ASCII characters count one" is exact.
    let mut halves = 0usize;
    let mut fold_byte = None;
    let mut limit_byte = None;
    let mut step = |at: usize, weight: usize| {
        halves += weight;
        let whole = halves.div_ceil(2);
        if fold_byte.is_none() && fold_at.is_some_and(|f| whole > f) {
            fold_byte = Some(at);
        }
        if limit_byte.is_none() && limit.is_some_and(|l| whole > l) {
            limit_byte = Some(at);
        }
    };
    // Text between links is counted per unit; each link is one unit of `url_weight`.
    let mut rest = 0;
    loop {
        let link = url_weight.and_then(|w| next_url(text, rest).map(|(at, len)| (at, len, w)));
        let end = link.map_or(text.len(), |(at, _, _)| at);
        let segment = &text[rest..end];
        match counting {
            Counting::Graphemes => {
                for (i, _) in segment.grapheme_indices(true) {
                    step(rest + i, 2);
                }
            }
            Counting::Chars => {
                for (i, _) in segment.char_indices() {
                    step(rest + i, 2);
                }
            }
            Counting::XWeighted => {
                for (i, c) in segment.char_indices() {
                    step(rest + i, if x_light(c) { 2 } else { 4 });
                }
            }
            Counting::WeiboHalfAscii => {
                for (i, c) in segment.char_indices() {
                    step(rest + i, if c.is_ascii() { 1 } else { 2 });
                }
            }
        }
        let Some((at, len, weight)) = link else {
            break;
        };
        step(at, weight * 2);
        rest = at + len;
    }
    Measure {
        count: halves.div_ceil(2),
        fold_byte,
        limit_byte,
    }
}

/// The next link at or after `from`: its byte offset and length.
fn next_url(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(i) = text[at..].find("http") {
        let start = at + i;
        if let Some(len) = url_len(&text[start..], start == 0 || preceded_by_space(text, start)) {
            return Some((start, len));
        }
        at = start + 4;
    }
    None
}

fn preceded_by_space(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "(（【「<".contains(c))
}

/// Length of a URL at the start of `s` (scheme through the last non-space character,
/// minus trailing punctuation a sentence puts after it).
pub fn url_len(s: &str, at_word_start: bool) -> Option<usize> {
    if !at_word_start || !(s.starts_with("http://") || s.starts_with("https://")) {
        return None;
    }
    let end = s
        .find(|c: char| c.is_whitespace() || !c.is_ascii() || c == '<' || c == '>')
        .unwrap_or(s.len());
    let trimmed = s[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
    (trimmed.len() > "https://".len()).then_some(trimmed.len())
}

/// X weighs these ranges 1 and everything else (CJK, emoji, …) 2, per its published
/// counting configuration.
fn x_light(c: char) -> bool {
    matches!(c as u32, 0x0000..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &str, counting: Counting, url: Option<usize>) -> usize {
        measure(text, counting, url, None, None).count
    }

    #[test]
    fn counts_per_platform_rule() {
        let cases: &[(&str, Counting, Option<usize>, usize)] = &[
            ("你好", Counting::Chars, None, 2),
            ("e\u{301}", Counting::Chars, None, 2),
            ("e\u{301}", Counting::Graphemes, None, 1),
            ("👨‍👩‍👧", Counting::Graphemes, None, 1),
            ("你好ab", Counting::XWeighted, None, 6),
            (
                "see https://example.com/a-long-path ok",
                Counting::XWeighted,
                Some(23),
                30,
            ),
            ("你好abc", Counting::WeiboHalfAscii, None, 4),
            ("ab", Counting::WeiboHalfAscii, None, 1),
            (
                "看 https://weibo.com/x",
                Counting::WeiboHalfAscii,
                Some(12),
                14,
            ),
            ("not a link: xhttps://a.b", Counting::Chars, Some(23), 24),
        ];
        for (text, counting, url, expected) in cases {
            assert_eq!(
                count(text, *counting, *url),
                *expected,
                "{text:?} {counting:?}"
            );
        }
    }

    #[test]
    fn locates_fold_and_limit() {
        let m = measure("一二三四五", Counting::Chars, None, Some(2), Some(4));
        assert_eq!(m.count, 5);
        assert_eq!(m.fold_byte, Some(6));
        assert_eq!(m.limit_byte, Some(12));
        let short = measure("一二", Counting::Chars, None, Some(2), Some(4));
        assert_eq!((short.fold_byte, short.limit_byte), (None, None));
    }

    #[test]
    fn urls_end_before_sentence_punctuation() {
        assert_eq!(url_len("https://a.io/x. Next", true), Some(14));
        assert_eq!(url_len("https://", true), None);
        assert_eq!(url_len("https://a.io，好", true), Some(12));
    }
}
