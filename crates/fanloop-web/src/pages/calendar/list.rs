//! The publications list: newest first, with the calendar's filters, each row saying
//! when it was meant to go out and when it did, how many attempts it took, the link on
//! the platform, and why it failed — in the viewer's words, with the platform's own
//! words underneath. Rows that need a person carry their action (retry, confirm), and
//! assisted ones the ready-to-post package.

use super::package::{self, Package};
use super::{Attention, FilterOptions, Filters, PubCard, local, timezone};
use crate::AppState;
use crate::api::publishing::reason_text;
use crate::gate::WorkspaceCtx;
use crate::pages::{Page, Shell, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use fanloop_domain::Permission;
use fanloop_domain::publish::PublicationStatus;
use fanloop_store::publishing::PublicationFilter;
use serde::Deserialize;
use std::collections::HashMap;

/// How many rows one page shows; older ones are reached by filtering.
const PAGE_ROWS: i64 = 200;

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ListQuery {
    #[serde(flatten)]
    pub filters: Filters,
    pub done: String,
}

/// A refused row action, shown on its row with what was typed.
pub struct RowError {
    pub publication_id: i64,
    /// `url` (the confirm field) or `row`.
    pub field: &'static str,
    pub message: String,
    pub typed_url: String,
}

pub struct Row {
    pub card: PubCard,
    pub published: Option<String>,
    pub first_attempt: Option<String>,
    pub reason: Option<String>,
    pub can_retry: bool,
    pub can_confirm: bool,
    pub package: Option<Package>,
}

#[derive(Template)]
#[template(path = "publications.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    filters: Filters,
    options: FilterOptions,
    attention: Attention,
    notice: Option<&'static str>,
    error: Option<RowError>,
    timezone: String,
    truncated: bool,
}

impl ListPage {
    fn base(&self) -> String {
        format!("{}/publications", self.shell.area_href("dashboard"))
    }

    fn filter_action(&self) -> String {
        self.base()
    }

    fn filter_hidden(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn filter_clear(&self) -> String {
        self.base()
    }

    /// Where row forms come back to: this list with its filters.
    fn back(&self) -> String {
        let q = self.filters.query();
        match q.strip_prefix('&') {
            Some(rest) => format!("?{rest}"),
            None => String::new(),
        }
    }

    fn error_for(&self, r: &Row) -> Option<&RowError> {
        self.error
            .as_ref()
            .filter(|e| e.publication_id == r.card.id)
    }

    fn url_error(&self, r: &Row) -> Option<&str> {
        self.error_for(r)
            .filter(|e| e.field == "url")
            .map(|e| e.message.as_str())
    }

    fn row_error(&self, r: &Row) -> Option<&str> {
        self.error_for(r)
            .filter(|e| e.field == "row")
            .map(|e| e.message.as_str())
    }

    fn typed_url(&self, r: &Row) -> String {
        self.error_for(r)
            .map(|e| e.typed_url.clone())
            .or_else(|| r.card.publication.remote_url.clone())
            .unwrap_or_default()
    }

    fn calendar_href(&self, r: &Row) -> String {
        format!(
            "{}?view=week&date={}#pub-{}",
            self.shell.area_href("calendar"),
            r.card.day,
            r.card.id
        )
    }

    fn role_label(&self, role: &fanloop_render::ImageRole) -> &'static str {
        self.shell.tr.t(match role {
            fanloop_render::ImageRole::Cover => "pubs.pkg.cover",
            fanloop_render::ImageRole::Body => "pubs.pkg.body_image",
        })
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<ListQuery>,
) -> Response {
    show(&state, &page, &ctx, &q, StatusCode::OK, None).await
}

pub async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    q: &ListQuery,
    status: StatusCode,
    error: Option<RowError>,
) -> Response {
    let notice = match q.done.as_str() {
        "retried" => Some("pubs.done_retried"),
        "confirmed" => Some("pubs.done_confirmed"),
        _ => None,
    };
    let mut filter = PublicationFilter {
        limit: PAGE_ROWS,
        ..PublicationFilter::default()
    };
    q.filters.apply(&mut filter);
    let shell = match Shell::load(state, page, Some(ctx), "calendar").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let loaded = async {
        let publications = state.store.publications(ctx.id(), &filter).await?;
        let options = FilterOptions::load(state, ctx).await?;
        let attention = Attention::load(state, ctx).await?;
        Ok::<_, fanloop_store::StoreError>((publications, options, attention))
    };
    let (publications, options, attention) = match loaded.await {
        Ok(found) => found,
        Err(e) => return page.fail(&e),
    };
    let tz = timezone(&ctx.workspace.timezone);
    let can_schedule = ctx.role.allows(Permission::SchedulePublications);
    let truncated = publications.len() as i64 >= PAGE_ROWS;
    // Assisted rows need their post's variant; each post is read once.
    let mut posts = HashMap::new();
    for p in publications
        .iter()
        .filter(|p| p.status == PublicationStatus::Assisted)
    {
        if let std::collections::hash_map::Entry::Vacant(slot) = posts.entry(p.post_id) {
            match state.store.post(ctx.id(), p.post_id).await {
                Ok(Some(post)) => {
                    slot.insert(post);
                }
                Ok(None) => {}
                Err(e) => return page.fail(&e),
            }
        }
    }
    let theme = if posts.is_empty() {
        fanloop_render::Theme::default()
    } else {
        match crate::theme::workspace_theme(state, &page.tr, ctx.id()).await {
            Ok(theme) => theme,
            Err(e) => return page.refuse(e.status, &e.detail),
        }
    };
    let when = |ms: Option<i64>| {
        ms.and_then(|at| local(at, &tz))
            .map(|d| d.strftime("%Y-%m-%d %H:%M").to_string())
    };
    let rows = publications
        .into_iter()
        .map(|p| {
            let package = (p.status == PublicationStatus::Assisted)
                .then(|| posts.get(&p.post_id))
                .flatten()
                .and_then(|post| package::build(post, &p, ctx.workspace.id, &theme));
            Row {
                published: when(p.published_at),
                first_attempt: when(p.first_attempt_at),
                reason: p
                    .reason
                    .as_deref()
                    .map(|r| reason_text(r, page.tr.locale())),
                can_retry: can_schedule
                    && matches!(
                        p.status,
                        PublicationStatus::Failed
                            | PublicationStatus::Missed
                            | PublicationStatus::Unconfirmed
                    ),
                can_confirm: can_schedule
                    && matches!(
                        p.status,
                        PublicationStatus::Assisted | PublicationStatus::Unconfirmed
                    ),
                package,
                card: PubCard::new(&page.tr, &tz, p, can_schedule),
            }
        })
        .collect();
    let view = ListPage {
        shell,
        rows,
        filters: q.filters.clone(),
        options,
        attention,
        notice,
        error,
        timezone: ctx.workspace.timezone.clone(),
        truncated,
    };
    render(status, &view)
}
