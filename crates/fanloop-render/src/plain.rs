//! Assembling a text post: the title line where the platform has no title field, the
//! option hashtags, the notes and the length report; and the plain-text targets
//! (Weibo, Xiaohongshu, Douyin, Toutiao, Zhihu, Bilibili, Mastodon, X and plain).

use crate::doc::{Doc, Node};
use crate::report::{Count, Length, Note, Report, image_slots};
use crate::tags::{clean_tag, write_tag};
use crate::text::{Mode, Span, Writer};
use crate::{Body, Options, Rendered, Target};
use fanloop_domain::TextLimits;

impl Writer {
    /// Appends the option tags not already written inline, on a last line.
    pub fn append_tags(&mut self, extra: &[String]) {
        let mut new: Vec<String> = Vec::new();
        for tag in extra.iter().filter_map(|t| clean_tag(t)) {
            if !self.tags.contains(&tag) && !new.contains(&tag) {
                new.push(tag);
            }
        }
        if new.is_empty() {
            return;
        }
        self.block(true);
        for (i, tag) in new.into_iter().enumerate() {
            if i > 0 {
                self.raw(" ");
            }
            let mut s = String::new();
            write_tag(&mut s, &tag, self.style);
            self.begin();
            let start = self.out.len();
            self.literal(&s);
            self.spans
                .push((start..self.out.len(), Span::Tag(tag.clone())));
            self.tags.push(tag);
        }
    }

    /// The title as the body's first line, for platforms with no title field.
    pub fn title_line(&mut self, title: &str) {
        self.heading(&[Node::Text(title.to_string())]);
        self.block(true);
    }

    pub fn notes(&self, doc: &Doc) -> Vec<Note> {
        let mut notes = Vec::new();
        if doc.flattened > 0 {
            notes.push(Note::Flattened {
                count: doc.flattened,
            });
        }
        if self.html > 0 {
            notes.push(Note::HtmlEscaped { count: self.html });
        }
        if self.unsafe_links > 0 {
            notes.push(Note::UnsafeLinks {
                count: self.unsafe_links,
            });
        }
        notes
    }
}

/// The report shared by the text-like targets.
pub fn report(
    limits: &TextLimits,
    body: &str,
    title: Option<&str>,
    tags: usize,
    images: usize,
    notes: Vec<Note>,
) -> Report {
    Report {
        body: Length::of(body, limits, limits.body_max, true),
        title: title
            .filter(|_| limits.title_max.is_some())
            .map(|t| Length::of(t, limits, limits.title_max, false)),
        hashtags: Count::of(tags, limits.max_hashtags),
        images: Count::of(images, limits.images_max),
        notes,
    }
}

/// Plain-text targets: Weibo, Xiaohongshu, Douyin, Toutiao, Zhihu, Bilibili, Mastodon,
/// X and plain.
pub fn render(doc: &Doc, target: Target, title: Option<String>, options: &Options) -> Rendered {
    let limits = target.limits();
    let mut w = Writer::new(Mode::Plain, target);
    let title_field = limits.title_max.is_some() || target == Target::Plain;
    if let (Some(t), false) = (&title, title_field) {
        w.title_line(t);
    }
    w.blocks(&doc.blocks, true);
    w.append_tags(&options.tags);
    let notes = w.notes(doc);
    let report = report(
        &limits,
        &w.out,
        title.as_deref(),
        w.tags.len(),
        w.images.len(),
        notes,
    );
    Rendered {
        target,
        title: if title_field { title } else { None },
        images: image_slots(w.images, &limits),
        tags: w.tags,
        body: Body::Text(w.out),
        report,
    }
}
