//! Periodic purge of expired sessions, setup links and sign-in throttling records.

use fanloop_store::Store;
use std::time::Duration;
use tokio::sync::watch;

pub async fn run(
    store: Store,
    every: Duration,
    login_failure_window_ms: i64,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match store.purge_expired(login_failure_window_ms).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "housekeeping"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry"),
        }
        // Sleeps until the next sweep or shutdown, whichever comes first: no polling.
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
