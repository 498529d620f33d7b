//! Publishing quotas per platform, from PLATFORMS.md. The engine counts usage in the
//! store, so every instance sharing a database shares the count.

use fanloop_domain::Platform;
use serde::Serialize;

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
    /// A fixed window of this many seconds, aligned to the epoch.
    Seconds(u32),
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
    pub fn limit_for(&self, settings: &std::collections::BTreeMap<String, String>) -> u32 {
        self.setting
            .and_then(|key| settings.get(key))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .map(|n| (n / self.cost.max(1)).max(1))
            .unwrap_or(self.limit)
    }
}

const WECHAT: &[Quota] = &[Quota {
    // freepublish has no documented daily cap for articles, but mass sends do and most
    // operators pair them; the conservative documented figure for subscription accounts.
    key: "wechat_oa.publish.day",
    scope: QuotaScope::Channel,
    window: QuotaWindow::ChinaDay,
    limit: 1,
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

/// The quotas a publication on this platform counts against.
pub fn quotas(platform: Platform) -> &'static [Quota] {
    match platform {
        Platform::WechatOa => WECHAT,
        Platform::Weibo => WEIBO,
        Platform::Toutiao => TOUTIAO,
        Platform::Mastodon => MASTODON,
        Platform::Bluesky => BLUESKY,
        Platform::Telegram => TELEGRAM,
        _ => &[],
    }
}
