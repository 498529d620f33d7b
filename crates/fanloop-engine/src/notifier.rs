//! Delivers notifications to the places a workspace configured: WeCom, Feishu and
//! DingTalk group robots, Slack incoming webhooks, and signed generic webhooks. Each
//! delivery is retried with backoff and recorded; the in-app notification centre needs
//! no delivery (it reads the table).

mod send;

use crate::{Wake, now_ms};
use fanloop_store::Store;
use std::time::Duration;
use tokio::sync::watch;

/// Deliveries given up after this many attempts.
const MAX_ATTEMPTS: i64 = 6;

pub async fn run(store: Store, wake: Wake, mut stop: watch::Receiver<bool>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("static client configuration");
    loop {
        if *stop.borrow() {
            return;
        }
        match store.due_deliveries(now_ms(), 50).await {
            Ok(due) => {
                for d in due {
                    let result = send::deliver(&client, &d).await;
                    let (status, next_at, error) = match result {
                        Ok(()) => ("sent", now_ms(), None),
                        Err(e) if d.attempts + 1 >= MAX_ATTEMPTS => ("failed", now_ms(), Some(e)),
                        Err(e) => {
                            let wait = 30_000i64 << d.attempts.min(10);
                            ("pending", now_ms() + wait, Some(e))
                        }
                    };
                    if let Some(e) = &error {
                        tracing::warn!(target_id = d.target_id, error = %e, "notification delivery failed");
                    }
                    if let Err(e) = store
                        .record_delivery(
                            d.notification.id,
                            d.target_id,
                            status,
                            next_at,
                            error.as_deref(),
                        )
                        .await
                    {
                        tracing::warn!(error = %e, "recording a delivery failed");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading due deliveries failed"),
        }
        let sleep = match store.next_delivery_at().await {
            Ok(Some(at)) => Duration::from_millis((at - now_ms()).clamp(0, 60_000) as u64),
            _ => Duration::from_secs(60),
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
