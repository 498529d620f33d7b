//! Notification targets: the other places a workspace wants to hear what needs a person
//! (a group robot in WeCom, Feishu or DingTalk, a Slack channel, or its own webhook).
//! The rules for adding one live here so the API and the settings page refuse the same
//! inputs the same way.

use crate::channel::check_url;
use crate::invalid::{Invalid, Reason, single_line};
use serde::Serialize;
use std::collections::BTreeMap;

/// The kinds of notification a target can subscribe to, in the order a form lists them.
pub const EVENTS: [&str; 5] = [
    "publish_failed",
    "publish_unconfirmed",
    "reconnect_needed",
    "publish_missed",
    "assisted_ready",
];

/// Where a target delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Wecom,
    Feishu,
    Dingtalk,
    Slack,
    Webhook,
}

/// Whether a kind of target signs its messages with a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretUse {
    /// The service has no signing (WeCom, Slack: the key is in the URL).
    None,
    /// The robot's "加签" (signing) setting: used when the operator turned it on.
    Optional,
    /// Our own webhook: unsigned requests would let anyone forge notifications.
    Required,
}

impl TargetKind {
    pub const ALL: [TargetKind; 5] = [
        TargetKind::Wecom,
        TargetKind::Feishu,
        TargetKind::Dingtalk,
        TargetKind::Slack,
        TargetKind::Webhook,
    ];

    pub fn parse(raw: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.code() == raw.trim())
    }

    pub fn code(self) -> &'static str {
        match self {
            TargetKind::Wecom => "wecom",
            TargetKind::Feishu => "feishu",
            TargetKind::Dingtalk => "dingtalk",
            TargetKind::Slack => "slack",
            TargetKind::Webhook => "webhook",
        }
    }

    pub fn secret(self) -> SecretUse {
        match self {
            TargetKind::Wecom | TargetKind::Slack => SecretUse::None,
            TargetKind::Feishu | TargetKind::Dingtalk => SecretUse::Optional,
            TargetKind::Webhook => SecretUse::Required,
        }
    }
}

/// Shortest webhook secret accepted: HMAC is only as strong as its key.
pub const MIN_WEBHOOK_SECRET: usize = 16;

/// A target ready to store. `url` and `secret` are sealed by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetDraft {
    pub kind: TargetKind,
    pub name: String,
    pub url: String,
    pub secret: Option<String>,
    /// `*`, or notification kinds joined by commas without spaces (the store matches
    /// them as `,kind,` inside `,events,`).
    pub events: String,
}

impl TargetDraft {
    /// Checks every field and reports each refused one. `events: None` means all.
    /// Refusals: `kind` BadFormat (unknown), `events` BadFormat (an unknown kind),
    /// `secret` UnknownField (this kind does not sign).
    pub fn parse(
        kind: &str,
        name: &str,
        url: &str,
        secret: Option<&str>,
        events: Option<&str>,
    ) -> Result<TargetDraft, Vec<Invalid>> {
        let mut errors = Vec::new();
        let kind_parsed = TargetKind::parse(kind);
        if kind_parsed.is_none() {
            errors.push(Invalid::new("kind", Reason::BadFormat));
        }
        let name = single_line("name", name, 80, true).map_err(|e| errors.push(e));
        let url = url.trim();
        let url_checked = if url.is_empty() {
            Err(Invalid::new("url", Reason::Required))
        } else if url.chars().count() > 2048 {
            Err(Invalid::new("url", Reason::TooLong { max: 2048 }))
        } else {
            check_url("url", url)
        };
        if let Err(e) = url_checked {
            errors.push(e);
        }
        let secret = secret.map(str::trim).filter(|s| !s.is_empty());
        if let Err(e) = check_secret(kind_parsed, secret) {
            errors.push(e);
        }
        let events = parse_events(events).map_err(|e| errors.push(e));
        match (kind_parsed, name, events) {
            (Some(kind), Ok(name), Ok(events)) if errors.is_empty() => Ok(TargetDraft {
                kind,
                name,
                url: url.to_owned(),
                secret: secret.map(str::to_owned),
                events,
            }),
            _ => Err(errors),
        }
    }

    /// What the store seals: the URL (robot URLs embed their key) and the secret.
    pub fn sealed_settings(&self) -> BTreeMap<String, String> {
        let mut settings = BTreeMap::from([("url".to_owned(), self.url.clone())]);
        if let Some(secret) = &self.secret {
            settings.insert("secret".to_owned(), secret.clone());
        }
        settings
    }
}

fn check_secret(kind: Option<TargetKind>, secret: Option<&str>) -> Result<(), Invalid> {
    let Some(kind) = kind else { return Ok(()) };
    match (kind.secret(), secret) {
        (SecretUse::None, Some(_)) => Err(Invalid::new("secret", Reason::UnknownField)),
        (SecretUse::Required, None) => Err(Invalid::new("secret", Reason::Required)),
        (SecretUse::Required, Some(s)) if s.chars().count() < MIN_WEBHOOK_SECRET => {
            Err(Invalid::new(
                "secret",
                Reason::TooShort {
                    min: MIN_WEBHOOK_SECRET,
                },
            ))
        }
        (_, Some(s)) if s.chars().count() > 200 => {
            Err(Invalid::new("secret", Reason::TooLong { max: 200 }))
        }
        (_, Some(s)) if s.chars().any(char::is_control) => {
            Err(Invalid::new("secret", Reason::ControlCharacters))
        }
        _ => Ok(()),
    }
}

/// `*` or a comma list of known kinds, normalised: no spaces, no repeats, form order.
fn parse_events(raw: Option<&str>) -> Result<String, Invalid> {
    let Some(raw) = raw else {
        return Ok("*".to_owned());
    };
    let parts: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(Invalid::new("events", Reason::Required));
    }
    if parts.contains(&"*") {
        return Ok("*".to_owned());
    }
    if parts.iter().any(|p| !EVENTS.contains(p)) {
        return Err(Invalid::new("events", Reason::BadFormat));
    }
    let chosen: Vec<&str> = EVENTS.into_iter().filter(|e| parts.contains(e)).collect();
    Ok(chosen.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(
        kind: &str,
        url: &str,
        secret: Option<&str>,
        events: Option<&str>,
    ) -> Vec<(String, Reason)> {
        match TargetDraft::parse(kind, "运营群", url, secret, events) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| (e.field, e.reason)).collect(),
        }
    }

    #[test]
    fn targets() {
        let robot = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k";
        let secret = Some("0123456789abcdef");
        // kind, url, secret, events → the fields refused and why.
        type Case<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Vec<(&'a str, Reason)>,
        );
        let table: Vec<Case> = vec![
            ("wecom", robot, None, None, vec![]),
            ("webhook", "http://127.0.0.1:9/x", secret, Some("*"), vec![]),
            ("feishu", robot, Some("sec"), Some("publish_failed"), vec![]),
            ("dingtalk", robot, None, None, vec![]),
            (
                "teams",
                robot,
                None,
                None,
                vec![("kind", Reason::BadFormat)],
            ),
            (
                "wecom",
                "http://example.com/x",
                None,
                None,
                vec![("url", Reason::InsecureUrl)],
            ),
            ("wecom", "", None, None, vec![("url", Reason::Required)]),
            (
                "slack",
                robot,
                Some("s"),
                None,
                vec![("secret", Reason::UnknownField)],
            ),
            (
                "webhook",
                robot,
                None,
                None,
                vec![("secret", Reason::Required)],
            ),
            (
                "webhook",
                robot,
                Some("short"),
                None,
                vec![("secret", Reason::TooShort { min: 16 })],
            ),
            (
                "wecom",
                robot,
                None,
                Some("publish_failed,nope"),
                vec![("events", Reason::BadFormat)],
            ),
            (
                "wecom",
                robot,
                None,
                Some(" , "),
                vec![("events", Reason::Required)],
            ),
        ];
        for (kind, url, secret, events, want) in table {
            let want: Vec<(String, Reason)> =
                want.into_iter().map(|(f, r)| (f.to_owned(), r)).collect();
            assert_eq!(refused(kind, url, secret, events), want, "{kind} {url}");
        }
    }

    #[test]
    fn events_are_normalised() {
        let draft = TargetDraft::parse(
            "wecom",
            " 运营群 ",
            "https://x.example/h",
            None,
            Some("publish_missed, publish_failed,publish_failed"),
        )
        .unwrap();
        assert_eq!(draft.events, "publish_failed,publish_missed");
        assert_eq!(draft.name, "运营群");
        assert!(!draft.sealed_settings().contains_key("secret"));
        let all = TargetDraft::parse(
            "wecom",
            "a",
            "https://x.example",
            None,
            Some("publish_failed,*"),
        );
        assert_eq!(all.unwrap().events, "*");
    }
}
