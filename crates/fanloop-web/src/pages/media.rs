//! 素材库: the library grid with its upload form, one item's page with the platform
//! crops side by side and its focal point, and the files themselves.
//!
//! Uploads go through htmx (`hx-encoding="multipart/form-data"`) because the gate reads
//! the CSRF token of a session request from the `X-CSRF-Token` header that htmx sends,
//! not from a multipart body.

mod detail;

use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::api::media::{self as api, Variant, upload};
use crate::error::ApiError;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use detail::{detail_page, thumb_size};

use fanloop_domain::Permission;
use fanloop_store::media::Media;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    tag: String,
}

#[derive(Template)]
#[template(path = "media.html")]
struct LibraryPage {
    shell: Shell,
    items: Vec<Media>,
    tag: String,
    can_write: bool,
    /// The upload limits in MB, "images/videos".
    limits: String,
}

impl LibraryPage {
    fn size(&self, bytes: &i64) -> String {
        size(*bytes)
    }

    fn kind_label(&self, m: &Media) -> &'static str {
        self.shell.tr.t(&format!("media.kind.{}", m.kind.code()))
    }

    fn clock(&self, ms: &i64) -> String {
        clock(*ms)
    }

    /// Taller than wide: the placeholder takes the video's shape.
    fn portrait(&self, m: &Media) -> bool {
        matches!((m.width, m.height), (Some(w), Some(h)) if h > w)
    }
}

/// A duration as players show it: "0:15", "12:05", "1:02:03" (rounded to the second, and
/// never "0:00" for a video that plays at all).
fn clock(ms: i64) -> String {
    let seconds = if ms > 0 {
        ((ms + 500) / 1000).max(1)
    } else {
        0
    };
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// "1.2 MB", "340 KB".
fn size(bytes: i64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (b / 1024.0).ceil() as i64)
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<ListQuery>,
) -> Response {
    let tag = q.tag.trim().trim_matches('#').to_owned();
    let items = match state
        .store
        .media_list(ctx.id(), Some(tag.as_str()).filter(|t| !t.is_empty()))
        .await
    {
        Ok(items) => items,
        Err(e) => return page.fail(&e),
    };
    let shell = match Shell::load(&state, &page, Some(&ctx), "media").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    render(
        StatusCode::OK,
        &LibraryPage {
            shell,
            items,
            tag,
            can_write: ctx.role.allows(Permission::WriteContent),
            limits: format!(
                "{}/{}",
                upload::IMAGE_MAX_BYTES / (1024 * 1024),
                upload::VIDEO_MAX_BYTES / (1024 * 1024)
            ),
        },
    )
}

#[derive(Template)]
#[template(path = "media_upload_error.html")]
struct UploadError<'a> {
    message: &'a str,
}

/// The upload form's target: on success htmx is told to open the new item; a refusal
/// comes back as the message to show under the form.
pub async fn create(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let htmx = headers.contains_key("hx-request");
    let outcome = match upload::receive(&headers, body, &state.config.media_dir).await {
        Ok(received) => upload::accept(&state, ctx.id(), page.principal.user.id, received).await,
        Err(r) => Err(r),
    };
    match outcome {
        Ok(media) => {
            let target = format!("/w/{}/media/{}", ctx.workspace.id, media.id);
            if htmx {
                let mut response = StatusCode::CREATED.into_response();
                if let Ok(value) = HeaderValue::from_str(&target) {
                    response.headers_mut().insert("hx-redirect", value);
                }
                response
            } else {
                Redirect::to(&target).into_response()
            }
        }
        Err(r) => {
            let error = api::refusal(&page.tr, r);
            let message = error
                .errors
                .first()
                .map_or(error.detail.clone(), |p| p.message.clone());
            // htmx swaps only successful answers; the refusal is the content it shows.
            let status = if htmx { StatusCode::OK } else { error.status };
            render(status, &UploadError { message: &message })
        }
    }
}

fn refuse(page: &Page, e: ApiError) -> Response {
    if e.status.is_server_error() {
        page.fail(&e.detail)
    } else {
        page.refuse(e.status, &e.detail)
    }
}

async fn load(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    id: &str,
) -> Result<Media, Response> {
    let id = api::media_id(&page.tr, id).map_err(|e| refuse(page, e))?;
    state
        .store
        .media(ctx.id(), id)
        .await
        .map_err(|e| refuse(page, ApiError::store(&page.tr, e)))
}

pub async fn detail(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, id)): Path<(i64, String)>,
) -> Response {
    match load(&state, &page, &ctx, &id).await {
        Ok(media) => detail_page(&state, &page, &ctx, media, None, FieldErrors::default()).await,
        Err(response) => response,
    }
}

/// Both forms of the item page: the tags and focal-point fields, or a click on the
/// picture (`pt.x`/`pt.y`, pixels of the unscaled thumbnail).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    tags: Option<String>,
    focal_x: String,
    focal_y: String,
    #[serde(rename = "pt.x")]
    pt_x: String,
    #[serde(rename = "pt.y")]
    pt_y: String,
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, id)): Path<(i64, String)>,
    Form(form): Form<EditForm>,
) -> Response {
    let media = match load(&state, &page, &ctx, &id).await {
        Ok(media) => media,
        Err(response) => return response,
    };
    let number = |s: &str| s.trim().parse::<f64>().ok();
    let (fx, fy) = match (number(&form.pt_x), number(&form.pt_y)) {
        (Some(x), Some(y)) => {
            let (tw, th) = thumb_size(&media);
            (
                Some((x / f64::from(tw)).clamp(0.0, 1.0)),
                Some((y / f64::from(th)).clamp(0.0, 1.0)),
            )
        }
        // A percentage field left as typed ("30" or "30%") reads as a fraction.
        _ => {
            let pct = |s: &str| number(s.trim().trim_end_matches('%')).map(|v| v / 100.0);
            (pct(&form.focal_x), pct(&form.focal_y))
        }
    };
    let bad_number =
        |s: &str| !s.trim().is_empty() && number(s.trim().trim_end_matches('%')).is_none();
    if bad_number(&form.focal_x) || bad_number(&form.focal_y) {
        let errors = FieldErrors::one("focal", page.tr.t("media.focal_range"));
        return detail_page(&state, &page, &ctx, media, form.tags, errors).await;
    }
    let tags = form.tags.as_deref().map(upload::split_tags);
    let change = match api::parse_change(&page.tr, &media, tags, fx, fy) {
        Ok(change) => change,
        Err(e) => {
            let mut errors = FieldErrors::default();
            for p in e.errors {
                let field = if p.field.starts_with("focal") {
                    "focal"
                } else {
                    "tags"
                };
                errors.set(field, p.message);
            }
            return detail_page(&state, &page, &ctx, media, form.tags, errors).await;
        }
    };
    match api::apply(&state, &page.tr, &ctx, &page.principal, media.id, &change).await {
        Ok(m) => Redirect::to(&format!("/w/{}/media/{}", ctx.workspace.id, m.id)).into_response(),
        Err(e) => refuse(&page, e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, id)): Path<(i64, String)>,
) -> Response {
    let id = match api::media_id(&page.tr, &id) {
        Ok(id) => id,
        Err(e) => return refuse(&page, e),
    };
    match api::remove(&state, &page.tr, &ctx, &page.principal, id).await {
        Ok(()) => Redirect::to(&format!("/w/{}/media", ctx.workspace.id)).into_response(),
        Err(e) => refuse(&page, e),
    }
}

async fn send(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    id: &str,
    v: Variant<'_>,
) -> Response {
    match api::serve(state, &page.tr, ctx, id, v).await {
        Ok(response) => response,
        Err(e) => refuse(page, e),
    }
}

pub async fn file(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, id)): Path<(i64, String)>,
) -> Response {
    send(&state, &page, &ctx, &id, Variant::Original).await
}

pub async fn thumb(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, id)): Path<(i64, String)>,
) -> Response {
    send(&state, &page, &ctx, &id, Variant::Thumb).await
}

pub async fn crop_image(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, id, ratio)): Path<(i64, String, String)>,
) -> Response {
    send(&state, &page, &ctx, &id, Variant::Crop(&ratio)).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_like_a_player() {
        let cases = [
            (0, "0:00"),
            (200, "0:01"),
            (15_000, "0:15"),
            (15_499, "0:15"),
            (59_500, "1:00"),
            (725_000, "12:05"),
            (3_723_000, "1:02:03"),
        ];
        for (ms, want) in cases {
            assert_eq!(super::clock(ms), want, "{ms}");
        }
    }
}
