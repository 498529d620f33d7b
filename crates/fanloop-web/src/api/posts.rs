//! `/api/v1/workspaces/{id}/posts` and `/approval-rules`: writing a post once for many
//! channels, and moving it through review under the workspace's rules. Versions,
//! comments and variant edits are in `extras`.

pub mod extras;

use super::{ApiJson, ApiTr, OptionalJson, invalid, rfc3339};
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use crate::{AppState, review};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fanloop_domain::UserId;
use fanloop_domain::{
    ApprovalRules, ChannelId, Platform, PostDraft, PostStatus, ReviewAction, Role,
};
use fanloop_store::post_extras::PostMeta;
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
    /// Its own cover; `null` means the master's.
    cover_media_id: Option<i64>,
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
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    /// `YYYY-MM-DD` in the workspace's time zone.
    due_date: Option<String>,
    cover_media_id: Option<i64>,
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
        assignee_id: p.assignee_id,
        assignee_name: p.assignee_name,
        due_date: p.due_date,
        cover_media_id: p.cover_media_id,
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
                cover_media_id: v.cover_media_id,
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

pub(crate) async fn full(
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
    assignee_id: Option<i64>,
    due_date: Option<String>,
    cover_media_id: Option<i64>,
}

/// The assignee, due date and cover of a create or edit, with the due date checked.
fn meta(
    tr: &Tr,
    assignee_id: Option<i64>,
    due_date: Option<&str>,
    cover_media_id: Option<i64>,
) -> Result<PostMeta, ApiError> {
    let due_date = review::extras::parse_due_date(due_date.unwrap_or("")).map_err(|()| {
        ApiError::fields(
            tr,
            vec![FieldProblem {
                field: "due_date".into(),
                message: tr.t("extras.bad_date").into(),
            }],
        )
    })?;
    Ok(PostMeta {
        assignee: assignee_id.map(UserId),
        due_date,
        cover_media_id,
    })
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
    let meta = meta(
        &tr,
        body.assignee_id,
        body.due_date.as_deref(),
        body.cover_media_id,
    )?;
    review::extras::check_meta(&state, &tr, &ctx, &meta).await?;
    if let Some(topic) = body.topic_id {
        let found = state
            .store
            .topic(ctx.id(), topic)
            .await
            .map_err(|e| ApiError::store(&tr, e))?;
        if found.is_none() {
            let message = tr.t("error.not_found").to_owned();
            return Err(ApiError::fields(
                &tr,
                vec![FieldProblem {
                    field: "topic_id".into(),
                    message,
                }],
            ));
        }
    }
    let new = NewPost {
        title: draft.title,
        body: draft.body,
        tags: draft.tags,
        topic_id: body.topic_id,
        channels: body.channel_ids.iter().map(|id| ChannelId(*id)).collect(),
    };
    let id = state
        .store
        .create_post_with(ctx.id(), principal.user.id, &new, &meta)
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
    /// Left out or `null`: no assignee (the edit replaces the post's fields).
    assignee_id: Option<i64>,
    due_date: Option<String>,
    cover_media_id: Option<i64>,
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
    let meta = meta(
        &tr,
        body.assignee_id,
        body.due_date.as_deref(),
        body.cover_media_id,
    )?;
    let post = review::load(&state, &tr, &ctx, post_id).await?;
    review::edit(&state, &tr, &principal, &ctx, &post, &draft, &meta).await?;
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
    let linter = crate::linting::workspace_linter(&state, ctx.id()).await?;
    let action = ReviewAction::Submit {
        lint_errors: review::lint_errors(&linter, &post),
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
    let linter = crate::linting::workspace_linter(&state, ctx.id()).await?;
    let views = review::lint(&linter, &post, tr.lang)
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
