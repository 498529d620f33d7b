//! Telegram's HTML subset (`parse_mode=HTML`): only `b`, `i`, `u`, `s`, `a`, `code`,
//! `pre` and `blockquote`; everything else is text with `&`, `<`, `>` escaped. Layout is
//! the shared text layout (Telegram keeps newlines as written).

use crate::doc::Doc;
use crate::plain::report;
use crate::report::Note;
use crate::text::{Mode, Writer};
use crate::{Body, Options, Rendered, Target, report::image_slots};

/// Escapes text for Telegram HTML (and for attribute values: quotes too).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

pub fn link(w: &mut Writer, url: &str, label: &str) {
    let label = if label.trim().is_empty() { url } else { label };
    w.raw(&format!("<a href=\"{}\">", escape(url)));
    w.raw(&escape(label));
    w.raw("</a>");
}

pub fn code_block(w: &mut Writer, lang: &str, text: &str) {
    let body = escape(text.trim_end_matches('\n'));
    // The language class is part of Telegram's documented subset; keep it to a safe
    // identifier so it cannot break out of the attribute.
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_'))
        .collect();
    if lang.is_empty() {
        w.raw(&format!("<pre>{body}</pre>"));
    } else {
        w.raw(&format!(
            "<pre><code class=\"language-{lang}\">{body}</code></pre>"
        ));
    }
}

/// The visible text of Telegram HTML, which is what its 4096-character limit counts.
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
        } else {
            let (entity, c) = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
            ]
            .into_iter()
            .find(|(e, _)| rest.starts_with(e))
            .unwrap_or(("&", '&'));
            out.push(c);
            rest = &rest[entity.len()..];
        }
    }
    out.push_str(rest);
    out
}

pub fn render(doc: &Doc, title: Option<String>, options: &Options) -> Rendered {
    let target = Target::Telegram;
    let limits = target.limits();
    let mut w = Writer::new(Mode::Telegram, target);
    if let Some(t) = &title {
        w.title_line(t);
    }
    w.blocks(&doc.blocks, true);
    w.append_tags(&options.tags);
    let mut notes = w.notes(doc);
    let text = visible(&w.out);
    if !w.images.is_empty() {
        // Photos go with sendPhoto/sendMediaGroup, the text as the message or caption.
        notes.push(Note::ImagesNeedUpload {
            count: w.images.len(),
        });
    }
    let report = report(&limits, &text, None, w.tags.len(), w.images.len(), notes);
    Rendered {
        target,
        title: None,
        images: image_slots(w.images, &limits),
        tags: w.tags,
        body: Body::Html(w.out),
        report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_text_drops_tags_and_decodes_entities() {
        assert_eq!(visible("<b>a&amp;b</b> &lt;x&gt; &"), "a&b <x> &");
    }
}
