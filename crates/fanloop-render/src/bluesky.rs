//! Bluesky (AT Protocol) posts: the text plus rich-text facets, each facet's `index`
//! in UTF-8 **byte** offsets (start inclusive, end exclusive) as the protocol requires.
//!
//! Links become `app.bsky.richtext.facet#link` over their label (so `[文章](url)` shows
//! "文章" and opens the URL), hashtags `#tag` facets (tag without `#`). Mentions cannot
//! be facets yet: a mention facet needs the account's DID, which only a handle
//! resolution at publish time can give. They are listed in [`BlueskyPost::mentions`]
//! with their byte range and handle; the connector resolves each handle and appends a
//! `app.bsky.richtext.facet#mention` facet with the DID (or leaves the text plain when
//! the handle does not resolve). `facets` is therefore always valid as it stands.

use crate::doc::Doc;
use crate::plain::report;
use crate::report::image_slots;
use crate::text::{Mode, Span as TextSpan, Writer};
use crate::{Body, Options, Rendered, Target};
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

/// Bluesky rejects tags longer than this many graphemes.
const TAG_MAX_GRAPHEMES: usize = 64;

/// The `text` and `facets` of an `app.bsky.feed.post` record, plus mentions to resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlueskyPost {
    pub text: String,
    pub facets: Vec<Facet>,
    pub mentions: Vec<PendingMention>,
}

/// `app.bsky.richtext.facet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facet {
    pub index: Span,
    pub features: Vec<FacetFeature>,
}

/// `app.bsky.richtext.facet#byteSlice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    pub byte_start: usize,
    pub byte_end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "$type")]
pub enum FacetFeature {
    #[serde(rename = "app.bsky.richtext.facet#link")]
    Link { uri: String },
    #[serde(rename = "app.bsky.richtext.facet#tag")]
    Tag { tag: String },
}

/// A mention whose DID the connector must resolve before adding it as a facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingMention {
    pub index: Span,
    /// The handle without `@`, e.g. `alice.bsky.social`.
    pub handle: String,
}

pub fn render(doc: &Doc, title: Option<String>, options: &Options) -> Rendered {
    let target = Target::Bluesky;
    let limits = target.limits();
    let mut w = Writer::new(Mode::Bluesky, target);
    if let Some(t) = &title {
        w.title_line(t);
    }
    w.blocks(&doc.blocks, true);
    w.append_tags(&options.tags);
    let mut notes = w.notes(doc);

    let mut facets = Vec::new();
    let mut mentions = Vec::new();
    for (range, span) in std::mem::take(&mut w.spans) {
        let index = Span {
            byte_start: range.start,
            byte_end: range.end,
        };
        match span {
            TextSpan::Link(uri) => facets.push(Facet {
                index,
                features: vec![FacetFeature::Link { uri }],
            }),
            TextSpan::Tag(tag) if tag.graphemes(true).count() <= TAG_MAX_GRAPHEMES => {
                facets.push(Facet {
                    index,
                    features: vec![FacetFeature::Tag { tag }],
                })
            }
            TextSpan::Tag(_) => {}
            // Only domain-like handles can resolve on Bluesky.
            TextSpan::Mention(handle) if handle.contains('.') => {
                mentions.push(PendingMention { index, handle })
            }
            TextSpan::Mention(_) => {}
        }
    }
    if !mentions.is_empty() {
        notes.push(crate::Note::UnresolvedMentions {
            count: mentions.len(),
        });
    }
    let report = report(&limits, &w.out, None, w.tags.len(), w.images.len(), notes);
    Rendered {
        target,
        title: None,
        images: image_slots(w.images, &limits),
        tags: w.tags,
        body: Body::Bluesky(BlueskyPost {
            text: w.out,
            facets,
            mentions,
        }),
        report,
    }
}
