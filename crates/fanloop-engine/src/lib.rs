//! Fanloop's running system: the background work of a serving instance and its
//! lifecycle. Today that is housekeeping (expired sessions, setup links and login
//! throttling records); the publishing scheduler, sync loops and notifications join here.
//!
//! Architecture invariant: every task stops promptly when shutdown is signalled, and
//! every piece of state it changes lives in the store, so any instance can pick up
//! where another stopped.

use fanloop_store::Store;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How the engine runs; the defaults suit production.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Time between housekeeping sweeps.
    pub housekeeping_every: Duration,
    /// How long failed sign-ins are remembered for throttling.
    pub login_failure_window_ms: i64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            housekeeping_every: Duration::from_secs(600),
            login_failure_window_ms: 15 * 60 * 1000,
        }
    }
}

/// The running background tasks of one instance.
pub struct Engine {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Engine {
    pub fn start(store: Store, config: EngineConfig) -> Engine {
        let (shutdown, stop) = watch::channel(false);
        let tasks = vec![tokio::spawn(housekeeping(store, config, stop))];
        Engine { shutdown, tasks }
    }

    /// Signals every task to stop and waits for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

async fn housekeeping(store: Store, config: EngineConfig, mut stop: watch::Receiver<bool>) {
    loop {
        match store.purge_expired(config.login_failure_window_ms).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "housekeeping"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry"),
        }
        // Sleeps until the next sweep or shutdown, whichever comes first: no polling.
        tokio::select! {
            _ = tokio::time::sleep(config.housekeeping_every) => {}
            _ = stop.changed() => return,
        }
    }
}
