//! The notification settings tab (`/w/{id}/settings/notifications`): the group robots,
//! webhooks and email addresses notifications are also sent to, for the whole team.

use super::super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::api::notifications::{kind_text, target_problem};
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::notify::{
    EVENTS, SmtpInput, SmtpSecurity, TargetDraft, TargetInput, TargetKind,
};
use fanloop_store::notifications::NotificationTarget;
use serde::Deserialize;

/// The add-target form, kept as typed so a refused form comes back filled in.
pub struct TargetForm {
    pub kind: String,
    pub name: String,
    pub url: String,
    pub secret: String,
    /// Ticked notification kinds; `*` (the default) ticks them all.
    pub events: Vec<String>,
    pub smtp: SmtpForm,
}

/// The email fields of the form, as typed.
pub struct SmtpForm {
    pub host: String,
    pub port: String,
    pub security: String,
    pub username: String,
    pub password: String,
    pub from: String,
    pub to: String,
}

impl Default for TargetForm {
    fn default() -> Self {
        TargetForm {
            kind: TargetKind::Wecom.code().to_owned(),
            name: String::new(),
            url: String::new(),
            secret: String::new(),
            events: vec!["*".to_owned()],
            smtp: SmtpForm {
                host: String::new(),
                port: String::new(),
                // The submission port with STARTTLS is what most providers document.
                security: SmtpSecurity::StartTls.code().to_owned(),
                username: String::new(),
                password: String::new(),
                from: String::new(),
                to: String::new(),
            },
        }
    }
}

impl TargetForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> TargetForm {
        let mut form = TargetForm {
            events: Vec::new(),
            ..TargetForm::default()
        };
        for (key, value) in pairs {
            match key.as_str() {
                "kind" => form.kind = value,
                "name" => form.name = value,
                "url" => form.url = value,
                "secret" => form.secret = value,
                "events" => form.events.push(value),
                "smtp_host" => form.smtp.host = value,
                "smtp_port" => form.smtp.port = value,
                "smtp_security" => form.smtp.security = value,
                "smtp_username" => form.smtp.username = value,
                "smtp_password" => form.smtp.password = value,
                "mail_from" => form.smtp.from = value,
                "mail_to" => form.smtp.to = value,
                _ => {}
            }
        }
        form
    }

    fn ticked(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event || e == "*")
    }

    fn is_email(&self) -> bool {
        TargetKind::parse(&self.kind) == Some(TargetKind::Email)
    }

    /// The SMTP fields, for an email target only: the page always posts them (the
    /// encryption select has a value), so on other kinds they are not a mistake.
    fn smtp_input(&self) -> Option<SmtpInput<'_>> {
        let s = &self.smtp;
        self.is_email().then_some(SmtpInput {
            host: &s.host,
            port: &s.port,
            security: &s.security,
            username: &s.username,
            password: &s.password,
            from: &s.from,
            to: &s.to,
        })
    }
}

#[derive(Template)]
#[template(path = "notifications_settings.html")]
struct SettingsPage {
    shell: Shell,
    targets: Vec<NotificationTarget>,
    kinds: [TargetKind; 6],
    securities: [SmtpSecurity; 3],
    events: [&'static str; 6],
    form: TargetForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
    timezone: String,
}

impl SettingsPage {
    fn kind_label(&self, code: &str) -> &'static str {
        match code {
            "wecom" => self.shell.tr.t("notify.target.wecom"),
            "feishu" => self.shell.tr.t("notify.target.feishu"),
            "dingtalk" => self.shell.tr.t("notify.target.dingtalk"),
            "slack" => self.shell.tr.t("notify.target.slack"),
            "email" => self.shell.tr.t("notify.target.email"),
            _ => self.shell.tr.t("notify.target.webhook"),
        }
    }

    fn security_label(&self, security: &SmtpSecurity) -> &'static str {
        match security {
            SmtpSecurity::Tls => self.shell.tr.t("notify.smtp_security.tls"),
            SmtpSecurity::StartTls => self.shell.tr.t("notify.smtp_security.starttls"),
            SmtpSecurity::None => self.shell.tr.t("notify.smtp_security.none"),
        }
    }

    /// The email section starts open when it is being filled in or was refused.
    fn email_open(&self) -> bool {
        self.form.is_email()
            || [
                "smtp_host",
                "smtp_port",
                "smtp_security",
                "smtp_username",
                "smtp_password",
                "mail_from",
                "mail_to",
            ]
            .iter()
            .any(|f| self.errors.get(f).is_some())
    }

    /// The subscribed kinds in words: "全部" or each kind's name.
    fn events_label(&self, events: &str) -> String {
        if events == "*" {
            return self.shell.tr.t("notify.events_all").to_owned();
        }
        let sep = if self.shell.tr.is_zh() { "、" } else { ", " };
        events
            .split(',')
            .map(|e| kind_text(&self.shell.tr, e))
            .collect::<Vec<_>>()
            .join(sep)
    }

    fn event_label(&self, event: &str) -> &'static str {
        kind_text(&self.shell.tr, event)
    }

    fn added(&self, t: &NotificationTarget) -> String {
        self.shell.tr.datetime(t.created_at, &self.timezone)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    added: Option<String>,
    deleted: Option<String>,
}

pub async fn settings_page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let notice = if q.added.is_some() {
        Some("notify.target_added")
    } else if q.deleted.is_some() {
        Some("notify.target_deleted")
    } else {
        None
    };
    show(
        &state,
        &page,
        &ctx,
        StatusCode::OK,
        TargetForm::default(),
        FieldErrors::default(),
        notice,
    )
    .await
}

async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    status: StatusCode,
    form: TargetForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Response {
    let shell = match Shell::load(state, page, Some(ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let targets = match state.store.notification_targets(ctx.id()).await {
        Ok(targets) => targets,
        Err(e) => return page.fail(&e),
    };
    let view = SettingsPage {
        shell,
        targets,
        kinds: TargetKind::ALL,
        securities: SmtpSecurity::ALL,
        events: EVENTS,
        form,
        errors,
        notice,
        timezone: ctx.workspace.timezone.clone(),
    };
    render(status, &view)
}

pub async fn add_target(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = TargetForm::from_pairs(pairs);
    // Every box ticked means everything, including kinds added in later versions.
    let events = if EVENTS.iter().all(|e| form.events.iter().any(|t| t == e)) {
        "*".to_owned()
    } else {
        form.events.join(",")
    };
    let parsed = TargetDraft::parse(&TargetInput {
        kind: &form.kind,
        name: &form.name,
        url: &form.url,
        secret: Some(&form.secret),
        smtp: form.smtp_input(),
        events: Some(&events),
    });
    match parsed {
        Ok(draft) => match state
            .store
            .create_notification_target(
                ctx.id(),
                page.principal.user.id,
                draft.kind.code(),
                &draft.name,
                &draft.sealed_settings(),
                &draft.events,
            )
            .await
        {
            Ok(_) => Redirect::to(&format!(
                "/w/{}/settings/notifications?added=1",
                ctx.workspace.id
            ))
            .into_response(),
            Err(e) => page.fail(&e),
        },
        Err(refused) => {
            let mut errors = FieldErrors::default();
            for e in &refused {
                errors.set(&e.field, target_problem(&page.tr, &form.kind, e));
            }
            show(
                &state,
                &page,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
            )
            .await
        }
    }
}

pub async fn delete_target(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, target_id)): Path<(i64, i64)>,
) -> Response {
    match state
        .store
        .delete_notification_target(ctx.id(), page.principal.user.id, target_id)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/w/{}/settings/notifications?deleted=1",
            ctx.workspace.id
        ))
        .into_response(),
        Err(fanloop_store::StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}
