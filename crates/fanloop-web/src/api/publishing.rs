//! Publishing over the API: scheduling and unscheduling posts, listing publications,
//! confirming assisted ones, retrying failed ones, channel health, queue slots, golden
//! time and the workspace's publishing settings.

use super::{ApiJson, ApiTr, rfc3339};
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::publishing::{When, schedule as schedule_post};
use crate::{AppState, now_ms};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fanloop_domain::publish::{PublicationStatus, Sample, WeeklySlot, suggest};
use fanloop_domain::{Locale, Platform};
use fanloop_platforms::Reason;
use fanloop_store::publishing::{ChannelHealth, Publication, PublicationFilter};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct PublicationView {
    id: i64,
    post_id: i64,
    post_title: String,
    channel_id: i64,
    channel_name: String,
    platform: String,
    status: PublicationStatus,
    scheduled_at: String,
    published_at: Option<String>,
    first_attempt_at: Option<String>,
    late: bool,
    attempts: i64,
    remote_id: Option<String>,
    remote_url: Option<String>,
    /// Machine-readable reason of the last failure, and its text in the caller's language.
    reason: Option<String>,
    reason_text: Option<String>,
    /// The platform's own words for the last error.
    last_error: Option<String>,
    post_version: i64,
}

pub(crate) fn reason_text(code: &str, locale: Locale) -> String {
    match serde_json::from_value::<Reason>(serde_json::Value::String(code.to_owned())) {
        Ok(r) => r.message(locale).to_owned(),
        Err(_) => match (code, locale) {
            ("edited", Locale::ZhCn) => "内容已修改，原排期已取消".into(),
            ("edited", Locale::En) => "The post was edited; its schedule was cancelled".into(),
            ("unscheduled", Locale::ZhCn) => "已取消排期".into(),
            ("unscheduled", Locale::En) => "Unscheduled".into(),
            ("missed", Locale::ZhCn) => "服务停止期间错过了发布时间".into(),
            ("missed", Locale::En) => "Its time passed while the server was down".into(),
            (other, _) => other.to_owned(),
        },
    }
}

pub(crate) fn view(p: Publication, locale: Locale) -> PublicationView {
    PublicationView {
        reason_text: p.reason.as_deref().map(|r| reason_text(r, locale)),
        id: p.id,
        post_id: p.post_id,
        post_title: p.post_title,
        channel_id: p.channel_id,
        channel_name: p.channel_name,
        platform: p.platform,
        status: p.status,
        scheduled_at: rfc3339(p.scheduled_at),
        published_at: p.published_at.map(rfc3339),
        first_attempt_at: p.first_attempt_at.map(rfc3339),
        late: p.late,
        attempts: p.attempts,
        remote_id: p.remote_id,
        remote_url: p.remote_url,
        reason: p.reason,
        last_error: p.last_error,
        post_version: p.post_version,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    at: Option<String>,
    #[serde(default)]
    queue: bool,
    #[serde(default)]
    now: bool,
    #[serde(default)]
    channel_ids: Vec<i64>,
}

#[derive(Serialize)]
pub struct Scheduled {
    publications: Vec<PublicationView>,
}

fn one_field(tr: &crate::i18n::Tr, name: &str, message: &str) -> ApiError {
    ApiError::fields(
        tr,
        vec![FieldProblem {
            field: name.to_owned(),
            message: message.to_owned(),
        }],
    )
}

pub async fn schedule(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> Result<(StatusCode, Json<Scheduled>), ApiError> {
    let when = match (body.at.as_deref(), body.queue, body.now) {
        (Some(at), false, false) => {
            let ts: jiff::Timestamp = at
                .parse()
                .map_err(|_| one_field(&tr, "at", tr.t("publish.bad_time")))?;
            When::At(ts.as_millisecond())
        }
        (None, true, false) => When::Queue,
        (None, false, true) => When::Now,
        _ => return Err(one_field(&tr, "at", tr.t("publish.choose_one"))),
    };
    let ids = schedule_post(
        &state,
        &tr,
        ctx.id(),
        &ctx.workspace.timezone,
        principal.user.id,
        post_id,
        when,
        &body.channel_ids,
    )
    .await?;
    let mut publications = Vec::new();
    for id in ids {
        let p = state
            .store
            .publication(ctx.id(), id)
            .await
            .map_err(|e| ApiError::store(&tr, e))?;
        publications.push(view(p, tr.locale()));
    }
    Ok((StatusCode::CREATED, Json(Scheduled { publications })))
}

#[derive(Serialize)]
pub struct Unscheduled {
    cancelled: u64,
}

pub async fn unschedule(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
) -> Result<Json<Unscheduled>, ApiError> {
    let cancelled = state
        .store
        .unschedule(ctx.id(), post_id, principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(Unscheduled { cancelled }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    channel_id: Option<i64>,
    post_id: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<PublicationView>>, ApiError> {
    let mut status = Vec::new();
    for code in q
        .status
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
    {
        status.push(
            PublicationStatus::parse(code.trim())
                .ok_or_else(|| one_field(&tr, "status", tr.t("publish.unknown_status")))?,
        );
    }
    let time = |raw: &Option<String>, name: &str| -> Result<Option<i64>, ApiError> {
        raw.as_deref()
            .map(|s| {
                s.parse::<jiff::Timestamp>()
                    .map(|t| t.as_millisecond())
                    .map_err(|_| one_field(&tr, name, tr.t("publish.bad_time")))
            })
            .transpose()
    };
    let filter = PublicationFilter {
        status,
        channel_id: q.channel_id,
        post_id: q.post_id,
        author_id: None,
        from: time(&q.from, "from")?,
        until: time(&q.to, "to")?,
        limit: q.limit.unwrap_or(500).clamp(1, 5000),
    };
    let rows = state
        .store
        .publications(ctx.id(), &filter)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(
        rows.into_iter().map(|p| view(p, tr.locale())).collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    url: String,
}

/// An operator confirms an assisted (or unconfirmed) publication went out, with its link.
pub async fn confirm(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, publication_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Result<Json<PublicationView>, ApiError> {
    let url = body.url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048 {
        return Err(one_field(&tr, "url", tr.t("invalid.url")));
    }
    state
        .store
        .confirm_publication(ctx.id(), publication_id, principal.user.id, url)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    let p = state
        .store
        .publication(ctx.id(), publication_id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(view(p, tr.locale())))
}

/// Puts a failed, missed or unconfirmed publication back in the queue, due now. For an
/// unconfirmed one the operator asserts it did not go out.
pub async fn retry(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, publication_id)): Path<(i64, i64)>,
) -> Result<Json<PublicationView>, ApiError> {
    state
        .store
        .retry_publication(ctx.id(), publication_id, principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    state.wake.wake();
    let p = state
        .store
        .publication(ctx.id(), publication_id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(view(p, tr.locale())))
}

#[derive(Serialize)]
pub struct HealthView {
    channel_id: i64,
    status: &'static str,
    needs_reconnect: bool,
    token_expires_at: Option<String>,
    /// When the engine last renewed the token ahead of its expiry.
    token_refreshed_at: Option<String>,
    last_success_at: Option<String>,
    last_error_at: Option<String>,
    last_error: Option<String>,
    account_name: Option<String>,
    held: i64,
    scheduled: i64,
}

pub(crate) fn health_status(h: &ChannelHealth, now: i64) -> &'static str {
    if h.needs_reconnect {
        "needs_reconnect"
    } else if fanloop_domain::Platform::parse(&h.platform)
        .is_ok_and(|p| fanloop_domain::publish::token_expiring(p, h.token_expires_at, now))
    {
        "token_expiring"
    } else if h.last_error_at.is_some_and(|e| Some(e) > h.last_success_at) {
        "failing"
    } else if h.last_success_at.is_some() {
        "ok"
    } else {
        "unused"
    }
}

pub async fn health(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
) -> Result<Json<HealthView>, ApiError> {
    let h = state
        .store
        .channel_health(ctx.id(), channel_id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(HealthView {
        status: health_status(&h, now_ms()),
        channel_id: h.channel_id,
        needs_reconnect: h.needs_reconnect,
        token_expires_at: h.token_expires_at.map(rfc3339),
        token_refreshed_at: h.token_refreshed_at.map(rfc3339),
        last_success_at: h.last_success_at.map(rfc3339),
        last_error_at: h.last_error_at.map(rfc3339),
        last_error: h.last_error,
        account_name: h.account_name,
        held: h.held,
        scheduled: h.scheduled,
    }))
}

#[derive(Serialize)]
pub struct Released {
    released: u64,
}

/// After fixing a channel's credentials: clears "needs reconnect" and releases its
/// held publications.
pub async fn reconnect(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
) -> Result<Json<Released>, ApiError> {
    let released = state
        .store
        .release_held(ctx.id(), channel_id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    state.wake.wake();
    Ok(Json(Released { released }))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotsBody {
    /// Weekly times such as `"tue 20:00"` (or `"周二 20:00"`), in the workspace's time zone.
    slots: Vec<String>,
}

pub async fn slots(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
) -> Result<Json<SlotsBody>, ApiError> {
    let slots = state
        .store
        .queue_slots(ctx.id(), channel_id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(SlotsBody {
        slots: slots
            .iter()
            .map(|s| s.label(false).to_lowercase())
            .collect(),
    }))
}

pub async fn set_slots(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<SlotsBody>,
) -> Result<Json<SlotsBody>, ApiError> {
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in body.slots.iter().enumerate() {
        match WeeklySlot::parse(raw) {
            Ok(s) => parsed.push(s),
            Err(e) => errors.push(FieldProblem {
                field: format!("slots[{i}]"),
                message: format!("{} {}", tr.invalid(&e), tr.t("publish.slot_example")),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(&tr, errors));
    }
    if parsed.len() > 100 {
        return Err(one_field(&tr, "slots", &tr.t1("invalid.too_many", 100)));
    }
    state
        .store
        .set_queue_slots(ctx.id(), channel_id, principal.user.id, &parsed)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    parsed.sort();
    parsed.dedup();
    Ok(Json(SlotsBody {
        slots: parsed
            .iter()
            .map(|s| s.label(false).to_lowercase())
            .collect(),
    }))
}

#[derive(Serialize)]
pub struct GoldenView {
    based_on: usize,
    from_history: bool,
    explanation: String,
    slots: Vec<fanloop_domain::publish::GoldenSlot>,
}

pub(crate) async fn golden_for(
    state: &AppState,
    tr: &crate::i18n::Tr,
    ctx: &WorkspaceCtx,
    channel_id: i64,
    platform: Platform,
) -> Result<GoldenView, ApiError> {
    let history = state
        .store
        .engagement_history(ctx.id(), channel_id, 500)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    let samples: Vec<Sample> = history
        .iter()
        .map(|(at, reads, other)| Sample {
            posted_at_ms: *at,
            // Reads when the platform reports them, otherwise interactions.
            engagement: if *reads > 0 {
                *reads as f64
            } else {
                *other as f64
            },
        })
        .collect();
    let tz = jiff::tz::TimeZone::get(&ctx.workspace.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let g = suggest(platform, &samples, &tz, now_ms(), 5);
    Ok(GoldenView {
        explanation: g.explain(tr.locale()),
        based_on: g.based_on,
        from_history: g.from_history,
        slots: g.slots,
    })
}

pub async fn golden_time(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
) -> Result<Json<GoldenView>, ApiError> {
    let channel = state
        .store
        .channels(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?
        .into_iter()
        .find(|c| c.id == channel_id)
        .ok_or_else(|| ApiError::not_found(&tr))?;
    Ok(Json(
        golden_for(&state, &tr, &ctx, channel_id, channel.platform).await?,
    ))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// Minutes a post may still go out after its time when the server was down.
    grace_minutes: i64,
    /// Minutes an assisted package may wait for confirmation before it escalates
    /// (0 = never). Optional in a request: left out, the saved value stays.
    #[serde(default)]
    assisted_escalate_minutes: Option<i64>,
}

pub async fn settings(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<SettingsBody>, ApiError> {
    let s = state
        .store
        .publishing_settings(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(SettingsBody {
        grace_minutes: s.grace_minutes,
        assisted_escalate_minutes: Some(s.assisted_escalate_minutes),
    }))
}

pub async fn set_settings(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<SettingsBody>,
) -> Result<Json<SettingsBody>, ApiError> {
    let saved = state
        .store
        .publishing_settings(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    let escalate = body
        .assisted_escalate_minutes
        .unwrap_or(saved.assisted_escalate_minutes);
    let settings = crate::publishing::check_settings(body.grace_minutes, escalate)
        .map_err(|field| one_field(&tr, field, tr.t("invalid.out_of_range")))?;
    state
        .store
        .set_publishing_settings(ctx.id(), principal.user.id, settings)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(SettingsBody {
        grace_minutes: settings.grace_minutes,
        assisted_escalate_minutes: Some(settings.assisted_escalate_minutes),
    }))
}
