//! How a WeChat Official Account channel reaches its readers, from its settings.
//!
//! Publishing (发布, `freepublish`) puts the article on the account's page without pushing
//! it to anyone; a mass send (群发, `message/mass/sendall`) pushes it into followers'
//! chats, all of them or one tag's. Mass sends are scarce — a subscription account (订阅号)
//! gets one a day, a service account (服务号) four a month — so the account type is a
//! setting too, and the quota table reads both from here.

use crate::invalid::{Invalid, Reason};
use std::collections::BTreeMap;

/// What a publication on the channel does. Leaving `delivery` out means `Publish`, which
/// is what every channel did before mass sends existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WechatDelivery {
    /// 发布: on the account's page and in search, no push to followers.
    Publish,
    /// 群发 to every follower.
    MassAll,
    /// 群发 to the followers with one tag (WeChat's numeric tag id).
    MassTag { tag_id: u32 },
}

/// The kind of account, which decides the mass-send quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WechatAccount {
    /// 订阅号: one mass send a day.
    Subscription,
    /// 服务号: four mass sends a month.
    Service,
}

impl WechatDelivery {
    /// The codes of the `delivery` setting; the first is the default.
    pub const CHOICES: &'static [&'static str] = &["publish", "mass_all", "mass_tag"];

    /// Reads `delivery` and `mass_tag_id` from a channel's public settings. A tag id is
    /// required for `mass_tag` and refused otherwise, so a channel never looks like it
    /// sends to a tag while it sends to everyone.
    pub fn from_settings(settings: &BTreeMap<String, String>) -> Result<Self, Invalid> {
        let tag = settings.get("mass_tag_id").map(|v| v.trim());
        let tag = tag.filter(|v| !v.is_empty());
        let delivery = settings.get("delivery").map(|v| v.trim()).unwrap_or("");
        match delivery {
            "" | "publish" | "mass_all" if tag.is_some() => {
                Err(Invalid::new("settings.mass_tag_id", Reason::UnknownField))
            }
            "" | "publish" => Ok(WechatDelivery::Publish),
            "mass_all" => Ok(WechatDelivery::MassAll),
            "mass_tag" => {
                let raw =
                    tag.ok_or_else(|| Invalid::new("settings.mass_tag_id", Reason::Required))?;
                let digits = raw.bytes().all(|b| b.is_ascii_digit());
                let tag_id = raw
                    .parse::<u32>()
                    .ok()
                    .filter(|_| digits)
                    .ok_or_else(|| Invalid::new("settings.mass_tag_id", Reason::BadFormat))?;
                Ok(WechatDelivery::MassTag { tag_id })
            }
            _ => Err(Invalid::new("settings.delivery", Reason::BadFormat)),
        }
    }

    pub fn is_mass(self) -> bool {
        !matches!(self, WechatDelivery::Publish)
    }
}

impl WechatAccount {
    /// The codes of the `account_type` setting; the first is the default.
    pub const CHOICES: &'static [&'static str] = &["subscription", "service"];

    /// Reads `account_type`; anything but `service` counts as a subscription account,
    /// whose daily limit is the stricter guess for an account of unknown type.
    pub fn from_settings(settings: &BTreeMap<String, String>) -> Self {
        match settings.get("account_type").map(|v| v.trim()) {
            Some("service") => WechatAccount::Service,
            _ => WechatAccount::Subscription,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::{ChannelSettings, Platform};
    use serde_json::json;

    fn parse(extra: serde_json::Value) -> Result<WechatDelivery, Invalid> {
        let mut settings = json!({"app_id": "wx1", "app_secret": "s", "token": "t"});
        for (k, v) in extra.as_object().unwrap() {
            settings[k] = v.clone();
        }
        let parsed = ChannelSettings::parse(Platform::WechatOa, Some(&settings))?;
        WechatDelivery::from_settings(&parsed.public)
    }

    #[test]
    fn delivery_settings() {
        use WechatDelivery::*;
        let refused = |field: &str, reason| Err(Invalid::new(field, reason));
        let table = [
            (json!({}), Ok(Publish)),
            (json!({"delivery": "publish"}), Ok(Publish)),
            (json!({"delivery": "mass_all"}), Ok(MassAll)),
            (
                json!({"delivery": "mass_tag", "mass_tag_id": "134"}),
                Ok(MassTag { tag_id: 134 }),
            ),
            (
                json!({"delivery": " mass_tag ", "mass_tag_id": " 2 "}),
                Ok(MassTag { tag_id: 2 }),
            ),
            (
                json!({"delivery": "mass_tag"}),
                refused("settings.mass_tag_id", Reason::Required),
            ),
            (
                json!({"delivery": "mass_tag", "mass_tag_id": ""}),
                refused("settings.mass_tag_id", Reason::Required),
            ),
            (
                json!({"delivery": "mass_tag", "mass_tag_id": "星标"}),
                refused("settings.mass_tag_id", Reason::BadFormat),
            ),
            (
                json!({"delivery": "mass_tag", "mass_tag_id": "-3"}),
                refused("settings.mass_tag_id", Reason::BadFormat),
            ),
            (
                json!({"delivery": "mass_tag", "mass_tag_id": "99999999999"}),
                refused("settings.mass_tag_id", Reason::BadFormat),
            ),
            (
                json!({"delivery": "mass_all", "mass_tag_id": "5"}),
                refused("settings.mass_tag_id", Reason::UnknownField),
            ),
            (
                json!({"mass_tag_id": "5"}),
                refused("settings.mass_tag_id", Reason::UnknownField),
            ),
            (
                json!({"delivery": "broadcast"}),
                refused("settings.delivery", Reason::BadFormat),
            ),
            (
                json!({"delivery": 1}),
                refused("settings.delivery", Reason::NotText),
            ),
            (
                json!({"account_type": "enterprise"}),
                refused("settings.account_type", Reason::BadFormat),
            ),
            (
                json!({"delivery": "mass_all", "account_type": "service"}),
                Ok(MassAll),
            ),
        ];
        for (extra, expected) in table {
            assert_eq!(parse(extra.clone()), expected, "{extra}");
        }
    }

    #[test]
    fn account_types() {
        let of = |v: Option<&str>| {
            let map: BTreeMap<String, String> = v
                .map(|v| [("account_type".to_owned(), v.to_owned())].into())
                .unwrap_or_default();
            WechatAccount::from_settings(&map)
        };
        assert_eq!(of(None), WechatAccount::Subscription);
        assert_eq!(of(Some("subscription")), WechatAccount::Subscription);
        assert_eq!(of(Some("service")), WechatAccount::Service);
        assert!(WechatDelivery::MassAll.is_mass());
        assert!(WechatDelivery::MassTag { tag_id: 0 }.is_mass());
        assert!(!WechatDelivery::Publish.is_mass());
    }
}
