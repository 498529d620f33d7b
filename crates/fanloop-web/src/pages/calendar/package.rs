//! The ready-to-post package of an assisted publication: the variant rendered for its
//! platform (text to copy, or WeChat HTML), its images in order with the crops the
//! platform needs — linked to the media library's crops when the image comes from
//! there — its hashtags and a checklist, so whoever posts it by hand misses nothing.

use crate::api::media::crop::CropSpec;
use fanloop_domain::{Platform, Ratio};
use fanloop_render::{Body, ImageRole, Options, Target};
use fanloop_store::Post;
use fanloop_store::publishing::Publication;

pub struct Package {
    /// The title for platforms with a title field.
    pub title: Option<String>,
    /// Text to paste (plain-text platforms, Bluesky).
    pub text: Option<String>,
    /// Rich HTML to paste (WeChat).
    pub html: Option<String>,
    pub images: Vec<PackImage>,
    pub tags: Vec<String>,
    /// Catalog keys of the steps, in order.
    pub checklist: Vec<&'static str>,
}

pub struct PackImage {
    pub index: usize,
    pub url: String,
    pub alt: String,
    pub role: ImageRole,
    /// `(label, link to the crop in the library)`; no link for outside images.
    pub crops: Vec<(String, Option<String>)>,
    /// The library's item, when the image is one of ours.
    pub media_href: Option<String>,
}

/// The package for `p`, from its post's variant on that channel; `None` when the post
/// no longer has one (the variant's channel was removed).
pub fn build(
    post: &Post,
    p: &Publication,
    workspace: i64,
    theme: &fanloop_render::Theme,
) -> Option<Package> {
    let variant = post
        .variants
        .iter()
        .find(|v| v.channel_id == p.channel_id)?;
    let target = Target::for_platform(variant.platform).unwrap_or(Target::Plain);
    let options = Options {
        title: Some(variant.title.clone()),
        tags: variant.tags.clone(),
        theme: theme.clone(),
    };
    let rendered = fanloop_render::render(&variant.body, target, &options);
    let (text, html) = match &rendered.body {
        Body::Html(h) => (None, Some(h.clone())),
        other => (Some(other.as_str().to_owned()), None),
    };
    let mut images = Vec::new();
    // An explicit cover from the library comes first, cropped to the cover ratios.
    if let Some(cover) = variant.cover_media_id.or(post.cover_media_id) {
        let ratios = variant.platform.limits().cover_ratios.to_vec();
        images.push(library_image(
            workspace,
            cover,
            0,
            String::new(),
            ImageRole::Cover,
            &ratios,
        ));
    }
    for slot in &rendered.images {
        let image = match library_id(&slot.url, workspace) {
            Some(id) => PackImage {
                url: slot.url.clone(),
                ..library_image(
                    workspace,
                    id,
                    slot.index,
                    slot.alt.clone(),
                    slot.role,
                    &slot.crops,
                )
            },
            None => PackImage {
                index: slot.index,
                url: slot.url.clone(),
                alt: slot.alt.clone(),
                role: slot.role,
                crops: slot.crops.iter().map(|r| (label(*r), None)).collect(),
                media_href: None,
            },
        };
        images.push(image);
    }
    let mut checklist = vec!["pubs.check.copy"];
    if !images.is_empty() {
        checklist.push("pubs.check.images");
    }
    if !rendered.tags.is_empty() && variant.platform != Platform::WechatOa {
        checklist.push("pubs.check.tags");
    }
    checklist.extend(["pubs.check.publish", "pubs.check.confirm"]);
    Some(Package {
        title: rendered
            .report
            .title
            .is_some()
            .then(|| rendered.title.clone())
            .flatten(),
        text,
        html,
        images,
        tags: rendered.tags.clone(),
        checklist,
    })
}

fn label(ratio: Ratio) -> String {
    CropSpec {
        ratio,
        platforms: Vec::new(),
    }
    .label()
}

fn library_image(
    workspace: i64,
    id: i64,
    index: usize,
    alt: String,
    role: ImageRole,
    ratios: &[Ratio],
) -> PackImage {
    let base = format!("/w/{workspace}/media/{id}");
    PackImage {
        index,
        url: format!("{base}/thumb"),
        alt,
        role,
        crops: ratios
            .iter()
            .map(|r| {
                let spec = CropSpec {
                    ratio: *r,
                    platforms: Vec::new(),
                };
                (spec.label(), Some(format!("{base}/crop/{}", spec.slug())))
            })
            .collect(),
        media_href: Some(base),
    }
}

/// The library id of an image URL that points into this workspace's media library
/// (`/w/3/media/12/file`, absolute or relative).
fn library_id(url: &str, workspace: i64) -> Option<i64> {
    let marker = format!("/w/{workspace}/media/");
    let rest = &url[url.find(&marker)? + marker.len()..];
    let id = rest.split(['/', '?', '#']).next()?;
    id.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_images_are_recognised_by_their_path() {
        assert_eq!(library_id("/w/3/media/12/file", 3), Some(12));
        assert_eq!(
            library_id("https://fanloop.example/w/3/media/7", 3),
            Some(7)
        );
        assert_eq!(
            library_id("/w/4/media/12/file", 3),
            None,
            "another workspace"
        );
        assert_eq!(library_id("https://cdn.example/a.png", 3), None);
        assert_eq!(library_id("/w/3/media/new", 3), None);
    }

    #[test]
    fn crops_link_to_the_library_by_slug() {
        let image = library_image(
            3,
            12,
            1,
            String::new(),
            ImageRole::Cover,
            &[Ratio(235, 100), Ratio(1, 1)],
        );
        let crops: Vec<(String, Option<String>)> = image.crops;
        assert_eq!(
            crops[0],
            ("2.35:1".into(), Some("/w/3/media/12/crop/2.35x1".into()))
        );
        assert_eq!(
            crops[1],
            ("1:1".into(), Some("/w/3/media/12/crop/1x1".into()))
        );
    }
}
