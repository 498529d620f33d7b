//! Scheduling, shared by the API and the pages: when a post goes out on which channels,
//! checked against its review status, the channels' queue slots and daily quotas.

use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::i18n::Tr;
use fanloop_domain::publish::next_free_slot;
use fanloop_domain::{PostStatus, UserId, WorkspaceId};
use fanloop_platforms::{QuotaWindow, quotas};
use fanloop_store::publishing::Slot;
use std::collections::BTreeSet;

/// When to publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(i64),
    /// Each channel's next free weekly slot.
    Queue,
    Now,
}

/// Times in the past by more than this are refused (a form left open is fine).
const PAST_TOLERANCE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// Schedules an approved post; `channels` empty means every channel it has a variant for.
/// Returns the publication ids.
#[allow(clippy::too_many_arguments)] // each is a distinct input of one scheduling request
pub async fn schedule(
    state: &AppState,
    tr: &Tr,
    workspace: WorkspaceId,
    timezone: &str,
    actor: UserId,
    post_id: i64,
    when: When,
    channels: &[i64],
) -> Result<Vec<i64>, ApiError> {
    let store = &state.store;
    let post = store
        .post(workspace, post_id)
        .await
        .map_err(|e| ApiError::store(tr, e))?
        .ok_or_else(|| ApiError::not_found(tr))?;
    if post.status != PostStatus::Approved {
        return Err(ApiError::conflict(
            tr,
            "status",
            tr.t("publish.not_approved"),
        ));
    }
    let targets: Vec<i64> = if channels.is_empty() {
        post.variants.iter().map(|v| v.channel_id).collect()
    } else {
        channels.to_vec()
    };
    let unknown: Vec<i64> = targets
        .iter()
        .copied()
        .filter(|c| !post.variants.iter().any(|v| v.channel_id == *c))
        .collect();
    if targets.is_empty() || !unknown.is_empty() {
        return Err(field(tr, "channel_ids", tr.t("publish.unknown_channel")));
    }
    let now = crate::now_ms();
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut slots = Vec::with_capacity(targets.len());
    for channel_id in targets {
        let at = match when {
            When::Now => now,
            When::At(at) if at < now - PAST_TOLERANCE_MS => {
                return Err(field(tr, "at", tr.t("publish.in_the_past")));
            }
            When::At(at) => at,
            When::Queue => {
                let weekly = store
                    .queue_slots(workspace, channel_id)
                    .await
                    .map_err(|e| ApiError::store(tr, e))?;
                let taken: BTreeSet<i64> = store
                    .channel_taken_times(workspace, channel_id, now)
                    .await
                    .map_err(|e| ApiError::store(tr, e))?
                    .into_iter()
                    .collect();
                next_free_slot(&weekly, &tz, now, &taken)
                    .ok_or_else(|| field(tr, "queue", tr.t("publish.no_slots")))?
            }
        };
        check_daily_quota(state, tr, workspace, &post, channel_id, at).await?;
        slots.push(Slot {
            channel_id,
            at_ms: at,
        });
    }
    let ids = store
        .schedule(workspace, post_id, post.version, &slots, actor)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    state.wake.wake();
    Ok(ids)
}

/// A channel with a daily quota (one WeChat mass send a day, five Toutiao articles) that
/// is already full on that day refuses, naming the next day with room.
async fn check_daily_quota(
    state: &AppState,
    tr: &Tr,
    workspace: WorkspaceId,
    post: &fanloop_store::Post,
    channel_id: i64,
    at: i64,
) -> Result<(), ApiError> {
    let Some(variant) = post.variants.iter().find(|v| v.channel_id == channel_id) else {
        return Ok(());
    };
    let Some(limit) = quotas(variant.platform)
        .iter()
        .find(|q| q.window == QuotaWindow::ChinaDay)
        .map(|q| i64::from(q.limit))
    else {
        return Ok(());
    };
    let day = |t: i64| (t + CHINA_OFFSET_MS).div_euclid(DAY_MS);
    let existing = state
        .store
        .publications(
            workspace,
            &fanloop_store::publishing::PublicationFilter {
                channel_id: Some(channel_id),
                from: Some((day(at) - 1) * DAY_MS - CHINA_OFFSET_MS),
                limit: 5000,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    let busy: Vec<i64> = existing
        .iter()
        .filter(|p| p.post_id != post.id)
        .filter(|p| !matches!(p.status.code(), "cancelled" | "failed" | "missed"))
        .map(|p| day(p.scheduled_at))
        .collect();
    let used = |d: i64| busy.iter().filter(|b| **b == d).count() as i64;
    if used(day(at)) < limit {
        return Ok(());
    }
    let mut next = day(at) + 1;
    while used(next) >= limit {
        next += 1;
    }
    let next_ms = next * DAY_MS - CHINA_OFFSET_MS;
    let date = tr.datetime(next_ms, "Asia/Shanghai");
    Err(ApiError::conflict(
        tr,
        "quota",
        tr.t1("publish.quota_full", date),
    ))
}

fn field(tr: &Tr, name: &str, message: &str) -> ApiError {
    ApiError::fields(
        tr,
        vec![FieldProblem {
            field: name.to_owned(),
            message: message.to_owned(),
        }],
    )
}

/// The longest grace or escalation window a workspace may set: a week, in minutes.
pub const MAX_WINDOW_MINUTES: i64 = 7 * 24 * 60;

/// Checks a workspace's publishing settings; `Err` names the field out of range. The
/// API and the settings page refuse the same values the same way.
pub fn check_settings(
    grace_minutes: i64,
    assisted_escalate_minutes: i64,
) -> Result<fanloop_store::publishing::PublishingSettings, &'static str> {
    if !(0..=MAX_WINDOW_MINUTES).contains(&grace_minutes) {
        return Err("grace_minutes");
    }
    if !(0..=MAX_WINDOW_MINUTES).contains(&assisted_escalate_minutes) {
        return Err("assisted_escalate_minutes");
    }
    Ok(fanloop_store::publishing::PublishingSettings {
        grace_minutes,
        assisted_escalate_minutes,
    })
}
