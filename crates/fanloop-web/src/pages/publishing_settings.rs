//! Settings → 发布: how late a post may still go out after downtime (the grace window)
//! and how long an assisted package may wait for its link before the team is told.

use super::{FieldErrors, Page, SavedQuery, Shell, render};
use crate::AppState;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::Permission;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings_publishing.html")]
struct SettingsPage {
    shell: Shell,
    /// As typed, so a refused form shows what was entered.
    grace_minutes: String,
    assisted_escalate_minutes: String,
    can_edit: bool,
    saved: bool,
    errors: FieldErrors,
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<SavedQuery>,
) -> Response {
    let settings = match state.store.publishing_settings(ctx.id()).await {
        Ok(settings) => settings,
        Err(e) => return page.fail(&e),
    };
    let shell = match Shell::load(&state, &page, Some(&ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let view = SettingsPage {
        shell,
        grace_minutes: settings.grace_minutes.to_string(),
        assisted_escalate_minutes: settings.assisted_escalate_minutes.to_string(),
        can_edit: ctx.role.allows(Permission::EditWorkspace),
        saved: q.saved.is_some(),
        errors: FieldErrors::default(),
    };
    render(StatusCode::OK, &view)
}

#[derive(Deserialize)]
pub struct SettingsForm {
    grace_minutes: String,
    assisted_escalate_minutes: String,
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<SettingsForm>,
) -> Response {
    let minutes = |raw: &str| raw.trim().parse::<i64>().ok();
    let checked = match (
        minutes(&form.grace_minutes),
        minutes(&form.assisted_escalate_minutes),
    ) {
        (None, _) => Err("grace_minutes"),
        (_, None) => Err("assisted_escalate_minutes"),
        (Some(grace), Some(escalate)) => crate::publishing::check_settings(grace, escalate),
    };
    match checked {
        Ok(settings) => match state
            .store
            .set_publishing_settings(ctx.id(), page.principal.user.id, settings)
            .await
        {
            Ok(()) => Redirect::to(&format!(
                "/w/{}/settings/publishing?saved=1",
                ctx.workspace.id
            ))
            .into_response(),
            Err(e) => page.fail(&e),
        },
        Err(field) => {
            let shell = match Shell::load(&state, &page, Some(&ctx), "settings").await {
                Ok(shell) => shell,
                Err(response) => return response,
            };
            let message = page.tr.t("publishing_settings.out_of_range");
            let view = SettingsPage {
                shell,
                grace_minutes: form.grace_minutes,
                assisted_escalate_minutes: form.assisted_escalate_minutes,
                can_edit: true,
                saved: false,
                errors: FieldErrors::one(field, message),
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
    }
}
