//! `/api/v1/workspaces/{id}/media`: the media library (素材库). Uploads are multipart
//! (field `file`, optional `tags`); the type comes from the bytes, never the name.
//! The files themselves are served to pages under `/w/{id}/media/{media_id}/…`.

pub mod crop;
mod imaging;
pub mod isobmff;
pub mod objects;
mod serve;
mod sniff;
mod spool;

pub use spool::sweep as sweep_partial_uploads;
pub mod upload;

use super::{ApiJson, ApiTr, invalid, rfc3339};
use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use fanloop_store::media::{Media, MediaChange, MediaKind};
use imaging::ImageProblem;
use serde::{Deserialize, Serialize};
pub(crate) use serve::{Variant, serve};
use std::collections::BTreeMap;
use upload::Refusal;

#[derive(Serialize)]
pub struct MediaView {
    id: i64,
    kind: MediaKind,
    mime: String,
    bytes: i64,
    /// The picture as shown (for video, with the track's rotation applied).
    width: Option<i64>,
    height: Option<i64>,
    /// How long a video plays, read from its `mvhd` box; `null` for images.
    duration_ms: Option<i64>,
    original_name: String,
    tags: Vec<String>,
    focal_x: f64,
    focal_y: f64,
    created_by: i64,
    created_at: String,
    /// Where to fetch the file, its thumbnail and each platform crop (images only),
    /// with the same credentials.
    pub(crate) file_url: String,
    pub(crate) thumb_url: Option<String>,
    crop_urls: BTreeMap<String, String>,
}

pub(crate) fn view(m: Media) -> MediaView {
    let base = format!("/w/{}/media/{}", m.workspace_id, m.id);
    let image = m.kind == MediaKind::Image;
    MediaView {
        id: m.id,
        kind: m.kind,
        file_url: format!("{base}/file"),
        thumb_url: image.then(|| format!("{base}/thumb")),
        crop_urls: if image {
            crop::specs()
                .iter()
                .map(|s| (s.label(), format!("{base}/crop/{}", s.slug())))
                .collect()
        } else {
            BTreeMap::new()
        },
        mime: m.mime,
        bytes: m.bytes,
        width: m.width,
        height: m.height,
        duration_ms: m.duration_ms,
        original_name: m.original_name,
        tags: m.tags,
        focal_x: m.focal_x,
        focal_y: m.focal_y,
        created_by: m.created_by,
        created_at: rfc3339(m.created_at),
    }
}

fn file_problem(tr: &Tr, message: String) -> ApiError {
    ApiError::fields(
        tr,
        vec![FieldProblem {
            field: "file".into(),
            message,
        }],
    )
}

/// Each refusal as the problem the API answers (pages show the same `detail`).
pub(crate) fn refusal(tr: &Tr, r: Refusal) -> ApiError {
    match r {
        Refusal::NotMultipart => {
            let mut e = ApiError::unsupported_media(tr);
            e.detail = tr.t("media.multipart_expected").into();
            e
        }
        Refusal::Malformed(why) => ApiError::bad_request(tr, tr.t1("media.malformed", why)),
        Refusal::NoFile => file_problem(tr, tr.t("media.no_file").into()),
        Refusal::Unsupported => {
            let mut e = ApiError::unsupported_media(tr);
            e.detail = tr.t("media.unsupported").into();
            e
        }
        Refusal::TooLarge { limit } => {
            let mut e = ApiError::too_large(tr);
            e.detail = tr.t1("media.too_large", limit / (1024 * 1024));
            e
        }
        Refusal::Image(ImageProblem::TooLarge { width, height }) => file_problem(
            tr,
            tr.t1(
                "media.too_many_pixels",
                format!("{width}×{height}, {}", imaging::MAX_PIXELS / 1_000_000),
            ),
        ),
        Refusal::Image(ImageProblem::Unreadable(_)) => {
            file_problem(tr, tr.t("media.unreadable").into())
        }
        Refusal::Video(problem) => {
            let key = match problem {
                isobmff::BoxError::NoMovie => "media.video_no_movie",
                ref p if p.is_truncated() => "media.video_truncated",
                _ => "media.video_malformed",
            };
            tracing::info!(%problem, "video refused");
            file_problem(tr, tr.t(key).into())
        }
        Refusal::Tags(errors) => invalid(tr, errors),
        Refusal::Internal(cause) => ApiError::internal(tr, &cause),
    }
}

/// Ids in paths are read as text so that a made-up one is "not found", not malformed.
pub(crate) fn media_id(tr: &Tr, raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found(tr))
}

pub async fn upload(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<MediaView>), ApiError> {
    let received = upload::receive(&headers, body, &state.config.media_dir)
        .await
        .map_err(|r| refusal(&tr, r))?;
    let media = upload::accept(&state, ctx.id(), principal.user.id, received)
        .await
        .map_err(|r| refusal(&tr, r))?;
    Ok((StatusCode::CREATED, Json(view(media))))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    tag: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<MediaView>>, ApiError> {
    let tag = q.tag.as_deref().map(|t| t.trim().trim_matches('#'));
    let items = state
        .store
        .media_list(ctx.id(), tag.filter(|t| !t.is_empty()))
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(items.into_iter().map(view).collect()))
}

pub async fn get(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, id)): Path<(i64, String)>,
) -> Result<Json<MediaView>, ApiError> {
    let media = state
        .store
        .media(ctx.id(), media_id(&tr, &id)?)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(view(media)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    tags: Option<Vec<String>>,
    focal_x: Option<f64>,
    focal_y: Option<f64>,
}

/// Checks a change against the item as it is: a focal coordinate left out keeps its
/// current value.
pub(crate) fn parse_change(
    tr: &Tr,
    current: &Media,
    tags: Option<Vec<String>>,
    focal_x: Option<f64>,
    focal_y: Option<f64>,
) -> Result<MediaChange, ApiError> {
    let mut problems = Vec::new();
    for (field, value) in [("focal_x", focal_x), ("focal_y", focal_y)] {
        if value.is_some_and(|v| !(0.0..=1.0).contains(&v)) {
            problems.push(FieldProblem {
                field: field.into(),
                message: tr.t("media.focal_range").into(),
            });
        }
    }
    let tags = match tags.map(|t| upload::parse_tags(&t)) {
        Some(Err(errors)) => {
            problems.extend(errors.iter().map(|e| FieldProblem {
                field: e.field.clone(),
                message: tr.invalid(e),
            }));
            None
        }
        Some(Ok(tags)) => Some(tags),
        None => None,
    };
    if !problems.is_empty() {
        return Err(ApiError::fields(tr, problems));
    }
    let focal = (focal_x.is_some() || focal_y.is_some()).then(|| {
        (
            focal_x.unwrap_or(current.focal_x),
            focal_y.unwrap_or(current.focal_y),
        )
    });
    Ok(MediaChange { tags, focal })
}

/// Applies a checked change and drops the crops rendered for the old focal point.
pub(crate) async fn apply(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    principal: &Principal,
    id: i64,
    change: &MediaChange,
) -> Result<Media, ApiError> {
    let (before, after) = state
        .store
        .update_media(ctx.id(), id, principal.user.id, change)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    if (before.focal_x, before.focal_y) != (after.focal_x, after.focal_y)
        && let Ok(files) = objects::open(&state.config.media_dir)
    {
        objects::remove_crops(
            &files,
            &before.storage_key,
            (before.focal_x, before.focal_y),
        )
        .await;
    }
    Ok(after)
}

pub async fn update(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, id)): Path<(i64, String)>,
    ApiJson(body): ApiJson<Change>,
) -> Result<Json<MediaView>, ApiError> {
    let id = media_id(&tr, &id)?;
    let current = state
        .store
        .media(ctx.id(), id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    let change = parse_change(&tr, &current, body.tags, body.focal_x, body.focal_y)?;
    let media = apply(&state, &tr, &ctx, &principal, id, &change).await?;
    Ok(Json(view(media)))
}

/// Removes the row, then the files (a leftover file is only logged).
pub(crate) async fn remove(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    principal: &Principal,
    id: i64,
) -> Result<(), ApiError> {
    let media = state
        .store
        .delete_media(ctx.id(), id, principal.user.id)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    let files = objects::open(&state.config.media_dir).map_err(|e| ApiError::internal(tr, &e))?;
    objects::remove_all(
        &files,
        &media.storage_key,
        Some((media.focal_x, media.focal_y)),
    )
    .await;
    Ok(())
}

pub async fn delete(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, id)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    remove(&state, &tr, &ctx, &principal, media_id(&tr, &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
