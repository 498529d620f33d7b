//! Taking and returning quota units for a publication, in the store so instances share
//! the count.

use fanloop_domain::Platform;
use fanloop_platforms::{QuotaWindow, quotas};
use fanloop_store::{Store, StoreError};
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
/// China Standard Time has had no daylight saving since 1991: a fixed +08:00.
const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// The window containing `now`: (start, end), ms.
pub fn window(w: QuotaWindow, now: i64) -> (i64, i64) {
    match w {
        QuotaWindow::ChinaDay => {
            let start = (now + CHINA_OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
            (start, start + DAY_MS)
        }
        QuotaWindow::Seconds(s) => {
            let len = i64::from(s.max(1)) * 1000;
            let start = now.div_euclid(len) * len;
            (start, start + len)
        }
    }
}

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
    for q in quotas(platform) {
        let (start, end) = window(q.window, now);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_days_start_at_beijing_midnight() {
        // 2026-12-01T15:59:59Z is 23:59:59 in Beijing; one second later is a new day.
        let before: jiff::Timestamp = "2026-12-01T15:59:59Z".parse().unwrap();
        let after: jiff::Timestamp = "2026-12-01T16:00:00Z".parse().unwrap();
        let (s1, e1) = window(QuotaWindow::ChinaDay, before.as_millisecond());
        let (s2, _) = window(QuotaWindow::ChinaDay, after.as_millisecond());
        assert_eq!(e1, s2);
        assert_eq!(s2, after.as_millisecond());
        assert_eq!(e1 - s1, DAY_MS);
    }

    #[test]
    fn fixed_windows_align_to_the_epoch() {
        assert_eq!(window(QuotaWindow::Seconds(300), 299_999), (0, 300_000));
        assert_eq!(
            window(QuotaWindow::Seconds(300), 300_000),
            (300_000, 600_000)
        );
    }
}
