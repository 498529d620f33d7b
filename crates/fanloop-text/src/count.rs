//! Length as each platform counts it, and the links and hashtags inside a text.
//!
//! Every counting rule is expressed in half-units so Weibo's "two ASCII characters
//! count one" fits the same walk as the others; a partial unit rounds up, as Weibo does.

use fanloop_domain::{Counting, HashtagStyle, TextLimits};
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// The length of `text` as the platform with `limits` counts it.
pub fn length(text: &str, limits: &TextLimits) -> usize {
    let mut halves = 0;
    walk(text, limits, |_, weight| {
        halves += weight;
        true
    });
    halves.div_ceil(2)
}

/// The byte offset of the first unit (character, grapheme or link) that takes `text`
/// past `max`, or `None` when it fits.
pub fn overflow_at(text: &str, limits: &TextLimits, max: usize) -> Option<usize> {
    let mut halves = 0;
    let mut at = None;
    walk(text, limits, |start, weight| {
        halves += weight;
        if halves.div_ceil(2) > max {
            at = Some(start);
            return false;
        }
        true
    });
    at
}

/// Calls `unit(byte_start, weight_in_half_units)` for each counted unit until it
/// returns false. Links count as the platform's fixed URL weight when it has one.
fn walk(text: &str, limits: &TextLimits, mut unit: impl FnMut(usize, usize) -> bool) {
    let links = match limits.url_weight {
        Some(_) => urls(text),
        None => Vec::new(),
    };
    let mut at = 0;
    for link in links
        .iter()
        .cloned()
        .chain(std::iter::once(text.len()..text.len()))
    {
        if !units(&text[at..link.start], at, limits.counting, &mut unit) {
            return;
        }
        if link.is_empty() {
            return;
        }
        if !unit(link.start, limits.url_weight.unwrap_or(0) * 2) {
            return;
        }
        at = link.end;
    }
}

fn units(
    text: &str,
    offset: usize,
    counting: Counting,
    unit: &mut impl FnMut(usize, usize) -> bool,
) -> bool {
    match counting {
        Counting::Chars => text.char_indices().all(|(i, _)| unit(offset + i, 2)),
        Counting::WeiboHalfAscii => text
            .char_indices()
            .all(|(i, c)| unit(offset + i, if c.is_ascii() { 1 } else { 2 })),
        Counting::Graphemes => text
            .grapheme_indices(true)
            .all(|(i, _)| unit(offset + i, 2)),
        // A cluster weighs what its first character weighs: an emoji sequence joined
        // by ZWJ counts once, as X counts it, and combining marks ride along.
        Counting::XWeighted => text.grapheme_indices(true).all(|(i, g)| {
            let first = g.chars().next().map_or(0, u32::from);
            unit(offset + i, if x_light(first) { 2 } else { 4 })
        }),
    }
}

/// The code point ranges X counts as weight 1 (Latin through Hangul Jamo, and general
/// punctuation spaces and quotes); everything else, CJK included, weighs 2.
fn x_light(c: u32) -> bool {
    matches!(c, 0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247)
}

/// Byte ranges of the `http://` and `https://` links in `text`. A link stops at
/// whitespace or any non-ASCII character (Chinese text often follows a link with no
/// space) and drops trailing punctuation that more likely ends the sentence.
pub fn urls(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = find_scheme(&bytes[from..]) {
        let start = from + pos.0;
        let mut end = start + pos.1;
        while end < bytes.len() && is_url_byte(bytes[end]) {
            end += 1;
        }
        while end > start + pos.1
            && matches!(
                bytes[end - 1],
                b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'"'
            )
        {
            end -= 1;
        }
        if end > start + pos.1 {
            found.push(start..end);
        }
        from = end.max(start + pos.1);
    }
    found
}

/// The offset and length of the next `http://` or `https://`, case-insensitively.
fn find_scheme(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i + 7 <= bytes.len() {
        let rest = &bytes[i..];
        if rest[..4].eq_ignore_ascii_case(b"http") {
            if rest[4..].starts_with(b"://") {
                return Some((i, 7));
            }
            if rest.len() >= 8
                && rest[4..5].eq_ignore_ascii_case(b"s")
                && rest[5..].starts_with(b"://")
            {
                return Some((i, 8));
            }
        }
        i += 1;
    }
    None
}

fn is_url_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b'`' | b')' | b']' | b'}')
}

/// Byte ranges of the hashtags in `text`, written the platform's way: `#话题#` when
/// `Wrapped`, `#话题` ending at whitespace or punctuation when `Prefix`. A `#` followed
/// by a space is a Markdown heading, never a tag.
pub fn hashtags(text: &str, style: HashtagStyle) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut rest = text.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((start, c)) = rest.next() {
        let after_boundary = previous.is_none_or(|p| !p.is_alphanumeric() && p != '#' && p != '&');
        previous = Some(c);
        if c != '#' || !after_boundary {
            continue;
        }
        let body_start = start + 1;
        let end = match style {
            HashtagStyle::Wrapped => text[body_start..]
                .char_indices()
                .take(64)
                .take_while(|(_, c)| *c != '\n')
                .find(|(_, c)| *c == '#')
                .map(|(i, _)| body_start + i + 1),
            HashtagStyle::Prefix => {
                let len: usize = text[body_start..]
                    .chars()
                    .take_while(|c| is_tag_char(*c))
                    .map(char::len_utf8)
                    .sum();
                Some(body_start + len)
            }
        };
        let Some(end) = end else { continue };
        let inner = &text[body_start..end].trim_end_matches('#');
        if inner.trim().is_empty() || inner.starts_with(char::is_whitespace) {
            continue;
        }
        found.push(start..end);
        // Skip what the tag consumed so a closing `#` does not open another.
        while rest.peek().is_some_and(|(i, _)| *i < end) {
            previous = rest.next().map(|(_, c)| c);
        }
    }
    found
}

fn is_tag_char(c: char) -> bool {
    c == '_' || (c.is_alphanumeric() && !is_cjk_punctuation(c))
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanloop_domain::Platform;

    fn check(platform: Platform, input: &str, expected: usize) {
        assert_eq!(
            length(input, &platform.limits()),
            expected,
            "{platform:?} {input:?}"
        );
    }

    #[test]
    fn lengths_follow_each_platforms_rule() {
        check(Platform::WechatOa, "", 0);
        check(Platform::WechatOa, "新品上市 abc", 8);
        check(Platform::WechatOa, "👍🏽", 2); // two scalar values
        check(Platform::Bluesky, "👍🏽", 1); // one grapheme
        check(Platform::Bluesky, "e\u{301}", 1);
        check(Platform::X, "abc", 3);
        check(Platform::X, "新品", 4);
        check(Platform::X, "👨‍👩‍👧", 2);
        check(
            Platform::X,
            "see https://example.com/a/very/long/path/indeed",
            4 + 23,
        );
        check(
            Platform::Mastodon,
            "https://example.com/a/very/long/path/indeed 好",
            23 + 2,
        );
        check(Platform::Weibo, "微博", 2);
        check(Platform::Weibo, "ab", 1);
        check(Platform::Weibo, "abc", 2); // a half rounds up
        check(Platform::Weibo, "看 https://example.com/x", 1 + 1 + 12);
        check(Platform::WechatOa, "https://example.com/x", 21); // no URL weight there
    }

    #[test]
    fn overflow_points_at_the_first_unit_past_the_limit() {
        let limits = Platform::Weibo.limits();
        assert_eq!(overflow_at("一二三", &limits, 3), None);
        assert_eq!(overflow_at("一二三四", &limits, 3), Some(9));
        assert_eq!(overflow_at("一二abc", &limits, 3), Some(8));
        let x = Platform::X.limits();
        assert_eq!(overflow_at("ab https://example.com", &x, 10), Some(3));
    }

    #[test]
    fn urls_stop_at_chinese_text_and_sentence_punctuation() {
        let cases: &[(&str, &[&str])] = &[
            (
                "看https://example.com/a?b=1。好",
                &["https://example.com/a?b=1"],
            ),
            ("(see HTTP://Example.com/x).", &["HTTP://Example.com/x"]),
            ("http:// nothing", &[]),
            (
                "a http://x.cn, b https://y.cn/z",
                &["http://x.cn", "https://y.cn/z"],
            ),
            ("https", &[]),
        ];
        for (input, expected) in cases {
            let got: Vec<&str> = urls(input).into_iter().map(|r| &input[r]).collect();
            assert_eq!(&got, expected, "{input:?}");
        }
    }

    #[test]
    fn hashtags_in_each_style() {
        let cases: &[(&str, HashtagStyle, &[&str])] = &[
            (
                "#话题# 和 #另一个#",
                HashtagStyle::Wrapped,
                &["#话题#", "#另一个#"],
            ),
            ("# 标题\n#没闭合", HashtagStyle::Wrapped, &[]),
            (
                "好物 #护肤 #nice_day，#夏天。",
                HashtagStyle::Prefix,
                &["#护肤", "#nice_day", "#夏天"],
            ),
            ("# 标题\n## 小标题\nC# 和 a#b", HashtagStyle::Prefix, &[]),
            ("&#39; #", HashtagStyle::Prefix, &[]),
        ];
        for (input, style, expected) in cases {
            let got: Vec<&str> = hashtags(input, *style)
                .into_iter()
                .map(|r| &input[r])
                .collect();
            assert_eq!(&got, expected, "{input:?}");
        }
    }
}
