//! Creating a workspace, its settings page, and its audit log.

use super::{FieldErrors, Page, SavedQuery, Shell, render};
use crate::AppState;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{Permission, TimeZoneName, WorkspaceProfile};
use fanloop_store::{AuditEntry, Workspace};
use serde::Deserialize;

/// Offered in the time-zone field; any IANA name is accepted.
pub const COMMON_TIME_ZONES: &[&str] = &[
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
];

/// The workspace form's fields, kept as typed so a refused form comes back filled in.
#[derive(Deserialize)]
#[serde(default)]
pub struct WorkspaceForm {
    pub name: String,
    pub timezone: String,
    pub locale: String,
    pub brand_voice: String,
}

impl Default for WorkspaceForm {
    fn default() -> Self {
        WorkspaceForm {
            name: String::new(),
            timezone: TimeZoneName::DEFAULT.into(),
            locale: "zh-CN".into(),
            brand_voice: String::new(),
        }
    }
}

impl From<&Workspace> for WorkspaceForm {
    fn from(w: &Workspace) -> Self {
        WorkspaceForm {
            name: w.name.clone(),
            timezone: w.timezone.clone(),
            locale: w.locale.clone(),
            brand_voice: w.brand_voice.clone(),
        }
    }
}

impl WorkspaceForm {
    fn parse(&self) -> Result<WorkspaceProfile, Vec<fanloop_domain::Invalid>> {
        WorkspaceProfile::parse(&self.name, &self.timezone, &self.locale, &self.brand_voice)
    }
}

#[derive(Template)]
#[template(path = "workspace_new.html")]
struct NewPage<'a> {
    shell: Shell,
    form: &'a WorkspaceForm,
    errors: FieldErrors,
    zones: &'static [&'static str],
}

pub async fn new_page(State(state): State<AppState>, page: Page) -> Response {
    match Shell::load(&state, &page, None, "new").await {
        Ok(shell) => render(
            StatusCode::OK,
            &NewPage {
                shell,
                form: &WorkspaceForm::default(),
                errors: FieldErrors::default(),
                zones: COMMON_TIME_ZONES,
            },
        ),
        Err(response) => response,
    }
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<WorkspaceForm>,
) -> Response {
    match form.parse() {
        Ok(profile) => match state
            .store
            .create_workspace(page.principal.user.id, &profile)
            .await
        {
            Ok(w) => Redirect::to(&format!("/w/{}", w.id)).into_response(),
            Err(e) => page.fail(&e),
        },
        Err(errors) => match Shell::load(&state, &page, None, "new").await {
            Ok(shell) => {
                let errors = FieldErrors::from_invalid(&page.tr, &errors);
                render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &NewPage {
                        shell,
                        form: &form,
                        errors,
                        zones: COMMON_TIME_ZONES,
                    },
                )
            }
            Err(response) => response,
        },
    }
}

#[derive(Template)]
#[template(path = "settings_workspace.html")]
struct SettingsPage<'a> {
    shell: Shell,
    form: &'a WorkspaceForm,
    errors: FieldErrors,
    can_edit: bool,
    saved: bool,
    zones: &'static [&'static str],
}

pub async fn settings_page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<SavedQuery>,
) -> Response {
    let shell = match Shell::load(&state, &page, Some(&ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let form = WorkspaceForm::from(&ctx.workspace);
    let can_edit = ctx.role.allows(Permission::EditWorkspace);
    render(
        StatusCode::OK,
        &SettingsPage {
            shell,
            form: &form,
            errors: FieldErrors::default(),
            can_edit,
            saved: q.saved.is_some(),
            zones: COMMON_TIME_ZONES,
        },
    )
}

pub async fn update(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<WorkspaceForm>,
) -> Response {
    match form.parse() {
        Ok(profile) => match state
            .store
            .update_workspace(ctx.id(), page.principal.user.id, &profile)
            .await
        {
            Ok(()) => {
                Redirect::to(&format!("/w/{}/settings?saved=1", ctx.workspace.id)).into_response()
            }
            Err(e) => page.fail(&e),
        },
        Err(errors) => match Shell::load(&state, &page, Some(&ctx), "settings").await {
            Ok(shell) => {
                let errors = FieldErrors::from_invalid(&page.tr, &errors);
                render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &SettingsPage {
                        shell,
                        form: &form,
                        errors,
                        can_edit: true,
                        saved: false,
                        zones: COMMON_TIME_ZONES,
                    },
                )
            }
            Err(response) => response,
        },
    }
}

#[derive(Template)]
#[template(path = "settings_audit.html")]
struct AuditPage {
    shell: Shell,
    entries: Vec<AuditEntry>,
    timezone: String,
}

impl AuditPage {
    fn when(&self, e: &AuditEntry) -> String {
        self.shell.tr.datetime(e.at, &self.timezone)
    }

    fn action(&self, e: &AuditEntry) -> &'static str {
        self.shell.tr.t(&format!("audit.{}", e.action))
    }
}

pub async fn audit_page(State(state): State<AppState>, page: Page, ctx: WorkspaceCtx) -> Response {
    let shell = match Shell::load(&state, &page, Some(&ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    match state.store.audit_log(ctx.id(), 200).await {
        Ok(entries) => render(
            StatusCode::OK,
            &AuditPage {
                shell,
                entries,
                timezone: ctx.workspace.timezone.clone(),
            },
        ),
        Err(e) => page.fail(&e),
    }
}
