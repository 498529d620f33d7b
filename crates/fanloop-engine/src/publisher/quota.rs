//! Taking and returning quota units for a publication, in the store so instances share
//! the count.

use fanloop_domain::Platform;
use fanloop_platforms::quotas;
use fanloop_store::{Store, StoreError};
use std::collections::BTreeMap;

/// Units taken: (quota key, window start).
pub type Taken = Vec<(&'static str, i64)>;

/// Takes one unit of every quota of the platform, or none: `Err(when)` names the start
/// of the window in which the full quota has room again.
pub async fn take(
    store: &Store,
    channel_id: i64,
    platform: Platform,
    settings: &BTreeMap<String, String>,
    now: i64,
) -> Result<Result<Taken, i64>, StoreError> {
    let mut taken = Vec::new();
    for q in quotas(platform, settings) {
        let (start, end) = q.window.span(now);
        if store
            .take_quota(channel_id, q.key, start, i64::from(q.limit_for(settings)))
            .await?
        {
            taken.push((q.key, start));
        } else {
            give_back(store, channel_id, &taken).await;
            return Ok(Err(end));
        }
    }
    Ok(Ok(taken))
}

/// Returns units taken for an attempt that never reached the platform.
pub async fn give_back(store: &Store, channel_id: i64, taken: &Taken) {
    for (key, start) in taken {
        if let Err(e) = store.return_quota(channel_id, key, *start).await {
            tracing::warn!(channel = channel_id, error = %e, "returning a quota unit failed");
        }
    }
}
