//! The notification centre (`/w/{id}/notifications`: what needs the signed-in person,
//! addressed to them, each marked read by them alone; all or only unread) and, in
//! `settings.rs`, its settings tab (`/w/{id}/settings/notifications`: the group robots,
//! webhooks and email addresses notifications are also sent to).

mod settings;

pub use settings::{add_target, delete_target, settings_page};

use super::{Page, Shell, render};
use crate::AppState;
use crate::api::notifications::{kind_text, shown};
use crate::api::publishing::reason_text;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::Permission;
use fanloop_store::StoreError;
use fanloop_store::notifications::Shown;
use serde::Deserialize;
use std::collections::HashMap;

/// Notifications shown on the page; older ones stay in the store and the API.
const SHOWN: i64 = 100;

/// One notification as the list shows it.
pub struct Item {
    pub id: i64,
    pub kind: String,
    pub kind_text: &'static str,
    pub post_title: Option<String>,
    pub channel_name: Option<String>,
    pub reason: Option<String>,
    pub at: String,
    pub unread: bool,
    /// The post behind the publication, when it still exists.
    pub post_href: Option<String>,
    /// Where to act: the calendar for publications, channel settings for reconnecting.
    pub action_href: String,
    pub action_label: &'static str,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct CentrePage {
    shell: Shell,
    items: Vec<Item>,
    unread: i64,
    can_configure: bool,
    /// Only unread ones shown (`?filter=unread`).
    only_unread: bool,
}

impl CentrePage {
    /// The query that keeps the current filter on links and forms.
    fn keep(&self) -> &'static str {
        if self.only_unread {
            "?filter=unread"
        } else {
            ""
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FilterQuery {
    filter: Option<String>,
}

/// Where to go back to after marking: the centre, with the filter it was showing.
fn back(ctx: &WorkspaceCtx, q: &FilterQuery) -> String {
    let keep = match shown(q.filter.as_deref()) {
        Some(Shown::Unread) => "?filter=unread",
        _ => "",
    };
    format!("/w/{}/notifications{keep}", ctx.workspace.id)
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<FilterQuery>,
) -> Response {
    // An unknown filter shows everything rather than an error: it is a link, not a form.
    let filter = shown(q.filter.as_deref()).unwrap_or_default();
    let shell = match Shell::load(&state, &page, Some(&ctx), "notifications").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let user = page.principal.user.id;
    let rows = match state
        .store
        .notifications_for(ctx.id(), user, filter, SHOWN)
        .await
    {
        Ok(rows) => rows,
        Err(e) => return page.fail(&e),
    };
    let tr = page.tr;
    let base = format!("/w/{}", ctx.workspace.id);
    // The post of each publication, looked up once per publication.
    let mut posts: HashMap<i64, Option<i64>> = HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for n in rows {
        let post_id = match n.publication_id {
            Some(p) => match posts.get(&p) {
                Some(found) => *found,
                None => {
                    let found = state
                        .store
                        .publication(ctx.id(), p)
                        .await
                        .ok()
                        .map(|p| p.post_id);
                    posts.insert(p, found);
                    found
                }
            },
            None => None,
        };
        let (action_href, action_label) = if n.kind == "reconnect_needed" {
            (
                format!("{base}/settings/channels"),
                tr.t("notify.to_channels"),
            )
        } else {
            (format!("{base}/calendar"), tr.t("notify.to_calendar"))
        };
        items.push(Item {
            id: n.id,
            kind_text: kind_text(&tr, &n.kind),
            reason: Some(&n.detail)
                .filter(|d| !d.is_empty())
                .map(|d| reason_text(d, tr.locale())),
            at: tr.datetime(n.created_at, &ctx.workspace.timezone),
            unread: n.read_at.is_none(),
            post_href: post_id.map(|p| format!("{base}/content/{p}")),
            kind: n.kind,
            post_title: n.post_title,
            channel_name: n.channel_name,
            action_href,
            action_label,
        });
    }
    let view = CentrePage {
        // The reader's count in the workspace, as the bell shows it, not only this page's.
        unread: shell.unread,
        can_configure: ctx.role.allows(Permission::EditWorkspace),
        only_unread: filter == Shown::Unread,
        shell,
        items,
    };
    render(StatusCode::OK, &view)
}

/// Marks every notification addressed to the signed-in person read, for them only.
pub async fn mark_read(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<FilterQuery>,
) -> Response {
    match state
        .store
        .mark_notifications_read(ctx.id(), page.principal.user.id)
        .await
    {
        Ok(_) => Redirect::to(&back(&ctx, &q)).into_response(),
        Err(e) => page.fail(&e),
    }
}

/// Marks one notification read for the signed-in person; one not addressed to them is
/// not found.
pub async fn mark_one_read(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, notification_id)): Path<(i64, i64)>,
    Query(q): Query<FilterQuery>,
) -> Response {
    match state
        .store
        .mark_notification_read(ctx.id(), page.principal.user.id, notification_id)
        .await
    {
        Ok(()) => Redirect::to(&back(&ctx, &q)).into_response(),
        Err(StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}
