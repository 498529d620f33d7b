//! Channel health and weekly queue slots on the channels page: whether each channel is
//! publishing fine, failing, close to its token expiry or waiting to be reconnected;
//! a button that releases its held posts once it is reconnected; and its queue slots
//! as plain lines ("周二 20:00") that name any line they cannot read.

use super::{local, timezone};
use crate::AppState;
use crate::api::publishing::health_status;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::i18n::Tr;
use crate::pages::Page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::publish::WeeklySlot;
use fanloop_store::{Channel, StoreError};
use serde::Deserialize;

/// At most this many slots per channel (the API's limit too).
const MAX_SLOTS: usize = 100;

/// One channel's health line and its queue slots as the page shows them.
pub struct HealthLine {
    pub channel_id: i64,
    /// `ok`, `failing`, `token_expiring`, `needs_reconnect` or `unused`.
    pub status: &'static str,
    pub label: &'static str,
    pub last_success: Option<String>,
    pub last_error_at: Option<String>,
    pub last_error: Option<String>,
    pub token_expires: Option<String>,
    pub account: Option<String>,
    pub held: i64,
    pub scheduled: i64,
    /// One slot a line, or the text just typed when it was refused.
    pub slots: String,
    pub slot_count: usize,
    pub slot_error: Option<String>,
}

impl HealthLine {
    /// Reconnecting helps only a channel waiting for it; a failing one (content
    /// refused, platform down) needs something else.
    pub fn may_release(&self) -> bool {
        self.held > 0 || self.status == "needs_reconnect"
    }
}

/// Slots typed for one channel and why they were refused.
pub struct SlotsTyped {
    pub channel_id: i64,
    pub text: String,
    pub error: String,
}

pub async fn lines(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    channels: &[Channel],
    typed: Option<&SlotsTyped>,
) -> Result<Vec<HealthLine>, StoreError> {
    let tz = timezone(&ctx.workspace.timezone);
    let when = |ms: Option<i64>| {
        ms.and_then(|at| local(at, &tz))
            .map(|d| d.strftime("%Y-%m-%d %H:%M").to_string())
    };
    let now = crate::now_ms();
    let mut out = Vec::with_capacity(channels.len());
    for c in channels {
        let h = state.store.channel_health(ctx.id(), c.id).await?;
        let slots = state.store.queue_slots(ctx.id(), c.id).await?;
        let status = health_status(&h, now);
        let typed = typed.filter(|t| t.channel_id == c.id);
        out.push(HealthLine {
            channel_id: c.id,
            status,
            label: tr.t(&format!("pubs.health.{status}")),
            last_success: when(h.last_success_at),
            last_error_at: when(h.last_error_at),
            last_error: h.last_error,
            token_expires: when(h.token_expires_at),
            account: h.account_name,
            held: h.held,
            scheduled: h.scheduled,
            slot_count: slots.len(),
            slots: match typed {
                Some(t) => t.text.clone(),
                None => slots
                    .iter()
                    .map(|s| s.label(tr.is_zh()))
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
            slot_error: typed.map(|t| t.error.clone()),
        });
    }
    Ok(out)
}

/// After the channel's credentials are fixed: clears "needs reconnect" and puts its
/// held publications back in the queue.
pub async fn reconnect(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
) -> Response {
    match state.store.release_held(ctx.id(), channel_id).await {
        Ok(released) => {
            state.wake.wake();
            Redirect::to(&format!(
                "/w/{}/settings/channels?released={released}#channel-{channel_id}",
                ctx.workspace.id
            ))
            .into_response()
        }
        Err(StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SlotsForm {
    slots: String,
}

/// Reads one slot a line; blank lines are skipped. Refuses naming every bad line.
pub fn parse_slots(tr: &Tr, text: &str) -> Result<Vec<WeeklySlot>, String> {
    let mut slots = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match WeeklySlot::parse(line) {
            Ok(s) => slots.push(s),
            Err(e) => {
                // Chinese runs the reason on after the full-width colon; English spaces it.
                let gap = if tr.is_zh() { "" } else { " " };
                let at = tr.t1("schedule.slot_line", n + 1).replacen("{}", line, 1);
                bad.push(format!("{at}{gap}{}", tr.invalid(&e)));
            }
        }
    }
    if !bad.is_empty() {
        return Err(format!(
            "{} {}",
            bad.join(" "),
            tr.t("publish.slot_example")
        ));
    }
    if slots.len() > MAX_SLOTS {
        return Err(tr.t1("invalid.too_many", MAX_SLOTS));
    }
    slots.sort();
    slots.dedup();
    Ok(slots)
}

pub async fn save_slots(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
    Form(form): Form<SlotsForm>,
) -> Response {
    let slots = match parse_slots(&page.tr, &form.slots) {
        Ok(slots) => slots,
        Err(error) => {
            let typed = SlotsTyped {
                channel_id,
                text: form.slots,
                error,
            };
            return crate::pages::channels::show_with_slots(&state, &page, &ctx, typed).await;
        }
    };
    match state
        .store
        .set_queue_slots(ctx.id(), channel_id, page.principal.user.id, &slots)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/w/{}/settings/channels?slots={channel_id}#channel-{channel_id}",
            ctx.workspace.id
        ))
        .into_response(),
        Err(StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanloop_domain::Locale;

    #[test]
    fn slot_lines_are_read_and_bad_ones_named() {
        let zh = Tr::new(Locale::ZhCn);
        let slots = parse_slots(&zh, "周二 20:00\n\n tue 20:00 \nFri 07:30\n").unwrap();
        assert_eq!(
            slots.iter().map(|s| s.label(true)).collect::<Vec<_>>(),
            ["周二 20:00", "周五 07:30"]
        );
        let refused = parse_slots(&zh, "周二 20:00\n周八 20:00\nMon 25:00").unwrap_err();
        assert!(
            refused.contains("第 2 行") && refused.contains("周八 20:00"),
            "{refused}"
        );
        assert!(
            refused.contains("第 3 行") && refused.contains("Mon 25:00"),
            "{refused}"
        );
        assert!(!refused.contains("第 1 行"), "{refused}");
        let en = Tr::new(Locale::En);
        assert!(parse_slots(&en, "someday").unwrap_err().contains("Line 1"));
        assert_eq!(parse_slots(&en, "").unwrap(), Vec::new());
    }
}
