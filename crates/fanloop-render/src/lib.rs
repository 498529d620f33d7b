//! Typesetting for Fanloop (排版): one Markdown master rendered into each platform's
//! format — WeChat article HTML with inline styles, Telegram's HTML subset, a Bluesky
//! record (text + facets), and plain text with the platform's hashtag syntax for
//! Weibo, Xiaohongshu, Douyin, Toutiao, Zhihu, Bilibili, Mastodon and X.
//!
//! Every rendering carries a [`Report`]: the length as the platform counts it against
//! the limit from `fanloop_domain::Platform::limits` (the one table the linter reads
//! too), where feeds fold, the images in order with the crops they need, and notes on
//! what was changed. Over-length text is reported, never cut.
//!
//! Conventions, for every target:
//! - A leading `# Heading` is the post's title and leaves the body; when
//!   [`Options::title`] is given it is the title instead and the heading stays. The title
//!   goes to the title field where the platform has one, else it opens the body.
//! - Images leave text bodies and are listed in order in [`Rendered::images`]; the first
//!   is the cover where the platform takes one, with the crop ratios it needs.
//! - Bluesky mentions need a DID only the connector can resolve: they are listed in
//!   [`BlueskyPost::mentions`] (byte range + handle), never emitted as half-filled facets.
//! - Hashtags come from two places: inline `#tag` (or `#话题#`) in the text, rewritten in
//!   place to the platform's syntax, and [`Options::tags`], appended on a last line
//!   (skipping any already inline). WeChat bodies carry no hashtags.
//! - Raw HTML in the Markdown is never passed through: it is escaped (shown as text);
//!   HTML comments are dropped and `<br>` becomes a line break.
//! - Nesting deeper than [`MAX_DEPTH`] is flattened, so hostile input cannot overflow the
//!   stack.
//!
//! Architecture invariant: pure and deterministic — no IO, no clock, no randomness, no
//! global state. The same input gives the same bytes, so renderings can be cached,
//! compared and tested as tables of input → expected output. [`render`] cannot fail;
//! only parsing a custom theme can.

mod bluesky;
mod doc;
mod highlight;
mod measure;
mod plain;
mod report;
mod tags;
mod target;
mod telegram;
mod text;
mod wechat;

pub use bluesky::{BlueskyPost, Facet, FacetFeature, PendingMention, Span};
pub use doc::MAX_DEPTH;
pub use report::{Count, ImageRole, ImageSlot, Length, Note, Report, ratio_name};
pub use target::{Format, Target};
pub use wechat::theme::{THEMES, Theme, ThemeError};

use serde::{Serialize, Serializer};

/// What to render besides the Markdown.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The post's title; when `None`, a leading `# Heading` is used.
    pub title: Option<String>,
    /// Hashtags to add (with or without `#`), after any written inline.
    pub tags: Vec<String>,
    /// WeChat theme (built-in or custom); other targets ignore it.
    pub theme: Theme,
}

/// A rendered post for one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendered {
    #[serde(serialize_with = "target_name")]
    pub target: Target,
    pub title: Option<String>,
    pub body: Body,
    /// Every hashtag of the post (without `#`), inline ones first.
    pub tags: Vec<String>,
    pub images: Vec<ImageSlot>,
    pub report: Report,
}

/// The body in the target's format.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body {
    Html(String),
    Text(String),
    Bluesky(BlueskyPost),
}

impl Body {
    /// The body as a string: the HTML, the text, or the Bluesky post's text.
    pub fn as_str(&self) -> &str {
        match self {
            Body::Html(s) | Body::Text(s) => s,
            Body::Bluesky(post) => &post.text,
        }
    }
}

fn target_name<S: Serializer>(t: &Target, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.name())
}

/// Input that is not Markdown text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("the input is not valid UTF-8: invalid byte sequence at byte offset {offset}")]
    InvalidUtf8 { offset: usize },
}

/// Checks that bytes are UTF-8 Markdown, naming the offset of the first bad byte.
pub fn markdown_from_bytes(bytes: &[u8]) -> Result<&str, RenderError> {
    std::str::from_utf8(bytes).map_err(|e| RenderError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

/// Renders Markdown for a target. Pure: the same arguments always give the same result.
pub fn render(markdown: &str, target: Target, options: &Options) -> Rendered {
    let mut doc = doc::parse(markdown);
    let title = options
        .title
        .clone()
        .or_else(|| take_title(&mut doc.blocks));
    match target.format() {
        target::Format::Html if target == Target::Wechat => wechat::render(&doc, title, options),
        target::Format::Bluesky => bluesky::render(&doc, title, options),
        target::Format::Html => telegram::render(&doc, title, options),
        target::Format::Text => plain::render(&doc, target, title, options),
    }
}

/// Removes a leading level-1 heading and returns its text as the title.
fn take_title(blocks: &mut Vec<doc::Node>) -> Option<String> {
    match blocks.first() {
        Some(doc::Node::Container(doc::Kind::Heading(1), children)) => {
            let title = doc::plain_text(children).trim().to_string();
            blocks.remove(0);
            Some(title)
        }
        _ => None,
    }
}
