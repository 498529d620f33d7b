//! Turning the rendered WeChat HTML into what `draft/add` takes: body images pointed at
//! the copies uploaded to WeChat (it filters external image URLs out), and the digest.
//!
//! This reads only HTML that `fanloop_render` wrote, whose contract makes a small scanner
//! exact: text and attribute values escape `& < > "`, so a literal `<` always opens a tag
//! and a literal `>` always closes one, and images come out as `<img src="…" …>`.

use crate::connector::Outgoing;
use sha1::{Digest, Sha1};

/// WeChat's default digest is the body's first 54 characters; we send the same
/// explicitly so what the operator previews is what readers see.
pub(super) const DIGEST_CHARS: usize = 54;

/// Rewrites every `<img src>` to its uploaded copy. `uploads` pairs each original URL
/// (unescaped, as in `Rendered::images`) with the URL WeChat issued. Returns the first
/// image with no uploaded copy as the error, since WeChat would silently drop it.
pub(super) fn rewrite_images(html: &str, uploads: &[(String, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = find_img(rest) {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..=start + len];
        out.push_str(&rest[..start]);
        out.push_str(&rewrite_tag(tag, uploads)?);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The offset of the next `<img` tag (not `<imgfoo`).
fn find_img(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("<img") {
        let at = from + i;
        match s.as_bytes().get(at + 4) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>') | None => return Some(at),
            _ => from = at + 4,
        }
    }
    None
}

fn rewrite_tag(tag: &str, uploads: &[(String, String)]) -> Result<String, String> {
    let Some(attr) = tag.find(" src=\"") else {
        return Ok(tag.to_owned());
    };
    let value_start = attr + " src=\"".len();
    let Some(value_len) = tag[value_start..].find('"') else {
        return Ok(tag.to_owned());
    };
    let original = unescape(&tag[value_start..value_start + value_len]);
    let uploaded = uploads
        .iter()
        .find(|(from, _)| *from == original)
        .map(|(_, to)| to)
        .ok_or(original)?;
    Ok(format!(
        "{}{}{}",
        &tag[..value_start],
        escape(uploaded),
        &tag[value_start + value_len..]
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Undoes the renderer's escaping (plus the two entities any HTML may carry).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The article's text: tags dropped, entities decoded, whitespace collapsed.
pub(super) fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        // A tag separates words (`<p>a</p><p>b</p>` reads "a b").
        text.push(' ');
        rest = match rest[open..].find('>') {
            Some(close) => &rest[open + close + 1..],
            None => "",
        };
    }
    text.push_str(rest);
    unescape(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first [`DIGEST_CHARS`] characters of the text.
pub(super) fn digest(html: &str) -> String {
    plain_text(html).chars().take(DIGEST_CHARS).collect()
}

/// A short fingerprint of what a draft is made of (title, body, cover), stored with the
/// draft's id so that a retry re-uses the draft only if the post did not change since.
pub(super) fn fingerprint(post: &Outgoing) -> String {
    let mut h = Sha1::new();
    h.update(
        post.rendered
            .title
            .as_deref()
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update([0]);
    h.update(post.rendered.body.as_str().as_bytes());
    h.update([0]);
    for image in post.cover.iter().chain(&post.images) {
        h.update((image.bytes.len() as u64).to_be_bytes());
        h.update(&image.bytes);
    }
    hex::encode(&h.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uploads() -> Vec<(String, String)> {
        vec![
            (
                "https://ex.com/a.png?x=1&y=2".into(),
                "https://mmbiz.qpic.cn/A".into(),
            ),
            (
                "https://ex.com/b.jpg".into(),
                "https://mmbiz.qpic.cn/B?tp=1&wx=2".into(),
            ),
        ]
    }

    #[test]
    fn image_sources_are_rewritten() {
        let cases = [
            (
                r#"<p>x</p><img src="https://ex.com/a.png?x=1&amp;y=2" alt="a" style="s">"#,
                r#"<p>x</p><img src="https://mmbiz.qpic.cn/A" alt="a" style="s">"#,
            ),
            (
                r#"<img src="https://ex.com/b.jpg" alt=""><img src="https://ex.com/a.png?x=1&amp;y=2">"#,
                r#"<img src="https://mmbiz.qpic.cn/B?tp=1&amp;wx=2" alt=""><img src="https://mmbiz.qpic.cn/A">"#,
            ),
            (
                "<p>no images, &lt;img src=\"x\"&gt; is text</p>",
                "<p>no images, &lt;img src=\"x\"&gt; is text</p>",
            ),
            (
                "<imgx src=\"https://elsewhere\">",
                "<imgx src=\"https://elsewhere\">",
            ),
        ];
        for (html, expected) in cases {
            assert_eq!(
                rewrite_images(html, &uploads()).unwrap(),
                expected,
                "{html}"
            );
        }
    }

    #[test]
    fn an_image_without_an_upload_is_an_error() {
        let html = r#"<img src="https://ex.com/missing.png" alt="">"#;
        assert_eq!(
            rewrite_images(html, &uploads()),
            Err("https://ex.com/missing.png".to_owned())
        );
    }

    #[test]
    fn digests() {
        let cases = [
            ("<p>Hello</p><p>world &amp; you</p>", "Hello world & you"),
            (
                "<section><span>  spaced\n out </span></section>",
                "spaced out",
            ),
            ("<p>a &lt;b&gt; c</p>", "a <b> c"),
        ];
        for (html, expected) in cases {
            assert_eq!(digest(html), expected);
        }
        let long = format!("<p>{}</p>", "字".repeat(80));
        assert_eq!(digest(&long).chars().count(), DIGEST_CHARS);
    }
}
