//! Wakes this instance's scheduler when another instance sharing the PostgreSQL
//! database queues a job, so a post scheduled through any instance goes out on time
//! rather than after the idle sleep. The bounded sleep stays as the backstop for
//! signals lost while the listening connection was re-established.

use crate::Wake;
use fanloop_store::Store;
use std::time::Duration;
use tokio::sync::watch;

pub async fn run(store: Store, wake: Wake, mut stop: watch::Receiver<bool>) {
    loop {
        let mut signals = match store.job_signals().await {
            Ok(Some(signals)) => signals,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "listening for queued jobs failed; will retry");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(5)) => continue,
                    _ = stop.changed() => return,
                }
            }
        };
        loop {
            tokio::select! {
                heard = signals.next() => {
                    wake.wake();
                    if let Err(e) = heard {
                        tracing::warn!(error = %e, "the job listener dropped; reconnecting");
                        break;
                    }
                }
                _ = stop.changed() => return,
            }
        }
    }
}
