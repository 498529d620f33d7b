//! Scheduling from the post page: the card that lists the post's publications and, once
//! the post is approved, lets the operator pick channels and a time — a moment, the next
//! queue slot, or now — with each channel's golden-time suggestion beside it. The form
//! posts here; refusals come back inline on the post page with what was typed.

use super::{PubCard, local, parse_local, timezone};
use crate::AppState;
use crate::api::publishing::golden_for;
use crate::error::ApiError;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::i18n::Tr;
use crate::pages::{FieldErrors, Page};
use crate::publishing::{When, schedule as schedule_post};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::publish::{PublicationStatus, WeeklySlot, next_free_slot};
use fanloop_domain::{Permission, PostStatus};
use fanloop_store::Post;
use fanloop_store::publishing::PublicationFilter;
use std::collections::BTreeSet;

/// The scheduling form as typed; checkboxes repeat `channel`.
#[derive(Debug, Clone, Default)]
pub struct ScheduleForm {
    pub channels: Vec<i64>,
    /// `at`, `queue` or `now`.
    pub mode: String,
    /// A `datetime-local` value in the workspace's time zone.
    pub at: String,
}

impl ScheduleForm {
    fn from_pairs(pairs: &[(String, String)]) -> ScheduleForm {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        ScheduleForm {
            channels: pairs
                .iter()
                .filter(|(k, _)| k == "channel")
                .filter_map(|(_, v)| v.parse().ok())
                .collect(),
            mode: get("mode"),
            at: get("at"),
        }
    }
}

/// A typed form and its refusal, carried back to the post page.
#[derive(Default)]
pub struct Typed {
    pub form: Option<ScheduleForm>,
    pub errors: FieldErrors,
}

/// One channel of the post to tick, with its golden-time suggestion.
pub struct ChannelChoice {
    pub id: i64,
    pub name: String,
    pub platform: &'static str,
    pub platform_label: &'static str,
    pub checked: bool,
    /// Already out (or going out) on this channel: its status, and no second schedule.
    pub done: Option<&'static str>,
    pub explanation: String,
    /// `(label, datetime-local value of its next occurrence)`.
    pub golden: Vec<(String, String)>,
}

/// Everything the post page's scheduling card shows.
pub struct ScheduleCard {
    /// Approved, and the viewer may schedule.
    pub open: bool,
    pub approved: bool,
    pub can_schedule: bool,
    pub channels: Vec<ChannelChoice>,
    pub mode: String,
    pub at: String,
    /// The earliest sensible value for the time input.
    pub min: String,
    pub publications: Vec<PubCard>,
    /// Publications the unschedule button would cancel.
    pub cancellable: usize,
    pub errors: FieldErrors,
}

impl ScheduleCard {
    /// Every channel already has the post: nothing is left to schedule.
    pub fn all_done(&self) -> bool {
        self.channels.iter().all(|c| c.done.is_some())
    }
}

/// How many golden hours to offer per channel.
const GOLDEN_TOP: usize = 3;

pub async fn card(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    post: &Post,
    typed: Typed,
) -> Result<ScheduleCard, ApiError> {
    let tz = timezone(&ctx.workspace.timezone);
    let can_schedule = ctx.role.allows(Permission::SchedulePublications);
    let approved = post.status == PostStatus::Approved;
    let filter = PublicationFilter {
        post_id: Some(post.id),
        limit: 100,
        ..PublicationFilter::default()
    };
    let publications: Vec<PubCard> = state
        .store
        .publications(ctx.id(), &filter)
        .await
        .map_err(|e| ApiError::store(tr, e))?
        .into_iter()
        .map(|p| PubCard::new(tr, &tz, p, false))
        .collect();
    let cancellable = publications
        .iter()
        .filter(|c| c.status.is_cancellable())
        .count();
    let open = approved && can_schedule;
    let mut channels = Vec::new();
    let now = crate::now_ms();
    if open {
        for v in &post.variants {
            let golden = golden(state, tr, ctx, v.channel_id, v.platform).await?;
            let slots = golden
                .slots
                .iter()
                .take(GOLDEN_TOP)
                .filter_map(|g| {
                    let slot = WeeklySlot::new(g.weekday, u16::from(g.hour) * 60).ok()?;
                    let next = next_free_slot(&[slot], &tz, now, &BTreeSet::new())?;
                    let value = local(next, &tz)?.strftime("%Y-%m-%dT%H:%M").to_string();
                    Some((slot.label(tr.is_zh()), value))
                })
                .collect();
            // A channel the post is already live on (or being sent to) cannot take it
            // again; the store would refuse, so the form does not offer it.
            let done = publications
                .iter()
                .find(|c| {
                    c.publication.channel_id == v.channel_id
                        && matches!(
                            c.status,
                            PublicationStatus::Published
                                | PublicationStatus::Publishing
                                | PublicationStatus::Pending
                        )
                })
                .map(|c| c.status_label);
            channels.push(ChannelChoice {
                id: v.channel_id,
                name: v.channel_name.clone(),
                platform: v.platform.code(),
                platform_label: v.platform.label(tr.lang),
                checked: done.is_none()
                    && typed
                        .form
                        .as_ref()
                        .is_none_or(|f| f.channels.contains(&v.channel_id)),
                done,
                explanation: golden.explanation,
                golden: slots,
            });
        }
    }
    let form = typed.form.unwrap_or_default();
    Ok(ScheduleCard {
        open,
        approved,
        can_schedule,
        channels,
        mode: if form.mode.is_empty() {
            "at".into()
        } else {
            form.mode
        },
        at: form.at,
        min: local(now, &tz)
            .map(|d| d.strftime("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        publications,
        cancellable,
        errors: typed.errors,
    })
}

/// The API's golden-time answer, read the way its clients read it: the view's fields
/// are the API module's own, its JSON shape is the contract.
#[derive(serde::Deserialize)]
struct Golden {
    explanation: String,
    slots: Vec<GoldenHour>,
}

#[derive(serde::Deserialize)]
struct GoldenHour {
    weekday: u8,
    hour: u8,
}

async fn golden(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    channel_id: i64,
    platform: fanloop_domain::Platform,
) -> Result<Golden, ApiError> {
    let view = golden_for(state, tr, ctx, channel_id, platform).await?;
    serde_json::to_value(&view)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::internal(tr, &e))
}

pub async fn schedule(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = ScheduleForm::from_pairs(&pairs);
    let tr = &page.tr;
    let tz = timezone(&ctx.workspace.timezone);
    let mut errors = FieldErrors::default();
    if form.channels.is_empty() {
        errors.set("schedule_channels", tr.t("schedule.pick_channel"));
    }
    let when = match form.mode.as_str() {
        "queue" => Some(When::Queue),
        "now" => Some(When::Now),
        _ if form.at.trim().is_empty() => {
            errors.set("schedule_at", tr.t("schedule.need_time"));
            None
        }
        _ => match parse_local(&form.at, &tz) {
            Some(at) => Some(When::At(at)),
            None => {
                errors.set("schedule_at", tr.t("cal.bad_time"));
                None
            }
        },
    };
    let (Some(when), true) = (when, errors.is_empty()) else {
        return back_to_post(
            &state,
            &page,
            &ctx,
            post_id,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
        )
        .await;
    };
    match schedule_post(
        &state,
        tr,
        ctx.id(),
        &ctx.workspace.timezone,
        page.principal.user.id,
        post_id,
        when,
        &form.channels,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!(
            "/w/{}/content/{post_id}?done=schedule#schedule",
            ctx.workspace.id
        ))
        .into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => page.refuse(e.status, &e.detail),
        Err(e) => {
            // Field problems go next to their input; the rest (quota, post changed) on
            // top of the card.
            let mut errors = FieldErrors::default();
            let mut general = Vec::new();
            for p in &e.errors {
                match p.field.as_str() {
                    "at" => errors.set("schedule_at", p.message.clone()),
                    "channel_ids" => errors.set("schedule_channels", p.message.clone()),
                    "queue" => errors.set("schedule_queue", p.message.clone()),
                    _ => general.push(p.message.clone()),
                }
            }
            if e.errors.is_empty() {
                general.push(e.detail.clone());
            }
            if !general.is_empty() {
                errors.set("schedule", general.join(" "));
            }
            back_to_post(&state, &page, &ctx, post_id, e.status, form, errors).await
        }
    }
}

async fn back_to_post(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    post_id: i64,
    status: StatusCode,
    form: ScheduleForm,
    errors: FieldErrors,
) -> Response {
    let typed = Typed {
        form: Some(form),
        errors,
    };
    crate::pages::content::show_scheduling(state, page, ctx, post_id, status, typed).await
}

/// Cancels the post's publications that no platform has yet.
pub async fn unschedule(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
) -> Response {
    match state
        .store
        .unschedule(ctx.id(), post_id, page.principal.user.id)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/w/{}/content/{post_id}?done=unschedule#schedule",
            ctx.workspace.id
        ))
        .into_response(),
        Err(fanloop_store::StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}
