//! Delivers notifications to the places a workspace configured: WeCom, Feishu and
//! DingTalk group robots, Slack incoming webhooks, signed generic webhooks, and email
//! through the workspace's SMTP server. Each delivery is retried with backoff and
//! recorded; the in-app notification centre needs no delivery (it reads the table).

mod email;
mod send;

use crate::{Wake, now_ms};
use fanloop_store::{Store, StoreError};
use std::time::Duration;
use tokio::sync::watch;

/// Deliveries given up after this many attempts.
const MAX_ATTEMPTS: i64 = 6;

/// The first retry waits this long; each further one twice as long as the one before.
const FIRST_RETRY_MS: i64 = 30_000;

/// What one delivery attempt came to, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub notification_id: i64,
    pub target_id: i64,
    /// `sent`, `pending` (to be retried) or `failed` (given up).
    pub status: &'static str,
    /// Attempts made so far, this one included.
    pub attempts: i64,
    pub error: Option<String>,
}

/// A client for robot and webhook calls: a stuck receiver must not hold the loop.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("static client configuration")
}

/// Sends every delivery due at `now` (at most 50) once and records each result. The
/// loop below calls it; tests call it with a clock of their own to reach retries.
pub async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    now: i64,
) -> Result<Vec<DeliveryReport>, StoreError> {
    let due = store.due_deliveries(now, 50).await?;
    let mut reports = Vec::with_capacity(due.len());
    for d in due {
        let result = send::deliver(client, &d).await;
        let attempts = d.attempts + 1;
        let (status, next_at, error) = match result {
            Ok(()) => ("sent", now, None),
            Err(e) if attempts >= MAX_ATTEMPTS => ("failed", now, Some(e)),
            Err(e) => (
                "pending",
                now + (FIRST_RETRY_MS << d.attempts.min(10)),
                Some(e),
            ),
        };
        if let Some(e) = &error {
            tracing::warn!(target_id = d.target_id, error = %e, "notification delivery failed");
        }
        store
            .record_delivery(
                d.notification.id,
                d.target_id,
                status,
                next_at,
                error.as_deref(),
            )
            .await?;
        reports.push(DeliveryReport {
            notification_id: d.notification.id,
            target_id: d.target_id,
            status,
            attempts,
            error,
        });
    }
    Ok(reports)
}

pub async fn run(store: Store, wake: Wake, mut stop: watch::Receiver<bool>) {
    let client = client();
    loop {
        if *stop.borrow() {
            return;
        }
        let sleep = match deliver_due(&store, &client, now_ms()).await {
            // A database or vault failure would repeat at once: give it a moment.
            Err(e) => {
                tracing::warn!(error = %e, "delivering notifications failed");
                Duration::from_secs(5)
            }
            Ok(_) => match store.next_delivery_at().await {
                Ok(Some(at)) => Duration::from_millis((at - now_ms()).clamp(0, 60_000) as u64),
                _ => Duration::from_secs(60),
            },
        };
        if sleep.is_zero() {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = wake.woken() => {}
            _ = stop.changed() => return,
        }
    }
}
