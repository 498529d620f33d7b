//! The life of a publication (one variant on one channel at one time).

use serde::Serialize;

/// Where a publication is. Every change is stored before the side effect it announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicationStatus {
    /// Waiting for its time (or for a retry after a transient failure).
    Scheduled,
    /// A worker is sending it now; after a crash this state means "reconcile first".
    Publishing,
    /// The platform accepted it and is processing (WeChat's publish job).
    Pending,
    /// Live on the platform.
    Published,
    /// The platform refused it or retries ran out; the reason is stored.
    Failed,
    /// It may or may not have gone out; a person checks before anything is re-sent.
    Unconfirmed,
    /// The channel needs reconnecting; the publication waits, it is not failed.
    Held,
    /// Assisted platform: the package is with the assignee, waiting for the link.
    Assisted,
    /// Cancelled by unscheduling, editing or deleting the post.
    Cancelled,
    /// Its time passed while the server was down, beyond the grace window.
    Missed,
}

impl PublicationStatus {
    pub const ALL: [PublicationStatus; 10] = [
        PublicationStatus::Scheduled,
        PublicationStatus::Publishing,
        PublicationStatus::Pending,
        PublicationStatus::Published,
        PublicationStatus::Failed,
        PublicationStatus::Unconfirmed,
        PublicationStatus::Held,
        PublicationStatus::Assisted,
        PublicationStatus::Cancelled,
        PublicationStatus::Missed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PublicationStatus::Scheduled => "scheduled",
            PublicationStatus::Publishing => "publishing",
            PublicationStatus::Pending => "pending",
            PublicationStatus::Published => "published",
            PublicationStatus::Failed => "failed",
            PublicationStatus::Unconfirmed => "unconfirmed",
            PublicationStatus::Held => "held",
            PublicationStatus::Assisted => "assisted",
            PublicationStatus::Cancelled => "cancelled",
            PublicationStatus::Missed => "missed",
        }
    }

    pub fn parse(code: &str) -> Option<PublicationStatus> {
        PublicationStatus::ALL
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// Not yet at an end: unscheduling or editing the post cancels these, except the
    /// ones already in a platform's hands.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            PublicationStatus::Scheduled
                | PublicationStatus::Publishing
                | PublicationStatus::Pending
                | PublicationStatus::Held
                | PublicationStatus::Assisted
        )
    }

    /// Open and not yet handed to a platform: safe to cancel at once.
    pub fn is_cancellable(self) -> bool {
        matches!(
            self,
            PublicationStatus::Scheduled | PublicationStatus::Held | PublicationStatus::Assisted
        )
    }

    /// Needs an operator's eyes: shown first on every page.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            PublicationStatus::Failed
                | PublicationStatus::Unconfirmed
                | PublicationStatus::Held
                | PublicationStatus::Missed
        )
    }
}

/// How long before expiry the engine renews a token the platform lets it renew.
pub const TOKEN_RENEW_MARGIN_MS: i64 = 10 * 60_000;

/// Whether a channel's token deserves a warning: a day ahead when a person must renew
/// it; only once the engine's own renewal is overdue when the platform renews itself
/// (WeChat and Bluesky tokens live two hours, so a day's margin would always warn).
pub fn token_expiring(platform: crate::Platform, expires_at: Option<i64>, now: i64) -> bool {
    let margin = if platform.renews_tokens() {
        TOKEN_RENEW_MARGIN_MS
    } else {
        86_400_000
    };
    expires_at.is_some_and(|at| at < now + margin)
}

/// Attempts before a publication that keeps failing transiently is marked failed.
pub const MAX_ATTEMPTS: u32 = 8;

/// Delay before retry number `attempt` (1 = the first retry): exponential from 30 s,
/// capped at one hour, with "equal jitter" (half fixed, half random) so a burst that
/// failed together does not retry together. `jitter` is a uniform sample in [0, 1).
/// A platform's own `Retry-After` wins when it is longer.
pub fn backoff_ms(attempt: u32, jitter: f64, retry_after_ms: Option<i64>) -> i64 {
    let exp = attempt.saturating_sub(1).min(16);
    let full = (30_000i64 << exp).min(3_600_000);
    let jittered = full / 2 + ((full / 2) as f64 * jitter.clamp(0.0, 1.0)) as i64;
    jittered.max(retry_after_ms.unwrap_or(0))
}

/// What to do with a publication whose time has come, by how late the start is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueCheck {
    OnTime,
    /// Later than a minute but within the workspace's grace window: publish, marked late.
    Late,
    /// Beyond the grace window (the server was down): do not publish; tell the team.
    Missed,
}

/// Lateness under a minute is ordinary scheduling jitter, not "late".
const LATE_AFTER_MS: i64 = 60_000;

pub fn due_check(scheduled_at_ms: i64, now_ms: i64, grace_ms: i64) -> DueCheck {
    let behind = now_ms - scheduled_at_ms;
    if behind <= LATE_AFTER_MS {
        DueCheck::OnTime
    } else if behind <= grace_ms.max(LATE_AFTER_MS) {
        DueCheck::Late
    } else {
        DueCheck::Missed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in PublicationStatus::ALL {
            assert_eq!(PublicationStatus::parse(s.code()), Some(s));
        }
        assert_eq!(PublicationStatus::parse("done"), None);
    }

    #[test]
    fn short_lived_tokens_warn_only_when_their_renewal_is_overdue() {
        use crate::Platform;
        let (now, hour) = (1_000_000_000, 3_600_000);
        // A WeChat token two hours from expiry is routine: the engine renews it.
        assert!(!token_expiring(
            Platform::WechatOa,
            Some(now + 2 * hour),
            now
        ));
        assert!(!token_expiring(
            Platform::Bluesky,
            Some(now + 11 * 60_000),
            now
        ));
        // Five minutes left means the renewal did not happen.
        assert!(token_expiring(
            Platform::WechatOa,
            Some(now + 5 * 60_000),
            now
        ));
        // Weibo's token needs a person: warn a day ahead.
        assert!(token_expiring(Platform::Weibo, Some(now + 20 * hour), now));
        assert!(!token_expiring(Platform::Weibo, Some(now + 25 * hour), now));
        assert!(!token_expiring(Platform::Mastodon, None, now));
    }

    #[test]
    fn backoff_grows_is_capped_and_respects_retry_after() {
        assert_eq!(backoff_ms(1, 0.0, None), 15_000);
        assert_eq!(backoff_ms(1, 0.999_999, None), 29_999);
        assert_eq!(backoff_ms(2, 0.0, None), 30_000);
        assert_eq!(backoff_ms(30, 0.0, None), 1_800_000);
        assert!(backoff_ms(30, 1.0, None) <= 3_600_000);
        assert_eq!(backoff_ms(1, 0.0, Some(120_000)), 120_000);
        assert_eq!(backoff_ms(5, 0.0, Some(1_000)), 240_000);
    }

    #[test]
    fn lateness_is_judged_against_the_grace_window() {
        let hour = 3_600_000;
        assert_eq!(due_check(0, 59_000, hour), DueCheck::OnTime);
        assert_eq!(due_check(0, -5_000, hour), DueCheck::OnTime);
        assert_eq!(due_check(0, 61_000, hour), DueCheck::Late);
        assert_eq!(due_check(0, hour, hour), DueCheck::Late);
        assert_eq!(due_check(0, hour + 1, hour), DueCheck::Missed);
        assert_eq!(due_check(0, 120_000, 0), DueCheck::Missed);
    }
}
