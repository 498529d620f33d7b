//! Proactive token refresh: channels whose saved session (WeChat's stable token, a
//! Bluesky session, X's OAuth pair) expires within a margin are renewed through their
//! connector before a publication needs them, so a post never starts with a token about
//! to lapse and a revoked credential is found before anything is due.
//!
//! Each channel is claimed in the store first, so two instances never refresh the same
//! token (X rotates refresh tokens: a second refresh with the old one would fail). A
//! refusal of the credentials flags the channel for reconnecting, holds its queued
//! publications and notifies the workspace, all in one transaction; any other failure
//! is tried again after a pause, since the token still works until it expires and a
//! publish attempt renews it on its own. The margin (ten minutes) lies well before the
//! connectors' own refresh-before-use margins (one to five minutes), so while this task
//! runs a publish attempt rarely has to refresh, and the two do not race.

use crate::{Clock, Wake};
use fanloop_domain::{ChannelId, WorkspaceId};
use fanloop_platforms::{ChannelConfig, ErrorClass, PublishError, Reason, Session};
use fanloop_store::publishing::refresh::{DueRefresh, Refreshed};
use fanloop_store::{Store, StoreError};
use std::time::Duration;
use tokio::sync::watch;

/// Channels claimed per round; more are taken at once in further rounds.
const BATCH: i64 = 16;

/// How the refresher runs.
#[derive(Debug, Clone)]
pub struct RefresherConfig {
    /// A saved token is renewed once it expires within this margin.
    pub margin: Duration,
    /// The longest sleep, so sessions saved by another instance are noticed.
    pub idle_wake: Duration,
    /// The least time between two refreshes of one channel: after a platform handed back
    /// the same token (WeChat does until the last five minutes) or failed for a passing
    /// reason.
    pub pause: Duration,
    /// How long one refresh call may take.
    pub call_timeout: Duration,
}

impl Default for RefresherConfig {
    fn default() -> Self {
        RefresherConfig {
            margin: Duration::from_millis(fanloop_domain::publish::TOKEN_RENEW_MARGIN_MS as u64),
            idle_wake: Duration::from_secs(120),
            pause: Duration::from_secs(120),
            call_timeout: Duration::from_secs(30),
        }
    }
}

pub async fn run(
    store: Store,
    config: RefresherConfig,
    owner: String,
    clock: Clock,
    notifier: Wake,
    mut stop: watch::Receiver<bool>,
) {
    let margin = millis(config.margin);
    // A claim outlives the call it covers, so it never lapses while we still work.
    let claim = millis(config.call_timeout) * 2 + 5_000;
    let floor = (config.idle_wake / 10).max(Duration::from_millis(10));
    loop {
        if *stop.borrow() {
            return;
        }
        let claimed = store
            .claim_token_refreshes(&owner, clock.now_ms(), margin, claim, BATCH)
            .await;
        match claimed {
            Ok(due) => {
                for channel in &due {
                    match refresh(&store, &config, &owner, &clock, channel).await {
                        Ok(true) => notifier.wake(),
                        Ok(false) => {}
                        // The claim lapses on its own and another round tries again.
                        Err(e) => tracing::warn!(
                            channel = channel.channel_id,
                            error = %e,
                            "recording a token refresh failed"
                        ),
                    }
                }
                if due.len() as i64 == BATCH {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %e, "claiming token refreshes failed; will retry"),
        }
        let sleep = match store.next_token_refresh_at(margin).await {
            Ok(Some(at)) => Duration::from_millis((at - clock.now_ms()).max(0) as u64),
            Ok(None) => config.idle_wake,
            Err(e) => {
                tracing::warn!(error = %e, "reading the next token refresh failed; will retry");
                config.idle_wake
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep.clamp(floor, config.idle_wake)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Refreshes one claimed channel and records the result; true when the workspace was
/// notified.
async fn refresh(
    store: &Store,
    config: &RefresherConfig,
    owner: &str,
    clock: &Clock,
    due: &DueRefresh,
) -> Result<bool, StoreError> {
    let workspace = WorkspaceId(due.workspace_id);
    let connection = match store
        .channel_connection(workspace, ChannelId(due.channel_id))
        .await
    {
        Ok(connection) => connection,
        // Deleted meanwhile: its state went with it.
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    let channel = ChannelConfig {
        channel_id: due.channel_id,
        platform: connection.platform,
        settings: connection.settings,
        secrets: connection.secrets,
    };
    let mut session: Session = match store.channel_session(due.channel_id).await? {
        Some(plain) => serde_json::from_slice(&plain).unwrap_or_default(),
        None => Session::default(),
    };
    session.now_ms = clock.now_ms();
    session.changed = false;
    let answer = match fanloop_platforms::connector(&channel) {
        Ok(connector) => {
            let call = connector.refresh(&mut session);
            tokio::time::timeout(config.call_timeout, call)
                .await
                .unwrap_or_else(|_| {
                    Err(PublishError::new(
                        ErrorClass::Unknown,
                        Reason::Timeout,
                        format!("no answer within {:?}", config.call_timeout),
                    ))
                })
        }
        Err(e) => Err(e),
    };
    let now = clock.now_ms();
    let not_before = now + millis(config.pause);
    match answer {
        Ok(()) => {
            let refreshed = if session.changed {
                Refreshed::Renewed {
                    session: serde_json::to_vec(&session).unwrap_or_default(),
                    expires_at: session.expires_at_ms,
                }
            } else {
                Refreshed::Unchanged
            };
            let saved = store
                .finish_token_refresh(due, owner, now, &refreshed, not_before)
                .await?;
            tracing::debug!(
                channel = due.channel_id,
                saved,
                expires_at = ?session.expires_at_ms,
                "token refreshed"
            );
            Ok(false)
        }
        Err(e) if e.class == ErrorClass::Auth => {
            let reason = code(e.reason);
            let held = store
                .token_refresh_refused(due, owner, now, &reason, &e.detail)
                .await?;
            tracing::warn!(
                channel = due.channel_id,
                held = ?held,
                error = %e.detail,
                "the platform refused the channel's credentials; it needs reconnecting"
            );
            Ok(held.is_some())
        }
        Err(e) => {
            tracing::info!(
                channel = due.channel_id,
                error = %e.detail,
                "token refresh failed; will try again"
            );
            store.postpone_token_refresh(due, owner, not_before).await?;
            Ok(false)
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A reason's stable code (`token_expired`), as publications and notifications store it.
fn code(reason: Reason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "other".into())
}
