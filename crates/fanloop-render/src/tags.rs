//! Finding hashtags, mentions and bare URLs in running text, and writing hashtags in a
//! platform's own syntax.
//!
//! An inline hashtag is `#` at the start of a word followed by letters, digits or `_`
//! (CJK included), e.g. `#新品` or `#rust_lang`; Weibo's wrapped form `#话题#` is also
//! recognised (no spaces inside, so `#a 和 #b` stays two prefix tags). A tag of digits
//! only (`#1`) is not a tag: it is usually a number.

use crate::measure::url_len;
use fanloop_domain::HashtagStyle;
use std::ops::Range;

/// Longest tag accepted, in characters (Bluesky's limit is 64 graphemes; longer runs are
/// not what anyone means as a tag).
const TAG_MAX: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// Byte range of a hashtag in the text, and the tag without `#`.
    Tag(Range<usize>, String),
    /// Byte range of `@handle` and the handle without `@`.
    Mention(Range<usize>, String),
    Url(Range<usize>),
}

/// The hashtags, mentions and URLs in `text`, in order, not overlapping.
pub fn scan(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let word_start = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '#' || c == '@' || c == '/'));
        if let Some(len) = url_len(rest, word_start) {
            out.push(Token::Url(i..i + len));
            i += len;
            continue;
        }
        if word_start {
            if let Some((len, tag)) = hashtag_at(rest) {
                out.push(Token::Tag(i..i + len, tag));
                i += len;
                continue;
            }
            if let Some((len, handle)) = mention_at(rest) {
                out.push(Token::Mention(i..i + len, handle));
                i += len;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    out
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A hashtag at the start of `s`: its byte length and name.
fn hashtag_at(s: &str) -> Option<(usize, String)> {
    let body = s.strip_prefix('#')?;
    // Wrapped form first: `#…#` on one line, nothing but tag text inside.
    if let Some(close) = body.find(['#', '\n']) {
        let inner = &body[..close];
        if body[close..].starts_with('#')
            && !inner.is_empty()
            && inner.chars().count() <= TAG_MAX
            && inner
                .chars()
                .all(|c| is_tag_char(c) || c == '·' || c == '-')
            && !inner.chars().all(|c| c.is_ascii_digit())
        {
            return Some((close + 2, inner.to_string()));
        }
    }
    let len = body.find(|c: char| !is_tag_char(c)).unwrap_or(body.len());
    let name = &body[..len];
    if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) || name.chars().count() > TAG_MAX
    {
        return None;
    }
    Some((len + 1, name.to_string()))
}

/// `@handle` where a handle is a domain-like name (`alice.bsky.social`) or a plain
/// nickname (`小明`, `alice`); trailing dots belong to the sentence, not the handle.
fn mention_at(s: &str) -> Option<(usize, String)> {
    let body = s.strip_prefix('@')?;
    let len = body
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(body.len());
    let handle = body[..len].trim_end_matches(['.', '-']);
    if handle.is_empty() {
        return None;
    }
    Some((handle.len() + 1, handle.to_string()))
}

/// A tag written in the platform's syntax.
pub fn write_tag(out: &mut String, tag: &str, style: HashtagStyle) {
    out.push('#');
    out.push_str(tag);
    if style == HashtagStyle::Wrapped {
        out.push('#');
    }
}

/// Normalises a tag given in options: leading/trailing `#` and spaces removed. `None`
/// when nothing usable remains.
pub fn clean_tag(raw: &str) -> Option<String> {
    let t = raw.trim().trim_matches('#').trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_mentions_and_urls() {
        let text = "看 #新品 和 #话题名# @alice.bsky.social. https://a.io/x 邮件a@b #1 a#b";
        let found: Vec<String> = scan(text)
            .into_iter()
            .map(|t| match t {
                Token::Tag(r, name) => format!("tag {name} {}", &text[r]),
                Token::Mention(r, h) => format!("mention {h} {}", &text[r]),
                Token::Url(r) => format!("url {}", &text[r]),
            })
            .collect();
        assert_eq!(
            found,
            [
                "tag 新品 #新品",
                "tag 话题名 #话题名#",
                "mention alice.bsky.social @alice.bsky.social",
                "url https://a.io/x",
            ]
        );
    }

    #[test]
    fn cleans_option_tags() {
        assert_eq!(clean_tag(" #秋冬# "), Some("秋冬".into()));
        assert_eq!(clean_tag("##"), None);
    }
}
