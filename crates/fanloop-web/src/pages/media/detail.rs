//! One item's page: the platform crops side by side, the focal-point picker, tags; for a
//! video, its frame against each platform's.

use super::{clock, size};
use crate::AppState;
use crate::api::media::{self as api, MediaView, crop};
use crate::gate::WorkspaceCtx;
use crate::pages::{FieldErrors, Page, Shell, render};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use fanloop_domain::Permission;
use fanloop_store::media::{Media, MediaKind};

#[derive(Template)]
#[template(path = "media_detail.html")]
struct DetailPage {
    shell: Shell,
    media: Media,
    view: MediaView,
    crops: Vec<CropPreview>,
    can_write: bool,
    tags_text: String,
    errors: FieldErrors,
    /// The thumbnail's size in CSS pixels, which the focal-point picker shows unscaled
    /// so that a click's coordinates map straight back to fractions of the image.
    thumb_size: (u32, u32),
    /// A video's frame against each platform ratio; empty for images and for videos
    /// that do not state their size.
    fits: Vec<Fit>,
}

struct Fit {
    label: String,
    platforms: String,
    aspect: String,
    fits: bool,
}

/// How far a video's ratio may stray from a platform's and still fit: encoders round
/// sizes to even numbers (1080×1918 is 9:16 all the same).
const FIT_TOLERANCE: f64 = 0.02;

/// Whether `width`×`height` has the shape of `ratio`.
fn fits(width: i64, height: i64, ratio: fanloop_domain::Ratio) -> bool {
    if width <= 0 || height <= 0 || ratio.0 == 0 || ratio.1 == 0 {
        return false;
    }
    let have = width as f64 / height as f64;
    let want = f64::from(ratio.0) / f64::from(ratio.1);
    ((have - want) / want).abs() <= FIT_TOLERANCE
}

struct CropPreview {
    label: String,
    url: String,
    platforms: String,
    /// Width over height as CSS `aspect-ratio`.
    aspect: String,
}

impl DetailPage {
    fn is_image(&self) -> bool {
        self.media.kind == MediaKind::Image
    }

    fn percent(&self, f: &f64) -> String {
        format!("{:.0}%", f * 100.0)
    }

    fn whole_percent(&self, f: &f64) -> String {
        format!("{:.0}", f * 100.0)
    }

    fn size(&self, bytes: &i64) -> String {
        size(*bytes)
    }

    fn clock(&self, ms: &i64) -> String {
        clock(*ms)
    }

    fn kind_label(&self) -> &'static str {
        self.shell
            .tr
            .t(&format!("media.kind.{}", self.media.kind.code()))
    }
}

pub(super) fn thumb_size(m: &Media) -> (u32, u32) {
    let w = m.width.unwrap_or(1).clamp(1, i64::from(u32::MAX)) as u64;
    let h = m.height.unwrap_or(1).clamp(1, i64::from(u32::MAX)) as u64;
    let tw = w.min(320);
    (tw as u32, ((h * tw) / w).max(1) as u32)
}

pub(super) async fn detail_page(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    media: Media,
    tags_text: Option<String>,
    errors: FieldErrors,
) -> Response {
    let shell = match Shell::load(state, page, Some(ctx), "media").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let version = format!(
        "{:.0}-{:.0}",
        media.focal_x * 1000.0,
        media.focal_y * 1000.0
    );
    let base = format!("/w/{}/media/{}", ctx.workspace.id, media.id);
    let locale = if shell.tr.is_zh() {
        fanloop_domain::Locale::ZhCn
    } else {
        fanloop_domain::Locale::En
    };
    let platforms = |s: &crop::CropSpec| {
        s.platforms
            .iter()
            .map(|p| p.label(locale))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let fits = match (media.kind, media.width, media.height) {
        (MediaKind::Video, Some(w), Some(h)) => crop::specs()
            .iter()
            .map(|s| Fit {
                label: s.label(),
                platforms: platforms(s),
                aspect: format!("{} / {}", s.ratio.0, s.ratio.1),
                fits: fits(w, h, s.ratio),
            })
            .collect(),
        _ => Vec::new(),
    };
    let crops = crop::specs()
        .iter()
        .map(|s| CropPreview {
            label: s.label(),
            url: format!("{base}/crop/{}?f={version}", s.slug()),
            platforms: platforms(s),
            aspect: format!("{} / {}", s.ratio.0, s.ratio.1),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &DetailPage {
            shell,
            thumb_size: thumb_size(&media),
            tags_text: tags_text.unwrap_or_else(|| media.tags.join(", ")),
            view: api::view(media.clone()),
            media,
            crops,
            can_write: ctx.role.allows(Permission::WriteContent),
            errors,
            fits,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::fits;
    use fanloop_domain::Ratio;

    #[test]
    fn frames_fit_within_encoder_rounding() {
        let cases = [
            ((1080, 1920), Ratio(9, 16), true),
            ((1080, 1918), Ratio(9, 16), true),
            ((1920, 1080), Ratio(9, 16), false),
            ((1080, 1440), Ratio(3, 4), true),
            ((1080, 1350), Ratio(3, 4), false),
            ((1920, 1080), Ratio(16, 9), true),
            ((0, 1080), Ratio(16, 9), false),
            ((1080, 1920), Ratio(0, 1), false),
        ];
        for ((w, h), ratio, want) in cases {
            assert_eq!(fits(w, h, ratio), want, "{w}×{h} as {ratio:?}");
        }
    }
}
