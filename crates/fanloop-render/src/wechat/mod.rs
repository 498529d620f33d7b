//! WeChat Official Account article HTML.
//!
//! WeChat's editor keeps only inline styles and a small set of tags, so every element
//! carries its theme style in `style="…"`; there is no `<style>`, `class` or `id`, and no
//! script, iframe, form or link element can come out of here (raw HTML is escaped).
//! Links are not clickable in articles except to mp.weixin.qq.com, so other links keep
//! their text and get a numbered footnote listing the URL at the end.

mod blocks;
mod css;
pub mod theme;

use crate::doc::{Doc, Kind, Node, plain_text};
use crate::report::{Count, Length, Note, Report, image_slots};
use crate::text::is_web_url;
use crate::{Body, Options, Rendered, Target};
use theme::{Theme, el};

/// The heading of the footnote list ("References").
const FOOTNOTES_TITLE: &str = "参考资料";

struct Html<'t> {
    out: String,
    theme: &'t Theme,
    /// Footnoted URLs in order of first use, with the label first used for each.
    footnotes: Vec<(String, String)>,
    images: Vec<(String, String)>,
    html: usize,
    unsafe_links: usize,
}

/// Escapes text and attribute values.
fn escape_into(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Links to WeChat's own articles stay clickable.
fn is_wechat_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["https://mp.weixin.qq.com/", "http://mp.weixin.qq.com/"]
        .iter()
        .any(|p| lower.starts_with(p) || lower == p.trim_end_matches('/'))
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

impl Html<'_> {
    fn open(&mut self, tag: &str, element: usize) {
        self.open_with(tag, element, "");
    }

    /// Opens a tag with the theme's style plus `extra` declarations (which win, coming
    /// last).
    fn open_with(&mut self, tag: &str, element: usize, extra: &str) {
        self.out.push('<');
        self.out.push_str(tag);
        let style = self.theme.style(element);
        if !style.is_empty() || !extra.is_empty() {
            self.out.push_str(" style=\"");
            escape_into(&mut self.out, style);
            self.out.push_str(extra);
            self.out.push('"');
        }
        self.out.push('>');
    }

    /// A quote or list item: its last paragraph drops its bottom margin, which would
    /// otherwise leave a gap inside the box (inline styles cannot say `p:last-child`).
    fn boxed(&mut self, tag: &str, element: usize, children: &[Node]) {
        self.open(tag, element);
        let (last, rest) = match children.split_last() {
            Some((Node::Container(Kind::Paragraph, inner), rest)) => (Some(inner), rest),
            _ => (None, children),
        };
        self.nodes(rest);
        if let Some(inner) = last {
            self.open_with("p", el::P, "margin-bottom:0;");
            self.nodes(inner);
            self.close("p");
        }
        self.close(tag);
    }

    fn close(&mut self, tag: &str) {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
    }

    fn wrap(&mut self, tag: &str, element: usize, children: &[Node]) {
        self.open(tag, element);
        self.nodes(children);
        self.close(tag);
    }

    fn text(&mut self, s: &str) {
        escape_into(&mut self.out, s);
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for (i, node) in nodes.iter().enumerate() {
            if let Node::SoftBreak = node {
                // Chinese lines joined by a soft break must not gain a space.
                let before = self.out.chars().next_back();
                let after = match nodes.get(i + 1) {
                    Some(Node::Text(t)) => t.chars().next(),
                    _ => None,
                };
                if !(before.is_some_and(is_cjk) && after.is_some_and(is_cjk)) {
                    self.out.push(' ');
                }
                continue;
            }
            self.node(node);
        }
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Text(t) => self.text(t),
            Node::Code(t) => {
                self.open("code", el::CODE);
                self.text(t);
                self.close("code");
            }
            Node::Html(h) => self.raw_html(h),
            Node::SoftBreak => self.out.push(' '),
            Node::HardBreak => self.out.push_str("<br>"),
            Node::Rule => self.open("hr", el::HR),
            Node::Check(done) => self.out.push_str(if *done { "☑ " } else { "☐ " }),
            Node::CodeBlock { lang, text } => self.code_block(lang, text),
            Node::Image { url, alt, title } => self.image(url, alt, title),
            Node::Container(kind, children) => self.container(kind, children),
        }
    }

    fn raw_html(&mut self, html: &str) {
        self.html += 1;
        self.text(html.trim_end_matches('\n'));
    }

    fn container(&mut self, kind: &Kind, children: &[Node]) {
        match kind {
            Kind::Paragraph => self.wrap("p", el::P, children),
            Kind::Heading(level) => {
                let (tag, element) = match level {
                    1 => ("h1", el::H1),
                    2 => ("h2", el::H2),
                    3 => ("h3", el::H3),
                    _ => ("h4", el::H4),
                };
                self.wrap(tag, element, children);
            }
            Kind::Quote => self.boxed("blockquote", el::BLOCKQUOTE, children),
            Kind::List(None) => self.wrap("ul", el::UL, children),
            Kind::List(Some(start)) => {
                if *start == 1 {
                    self.open("ol", el::OL);
                } else {
                    // `start` is the one attribute besides style that lists need.
                    self.out.push_str(&format!("<ol start=\"{start}\""));
                    self.out.push_str(" style=\"");
                    escape_into(&mut self.out, self.theme.style(el::OL));
                    self.out.push_str("\">");
                }
                self.nodes(children);
                self.close("ol");
            }
            Kind::Item => self.boxed("li", el::LI, children),
            Kind::Table(aligns) => self.table(aligns, children),
            // Rows and cells are written by `table`, which knows the alignment.
            Kind::TableHead | Kind::TableRow | Kind::TableCell | Kind::Group => {
                self.nodes(children)
            }
            Kind::Emphasis => self.wrap("em", el::EM, children),
            Kind::Strong => self.wrap("strong", el::STRONG, children),
            Kind::Strike => self.wrap("del", el::DEL, children),
            Kind::Link { url, .. } => self.link(url, children),
        }
    }

    fn link(&mut self, url: &str, children: &[Node]) {
        let url = url.trim();
        if !is_web_url(url) {
            self.unsafe_links += 1;
            self.nodes(children);
            return;
        }
        if is_wechat_url(url) {
            self.out.push_str("<a href=\"");
            escape_into(&mut self.out, url);
            self.out.push('"');
            self.out.push_str(" style=\"");
            escape_into(&mut self.out, self.theme.style(el::A));
            self.out.push_str("\">");
            self.nodes(children);
            self.close("a");
            return;
        }
        let label = plain_text(children);
        self.wrap("span", el::A, children);
        // An autolink already shows its URL; a footnote would repeat it.
        if label.trim() == url {
            return;
        }
        let n = match self.footnotes.iter().position(|(u, _)| u == url) {
            Some(i) => i + 1,
            None => {
                self.footnotes.push((url.to_string(), label));
                self.footnotes.len()
            }
        };
        self.open("sup", el::SUP);
        self.out.push_str(&format!("[{n}]"));
        self.close("sup");
    }

    fn image(&mut self, url: &str, alt: &str, title: &str) {
        if !is_web_url(url) {
            // data: and javascript: sources are dropped; relative paths too, since the
            // image has to be uploaded from a reachable URL.
            self.unsafe_links += 1;
            return;
        }
        self.images.push((url.to_string(), alt.to_string()));
        self.out.push_str("<img src=\"");
        escape_into(&mut self.out, url);
        self.out.push_str("\" alt=\"");
        escape_into(&mut self.out, alt);
        self.out.push_str("\" style=\"");
        escape_into(&mut self.out, self.theme.style(el::IMG));
        self.out.push_str("\">");
        let caption = if title.trim().is_empty() { alt } else { title };
        if !caption.trim().is_empty() {
            self.open("span", el::CAPTION);
            self.text(caption);
            self.close("span");
        }
    }

    fn footnote_list(&mut self) {
        if self.footnotes.is_empty() {
            return;
        }
        self.open("section", el::FOOTNOTES);
        self.open("p", el::FOOTNOTES_TITLE);
        self.text(FOOTNOTES_TITLE);
        self.close("p");
        for (i, (url, label)) in std::mem::take(&mut self.footnotes).iter().enumerate() {
            self.open("p", el::FOOTNOTE);
            self.out.push_str(&format!("[{}] ", i + 1));
            if !label.trim().is_empty() {
                self.text(label.trim());
                self.out.push_str(": ");
            }
            self.text(url);
            self.close("p");
        }
        self.close("section");
    }
}

/// Visible characters of the generated HTML (text between tags, entities as one).
fn visible_chars(html: &str) -> usize {
    let mut count = 0;
    let mut in_tag = false;
    let mut in_entity = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '&' => {
                in_entity = true;
                count += 1;
            }
            ';' if in_entity => in_entity = false,
            _ if in_entity => {}
            _ => count += 1,
        }
    }
    count
}

pub fn render(doc: &Doc, title: Option<String>, options: &Options) -> Rendered {
    let target = Target::Wechat;
    let limits = target.limits();
    let mut w = Html {
        out: String::with_capacity(doc_size_hint(doc)),
        theme: &options.theme,
        footnotes: Vec::new(),
        images: Vec::new(),
        html: 0,
        unsafe_links: 0,
    };
    w.open("section", el::SECTION);
    w.nodes(&doc.blocks);
    let footnoted = w.footnotes.len();
    w.footnote_list();
    w.close("section");

    let mut notes = Vec::new();
    let mut count = |cond: bool, note: Note| {
        if cond {
            notes.push(note);
        }
    };
    count(
        doc.flattened > 0,
        Note::Flattened {
            count: doc.flattened,
        },
    );
    count(w.html > 0, Note::HtmlEscaped { count: w.html });
    count(
        w.unsafe_links > 0,
        Note::UnsafeLinks {
            count: w.unsafe_links,
        },
    );
    count(footnoted > 0, Note::LinksToFootnotes { count: footnoted });
    count(
        !w.images.is_empty(),
        Note::ImagesNeedUpload {
            count: w.images.len(),
        },
    );
    count(
        !options.tags.is_empty(),
        Note::TagsNotRendered {
            count: options.tags.len(),
        },
    );
    notes.push(Note::VisibleText {
        chars: visible_chars(&w.out),
    });

    let report = Report {
        // The API limit counts the content as sent, markup included.
        body: Length::of(&w.out, &limits, limits.body_max, false),
        title: title
            .as_deref()
            .map(|t| Length::of(t, &limits, limits.title_max, false)),
        hashtags: Count::of(0, limits.max_hashtags),
        images: Count::of(w.images.len(), limits.images_max),
        notes,
    };
    Rendered {
        target,
        title,
        images: image_slots(w.images, &limits),
        tags: Vec::new(),
        body: Body::Html(w.out),
        report,
    }
}

/// Inline styles multiply the size of the text; reserving up front avoids most
/// reallocation on long articles.
fn doc_size_hint(doc: &Doc) -> usize {
    doc.blocks.len() * 256 + 4096
}
