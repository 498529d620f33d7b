//! Channels: the accounts in a brand's matrix, and what each platform needs to connect.
//!
//! The settings spec per platform lives here once; the API validates against it, the
//! store encrypts the fields it marks secret, and the OpenAPI document is built from it.

use crate::invalid::{Invalid, Reason, single_line};
use crate::wechat::{WechatAccount, WechatDelivery};
use crate::workspace::Locale;
use serde::Serialize;
use std::collections::BTreeMap;

/// A platform Fanloop can hold channels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Sandbox,
    WechatOa,
    Weibo,
    Xiaohongshu,
    Douyin,
    Toutiao,
    Bilibili,
    Zhihu,
    VideoAccounts,
    Bluesky,
    Mastodon,
    X,
    Telegram,
}

/// How Fanloop publishes to a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformTier {
    /// Through the platform's official API.
    Api,
    /// No usable API for a brand: Fanloop prepares a ready-to-post package and the
    /// operator confirms with the post's link.
    Assisted,
    /// Built in: posts land in Fanloop itself (demos, training, tests).
    Sandbox,
}

/// One setting a platform's channel takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SettingField {
    pub key: &'static str,
    pub required: bool,
    /// Encrypted at rest and never returned by the API.
    pub secret: bool,
    /// Must be an https URL (or plain http to a loopback address, for tests).
    pub url: bool,
    /// When not empty, the value must be one of these codes (the form shows a select).
    pub choices: &'static [&'static str],
    /// Must be a whole number of at most ten digits (an id the platform assigned).
    pub integer: bool,
}

const fn field(key: &'static str, required: bool, secret: bool, url: bool) -> SettingField {
    SettingField {
        key,
        required,
        secret,
        url,
        choices: &[],
        integer: false,
    }
}

/// An optional setting that takes one of `choices`; leaving it out means the first.
const fn choice(key: &'static str, choices: &'static [&'static str]) -> SettingField {
    SettingField {
        choices,
        ..field(key, false, false, false)
    }
}

/// An optional numeric setting.
const fn integer(key: &'static str) -> SettingField {
    SettingField {
        integer: true,
        ..field(key, false, false, false)
    }
}

const WECHAT_OA_FIELDS: &[SettingField] = &[
    field("app_id", true, false, false),
    field("app_secret", true, true, false),
    field("token", true, true, false),
    field("encoding_aes_key", false, true, false),
    field("api_base_url", false, false, true),
    // 发布 or 群发, and the account type whose mass-send quota applies (wechat.rs).
    choice("delivery", WechatDelivery::CHOICES),
    integer("mass_tag_id"),
    choice("account_type", WechatAccount::CHOICES),
];

const WEIBO_FIELDS: &[SettingField] = &[
    field("access_token", true, true, false),
    field("api_base_url", false, false, true),
];

const BLUESKY_FIELDS: &[SettingField] = &[
    field("service_url", true, false, true),
    field("identifier", true, false, false),
    field("app_password", true, true, false),
];

const MASTODON_FIELDS: &[SettingField] = &[
    field("instance_url", true, false, true),
    field("access_token", true, true, false),
    // The instance's request limit per five minutes, when its admin changed the default
    // of 300; publishing quotas follow it.
    field("rate_limit_per_5min", false, false, false),
];

const X_FIELDS: &[SettingField] = &[
    field("access_token", true, true, false),
    field("refresh_token", false, true, false),
    field("client_id", false, false, false),
    field("api_base_url", false, false, true),
];

const TELEGRAM_FIELDS: &[SettingField] = &[
    field("bot_token", true, true, false),
    field("chat_id", true, false, false),
    field("api_base_url", false, false, true),
];

const ASSISTED_FIELDS: &[SettingField] = &[
    field("profile_url", false, false, true),
    field("account_handle", false, false, false),
];

impl Platform {
    pub const ALL: [Platform; 13] = [
        Platform::Sandbox,
        Platform::WechatOa,
        Platform::Weibo,
        Platform::Xiaohongshu,
        Platform::Douyin,
        Platform::Toutiao,
        Platform::Bilibili,
        Platform::Zhihu,
        Platform::VideoAccounts,
        Platform::Bluesky,
        Platform::Mastodon,
        Platform::X,
        Platform::Telegram,
    ];

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Platform::ALL
            .into_iter()
            .find(|p| p.code() == raw.trim())
            .ok_or_else(|| Invalid::new("platform", Reason::UnknownPlatform))
    }

    pub fn code(self) -> &'static str {
        match self {
            Platform::Sandbox => "sandbox",
            Platform::WechatOa => "wechat_oa",
            Platform::Weibo => "weibo",
            Platform::Xiaohongshu => "xiaohongshu",
            Platform::Douyin => "douyin",
            Platform::Toutiao => "toutiao",
            Platform::Bilibili => "bilibili",
            Platform::Zhihu => "zhihu",
            Platform::VideoAccounts => "video_accounts",
            Platform::Bluesky => "bluesky",
            Platform::Mastodon => "mastodon",
            Platform::X => "x",
            Platform::Telegram => "telegram",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        let (zh, en) = match self {
            Platform::Sandbox => ("沙盒", "Sandbox"),
            Platform::WechatOa => ("微信公众号", "WeChat Official Account"),
            Platform::Weibo => ("微博", "Weibo"),
            Platform::Xiaohongshu => ("小红书", "Xiaohongshu"),
            Platform::Douyin => ("抖音", "Douyin"),
            Platform::Toutiao => ("今日头条", "Toutiao"),
            Platform::Bilibili => ("哔哩哔哩", "Bilibili"),
            Platform::Zhihu => ("知乎", "Zhihu"),
            Platform::VideoAccounts => ("视频号", "WeChat Channels"),
            Platform::Bluesky => ("Bluesky", "Bluesky"),
            Platform::Mastodon => ("Mastodon", "Mastodon"),
            Platform::X => ("X", "X"),
            Platform::Telegram => ("Telegram 频道", "Telegram channel"),
        };
        match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }

    pub fn tier(self) -> PlatformTier {
        match self {
            Platform::Sandbox => PlatformTier::Sandbox,
            Platform::WechatOa
            | Platform::Weibo
            | Platform::Bluesky
            | Platform::Mastodon
            | Platform::X
            | Platform::Telegram => PlatformTier::Api,
            Platform::Xiaohongshu
            | Platform::Douyin
            | Platform::Toutiao
            | Platform::Bilibili
            | Platform::Zhihu
            | Platform::VideoAccounts => PlatformTier::Assisted,
        }
    }

    /// Whether the engine renews this platform's tokens by itself before they lapse
    /// (WeChat's stable token from the app secret, Bluesky's session refresh, X's refresh
    /// token), so a short-lived token is routine and only one the refresher failed to
    /// renew in time is worth an operator's attention.
    pub fn renews_tokens(self) -> bool {
        matches!(self, Platform::WechatOa | Platform::Bluesky | Platform::X)
    }

    /// The settings a channel on this platform takes.
    pub fn settings_spec(self) -> &'static [SettingField] {
        match self {
            Platform::Sandbox => &[],
            Platform::WechatOa => WECHAT_OA_FIELDS,
            Platform::Weibo => WEIBO_FIELDS,
            Platform::Bluesky => BLUESKY_FIELDS,
            Platform::Mastodon => MASTODON_FIELDS,
            Platform::X => X_FIELDS,
            Platform::Telegram => TELEGRAM_FIELDS,
            Platform::Xiaohongshu
            | Platform::Douyin
            | Platform::Toutiao
            | Platform::Bilibili
            | Platform::Zhihu
            | Platform::VideoAccounts => ASSISTED_FIELDS,
        }
    }
}

/// A channel's display name: 1–80 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ChannelName(String);

impl ChannelName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        single_line("name", raw, 80, true).map(ChannelName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Validated settings, split into what may be shown and what must be encrypted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelSettings {
    pub public: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

impl ChannelSettings {
    /// Checks `raw` (a JSON object, or nothing) against the platform's spec: every key
    /// known, every value text, every required key present and every URL safe.
    pub fn parse(platform: Platform, raw: Option<&serde_json::Value>) -> Result<Self, Invalid> {
        let empty = serde_json::Map::new();
        let object = match raw {
            None | Some(serde_json::Value::Null) => &empty,
            Some(serde_json::Value::Object(map)) => map,
            Some(_) => return Err(Invalid::new("settings", Reason::NotText)),
        };
        let spec = platform.settings_spec();
        if let Some(unknown) = object.keys().find(|k| !spec.iter().any(|f| f.key == *k)) {
            return Err(Invalid::new(
                format!("settings.{unknown}"),
                Reason::UnknownField,
            ));
        }
        let mut settings = ChannelSettings::default();
        for f in spec {
            let path = format!("settings.{}", f.key);
            let value = match object.get(f.key) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => single_line(&path, s, 2048, false)?,
                Some(_) => return Err(Invalid::new(path, Reason::NotText)),
            };
            if value.is_empty() {
                if f.required {
                    return Err(Invalid::new(path, Reason::Required));
                }
                continue;
            }
            if f.url {
                check_url(&path, &value)?;
            }
            if !f.choices.is_empty() && !f.choices.contains(&value.as_str()) {
                return Err(Invalid::new(path, Reason::BadFormat));
            }
            if f.integer && !(value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit())) {
                return Err(Invalid::new(path, Reason::BadFormat));
            }
            let target = if f.secret {
                &mut settings.secrets
            } else {
                &mut settings.public
            };
            target.insert(f.key.to_owned(), value);
        }
        // Rules between fields, once each field is well-formed on its own.
        if platform == Platform::WechatOa {
            WechatDelivery::from_settings(&settings.public)?;
        }
        Ok(settings)
    }
}

/// https anywhere; plain http only to loopback, so credentials never cross a network in
/// clear text while tests can still point a channel at a local server. Also used for
/// notification targets, whose URLs carry robot keys.
pub fn check_url(field: &str, raw: &str) -> Result<(), Invalid> {
    let (scheme, rest) = raw
        .split_once("://")
        .ok_or_else(|| Invalid::new(field, Reason::NotAUrl))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or("")
    } else {
        authority
            .rsplit('@')
            .next()
            .unwrap_or("")
            .split(':')
            .next()
            .unwrap_or("")
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(Invalid::new(field, Reason::NotAUrl));
    }
    // An address, not a name that merely starts like one ("127.0.0.1.example.com").
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(Invalid::new(field, Reason::InsecureUrl)),
        _ => Err(Invalid::new(field, Reason::NotAUrl)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls() {
        let table = [
            ("https://mastodon.social", true),
            ("https://example.com:8443/api", true),
            ("http://127.0.0.1:2583", true),
            ("http://localhost:3000/x", true),
            ("http://[::1]:80", true),
            ("http://example.com", false),
            ("http://127.0.0.1.example.com", false),
            ("http://127.1.2.3:9000", true),
            ("ftp://example.com", false),
            ("example.com", false),
            ("https://", false),
            ("https:// spaced.com", false),
        ];
        for (url, ok) in table {
            assert_eq!(check_url("u", url).is_ok(), ok, "{url}");
        }
    }

    #[test]
    fn settings_follow_the_spec() {
        let s = ChannelSettings::parse(
            Platform::Mastodon,
            Some(&json!({"instance_url": "https://m.example", "access_token": "tok"})),
        )
        .unwrap();
        assert_eq!(
            s.public.get("instance_url").map(String::as_str),
            Some("https://m.example")
        );
        assert_eq!(
            s.secrets.get("access_token").map(String::as_str),
            Some("tok")
        );

        let missing = ChannelSettings::parse(
            Platform::Mastodon,
            Some(&json!({"instance_url": "https://m.example"})),
        );
        assert_eq!(
            missing.unwrap_err(),
            Invalid::new("settings.access_token", Reason::Required)
        );

        let unknown = ChannelSettings::parse(Platform::Sandbox, Some(&json!({"colour": "red"})));
        assert_eq!(
            unknown.unwrap_err(),
            Invalid::new("settings.colour", Reason::UnknownField)
        );

        let typed = ChannelSettings::parse(
            Platform::Telegram,
            Some(&json!({"bot_token": 5, "chat_id": "@c"})),
        );
        assert_eq!(
            typed.unwrap_err(),
            Invalid::new("settings.bot_token", Reason::NotText)
        );

        assert!(
            ChannelSettings::parse(Platform::Sandbox, None)
                .unwrap()
                .public
                .is_empty()
        );
        assert!(ChannelSettings::parse(Platform::Xiaohongshu, Some(&json!({}))).is_ok());
    }

    #[test]
    fn every_platform_has_a_code_label_and_tier() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.code()).unwrap(), p);
            assert!(!p.label(Locale::ZhCn).is_empty());
            let _ = p.tier();
        }
    }
}

/// A new channel, parsed whole: platform, name and the platform's settings.
#[derive(Debug, Clone)]
pub struct ChannelDraft {
    pub platform: Platform,
    pub name: ChannelName,
    pub settings: ChannelSettings,
}

impl ChannelDraft {
    pub fn parse(
        platform: &str,
        name: &str,
        settings: Option<&serde_json::Value>,
    ) -> Result<Self, Vec<Invalid>> {
        let platform = Platform::parse(platform);
        let name = ChannelName::parse(name);
        // Settings are only checkable against a known platform.
        let settings = platform
            .as_ref()
            .ok()
            .map(|p| ChannelSettings::parse(*p, settings));
        match (platform, name, settings) {
            (Ok(platform), Ok(name), Some(Ok(settings))) => Ok(ChannelDraft {
                platform,
                name,
                settings,
            }),
            (p, n, s) => Err([p.err(), n.err(), s.and_then(Result::err)]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}
