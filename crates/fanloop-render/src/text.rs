//! Text layout shared by the text targets, Telegram and Bluesky: paragraphs separated by
//! a blank line, lists with `•`/`1.` markers and indented continuations, quotes with a
//! `> ` prefix, headings on their own line, hashtags rewritten to the platform's syntax.
//!
//! The writer records the byte range of every link, tag and mention as it writes, so
//! Bluesky facets come out of the same pass with exact UTF-8 offsets.

use crate::Target;
use crate::doc::{Kind, Node, plain_text};
use crate::tags::{Token, scan, write_tag};
use fanloop_domain::HashtagStyle;
use std::ops::Range;

/// Markup flavour of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plain,
    /// Telegram's HTML subset: text escaped, b/i/s/code/pre/a/blockquote only.
    Telegram,
    /// Plain text; links keep their label and become facets.
    Bluesky,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Link(String),
    Tag(String),
    Mention(String),
}

pub struct Writer {
    pub out: String,
    pub(crate) mode: Mode,
    pub(crate) style: HashtagStyle,
    pub(crate) cjk: bool,
    /// Emitted at the start of every line (quote markers, list indentation).
    pub(crate) prefix: String,
    pub(crate) at_line_start: bool,
    /// A block boundary waiting for the next content: `true` for a blank line.
    pub(crate) gap: Option<bool>,
    pub spans: Vec<(Range<usize>, Span)>,
    pub tags: Vec<String>,
    pub images: Vec<(String, String)>,
    pub html: usize,
    pub unsafe_links: usize,
    /// Set right after a list marker or a quote opens: the first block inside must not
    /// start a new line.
    pub(crate) suppress_gap: bool,
}

impl Writer {
    pub fn new(mode: Mode, target: Target) -> Self {
        Writer {
            out: String::new(),
            mode,
            style: target.limits().hashtag,
            cjk: target.cjk_style(),
            prefix: String::new(),
            at_line_start: true,
            gap: None,
            spans: Vec::new(),
            tags: Vec::new(),
            images: Vec::new(),
            html: 0,
            unsafe_links: 0,
            suppress_gap: false,
        }
    }

    pub(crate) fn flush_gap(&mut self) {
        if let Some(blank) = self.gap.take()
            && !self.out.is_empty()
        {
            self.out.push('\n');
            if blank {
                self.out.push_str(self.prefix.trim_end());
                self.out.push('\n');
            }
            self.at_line_start = true;
        }
    }

    pub(crate) fn block(&mut self, blank: bool) {
        if self.suppress_gap {
            return;
        }
        // A blank line wins over a plain line break if both are requested.
        self.gap = Some(self.gap.unwrap_or(false) || blank);
    }

    /// Ends any pending block boundary and writes the line prefix, so that `out.len()`
    /// is where the next content starts.
    pub(crate) fn begin(&mut self) {
        self.flush_gap();
        if self.at_line_start {
            self.out.push_str(&self.prefix);
            self.at_line_start = false;
        }
    }

    /// Writes markup (never escaped, never scanned).
    pub fn raw(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.begin();
        self.suppress_gap = false;
        self.out.push_str(s);
    }

    /// Opens a container whose first block must not start a new line.
    pub(crate) fn opened(&mut self) {
        self.suppress_gap = true;
    }

    /// Writes text, escaping it for Telegram, with line prefixes after each newline.
    pub(crate) fn literal(&mut self, s: &str) {
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                self.flush_gap();
                self.out.push('\n');
                self.at_line_start = true;
            }
            if line.is_empty() {
                continue;
            }
            if self.mode == Mode::Telegram {
                self.raw(&crate::telegram::escape(line));
            } else {
                self.raw(line);
            }
        }
    }

    /// Writes prose: hashtags are rewritten, and tags, mentions and URLs recorded.
    pub(crate) fn prose(&mut self, s: &str) {
        let mut done = 0;
        for token in scan(s) {
            let range = match &token {
                Token::Tag(r, _) | Token::Mention(r, _) | Token::Url(r) => r.clone(),
            };
            self.literal(&s[done..range.start]);
            self.begin();
            let start = self.out.len();
            match token {
                Token::Tag(_, name) => {
                    let mut tag = String::new();
                    write_tag(&mut tag, &name, self.style);
                    self.literal(&tag);
                    self.spans
                        .push((start..self.out.len(), Span::Tag(name.clone())));
                    self.tags.push(name);
                    // `#话题` needs a separator before the text goes on.
                    let next = s[range.end..].chars().next();
                    if self.style == HashtagStyle::Prefix
                        && next.is_some_and(|c| !c.is_whitespace())
                    {
                        self.out.push(' ');
                    }
                }
                Token::Mention(_, handle) => {
                    self.literal(&s[range.clone()]);
                    self.spans
                        .push((start..self.out.len(), Span::Mention(handle)));
                }
                Token::Url(_) => {
                    let url = &s[range.clone()];
                    if self.mode == Mode::Telegram {
                        crate::telegram::link(self, url, url);
                    } else {
                        self.literal(url);
                        self.spans
                            .push((start..self.out.len(), Span::Link(url.to_string())));
                    }
                }
            }
            done = range.end;
        }
        self.literal(&s[done..]);
    }

    pub fn blocks(&mut self, nodes: &[Node], blank: bool) {
        for node in nodes {
            self.node(node, blank);
        }
    }

    pub(crate) fn node(&mut self, node: &Node, blank: bool) {
        match node {
            Node::Text(t) => self.prose(t),
            Node::Code(t) => self.inline_markup(("<code>", "</code>"), |w| w.literal(t)),
            Node::Html(h) => self.html(h),
            Node::SoftBreak | Node::HardBreak => self.literal("\n"),
            Node::Check(done) => self.raw(if *done { "☑ " } else { "☐ " }),
            Node::Rule => {
                self.block(blank);
                self.raw("——————");
                self.block(blank);
            }
            Node::CodeBlock { lang, text } => {
                self.block(blank);
                if self.mode == Mode::Telegram {
                    crate::telegram::code_block(self, lang, text);
                } else {
                    self.literal(text.trim_end_matches('\n'));
                }
                self.block(blank);
            }
            Node::Image { url, alt, .. } => self.images.push((url.clone(), alt.clone())),
            Node::Container(kind, children) => self.container(kind, children, blank),
        }
    }

    pub(crate) fn inline_markup(&mut self, tags: (&str, &str), body: impl FnOnce(&mut Self)) {
        let telegram = self.mode == Mode::Telegram;
        if telegram {
            self.raw(tags.0);
        }
        body(self);
        if telegram {
            self.raw(tags.1);
        }
    }

    pub(crate) fn html(&mut self, html: &str) {
        self.html += 1;
        self.literal(html.trim_end_matches('\n'));
    }

    pub(crate) fn container(&mut self, kind: &Kind, children: &[Node], blank: bool) {
        match kind {
            Kind::Paragraph if children.iter().all(is_image_or_space) => {
                // Images leave the text; a paragraph of only images leaves no gap.
                for child in children {
                    if let Node::Image { url, alt, .. } = child {
                        self.images.push((url.clone(), alt.clone()));
                    }
                }
            }
            Kind::Paragraph => {
                self.block(blank);
                self.blocks(children, blank);
                self.block(blank);
            }
            Kind::Heading(_) => {
                self.block(true);
                self.heading(children);
                self.block(true);
            }
            Kind::Quote => {
                self.block(blank);
                if self.mode == Mode::Telegram {
                    self.raw("<blockquote>");
                    self.opened();
                    self.blocks(children, blank);
                    self.gap = None;
                    self.suppress_gap = false;
                    self.raw("</blockquote>");
                } else {
                    let saved = self.prefix.len();
                    self.flush_gap();
                    self.prefix.push_str("> ");
                    self.opened();
                    self.blocks(children, blank);
                    self.gap = None;
                    self.suppress_gap = false;
                    self.prefix.truncate(saved);
                }
                self.block(blank);
            }
            Kind::List(start) => {
                self.block(blank);
                let mut number = start.unwrap_or(1);
                for item in children {
                    let marker = match start {
                        Some(_) => format!("{number}. "),
                        None => "• ".to_string(),
                    };
                    number = number.saturating_add(1);
                    self.block(false);
                    self.raw(&marker);
                    self.opened();
                    let saved = self.prefix.len();
                    self.prefix.push_str(&" ".repeat(marker.chars().count()));
                    match item {
                        Node::Container(Kind::Item, inner) => self.blocks(inner, false),
                        other => self.node(other, false),
                    }
                    self.gap = None;
                    self.suppress_gap = false;
                    self.prefix.truncate(saved);
                }
                self.block(blank);
            }
            Kind::Item | Kind::Group | Kind::TableCell => self.blocks(children, blank),
            Kind::Table(_) => {
                self.block(blank);
                self.blocks(children, blank);
                self.block(blank);
            }
            Kind::TableHead | Kind::TableRow => {
                self.block(false);
                for (i, cell) in children.iter().enumerate() {
                    if i > 0 {
                        self.raw(" | ");
                    }
                    self.node(cell, false);
                }
                self.block(false);
            }
            Kind::Emphasis => self.inline_markup(("<i>", "</i>"), |w| w.blocks(children, blank)),
            Kind::Strong => self.inline_markup(("<b>", "</b>"), |w| w.blocks(children, blank)),
            Kind::Strike => self.inline_markup(("<s>", "</s>"), |w| w.blocks(children, blank)),
            Kind::Link { url, .. } => self.link(url, children, blank),
        }
    }

    pub(crate) fn link(&mut self, url: &str, children: &[Node], blank: bool) {
        let label = plain_text(children);
        if !is_web_url(url) {
            self.unsafe_links += 1;
            self.blocks(children, blank);
            return;
        }
        match self.mode {
            Mode::Telegram => crate::telegram::link(self, url, &label),
            Mode::Bluesky => {
                self.begin();
                let start = self.out.len();
                if label.trim().is_empty() {
                    self.literal(url);
                } else {
                    self.literal(&label);
                }
                self.spans
                    .push((start..self.out.len(), Span::Link(url.to_string())));
            }
            Mode::Plain => {
                if label.trim().is_empty() || label == url {
                    self.literal(url);
                } else {
                    self.blocks(children, blank);
                    self.literal(" ");
                    self.literal(url);
                }
            }
        }
    }

    /// Headings: bold in Telegram, 【】 on Chinese platforms, a bare line elsewhere.
    pub fn heading(&mut self, children: &[Node]) {
        let text = plain_text(children);
        let text = text.trim();
        match self.mode {
            Mode::Telegram => self.inline_markup(("<b>", "</b>"), |w| w.literal(text)),
            _ if self.cjk => self.literal(&format!("【{text}】")),
            _ => self.literal(text),
        }
    }
}

fn is_image_or_space(node: &Node) -> bool {
    match node {
        Node::Image { .. } | Node::SoftBreak | Node::HardBreak => true,
        Node::Text(t) => t.trim().is_empty(),
        _ => false,
    }
}

/// Only web links are made clickable; `javascript:`, `data:` and friends stay text.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}
