//! What a rendering carries besides its body: lengths against the platform's limits,
//! the images in order with the crops they need, and notes about what was changed.
//!
//! Nothing is ever cut to fit: over-length text is reported here and left whole, so the
//! operator (or the linter) decides what to shorten.

use crate::measure::{Measure, measure};
use fanloop_domain::{Counting, Ratio, TextLimits};
use serde::{Serialize, Serializer};
use std::fmt;

/// A length as the platform counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Length {
    pub count: usize,
    pub limit: Option<usize>,
    /// `count > limit`.
    pub over: bool,
    /// How the platform counts: `chars`, `graphemes`, `x_weighted`, `weibo_half_ascii`.
    pub counting: &'static str,
    /// Where feeds fold the text ("展开全文"), as a count, when the platform folds.
    pub fold_at: Option<usize>,
    /// Byte offset in the body where the fold falls, when the text is that long.
    /// (Offsets are into the text as counted: for Telegram, its visible text.)
    pub fold_byte: Option<usize>,
    /// Byte offset in the body of the first unit past the limit, when it overflows.
    pub limit_byte: Option<usize>,
}

impl Length {
    pub(crate) fn of(text: &str, limits: &TextLimits, limit: Option<usize>, fold: bool) -> Self {
        let fold_at = if fold { limits.fold_at } else { None };
        let Measure {
            count,
            fold_byte,
            limit_byte,
        } = measure(text, limits.counting, limits.url_weight, fold_at, limit);
        Length {
            count,
            limit,
            over: limit.is_some_and(|l| count > l),
            counting: counting_name(limits.counting),
            fold_at,
            fold_byte,
            limit_byte,
        }
    }
}

fn counting_name(c: Counting) -> &'static str {
    match c {
        Counting::Chars => "chars",
        Counting::Graphemes => "graphemes",
        Counting::XWeighted => "x_weighted",
        Counting::WeiboHalfAscii => "weibo_half_ascii",
    }
}

/// A count of things (hashtags, images) against the platform's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    pub count: usize,
    pub max: Option<usize>,
    pub over: bool,
}

impl Count {
    pub(crate) fn of(count: usize, max: Option<usize>) -> Self {
        Count {
            count,
            max,
            over: max.is_some_and(|m| count > m),
        }
    }
}

/// Everything measured about one rendering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub body: Length,
    /// Present when the post has a title and the platform has a title field.
    pub title: Option<Length>,
    pub hashtags: Count,
    pub images: Count,
    pub notes: Vec<Note>,
}

impl Report {
    /// Whether anything exceeds a platform limit (the post would be refused or cut).
    pub fn over_limit(&self) -> bool {
        self.body.over
            || self.title.as_ref().is_some_and(|t| t.over)
            || self.hashtags.over
            || self.images.over
    }
}

/// Something the renderer changed or that the operator must do, as data (the CLI and the
/// UI word it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// Containers nested deeper than the renderer supports were flattened.
    Flattened { count: usize },
    /// Raw HTML in the Markdown was shown as text instead of being passed through.
    HtmlEscaped { count: usize },
    /// Links whose scheme is not http(s) (e.g. `javascript:`) were kept as text only.
    UnsafeLinks { count: usize },
    /// External links became numbered footnotes (the platform does not make them
    /// clickable).
    LinksToFootnotes { count: usize },
    /// Body images must be uploaded to the platform and their URLs rewritten.
    ImagesNeedUpload { count: usize },
    /// The platform has no place for these hashtags in this format.
    TagsNotRendered { count: usize },
    /// The visible text length of an HTML body (the limit counts markup too).
    VisibleText { chars: usize },
    /// Mentions that need resolving (Bluesky: handle → DID) before publishing.
    UnresolvedMentions { count: usize },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Flattened { count } => {
                write!(f, "{count} container(s) nested too deeply were flattened")
            }
            Note::HtmlEscaped { count } => {
                write!(
                    f,
                    "{count} piece(s) of raw HTML shown as text, not passed through"
                )
            }
            Note::UnsafeLinks { count } => {
                write!(f, "{count} link(s) with a non-web scheme kept as text only")
            }
            Note::LinksToFootnotes { count } => {
                write!(f, "{count} external link(s) listed as numbered footnotes")
            }
            Note::ImagesNeedUpload { count } => write!(
                f,
                "{count} image(s) must be uploaded to the platform before publishing"
            ),
            Note::TagsNotRendered { count } => {
                write!(
                    f,
                    "{count} hashtag(s) not placed in the body (set them in the editor)"
                )
            }
            Note::VisibleText { chars } => write!(f, "{chars} visible characters"),
            Note::UnresolvedMentions { count } => write!(
                f,
                "{count} mention(s) need their handle resolved to a DID when publishing"
            ),
        }
    }
}

/// What an image is for in the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageRole {
    Cover,
    Body,
}

/// One image of the post, in order, with the crops the platform needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageSlot {
    /// Position among the post's images, from 1.
    pub index: usize,
    pub url: String,
    pub alt: String,
    pub role: ImageRole,
    /// Aspect ratios to crop to, width:height; empty when any shape is accepted.
    #[serde(serialize_with = "ratios")]
    pub crops: Vec<Ratio>,
}

fn ratios<S: Serializer>(r: &[Ratio], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(r.iter().map(|Ratio(w, h)| ratio_name(*w, *h)))
}

/// `2.35:1` for 235:100, `3:4` for 3:4.
pub fn ratio_name(w: u32, h: u32) -> String {
    if h == 100 && !w.is_multiple_of(100) {
        format!("{}.{:02}:1", w / 100, w % 100)
    } else {
        format!("{w}:{h}")
    }
}

/// Assigns roles and crops: the first image is the cover when the platform takes one
/// (cropped to every cover ratio it needs); the others get the platform's image ratio.
pub(crate) fn image_slots(images: Vec<(String, String)>, limits: &TextLimits) -> Vec<ImageSlot> {
    images
        .into_iter()
        .enumerate()
        .map(|(i, (url, alt))| {
            let cover = i == 0 && !limits.cover_ratios.is_empty();
            ImageSlot {
                index: i + 1,
                url,
                alt,
                role: if cover {
                    ImageRole::Cover
                } else {
                    ImageRole::Body
                },
                crops: if cover {
                    limits.cover_ratios.to_vec()
                } else {
                    limits.image_ratio.into_iter().collect()
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_names() {
        assert_eq!(ratio_name(235, 100), "2.35:1");
        assert_eq!(ratio_name(3, 4), "3:4");
        assert_eq!(ratio_name(16, 9), "16:9");
    }
}
