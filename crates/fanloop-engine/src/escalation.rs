//! Escalating assisted packages nobody confirmed: once an assisted publication has
//! waited longer than its workspace's `assisted_escalate_minutes`, the workspace gets one
//! `assisted_overdue` notification (and its delivery targets hear of it). The store
//! marks the publication escalated in the same transaction, so each is escalated once,
//! however many instances share the database.

use crate::{Clock, Wake};
use fanloop_store::Store;
use std::time::Duration;
use tokio::sync::watch;

/// Publications escalated per transaction; more are taken at once in further rounds.
const BATCH: i64 = 100;

/// How the escalation sweep runs.
#[derive(Debug, Clone)]
pub struct EscalationConfig {
    /// The longest sleep, so packages handed over by another instance are noticed.
    pub idle_wake: Duration,
}

impl Default for EscalationConfig {
    fn default() -> Self {
        EscalationConfig {
            idle_wake: Duration::from_secs(60),
        }
    }
}

pub async fn run(
    store: Store,
    config: EscalationConfig,
    clock: Clock,
    notifier: Wake,
    mut stop: watch::Receiver<bool>,
) {
    // Never sleeping less than this keeps a store that answers oddly from making the
    // loop spin.
    let floor = (config.idle_wake / 10).max(Duration::from_millis(10));
    loop {
        if *stop.borrow() {
            return;
        }
        match store.escalate_overdue_assisted(clock.now_ms(), BATCH).await {
            Ok(escalated) if escalated.is_empty() => {}
            Ok(escalated) => {
                for e in &escalated {
                    tracing::info!(
                        publication = e.publication_id,
                        workspace = e.workspace_id,
                        "assisted package unconfirmed past its window; escalated"
                    );
                }
                notifier.wake();
                if escalated.len() as i64 == BATCH {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %e, "escalating assisted packages failed; will retry"),
        }
        let sleep = match store.next_escalation_at().await {
            Ok(Some(at)) => Duration::from_millis((at - clock.now_ms()).max(0) as u64),
            Ok(None) => config.idle_wake,
            Err(e) => {
                tracing::warn!(error = %e, "reading the next escalation failed; will retry");
                config.idle_wake
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep.clamp(floor, config.idle_wake)) => {}
            _ = stop.changed() => return,
        }
    }
}
