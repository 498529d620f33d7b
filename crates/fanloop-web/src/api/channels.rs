//! `/api/v1/workspaces/{id}/channels`.

use super::{ApiJson, ApiTr, rfc3339};
use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fanloop_domain::{ChannelDraft, ChannelId, Invalid, Platform, PlatformTier, Reason};
use fanloop_store::Channel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct ChannelView {
    id: i64,
    workspace_id: i64,
    platform: Platform,
    tier: PlatformTier,
    name: String,
    /// Non-secret settings only.
    settings: BTreeMap<String, String>,
    /// Names of the secret settings that hold a value; the values are never returned.
    secrets_set: Vec<String>,
    created_at: String,
}

impl From<Channel> for ChannelView {
    fn from(c: Channel) -> ChannelView {
        ChannelView {
            id: c.id,
            workspace_id: c.workspace_id,
            platform: c.platform,
            tier: c.platform.tier(),
            name: c.name,
            settings: c.settings,
            secrets_set: c.secrets_set,
            created_at: rfc3339(c.created_at),
        }
    }
}

/// A refused channel setting in words that say what to do, where the generic reason
/// would leave the operator guessing (which choices exist, when a tag id is needed).
/// The channels page shows the same words.
pub(crate) fn setting_problem(tr: &Tr, e: &Invalid) -> String {
    let words = match (e.field.as_str(), &e.reason) {
        ("settings.delivery", Reason::BadFormat) => tr.t("channels.delivery_invalid"),
        ("settings.mass_tag_id", Reason::Required) => tr.t("channels.mass_tag_required"),
        ("settings.mass_tag_id", Reason::BadFormat) => tr.t("channels.mass_tag_invalid"),
        ("settings.mass_tag_id", Reason::UnknownField) => tr.t("channels.mass_tag_unused"),
        ("settings.account_type", Reason::BadFormat) => tr.t("channels.account_type_invalid"),
        _ => return tr.invalid(e),
    };
    words.to_owned()
}

fn refused(tr: &Tr, errors: &[Invalid]) -> ApiError {
    let problems = errors
        .iter()
        .map(|e| FieldProblem {
            field: e.field.clone(),
            message: setting_problem(tr, e),
        })
        .collect();
    ApiError::fields(tr, problems)
}

pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<Vec<ChannelView>>, ApiError> {
    let channels = state
        .store
        .channels(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(channels.into_iter().map(ChannelView::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateChannel {
    platform: String,
    name: String,
    settings: Option<serde_json::Value>,
}

pub async fn create(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<CreateChannel>,
) -> Result<(StatusCode, Json<ChannelView>), ApiError> {
    let draft = ChannelDraft::parse(&body.platform, &body.name, body.settings.as_ref())
        .map_err(|errors| refused(&tr, &errors))?;
    let channel = state
        .store
        .create_channel(
            ctx.id(),
            principal.user.id,
            draft.platform,
            &draft.name,
            &draft.settings,
        )
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok((StatusCode::CREATED, Json(channel.into())))
}

pub async fn delete(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_channel(ctx.id(), ChannelId(channel_id), principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannel {
    name: String,
    settings: Option<serde_json::Value>,
}

/// Replaces a channel's name and settings — how a channel is reconnected with new
/// credentials (secrets must be given again; they are never returned). Publications
/// held for the channel are queued again.
pub async fn update(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<UpdateChannel>,
) -> Result<Json<ChannelView>, ApiError> {
    let existing = state
        .store
        .channels(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?
        .into_iter()
        .find(|c| c.id == channel_id)
        .ok_or_else(|| ApiError::not_found(&tr))?;
    let draft = ChannelDraft::parse(existing.platform.code(), &body.name, body.settings.as_ref())
        .map_err(|errors| refused(&tr, &errors))?;
    state
        .store
        .update_channel(
            ctx.id(),
            ChannelId(channel_id),
            principal.user.id,
            &draft.name,
            &draft.settings,
            true,
        )
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    state.wake.wake();
    let channel = state
        .store
        .channels(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?
        .into_iter()
        .find(|c| c.id == channel_id)
        .ok_or_else(|| ApiError::not_found(&tr))?;
    Ok(Json(channel.into()))
}
