//! The notification centre over the API: the notifications addressed to the caller in
//! their language, marking them read (for the caller only), and the targets (group robots, webhooks, email) they are
//! also sent to. Target URLs, secrets and SMTP settings are write-only: sealed on the way
//! in, never returned.

use super::publishing::reason_text;
use super::{ApiJson, ApiTr, rfc3339};
use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fanloop_domain::notify::{SmtpInput, TargetDraft, TargetInput, TargetKind};
use fanloop_domain::{Invalid, Reason};
use fanloop_store::notifications::{Notification, NotificationTarget, Shown};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct NotificationView {
    id: i64,
    kind: String,
    /// The kind in the caller's language.
    kind_text: String,
    publication_id: Option<i64>,
    channel_id: Option<i64>,
    post_title: Option<String>,
    channel_name: Option<String>,
    /// Machine-readable reason (a publication's failure reason), and its words.
    reason: Option<String>,
    reason_text: Option<String>,
    created_at: String,
    read: bool,
}

/// The words for a notification kind; unknown kinds (from a newer version sharing the
/// database) show as a generic notice rather than a missing text.
pub(crate) fn kind_text(tr: &Tr, kind: &str) -> &'static str {
    // Literal keys, so the catalog test sees each one.
    match kind {
        "publish_failed" => tr.t("notify.kind.publish_failed"),
        "publish_unconfirmed" => tr.t("notify.kind.publish_unconfirmed"),
        "reconnect_needed" => tr.t("notify.kind.reconnect_needed"),
        "publish_missed" => tr.t("notify.kind.publish_missed"),
        "assisted_ready" => tr.t("notify.kind.assisted_ready"),
        "assisted_overdue" => tr.t("notify.kind.assisted_overdue"),
        _ => tr.t("notify.kind.other"),
    }
}

pub(crate) fn view(tr: &Tr, n: Notification) -> NotificationView {
    let reason = Some(n.detail).filter(|d| !d.is_empty());
    NotificationView {
        kind_text: kind_text(tr, &n.kind).to_owned(),
        reason_text: reason.as_deref().map(|r| reason_text(r, tr.locale())),
        id: n.id,
        kind: n.kind,
        publication_id: n.publication_id,
        channel_id: n.channel_id,
        post_title: n.post_title,
        channel_name: n.channel_name,
        reason,
        created_at: rfc3339(n.created_at),
        read: n.read_at.is_some(),
    }
}

#[derive(Serialize)]
pub struct NotificationList {
    /// The caller's unread notifications in the workspace, not only in this page.
    unread: i64,
    notifications: Vec<NotificationView>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    /// `all` (the default) or `unread`.
    filter: Option<String>,
}

/// The list filter a query names; `None` for a value that is neither.
pub(crate) fn shown(filter: Option<&str>) -> Option<Shown> {
    match filter.map(str::trim) {
        None | Some("" | "all") => Some(Shown::All),
        Some("unread") => Some(Shown::Unread),
        Some(_) => None,
    }
}

/// The notifications addressed to the caller, newest first, with their own read state.
pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Query(q): Query<ListQuery>,
) -> Result<Json<NotificationList>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let Some(filter) = shown(q.filter.as_deref()) else {
        let problem = FieldProblem {
            field: "filter".to_owned(),
            message: tr.t("notify.invalid_filter").to_owned(),
        };
        return Err(ApiError::fields(&tr, vec![problem]));
    };
    let user = principal.user.id;
    let rows = state
        .store
        .notifications_for(ctx.id(), user, filter, limit)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    let unread = state
        .store
        .unread_notifications(ctx.id(), user)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(NotificationList {
        unread,
        notifications: rows.into_iter().map(|n| view(&tr, n)).collect(),
    }))
}

#[derive(Serialize)]
pub struct Marked {
    marked: u64,
}

/// Marks every notification addressed to the caller read; other people's stay unread.
pub async fn mark_read(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
) -> Result<Json<Marked>, ApiError> {
    let marked = state
        .store
        .mark_notifications_read(ctx.id(), principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(Marked { marked }))
}

/// Marks one notification read for the caller. One not addressed to them, or of
/// another workspace, is "not found": its existence is not theirs to learn.
pub async fn mark_one_read(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, notification_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .mark_notification_read(ctx.id(), principal.user.id, notification_id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
pub struct TargetView {
    id: i64,
    kind: String,
    name: String,
    events: String,
    created_at: String,
}

impl From<NotificationTarget> for TargetView {
    fn from(t: NotificationTarget) -> TargetView {
        TargetView {
            id: t.id,
            kind: t.kind,
            name: t.name,
            events: t.events,
            created_at: rfc3339(t.created_at),
        }
    }
}

pub async fn targets(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<Vec<TargetView>>, ApiError> {
    let targets = state
        .store
        .notification_targets(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(targets.into_iter().map(TargetView::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTarget {
    kind: String,
    name: String,
    /// Robots and webhooks only; email targets have none.
    #[serde(default)]
    url: String,
    secret: Option<String>,
    events: Option<String>,
    // Email targets only. The password is sealed with the rest and never returned.
    smtp_host: Option<String>,
    smtp_port: Option<NumberOrText>,
    smtp_security: Option<String>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    mail_from: Option<String>,
    mail_to: Option<OneOrMany>,
}

/// A port as a JSON number or as the text a form would send.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(i64),
    Text(String),
}

/// Recipients as a list, or as one string of addresses separated by commas.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl NewTarget {
    /// The SMTP fields as text, or `None` when the body has none of them.
    fn smtp_text(&self) -> Option<[String; 7]> {
        let given = self.smtp_host.is_some()
            || self.smtp_port.is_some()
            || self.smtp_security.is_some()
            || self.smtp_username.is_some()
            || self.smtp_password.is_some()
            || self.mail_from.is_some()
            || self.mail_to.is_some();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let port = match &self.smtp_port {
            Some(NumberOrText::Number(n)) => n.to_string(),
            Some(NumberOrText::Text(t)) => t.clone(),
            None => String::new(),
        };
        let to = match &self.mail_to {
            Some(OneOrMany::One(list)) => list.clone(),
            Some(OneOrMany::Many(list)) => list.join(","),
            None => String::new(),
        };
        given.then(|| {
            [
                text(&self.smtp_host),
                port,
                text(&self.smtp_security),
                text(&self.smtp_username),
                text(&self.smtp_password),
                text(&self.mail_from),
                to,
            ]
        })
    }
}

/// A refused target field in words that say what to do, not only what is wrong. `kind`
/// is the kind as given: an email target's unused secret needs other words than a robot's.
pub(crate) fn target_problem(tr: &Tr, kind: &str, e: &Invalid) -> String {
    let email = TargetKind::parse(kind) == Some(TargetKind::Email);
    let words = match (e.field.as_str(), &e.reason) {
        ("kind", Reason::BadFormat) => tr.t("notify.invalid_kind"),
        ("events", Reason::BadFormat) => tr.t("notify.invalid_events"),
        ("events", Reason::Required) => tr.t("notify.events_required"),
        ("secret", Reason::UnknownField) if email => tr.t("notify.secret_unused_email"),
        ("secret", Reason::UnknownField) => tr.t("notify.secret_unused"),
        ("secret", Reason::Required) => tr.t("notify.secret_required"),
        ("url", Reason::UnknownField) => tr.t("notify.url_unused"),
        (
            "smtp_host" | "smtp_port" | "smtp_security" | "smtp_username" | "smtp_password"
            | "mail_from" | "mail_to",
            Reason::UnknownField,
        ) => tr.t("notify.smtp_unused"),
        ("smtp_host", Reason::Required) => tr.t("notify.smtp_host_required"),
        ("smtp_host", Reason::BadFormat) => tr.t("notify.smtp_host_invalid"),
        ("smtp_security", Reason::InsecureUrl) => tr.t("notify.smtp_insecure"),
        ("smtp_security", _) => tr.t("notify.smtp_security_invalid"),
        ("smtp_port", Reason::OutOfRange) => tr.t("notify.smtp_port_invalid"),
        ("smtp_username", Reason::Required) => tr.t("notify.smtp_username_required"),
        ("smtp_password", Reason::Required) => tr.t("notify.smtp_password_required"),
        ("mail_from", Reason::Required) => tr.t("notify.mail_from_required"),
        ("mail_from", Reason::NotAnEmail) => tr.t("notify.mail_from_invalid"),
        ("mail_to", Reason::Required) => tr.t("notify.mail_to_required"),
        ("mail_to", Reason::NotAnEmail) => tr.t("notify.mail_to_invalid"),
        ("mail_to", Reason::TooLong { max }) => return tr.t1("notify.mail_to_too_many", max),
        _ => return tr.invalid(e),
    };
    words.to_owned()
}

pub async fn add_target(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<NewTarget>,
) -> Result<(StatusCode, Json<TargetView>), ApiError> {
    let smtp_text = body.smtp_text();
    let smtp =
        smtp_text.as_ref().map(
            |[host, port, security, username, password, from, to]| SmtpInput {
                host,
                port,
                security,
                username,
                password,
                from,
                to,
            },
        );
    let input = TargetInput {
        kind: &body.kind,
        name: &body.name,
        url: &body.url,
        secret: body.secret.as_deref(),
        smtp,
        events: body.events.as_deref(),
    };
    let draft = TargetDraft::parse(&input).map_err(|errors| {
        let problems = errors
            .iter()
            .map(|e| FieldProblem {
                field: e.field.clone(),
                message: target_problem(&tr, &body.kind, e),
            })
            .collect();
        ApiError::fields(&tr, problems)
    })?;
    let target = state
        .store
        .create_notification_target(
            ctx.id(),
            principal.user.id,
            draft.kind.code(),
            &draft.name,
            &draft.sealed_settings(),
            &draft.events,
        )
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok((StatusCode::CREATED, Json(target.into())))
}

pub async fn delete_target(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, target_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_notification_target(ctx.id(), principal.user.id, target_id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(StatusCode::NO_CONTENT)
}
