//! Scheduling, shared by the API and the pages: when a post goes out on which channels,
//! checked against its review status, the channels' queue slots and calendar quotas.

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
    let channels = store
        .channels(workspace)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
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
        let channel = channels.iter().find(|c| c.id == channel_id);
        check_quota(state, tr, workspace, &post, channel, at).await?;
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

/// A channel with a calendar quota (one WeChat mass send a day, or four a month on a
/// service account; five Toutiao articles a day) that is already full in that window
/// refuses, naming the next day or month with room.
async fn check_quota(
    state: &AppState,
    tr: &Tr,
    workspace: WorkspaceId,
    post: &fanloop_store::Post,
    channel: Option<&fanloop_store::Channel>,
    at: i64,
) -> Result<(), ApiError> {
    let Some(channel) = channel else {
        return Ok(());
    };
    let Some(quota) = quotas(channel.platform, &channel.settings)
        .iter()
        .find(|q| q.window.is_calendar())
    else {
        return Ok(());
    };
    let limit = i64::from(quota.limit_for(&channel.settings));
    let mut window = quota.window.span(at);
    let existing = state
        .store
        .publications(
            workspace,
            &fanloop_store::publishing::PublicationFilter {
                channel_id: Some(channel.id),
                from: Some(window.0),
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
        .map(|p| p.scheduled_at)
        .collect();
    let used =
        |(start, end): (i64, i64)| busy.iter().filter(|b| (start..end).contains(*b)).count() as i64;
    if used(window) < limit {
        return Ok(());
    }
    while used(window) >= limit {
        window = quota.window.span(window.1);
    }
    let date = tr.datetime(window.0, "Asia/Shanghai");
    let key = match quota.window {
        QuotaWindow::ChinaMonth => "publish.quota_full_month",
        _ => "publish.quota_full",
    };
    Err(ApiError::conflict(tr, "quota", tr.t1(key, date)))
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
