//! `…/posts/{post_id}/versions`, `…/comments` and `…/variants/{variant_id}`: the history
//! with its diffs, the team's thread, and variants edited on their own.

use super::{PostView, full};
use crate::api::{ApiJson, ApiTr, invalid, rfc3339};
use crate::error::ApiError;
use crate::gate::{Principal, WorkspaceCtx};
use crate::review::extras::{self, Segment, VersionDiff};
use crate::{AppState, review};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fanloop_domain::PostDraft;
use fanloop_store::post_extras::VariantEdit;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct VersionView {
    version: i64,
    title: String,
    author_id: i64,
    author_name: String,
    at: String,
    /// Empty for a master edit; `edit_variant:NAME` / `reset_variant:NAME` otherwise.
    summary: String,
}

/// A post's versions, newest first.
pub async fn versions(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
) -> Result<Json<Vec<VersionView>>, ApiError> {
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    let list = state
        .store
        .versions(ctx.id(), post.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(
        list.into_iter()
            .map(|v| VersionView {
                version: v.version,
                title: v.title,
                author_id: v.author_id,
                author_name: v.author_name,
                at: rfc3339(v.at),
                summary: v.summary,
            })
            .collect(),
    ))
}

/// The line diff of a version's body against the version before it.
pub async fn diff(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, post_id, version)): Path<(i64, i64, i64)>,
) -> Result<Json<VersionDiff>, ApiError> {
    Ok(Json(
        extras::version_diff(&state, &tr, &ctx, post_id, version).await?,
    ))
}

#[derive(Serialize)]
pub struct CommentView {
    id: i64,
    author_id: i64,
    author_name: String,
    body: String,
    at: String,
    /// The members mentioned, by user id.
    mentions: Vec<i64>,
    /// The body split into text and mentions, for clients that highlight them.
    segments: Vec<Segment>,
}

async fn comment_views(
    state: &AppState,
    tr: &crate::i18n::Tr,
    ctx: &WorkspaceCtx,
    post_id: i64,
) -> Result<Vec<CommentView>, ApiError> {
    let post = review::load(state, tr, ctx, post_id).await?;
    let (comments, members) = match (
        state.store.comments(ctx.id(), post.id).await,
        state.store.members(ctx.id()).await,
    ) {
        (Ok(c), Ok(m)) => (c, m),
        (Err(e), _) | (_, Err(e)) => return Err(ApiError::store(tr, e)),
    };
    Ok(comments
        .into_iter()
        .map(|c| CommentView {
            segments: extras::segments(&c.body, &members),
            id: c.id,
            author_id: c.author_id,
            author_name: c.author_name,
            body: c.body,
            at: rfc3339(c.at),
            mentions: c.mentions,
        })
        .collect())
}

/// The thread on a post, oldest first.
pub async fn comments(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
) -> Result<Json<Vec<CommentView>>, ApiError> {
    Ok(Json(comment_views(&state, &tr, &ctx, post_id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    body: String,
}

/// Adds a comment; `@name` mentions members by display name or email prefix.
pub async fn add_comment(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    let id = extras::comment(&state, &tr, &principal, &ctx, post_id, &body.body).await?;
    let created = comment_views(&state, &tr, &ctx, post_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found(&tr))?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditVariant {
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    cover_media_id: Option<i64>,
}

/// Edits one variant on its own; master edits stop flowing into it.
pub async fn edit_variant(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id, variant_id)): Path<(i64, i64, i64)>,
    ApiJson(body): ApiJson<EditVariant>,
) -> Result<Json<PostView>, ApiError> {
    let draft =
        PostDraft::parse(&body.title, &body.body, &body.tags).map_err(|e| invalid(&tr, e))?;
    let edit = VariantEdit {
        title: draft.title,
        body: draft.body,
        tags: draft.tags,
        cover_media_id: body.cover_media_id,
    };
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    extras::change_variant(
        &state,
        &tr,
        &principal,
        &ctx,
        &post,
        variant_id,
        Some(&edit),
    )
    .await?;
    Ok(Json(full(&state, &tr, &ctx, post_id).await?))
}

/// Makes a variant follow the master again.
pub async fn reset_variant(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id, variant_id)): Path<(i64, i64, i64)>,
) -> Result<Json<PostView>, ApiError> {
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    extras::change_variant(&state, &tr, &principal, &ctx, &post, variant_id, None).await?;
    Ok(Json(full(&state, &tr, &ctx, post_id).await?))
}
