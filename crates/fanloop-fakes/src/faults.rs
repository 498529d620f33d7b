//! Fault injection shared by every fake: a queue of faults consumed one per request,
//! plus a fixed latency.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fault to inject into the next request that reaches a fake's publish path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer HTTP 500 without doing anything.
    ServerError,
    /// Do the work, then never answer (the client times out): the "did it post?" case.
    TimeoutAfterWork,
    /// Hang before doing anything.
    TimeoutBeforeWork,
    /// Answer 429 with this `Retry-After` (seconds), without doing anything.
    RateLimited(u64),
    /// Treat the credentials as expired (the platform's own expired-token answer).
    ExpiredToken,
    /// Do the work, then answer with a body that is not the documented JSON.
    Malformed,
    /// Reject the content with the platform's content error.
    RejectContent,
}

/// Shared fault settings of one fake.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<FaultState>>,
}

#[derive(Debug, Default)]
struct FaultState {
    queue: VecDeque<Fault>,
    latency: Duration,
}

impl Faults {
    /// Queues faults for the next requests, in order.
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.inner.lock().unwrap().queue.extend(faults);
    }

    /// The fault for this request, if any is queued.
    pub fn next(&self) -> Option<Fault> {
        self.inner.lock().unwrap().queue.pop_front()
    }

    /// Delay added to every request of the publish path.
    pub fn set_latency(&self, latency: Duration) {
        self.inner.lock().unwrap().latency = latency;
    }

    pub fn latency(&self) -> Duration {
        self.inner.lock().unwrap().latency
    }

    /// Sleeps for the configured latency.
    pub async fn delay(&self) {
        let latency = self.latency();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }

    /// Waits "forever" (longer than any client timeout) for the timeout faults.
    pub async fn hang() {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}
