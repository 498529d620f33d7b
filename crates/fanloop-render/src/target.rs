//! What a rendering is for: a platform's format, or plain text.

use fanloop_domain::{Platform, TextLimits};
use std::fmt;

/// A rendering target. Each maps to one platform (whose limits it reads), except
/// [`Target::Plain`], which has no limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Wechat,
    Xiaohongshu,
    Weibo,
    Douyin,
    Toutiao,
    Zhihu,
    Bilibili,
    Bluesky,
    Mastodon,
    Telegram,
    X,
    Plain,
}

/// What the renderer produces for a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Text,
    /// A Bluesky record: text plus facets.
    Bluesky,
}

impl Target {
    pub const ALL: [Target; 12] = [
        Target::Wechat,
        Target::Xiaohongshu,
        Target::Weibo,
        Target::Douyin,
        Target::Toutiao,
        Target::Zhihu,
        Target::Bilibili,
        Target::Bluesky,
        Target::Mastodon,
        Target::Telegram,
        Target::X,
        Target::Plain,
    ];

    /// The name used on the command line and in the API.
    pub fn name(self) -> &'static str {
        match self {
            Target::Wechat => "wechat",
            Target::Xiaohongshu => "xiaohongshu",
            Target::Weibo => "weibo",
            Target::Douyin => "douyin",
            Target::Toutiao => "toutiao",
            Target::Zhihu => "zhihu",
            Target::Bilibili => "bilibili",
            Target::Bluesky => "bluesky",
            Target::Mastodon => "mastodon",
            Target::Telegram => "telegram",
            Target::X => "x",
            Target::Plain => "plain",
        }
    }

    /// Parses a target name; the platform codes (`wechat_oa`) are accepted too, so a
    /// channel's platform can be passed straight through.
    pub fn parse(raw: &str) -> Option<Target> {
        let raw = raw.trim();
        Target::ALL
            .into_iter()
            .find(|t| t.name() == raw)
            .or_else(|| Platform::parse(raw).ok().and_then(Target::for_platform))
    }

    /// The target for a channel's platform, if the renderer supports it.
    pub fn for_platform(platform: Platform) -> Option<Target> {
        Target::ALL
            .into_iter()
            .find(|t| t.platform() == Some(platform))
    }

    pub fn platform(self) -> Option<Platform> {
        Some(match self {
            Target::Wechat => Platform::WechatOa,
            Target::Xiaohongshu => Platform::Xiaohongshu,
            Target::Weibo => Platform::Weibo,
            Target::Douyin => Platform::Douyin,
            Target::Toutiao => Platform::Toutiao,
            Target::Zhihu => Platform::Zhihu,
            Target::Bilibili => Platform::Bilibili,
            Target::Bluesky => Platform::Bluesky,
            Target::Mastodon => Platform::Mastodon,
            Target::Telegram => Platform::Telegram,
            Target::X => Platform::X,
            Target::Plain => return None,
        })
    }

    /// The platform's limits; plain text has none (the sandbox's are "no limits").
    pub fn limits(self) -> TextLimits {
        self.platform().unwrap_or(Platform::Sandbox).limits()
    }

    pub fn format(self) -> Format {
        match self {
            Target::Wechat | Target::Telegram => Format::Html,
            Target::Bluesky => Format::Bluesky,
            _ => Format::Text,
        }
    }

    /// Chinese platforms mark headings with 【】 in plain text, as operators write them
    /// by hand; elsewhere a heading is just its own line.
    pub(crate) fn cjk_style(self) -> bool {
        matches!(
            self,
            Target::Xiaohongshu
                | Target::Weibo
                | Target::Douyin
                | Target::Toutiao
                | Target::Zhihu
                | Target::Bilibili
        )
    }

    /// Comma-separated list of valid names, for error messages.
    pub fn names() -> String {
        Target::ALL.map(Target::name).join(", ")
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_platform_codes_parse() {
        for t in Target::ALL {
            assert_eq!(Target::parse(t.name()), Some(t));
        }
        assert_eq!(Target::parse("wechat_oa"), Some(Target::Wechat));
        assert_eq!(Target::parse("video_accounts"), None);
        assert_eq!(Target::parse("myspace"), None);
    }
}
