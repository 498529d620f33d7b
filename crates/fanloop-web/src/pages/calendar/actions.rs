//! What an operator does to one publication from the calendar and the list: move it to
//! another day or time, retry it, or confirm it went out with its link.
//!
//! Moving goes through `crate::publishing::schedule` like any scheduling, so the post
//! must still be approved and the time must respect the channel's quota; the store moves
//! the open publication rather than adding one.

use super::grid::{self, CalendarQuery, Refused};
use super::list::{self, ListQuery, RowError};
use super::{local, parse_local, safe_query, timezone};
use crate::AppState;
use crate::error::ApiError;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::pages::Page;
use crate::publishing::{When, schedule};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::publish::PublicationStatus;
use fanloop_store::StoreError;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    /// A new day (`YYYY-MM-DD`), keeping the time of day: what dragging sends.
    date: String,
    /// A new local date and time (`YYYY-MM-DDTHH:MM`): the card's own form.
    at: String,
    /// The calendar view to return to.
    back: String,
}

pub async fn move_publication(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, publication_id)): Path<(i64, i64)>,
    Form(form): Form<MoveForm>,
) -> Response {
    let back = safe_query(&form.back).to_owned();
    let tr = &page.tr;
    let tz = timezone(&ctx.workspace.timezone);
    let p = match state.store.publication(ctx.id(), publication_id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => {
            return page.refuse(StatusCode::NOT_FOUND, tr.t("error.not_found"));
        }
        Err(e) => return page.fail(&e),
    };
    let current = local(p.scheduled_at, &tz);
    // What the card's input should show if the move is refused: the time asked for.
    let typed = if form.at.trim().is_empty() {
        match (form.date.trim().parse::<jiff::civil::Date>(), current) {
            (Ok(d), Some(c)) => d
                .to_datetime(c.time())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string(),
            _ => form.date.clone(),
        }
    } else {
        form.at.clone()
    };
    let refuse = |status: StatusCode, message: String| Refusal {
        status,
        refused: Refused {
            publication_id,
            typed: typed.clone(),
            message,
        },
    };
    let outcome = async {
        if !matches!(
            p.status,
            PublicationStatus::Scheduled | PublicationStatus::Held
        ) {
            let status = super::status_label(tr, p.status);
            return Err(refuse(
                StatusCode::CONFLICT,
                tr.t1("cal.not_movable", status),
            ));
        }
        let at = match (form.at.trim(), form.date.trim(), current) {
            ("", "", _) => None,
            ("", date, Some(c)) => date
                .parse::<jiff::civil::Date>()
                .ok()
                .and_then(|d| d.to_datetime(c.time()).to_zoned(tz.clone()).ok())
                .map(|z| z.timestamp().as_millisecond()),
            (at, _, _) => parse_local(at, &tz),
        };
        let Some(at) = at else {
            return Err(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.t("cal.bad_time").to_owned(),
            ));
        };
        schedule(
            &state,
            tr,
            ctx.id(),
            &ctx.workspace.timezone,
            page.principal.user.id,
            p.post_id,
            When::At(at),
            &[p.channel_id],
        )
        .await
        .map_err(|e| refuse(e.status, schedule_refusal(tr, &e)))
    }
    .await;
    match outcome {
        Ok(_) => {
            let sep = if back.is_empty() { "?" } else { "&" };
            Redirect::to(&format!(
                "/w/{}/calendar{back}{sep}done=moved#pub-{publication_id}",
                ctx.workspace.id
            ))
            .into_response()
        }
        Err(r) if r.status == StatusCode::NOT_FOUND => page.refuse(r.status, &r.refused.message),
        Err(r) => {
            let q: CalendarQuery =
                serde_urlencoded::from_str(back.trim_start_matches('?')).unwrap_or_default();
            grid::show(&state, &page, &ctx, &q, r.status, None, Some(r.refused)).await
        }
    }
}

struct Refusal {
    status: StatusCode,
    refused: Refused,
}

/// The scheduler's refusal in one sentence: its field messages, else its summary.
fn schedule_refusal(tr: &crate::i18n::Tr, e: &ApiError) -> String {
    if e.status == StatusCode::NOT_FOUND {
        return tr.t("error.not_found").to_owned();
    }
    let messages: Vec<&str> = e.errors.iter().map(|p| p.message.as_str()).collect();
    if messages.is_empty() {
        e.detail.clone()
    } else {
        messages.join(" ")
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RowForm {
    /// The link of the post on the platform (confirming).
    url: String,
    /// The list view to return to.
    back: String,
}

/// Puts a failed, missed or unconfirmed publication back in the queue, due now.
pub async fn retry(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, publication_id)): Path<(i64, i64)>,
    Form(form): Form<RowForm>,
) -> Response {
    let result = state
        .store
        .retry_publication(ctx.id(), publication_id, page.principal.user.id)
        .await;
    if result.is_ok() {
        state.wake.wake();
    }
    after_row(
        &state,
        &page,
        &ctx,
        publication_id,
        &form,
        result,
        "retried",
    )
    .await
}

/// Marks an assisted or unconfirmed publication as published, with its link.
pub async fn confirm(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, publication_id)): Path<(i64, i64)>,
    Form(form): Form<RowForm>,
) -> Response {
    let url = form.url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048 {
        let error = RowError {
            publication_id,
            field: "url",
            message: page.tr.t("pubs.bad_url").to_owned(),
            typed_url: form.url.clone(),
        };
        return show_list(
            &state,
            &page,
            &ctx,
            &form,
            StatusCode::UNPROCESSABLE_ENTITY,
            error,
        )
        .await;
    }
    let result = state
        .store
        .confirm_publication(ctx.id(), publication_id, page.principal.user.id, url)
        .await;
    after_row(
        &state,
        &page,
        &ctx,
        publication_id,
        &form,
        result,
        "confirmed",
    )
    .await
}

async fn after_row(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    publication_id: i64,
    form: &RowForm,
    result: Result<(), StoreError>,
    done: &str,
) -> Response {
    let tr = &page.tr;
    match result {
        Ok(()) => {
            let back = safe_query(&form.back);
            let sep = if back.is_empty() { "?" } else { "&" };
            Redirect::to(&format!(
                "/w/{}/publications{back}{sep}done={done}#row-{publication_id}",
                ctx.workspace.id
            ))
            .into_response()
        }
        Err(StoreError::NotFound) => page.refuse(StatusCode::NOT_FOUND, tr.t("error.not_found")),
        Err(StoreError::Conflict(what)) => {
            let error = RowError {
                publication_id,
                field: "row",
                message: tr.t(&format!("conflict.{what}")).to_owned(),
                typed_url: form.url.clone(),
            };
            show_list(state, page, ctx, form, StatusCode::CONFLICT, error).await
        }
        Err(e) => page.fail(&e),
    }
}

async fn show_list(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    form: &RowForm,
    status: StatusCode,
    error: RowError,
) -> Response {
    let back = safe_query(&form.back);
    let q: ListQuery = serde_urlencoded::from_str(back.trim_start_matches('?')).unwrap_or_default();
    list::show(state, page, ctx, &q, status, Some(error)).await
}
