//! `/api/v1/me` and `/api/v1/workspaces[/{id}]`.

use super::{ApiJson, ApiTr, invalid, rfc3339};
use crate::AppState;
use crate::error::ApiError;
use crate::gate::{Principal, WorkspaceCtx};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fanloop_domain::{Role, TimeZoneName, WorkspaceProfile};
use fanloop_store::Workspace;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct WorkspaceView {
    pub id: i64,
    pub name: String,
    pub timezone: String,
    pub locale: String,
    pub brand_voice: String,
    /// The caller's role in this workspace.
    pub role: Role,
    pub created_at: String,
}

impl WorkspaceView {
    pub fn new(w: Workspace, role: Role) -> WorkspaceView {
        WorkspaceView {
            id: w.id,
            name: w.name,
            timezone: w.timezone,
            locale: w.locale,
            brand_voice: w.brand_voice,
            role,
            created_at: rfc3339(w.created_at),
        }
    }
}

#[derive(Serialize)]
pub struct MeView {
    id: i64,
    email: String,
    display_name: String,
    locale: &'static str,
}

pub async fn me(principal: Principal) -> Json<MeView> {
    let u = principal.user;
    Json(MeView {
        id: u.id.0,
        email: u.email,
        display_name: u.display_name,
        locale: u.locale.code(),
    })
}

pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
) -> Result<Json<Vec<WorkspaceView>>, ApiError> {
    let rows = state
        .store
        .workspaces_of(principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(
        rows.into_iter()
            .map(|(w, role)| WorkspaceView::new(w, role))
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkspace {
    name: String,
    timezone: Option<String>,
    locale: Option<String>,
    brand_voice: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ApiJson(body): ApiJson<CreateWorkspace>,
) -> Result<(StatusCode, Json<WorkspaceView>), ApiError> {
    let profile = WorkspaceProfile::parse(
        &body.name,
        body.timezone.as_deref().unwrap_or(TimeZoneName::DEFAULT),
        body.locale.as_deref().unwrap_or("zh-CN"),
        body.brand_voice.as_deref().unwrap_or(""),
    )
    .map_err(|errors| invalid(&tr, errors))?;
    let workspace = state
        .store
        .create_workspace(principal.user.id, &profile)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok((
        StatusCode::CREATED,
        Json(WorkspaceView::new(workspace, Role::Owner)),
    ))
}

pub async fn get(ctx: WorkspaceCtx) -> Json<WorkspaceView> {
    Json(WorkspaceView::new(ctx.workspace, ctx.role))
}
