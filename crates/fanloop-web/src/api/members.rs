//! `/api/v1/workspaces/{id}/members`: list the team; add someone by email. An existing
//! account joins at once; anyone else gets an invitation link.

use super::{ApiJson, ApiTr, invalid, rfc3339};
use crate::error::ApiError;
use crate::gate::{Principal, WorkspaceCtx};
use crate::{AppState, i18n::Tr};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fanloop_domain::{Email, Invalid, Role, UserId};
use fanloop_store::{Invitation, Member, Store, StoreError};
use serde::{Deserialize, Serialize};

/// Invitations stay valid for a week.
pub const INVITATION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

#[derive(Serialize)]
pub struct MemberView {
    id: i64,
    user_id: i64,
    pub email: String,
    display_name: String,
    role: Role,
    joined_at: String,
}

impl From<Member> for MemberView {
    fn from(m: Member) -> MemberView {
        MemberView {
            id: m.user_id,
            user_id: m.user_id,
            email: m.email,
            display_name: m.display_name,
            role: m.role,
            joined_at: rfc3339(m.joined_at),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AddOutcome {
    /// An existing account was added.
    Joined(MemberView),
    /// No account had that email: an invitation was created.
    Invited {
        id: i64,
        email: String,
        role: Role,
        expires_at: String,
        invite_url: String,
    },
}

pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<Vec<MemberView>>, ApiError> {
    let members = state
        .store
        .members(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(members.into_iter().map(MemberView::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    email: String,
    role: String,
}

pub async fn add(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<AddMember>,
) -> Result<(StatusCode, Json<AddOutcome>), ApiError> {
    let outcome = add_member(&state, &tr, &principal, &ctx, &body.email, &body.role).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// Shared by the API and the members page.
pub(crate) async fn add_member(
    state: &AppState,
    tr: &Tr,
    principal: &Principal,
    ctx: &WorkspaceCtx,
    email: &str,
    role: &str,
) -> Result<AddOutcome, ApiError> {
    let (email, role) = match (Email::parse(email), Role::parse(role)) {
        (Ok(e), Ok(r)) => (e, r),
        (e, r) => {
            return Err(invalid(
                tr,
                [e.err(), r.err()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<Invalid>>(),
            ));
        }
    };
    if !ctx.role.may_assign(role) {
        return Err(ApiError::forbidden(tr, tr.t("error.assign_role")));
    }
    let store: &Store = &state.store;
    let conflict = |e: StoreError| match e {
        StoreError::Conflict(what) => {
            ApiError::conflict(tr, "email", tr.t(&format!("conflict.{what}")))
        }
        other => ApiError::store(tr, other),
    };
    match store
        .user_by_email(&email)
        .await
        .map_err(|e| ApiError::store(tr, e))?
    {
        Some(user) => {
            let joined_at = store
                .add_member(ctx.id(), user.id, role, principal.user.id)
                .await
                .map_err(conflict)?;
            let member = Member {
                user_id: user.id.0,
                email: user.email,
                display_name: user.display_name,
                role,
                joined_at,
            };
            Ok(AddOutcome::Joined(member.into()))
        }
        None => {
            let (invitation, raw) = store
                .invite(ctx.id(), &email, role, principal.user.id, INVITATION_TTL_MS)
                .await
                .map_err(conflict)?;
            Ok(invited(state, invitation, &raw))
        }
    }
}

fn invited(state: &AppState, i: Invitation, raw: &str) -> AddOutcome {
    AddOutcome::Invited {
        id: i.id,
        email: i.email,
        role: i.role,
        expires_at: rfc3339(i.expires_at),
        invite_url: format!("{}/invite/{raw}", state.config.public_url),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRole {
    role: String,
}

pub async fn update(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, user_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ChangeRole>,
) -> Result<Json<MemberView>, ApiError> {
    change_member(
        &state,
        &tr,
        &principal,
        &ctx,
        UserId(user_id),
        Some(&body.role),
    )
    .await?;
    let members = state
        .store
        .members(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    let member = members
        .into_iter()
        .find(|m| m.user_id == user_id)
        .ok_or_else(|| ApiError::not_found(&tr))?;
    Ok(Json(member.into()))
}

pub async fn remove(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, user_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    change_member(&state, &tr, &principal, &ctx, UserId(user_id), None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a member's role (`Some`) or removes them (`None`). Shared by the API and the
/// members page. Whoever acts must be allowed to assign both the member's current role
/// and the new one, so an admin can neither demote an owner nor crown one.
pub(crate) async fn change_member(
    state: &AppState,
    tr: &Tr,
    principal: &Principal,
    ctx: &WorkspaceCtx,
    user: UserId,
    role: Option<&str>,
) -> Result<(), ApiError> {
    let role = role
        .map(Role::parse)
        .transpose()
        .map_err(|e| invalid(tr, vec![e]))?;
    let current = state
        .store
        .member_role(ctx.id(), user)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    let Some(current) = current else {
        return Err(ApiError::not_found(tr));
    };
    if !ctx.role.may_assign(current) || role.is_some_and(|r| !ctx.role.may_assign(r)) {
        return Err(ApiError::forbidden(tr, tr.t("error.assign_role")));
    }
    let done = match role {
        Some(role) => {
            state
                .store
                .change_role(ctx.id(), user, role, principal.user.id)
                .await
        }
        None => {
            state
                .store
                .remove_member(ctx.id(), user, principal.user.id)
                .await
        }
    };
    done.map_err(|e| match e {
        StoreError::Conflict(what) => {
            ApiError::conflict(tr, "role", tr.t(&format!("conflict.{what}")))
        }
        other => ApiError::store(tr, other),
    })
}
