//! `/api/v1/workspaces/{id}/theme`: the workspace's WeChat theme.

use super::{ApiJson, ApiTr};
use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeView {
    /// A built-in theme: default, elegant or tech.
    theme: String,
    /// Extra rules in the CSS subset WeChat keeps, applied on top.
    #[serde(default)]
    custom_css: String,
}

pub async fn get(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<ThemeView>, ApiError> {
    let (theme, custom_css) = state
        .store
        .theme_settings(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(ThemeView { theme, custom_css }))
}

pub async fn put(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<ThemeView>,
) -> Result<Json<ThemeView>, ApiError> {
    if let Err(message) = crate::theme::build(&body.theme, &body.custom_css) {
        let field = if fanloop_render::Theme::named(&body.theme).is_err() {
            "theme"
        } else {
            "custom_css"
        };
        return Err(ApiError::fields(
            &tr,
            vec![FieldProblem {
                field: field.into(),
                message,
            }],
        ));
    }
    let theme = body.theme.trim().to_owned();
    state
        .store
        .set_theme_settings(ctx.id(), principal.user.id, &theme, &body.custom_css)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(ThemeView {
        theme,
        custom_css: body.custom_css,
    }))
}
