//! Publishing quotas per platform, from PLATFORMS.md. The engine counts usage in the
//! store, so every instance sharing a database shares the count.

use fanloop_domain::{Platform, WechatAccount, WechatDelivery};
use serde::Serialize;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
/// China Standard Time has had no daylight saving since 1991: a fixed +08:00.
const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// Who shares a quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaScope {
    /// Each channel (account) has its own.
    Channel,
}

/// The window a quota counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaWindow {
    /// A calendar day in the platform's home time zone (China Standard Time for the
    /// Chinese platforms), resetting at midnight.
    ChinaDay,
    /// A calendar month in China Standard Time, resetting at midnight on the first.
    ChinaMonth,
    /// A fixed window of this many seconds, aligned to the epoch.
    Seconds(u32),
}

impl QuotaWindow {
    /// The window containing `at`: (start, end), ms since the epoch.
    pub fn span(self, at: i64) -> (i64, i64) {
        match self {
            QuotaWindow::ChinaDay => {
                let start = (at + CHINA_OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
                (start, start + DAY_MS)
            }
            QuotaWindow::ChinaMonth => {
                let day = (at + CHINA_OFFSET_MS).div_euclid(DAY_MS);
                let (y, m, d) = civil_from_days(day);
                let start_day = day - i64::from(d - 1);
                let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                let end_day = days_from_civil(next.0, next.1, 1);
                let ms = |day: i64| day * DAY_MS - CHINA_OFFSET_MS;
                (ms(start_day), ms(end_day))
            }
            QuotaWindow::Seconds(s) => {
                let len = i64::from(s.max(1)) * 1000;
                let start = at.div_euclid(len) * len;
                (start, start + len)
            }
        }
    }

    /// Whether the window follows the calendar (so scheduling can name the next day or
    /// month with room) rather than a rolling rate limit.
    pub fn is_calendar(self) -> bool {
        matches!(self, QuotaWindow::ChinaDay | QuotaWindow::ChinaMonth)
    }
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm):
/// a few lines of integer arithmetic instead of a time-zone lookup on the hot path.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The day count since 1970-01-01 of a civil date (the inverse of the above).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One quota on publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quota {
    /// Stable name, the key of the usage counter.
    pub key: &'static str,
    pub scope: QuotaScope,
    pub window: QuotaWindow,
    /// Publications allowed per window.
    pub limit: u32,
    /// A channel setting that overrides the limit (self-hosted instances set their own
    /// rate limits), divided by `cost`: what one publication spends of it.
    pub setting: Option<&'static str>,
    pub cost: u32,
}

impl Quota {
    /// The limit for a channel: its own setting when present and valid, else the
    /// platform's documented default.
    pub fn limit_for(&self, settings: &BTreeMap<String, String>) -> u32 {
        self.setting
            .and_then(|key| settings.get(key))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .map(|n| (n / self.cost.max(1)).max(1))
            .unwrap_or(self.limit)
    }
}

// Publishing through freepublish has no documented count limit (only the API's daily
// call quota, errcode 45009, which the connector reports as rate-limited), so a channel
// that only publishes takes no quota. Mass sends do: one a day for a subscription
// account, four a month for a service account. WeChat counts a service account's four
// per follower; counting every send against the channel is the safe reading, since a
// send to all followers spends one of each follower's four.
const WECHAT_MASS_SUBSCRIPTION: &[Quota] = &[Quota {
    key: "wechat_oa.mass.day",
    scope: QuotaScope::Channel,
    window: QuotaWindow::ChinaDay,
    limit: 1,
    setting: None,
    cost: 1,
}];
const WECHAT_MASS_SERVICE: &[Quota] = &[Quota {
    key: "wechat_oa.mass.month",
    scope: QuotaScope::Channel,
    window: QuotaWindow::ChinaMonth,
    limit: 4,
    setting: None,
    cost: 1,
}];
const WEIBO: &[Quota] = &[Quota {
    key: "weibo.posts.hour",
    scope: QuotaScope::Channel,
    window: QuotaWindow::Seconds(3600),
    limit: 30,
    setting: None,
    cost: 1,
}];
const TOUTIAO: &[Quota] = &[Quota {
    key: "toutiao.articles.day",
    scope: QuotaScope::Channel,
    window: QuotaWindow::ChinaDay,
    limit: 5,
    setting: None,
    cost: 1,
}];
const MASTODON: &[Quota] = &[Quota {
    // 300 requests per 5 minutes; a post with media costs up to 3 requests.
    key: "mastodon.posts.5min",
    scope: QuotaScope::Channel,
    window: QuotaWindow::Seconds(300),
    limit: 100,
    setting: Some("rate_limit_per_5min"),
    cost: 3,
}];
const BLUESKY: &[Quota] = &[Quota {
    // 5,000 points an hour, a post costs 3.
    key: "bluesky.posts.hour",
    scope: QuotaScope::Channel,
    window: QuotaWindow::Seconds(3600),
    limit: 1666,
    setting: None,
    cost: 1,
}];
const TELEGRAM: &[Quota] = &[Quota {
    // Bots may post about 20 messages a minute to one channel.
    key: "telegram.messages.minute",
    scope: QuotaScope::Channel,
    window: QuotaWindow::Seconds(60),
    limit: 20,
    setting: None,
    cost: 1,
}];

/// The quotas a publication on a channel of this platform, with these (public)
/// settings, counts against.
pub fn quotas(platform: Platform, settings: &BTreeMap<String, String>) -> &'static [Quota] {
    match platform {
        Platform::WechatOa => {
            // Settings were validated when saved; one that no longer reads (an older
            // value) is treated as a mass send, whose quota is the safe side.
            let mass = match WechatDelivery::from_settings(settings) {
                Ok(delivery) => delivery.is_mass(),
                Err(_) => true,
            };
            match (mass, WechatAccount::from_settings(settings)) {
                (false, _) => &[],
                (true, WechatAccount::Subscription) => WECHAT_MASS_SUBSCRIPTION,
                (true, WechatAccount::Service) => WECHAT_MASS_SERVICE,
            }
        }
        Platform::Weibo => WEIBO,
        Platform::Toutiao => TOUTIAO,
        Platform::Mastodon => MASTODON,
        Platform::Bluesky => BLUESKY,
        Platform::Telegram => TELEGRAM,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> i64 {
        rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    fn wechat(pairs: &[(&str, &str)]) -> Vec<&'static str> {
        let settings: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        quotas(Platform::WechatOa, &settings)
            .iter()
            .map(|q| q.key)
            .collect()
    }

    #[test]
    fn wechat_quota_follows_delivery_and_account_type() {
        let none: Vec<&str> = vec![];
        assert_eq!(wechat(&[]), none, "publishing takes no mass-send quota");
        assert_eq!(wechat(&[("delivery", "publish")]), none);
        assert_eq!(
            wechat(&[("delivery", "publish"), ("account_type", "service")]),
            none
        );
        assert_eq!(wechat(&[("delivery", "mass_all")]), ["wechat_oa.mass.day"]);
        assert_eq!(
            wechat(&[("delivery", "mass_tag"), ("mass_tag_id", "7")]),
            ["wechat_oa.mass.day"]
        );
        assert_eq!(
            wechat(&[("delivery", "mass_all"), ("account_type", "service")]),
            ["wechat_oa.mass.month"]
        );
        let month = QuotaWindow::ChinaMonth;
        assert_eq!(WECHAT_MASS_SERVICE[0].window, month);
        assert_eq!(WECHAT_MASS_SERVICE[0].limit, 4);
        assert_eq!(WECHAT_MASS_SUBSCRIPTION[0].limit, 1);
    }

    #[test]
    fn china_days_start_at_beijing_midnight() {
        // 15:59:59Z is 23:59:59 in Beijing; one second later is a new day.
        let (s1, e1) = QuotaWindow::ChinaDay.span(at("2026-12-01T15:59:59Z"));
        let (s2, _) = QuotaWindow::ChinaDay.span(at("2026-12-01T16:00:00Z"));
        assert_eq!(e1, s2);
        assert_eq!(s2, at("2026-12-01T16:00:00Z"));
        assert_eq!(e1 - s1, DAY_MS);
    }

    #[test]
    fn china_months_follow_the_calendar() {
        let table = [
            // Beijing's 1 December starts at 16:00Z on 30 November.
            (
                "2026-11-30T16:00:00Z",
                "2026-11-30T16:00:00Z",
                "2026-12-31T16:00:00Z",
            ),
            (
                "2026-11-30T15:59:59Z",
                "2026-10-31T16:00:00Z",
                "2026-11-30T16:00:00Z",
            ),
            (
                "2026-12-31T20:00:00Z",
                "2026-12-31T16:00:00Z",
                "2027-01-31T16:00:00Z",
            ),
            // February of a leap year, and of a common one.
            (
                "2028-02-15T00:00:00Z",
                "2028-01-31T16:00:00Z",
                "2028-02-29T16:00:00Z",
            ),
            (
                "2027-02-15T00:00:00Z",
                "2027-01-31T16:00:00Z",
                "2027-02-28T16:00:00Z",
            ),
        ];
        for (now, start, end) in table {
            assert_eq!(
                QuotaWindow::ChinaMonth.span(at(now)),
                (at(start), at(end)),
                "{now}"
            );
        }
    }

    #[test]
    fn fixed_windows_align_to_the_epoch() {
        assert_eq!(QuotaWindow::Seconds(300).span(299_999), (0, 300_000));
        assert_eq!(QuotaWindow::Seconds(300).span(300_000), (300_000, 600_000));
    }
}
