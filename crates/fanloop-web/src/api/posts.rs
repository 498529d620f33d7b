//! `/api/v1/workspaces/{id}/posts` and `/approval-rules`: writing a post once for many
//! channels, and moving it through review under the workspace's rules.

use super::{ApiJson, ApiTr, OptionalJson, invalid, rfc3339};
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use crate::{AppState, review};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fanloop_domain::{
    ApprovalRules, ChannelId, Platform, PostDraft, PostStatus, ReviewAction, Role,
};
use fanloop_store::{NewPost, Post, ReviewEntry, StoreError};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct VariantView {
    id: i64,
    channel_id: i64,
    channel_name: String,
    platform: Platform,
    title: String,
    body: String,
    tags: Vec<String>,
    customized: bool,
}

#[derive(Serialize)]
pub struct HistoryView {
    at: String,
    actor: String,
    action: String,
    from_status: String,
    to_status: String,
    version: i64,
    note: String,
}

#[derive(Serialize)]
pub struct PostView {
    id: i64,
    workspace_id: i64,
    author_id: i64,
    author_name: String,
    title: String,
    body: String,
    tags: Vec<String>,
    topic_id: Option<i64>,
    status: PostStatus,
    version: i64,
    created_at: String,
    updated_at: String,
    variants: Vec<VariantView>,
    /// Who approved the current version.
    approved_by: Vec<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    history: Vec<HistoryView>,
}

fn view(p: Post, history: Vec<ReviewEntry>) -> PostView {
    PostView {
        id: p.id,
        workspace_id: p.workspace_id,
        author_id: p.author_id,
        author_name: p.author_name,
        title: p.title,
        body: p.body,
        tags: p.tags,
        topic_id: p.topic_id,
        status: p.status,
        version: p.version,
        created_at: rfc3339(p.created_at),
        updated_at: rfc3339(p.updated_at),
        variants: p
            .variants
            .into_iter()
            .map(|v| VariantView {
                id: v.id,
                channel_id: v.channel_id,
                channel_name: v.channel_name,
                platform: v.platform,
                title: v.title,
                body: v.body,
                tags: v.tags,
                customized: v.customized,
            })
            .collect(),
        approved_by: p.approvals.into_iter().map(|u| u.0).collect(),
        history: history
            .into_iter()
            .map(|h| HistoryView {
                at: rfc3339(h.at),
                actor: h.actor,
                action: h.action,
                from_status: h.from_status,
                to_status: h.to_status,
                version: h.version,
                note: h.note,
            })
            .collect(),
    }
}

async fn full(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    post_id: i64,
) -> Result<PostView, ApiError> {
    let post = review::load(state, tr, ctx, post_id).await?;
    let history = state
        .store
        .review_log(post.id)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    Ok(view(post, history))
}

pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<Vec<PostView>>, ApiError> {
    let posts = state
        .store
        .posts(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(
        posts.into_iter().map(|p| view(p, Vec::new())).collect(),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
) -> Result<Json<PostView>, ApiError> {
    Ok(Json(full(&state, &tr, &ctx, post_id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePost {
    title: String,
    body: String,
    #[serde(default)]
    channel_ids: Vec<i64>,
    topic_id: Option<i64>,
    #[serde(default)]
    tags: Vec<String>,
}

pub async fn create(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<CreatePost>,
) -> Result<(StatusCode, Json<PostView>), ApiError> {
    let draft =
        PostDraft::parse(&body.title, &body.body, &body.tags).map_err(|e| invalid(&tr, e))?;
    let new = NewPost {
        title: draft.title,
        body: draft.body,
        tags: draft.tags,
        topic_id: body.topic_id,
        channels: body.channel_ids.iter().map(|id| ChannelId(*id)).collect(),
    };
    let id = state
        .store
        .create_post(ctx.id(), principal.user.id, &new)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::fields(
                &tr,
                vec![FieldProblem {
                    field: "channel_ids".into(),
                    message: tr.t("review.unknown_channel").into(),
                }],
            ),
            other => ApiError::store(&tr, other),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(full(&state, &tr, &ctx, id).await?),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditPost {
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

pub async fn edit(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<EditPost>,
) -> Result<Json<PostView>, ApiError> {
    let draft =
        PostDraft::parse(&body.title, &body.body, &body.tags).map_err(|e| invalid(&tr, e))?;
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    review::edit(&state, &tr, &principal, &ctx, &post, &draft).await?;
    Ok(Json(full(&state, &tr, &ctx, post_id).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    override_reason: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    OptionalJson(body): OptionalJson<Submit>,
) -> Result<Json<PostView>, ApiError> {
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    let action = ReviewAction::Submit {
        lint_errors: review::lint_errors(&post),
        override_reason: body.override_reason,
    };
    review::transition(&state, &tr, &principal, &ctx, &post, "submit", &action, "").await?;
    Ok(Json(full(&state, &tr, &ctx, post_id).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Approve {}

pub async fn approve(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    OptionalJson(_): OptionalJson<Approve>,
) -> Result<Json<PostView>, ApiError> {
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    review::transition(
        &state,
        &tr,
        &principal,
        &ctx,
        &post,
        "approve",
        &ReviewAction::Approve,
        "",
    )
    .await?;
    Ok(Json(full(&state, &tr, &ctx, post_id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestChanges {
    comment: String,
}

pub async fn request_changes(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<RequestChanges>,
) -> Result<Json<PostView>, ApiError> {
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    let comment = body.comment.trim().to_owned();
    let action = ReviewAction::RequestChanges {
        comment: comment.clone(),
    };
    review::transition(
        &state,
        &tr,
        &principal,
        &ctx,
        &post,
        "request_changes",
        &action,
        &comment,
    )
    .await?;
    Ok(Json(full(&state, &tr, &ctx, post_id).await?))
}

// ---- approval rules -----------------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesView {
    required_approvals: i64,
    author_may_approve: bool,
    lint_errors_block: bool,
    approver_roles: Vec<String>,
}

impl From<ApprovalRules> for RulesView {
    fn from(r: ApprovalRules) -> Self {
        RulesView {
            required_approvals: i64::from(r.required_approvals),
            author_may_approve: r.author_may_approve,
            lint_errors_block: r.lint_errors_block,
            approver_roles: r
                .approver_roles
                .iter()
                .map(|r: &Role| r.code().to_owned())
                .collect(),
        }
    }
}

pub async fn rules(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<RulesView>, ApiError> {
    Ok(Json(
        state
            .store
            .approval_rules(ctx.id())
            .await
            .map_err(|e| ApiError::store(&tr, e))?
            .into(),
    ))
}

pub async fn set_rules(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<RulesView>,
) -> Result<Json<RulesView>, ApiError> {
    let rules = ApprovalRules::parse(
        body.required_approvals,
        body.author_may_approve,
        body.lint_errors_block,
        &body.approver_roles,
    )
    .map_err(|e| invalid(&tr, e))?;
    state
        .store
        .set_approval_rules(ctx.id(), &rules, principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(rules.into()))
}

#[derive(Serialize)]
pub struct LintView {
    variant_id: Option<i64>,
    channel_id: Option<i64>,
    platform: Option<Platform>,
    errors: usize,
    findings: Vec<fanloop_text::Finding>,
}

/// Compliance findings for the master (first, without a platform) and each variant.
pub async fn lint(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
) -> Result<Json<Vec<LintView>>, ApiError> {
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    let views = review::lint(&post, tr.lang)
        .into_iter()
        .map(|l| LintView {
            variant_id: l.variant_id,
            channel_id: l.channel_id,
            platform: l.platform,
            errors: l
                .findings
                .iter()
                .filter(|f| f.severity == fanloop_text::Severity::Error)
                .count(),
            findings: l.findings,
        })
        .collect();
    Ok(Json(views))
}
