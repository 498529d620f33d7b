//! The web UI: server-rendered pages (askama templates in `templates/`) with htmx for the
//! small interactive parts. Every page shares the shell: workspace switcher, navigation
//! for every area of the product, the account menu and the language switch.

pub mod account;
pub mod auth;
pub mod calendar;
pub mod channel_edit;
pub mod channels;
pub mod content;
pub mod dashboard;
pub mod invite;
pub mod media;
pub mod members;
pub mod notifications;
pub mod publishing_settings;
pub mod review_rules;
pub mod scripts;
pub mod setup;
pub mod theme;
pub mod topics;
pub mod words;
pub mod workspaces;

use crate::AppState;
use crate::gate::{FORM_COOKIE, Principal, WorkspaceCtx, cookie};
use crate::i18n::Tr;
use askama::Template;
use axum::extract::{FromRequestParts, OriginalUri, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fanloop_domain::{Invalid, Role};
use std::collections::HashMap;

/// One entry of the main navigation. `built` is false for areas still on the roadmap,
/// whose pages say so honestly instead of pretending.
pub struct Area {
    pub key: &'static str,
    pub icon: &'static str,
    pub built: bool,
}

pub const AREAS: &[Area] = &[
    Area {
        key: "dashboard",
        icon: "◎",
        built: true,
    },
    Area {
        key: "topics",
        icon: "✦",
        built: true,
    },
    Area {
        key: "content",
        icon: "✎",
        built: true,
    },
    Area {
        key: "media",
        icon: "▣",
        built: true,
    },
    Area {
        key: "review",
        icon: "✓",
        built: true,
    },
    Area {
        key: "calendar",
        icon: "▦",
        built: true,
    },
    Area {
        key: "inbox",
        icon: "✉",
        built: false,
    },
    Area {
        key: "fans",
        icon: "☺",
        built: false,
    },
    Area {
        key: "analytics",
        icon: "▲",
        built: false,
    },
    Area {
        key: "kpis",
        icon: "◈",
        built: false,
    },
    Area {
        key: "campaigns",
        icon: "✺",
        built: false,
    },
    Area {
        key: "kol",
        icon: "⚑",
        built: false,
    },
    Area {
        key: "listening",
        icon: "◉",
        built: false,
    },
    Area {
        key: "settings",
        icon: "⚙",
        built: true,
    },
];

/// A workspace in the switcher.
pub struct WorkspaceLink {
    pub id: i64,
    pub name: String,
}

/// What the layout needs on every signed-in page.
pub struct Shell {
    pub tr: Tr,
    pub user_name: String,
    pub csrf: String,
    pub workspaces: Vec<WorkspaceLink>,
    /// The workspace being looked at, if any.
    pub current: Option<WorkspaceLink>,
    pub role: Option<Role>,
    pub active: &'static str,
    pub path: String,
    /// The signed-in person's unread notifications in the current workspace, for the
    /// bell in the top bar.
    pub unread: i64,
}

impl Shell {
    pub async fn load(
        state: &AppState,
        page: &Page,
        ctx: Option<&WorkspaceCtx>,
        active: &'static str,
    ) -> Result<Shell, Response> {
        let workspaces = state
            .store
            .workspaces_of(page.principal.user.id)
            .await
            .map_err(|e| page.fail(&e))?;
        let unread = match ctx {
            Some(c) => state
                .store
                .unread_notifications(c.id(), page.principal.user.id)
                .await
                .map_err(|e| page.fail(&e))?,
            None => 0,
        };
        Ok(Shell {
            tr: page.tr,
            user_name: page.principal.user.display_name.clone(),
            csrf: page.principal.csrf.clone().unwrap_or_default(),
            workspaces: workspaces
                .into_iter()
                .map(|(w, _)| WorkspaceLink {
                    id: w.id,
                    name: w.name,
                })
                .collect(),
            current: ctx.map(|c| WorkspaceLink {
                id: c.workspace.id,
                name: c.workspace.name.clone(),
            }),
            role: ctx.map(|c| c.role),
            active,
            path: page.path.clone(),
            unread,
        })
    }

    pub fn areas(&self) -> &'static [Area] {
        AREAS
    }

    /// The first character of the user's name, for the avatar.
    pub fn initial(&self) -> String {
        self.user_name
            .chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default()
    }

    pub fn area_description(&self, key: &str) -> &'static str {
        self.tr.t(&format!("area.{key}"))
    }

    /// Which settings tab the path is on.
    pub fn settings_tab(&self) -> &'static str {
        let path = self.path.split('?').next().unwrap_or("");
        [
            "members",
            "channels",
            "review",
            "words",
            "theme",
            "publishing",
            "notifications",
            "audit",
        ]
        .into_iter()
        // A tab's own pages (one channel's edit page) keep the tab lit.
        .find(|tab| {
            path.split_once(&format!("/settings/{tab}"))
                .is_some_and(|(_, rest)| rest.is_empty() || rest.starts_with('/'))
        })
        .unwrap_or("workspace")
    }

    /// Workspace-wide settings such as where notifications are sent.
    pub fn can_edit_workspace(&self) -> bool {
        self.role
            .is_some_and(|r| r.allows(fanloop_domain::Permission::EditWorkspace))
    }

    pub fn can_see_audit(&self) -> bool {
        self.role
            .is_some_and(|r| r.allows(fanloop_domain::Permission::EditWorkspace))
    }

    pub fn role_label(&self) -> &'static str {
        self.role
            .map(|r| self.tr.t(&format!("role.{}", r.code())))
            .unwrap_or("")
    }

    pub fn area_href(&self, key: &str) -> String {
        match (&self.current, key) {
            (Some(w), "dashboard") => format!("/w/{}", w.id),
            (Some(w), key) => format!("/w/{}/{key}", w.id),
            (None, _) => "/".to_owned(),
        }
    }

    pub fn area_label(&self, key: &str) -> &'static str {
        self.tr.t(&format!("nav.{key}"))
    }
}

/// `?saved=1`, which a settings page gets after a successful save to say so.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

/// Field → message, for inline validation errors.
#[derive(Default, Clone)]
pub struct FieldErrors(HashMap<String, String>);

impl FieldErrors {
    pub fn from_invalid(tr: &Tr, errors: &[Invalid]) -> FieldErrors {
        FieldErrors(
            errors
                .iter()
                .map(|e| (e.field.clone(), tr.invalid(e)))
                .collect(),
        )
    }

    /// Errors worded by the caller (e.g. `api::channels::setting_problem`).
    pub fn worded(errors: &[Invalid], words: impl Fn(&Invalid) -> String) -> FieldErrors {
        FieldErrors(errors.iter().map(|e| (e.field.clone(), words(e))).collect())
    }

    pub fn one(field: &str, message: impl Into<String>) -> FieldErrors {
        FieldErrors(HashMap::from([(field.to_owned(), message.into())]))
    }

    /// Errors of a list field and its items (`tags`, `tags[0]`, …), in field order.
    pub fn prefixed(&self, prefix: &str) -> Vec<(String, String)> {
        let mut found: Vec<_> = self
            .0
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        found.sort();
        found
    }

    pub fn set(&mut self, field: &str, message: impl Into<String>) {
        self.0.insert(field.to_owned(), message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A signed-in page request: who, in which language, at which path.
pub struct Page {
    pub principal: Principal,
    pub tr: Tr,
    pub path: String,
}

impl Page {
    /// An internal failure as an error page (the cause goes to the log only).
    pub fn fail(&self, cause: &dyn std::fmt::Display) -> Response {
        error_page(
            &self.tr,
            Some(&self.principal),
            StatusCode::INTERNAL_SERVER_ERROR,
            &internal(&self.tr, cause),
        )
    }

    pub fn refuse(&self, status: StatusCode, detail: &str) -> Response {
        error_page(&self.tr, Some(&self.principal), status, detail)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let principal = Principal::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let tr = Tr::negotiate(&parts.headers, Some(principal.user.locale), false);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        Ok(Page {
            principal,
            tr,
            path,
        })
    }
}

/// Renders a template as an HTML response with `status`.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

pub fn internal(tr: &Tr, cause: &dyn std::fmt::Display) -> String {
    tracing::error!(%cause, "page failed");
    tr.t("error.internal").to_owned()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: Tr,
    status: u16,
    title: &'static str,
    detail: &'a str,
    signed_in: bool,
}

/// A friendly error page in the user's language.
pub fn error_page(
    tr: &Tr,
    principal: Option<&Principal>,
    status: StatusCode,
    detail: &str,
) -> Response {
    let title = match status.as_u16() {
        400 => tr.t("problem.malformed"),
        403 => tr.t("problem.forbidden"),
        404 => tr.t("problem.not_found"),
        413 => tr.t("problem.too_large"),
        422 => tr.t("problem.invalid"),
        _ => tr.t("problem.internal"),
    };
    render(
        status,
        &ErrorPage {
            tr: *tr,
            status: status.as_u16(),
            title,
            detail,
            signed_in: principal.is_some(),
        },
    )
}

pub async fn not_found(headers: HeaderMap, OriginalUri(uri): OriginalUri) -> Response {
    let api = uri.path().starts_with("/api/");
    let tr = Tr::negotiate(&headers, None, api);
    if api {
        return crate::error::ApiError::not_found(&tr).into_response();
    }
    error_page(&tr, None, StatusCode::NOT_FOUND, tr.t("error.not_found"))
}

/// `/`: the first workspace's dashboard, or creating a first workspace.
pub async fn home(State(state): State<AppState>, page: Page) -> Response {
    match state.store.workspaces_of(page.principal.user.id).await {
        Ok(list) => match list.first() {
            Some((w, _)) => Redirect::to(&format!("/w/{}", w.id)).into_response(),
            None => Redirect::to("/workspaces/new").into_response(),
        },
        Err(e) => page.fail(&e),
    }
}

/// The double-submit token for forms shown before sign-in: the existing cookie, or a new
/// one to set with the page.
pub fn form_token(headers: &HeaderMap) -> (String, Option<String>) {
    match cookie(headers, FORM_COOKIE).filter(|v| v.len() >= 32) {
        Some(token) => (token, None),
        None => {
            let token = fanloop_store::new_token("");
            let set = format!("{FORM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
            (token.clone(), Some(set))
        }
    }
}

/// Adds a `Set-Cookie` header when one is due.
pub fn with_cookie(mut response: Response, set_cookie: Option<String>) -> Response {
    if let Some(value) = set_cookie.and_then(|v| v.parse().ok()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Only same-site paths are followed after sign-in, never another host.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}
