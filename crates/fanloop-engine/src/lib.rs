//! Fanloop's running system: the background work of a serving instance and its
//! lifecycle — the publishing scheduler and its workers, notification delivery,
//! escalation of unconfirmed assisted posts, proactive token refresh, and housekeeping.
//!
//! Architecture invariants:
//! - Every task stops promptly when shutdown is signalled, and every piece of state it
//!   changes lives in the store, so any instance can pick up where another stopped.
//! - No task polls: each sleeps until the next thing it knows is due, or until woken
//!   (a post scheduled through this instance, or — on PostgreSQL — through another
//!   instance sharing the database), with a bounded sleep as the backstop.

mod clock;
mod escalation;
mod housekeeping;
mod notifier;
pub mod publisher;
mod refresher;
mod signals;

pub use clock::Clock;
pub use escalation::EscalationConfig;
pub use notifier::{DeliveryReport, deliver_due};
pub use publisher::PublisherConfig;
pub use refresher::RefresherConfig;

use fanloop_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// How the engine runs; the defaults suit production.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Time between housekeeping sweeps.
    pub housekeeping_every: Duration,
    /// How long failed sign-ins are remembered for throttling.
    pub login_failure_window_ms: i64,
    pub publisher: PublisherConfig,
    pub escalation: EscalationConfig,
    pub refresher: RefresherConfig,
    /// The time escalation and token refresh go by (tests move it forward).
    pub clock: Clock,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            housekeeping_every: Duration::from_secs(600),
            login_failure_window_ms: 15 * 60 * 1000,
            publisher: PublisherConfig::default(),
            escalation: EscalationConfig::default(),
            refresher: RefresherConfig::default(),
            clock: Clock::default(),
        }
    }
}

/// Wakes the engine's loops early, e.g. right after a post is scheduled "now".
#[derive(Debug, Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    async fn woken(&self) {
        self.0.notified().await;
    }
}

/// The running background tasks of one instance.
pub struct Engine {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    wake: Wake,
}

impl Engine {
    pub fn start(store: Store, config: EngineConfig) -> Engine {
        let (shutdown, stop) = watch::channel(false);
        let wake = Wake::default();
        let notify_wake = Wake::default();
        let tasks = vec![
            tokio::spawn(housekeeping::run(
                store.clone(),
                config.housekeeping_every,
                config.login_failure_window_ms,
                stop.clone(),
            )),
            tokio::spawn(publisher::run(
                store.clone(),
                config.publisher.clone(),
                wake.clone(),
                notify_wake.clone(),
                stop.clone(),
            )),
            tokio::spawn(signals::run(store.clone(), wake.clone(), stop.clone())),
            tokio::spawn(escalation::run(
                store.clone(),
                config.escalation.clone(),
                config.clock.clone(),
                notify_wake.clone(),
                stop.clone(),
            )),
            tokio::spawn(refresher::run(
                store.clone(),
                config.refresher.clone(),
                config.publisher.instance.clone(),
                config.clock.clone(),
                notify_wake.clone(),
                stop.clone(),
            )),
            tokio::spawn(notifier::run(store, notify_wake, stop)),
        ];
        Engine {
            shutdown,
            tasks,
            wake,
        }
    }

    /// A handle the web layer uses to wake the scheduler.
    pub fn wake_handle(&self) -> Wake {
        self.wake.clone()
    }

    /// Signals every task to stop and waits for them. In-flight publishing attempts
    /// finish first (their results are recorded), so a clean stop loses nothing.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Milliseconds since the epoch, the store's time unit.
pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A uniform sample in [0, 1) for jitter.
pub(crate) fn jitter() -> f64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the OS random source is available");
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}
