//! The time the engine's sweeps go by (assisted-post escalation, token refresh): real
//! time in production, moved forward by tests instead of sleeping through hours.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Real time plus an offset that only tests change. Clones share the offset.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Milliseconds since the epoch, as this clock tells it.
    pub fn now_ms(&self) -> i64 {
        crate::now_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(by, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let offset = self.offset_ms.load(Ordering::Relaxed);
        f.debug_struct("Clock").field("offset_ms", &offset).finish()
    }
}
