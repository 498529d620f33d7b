//! Who hears a notification inside Fanloop (`Audience`, in `audience.rs`), and
//! notification targets: the other places a workspace wants to hear what needs a person
//! (a group robot in WeCom, Feishu or DingTalk, a Slack channel, its own webhook, or
//! email through its SMTP server). The rules for adding one live here so the API and the
//! settings page refuse the same inputs the same way.

mod audience;
mod email;

pub use audience::{Audience, Managers, PostPeople, is_manager};
pub use email::{MAX_RECIPIENTS, SmtpInput, SmtpSecurity, SmtpSettings};

use crate::channel::check_url;
use crate::invalid::{Invalid, Reason, single_line};
use serde::Serialize;
use std::collections::BTreeMap;

/// The kinds of notification a target can subscribe to, in the order a form lists them.
pub const EVENTS: [&str; 6] = [
    "publish_failed",
    "publish_unconfirmed",
    "reconnect_needed",
    "publish_missed",
    "assisted_ready",
    "assisted_overdue",
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
    Email,
}

/// Whether a kind of target signs its messages with a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretUse {
    /// The service has no signing (WeCom, Slack: the key is in the URL; email: the
    /// SMTP password is a field of its own).
    None,
    /// The robot's "加签" (signing) setting: used when the operator turned it on.
    Optional,
    /// Our own webhook: unsigned requests would let anyone forge notifications.
    Required,
}

impl TargetKind {
    pub const ALL: [TargetKind; 6] = [
        TargetKind::Wecom,
        TargetKind::Feishu,
        TargetKind::Dingtalk,
        TargetKind::Slack,
        TargetKind::Webhook,
        TargetKind::Email,
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
            TargetKind::Email => "email",
        }
    }

    pub fn secret(self) -> SecretUse {
        match self {
            TargetKind::Wecom | TargetKind::Slack | TargetKind::Email => SecretUse::None,
            TargetKind::Feishu | TargetKind::Dingtalk => SecretUse::Optional,
            TargetKind::Webhook => SecretUse::Required,
        }
    }
}

/// Shortest webhook secret accepted: HMAC is only as strong as its key.
pub const MIN_WEBHOOK_SECRET: usize = 16;

/// A target as typed (the settings form) or sent (the API). Fields its kind does not use
/// are left empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetInput<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub secret: Option<&'a str>,
    /// The SMTP fields: for email targets, refused on the others.
    pub smtp: Option<SmtpInput<'a>>,
    /// `None` means all notification kinds.
    pub events: Option<&'a str>,
}

/// Where a target's messages go. Everything here is sealed by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A robot or webhook URL (robot URLs embed their key) and its signing secret.
    Url {
        url: String,
        secret: Option<String>,
    },
    Email(SmtpSettings),
}

/// A target ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetDraft {
    pub kind: TargetKind,
    pub name: String,
    pub destination: Destination,
    /// `*`, or notification kinds joined by commas without spaces (the store matches
    /// them as `,kind,` inside `,events,`).
    pub events: String,
}

impl TargetDraft {
    /// Checks every field and reports each refused one. Refusals: `kind` BadFormat
    /// (unknown), `events` BadFormat (an unknown kind), `secret` UnknownField (this kind
    /// does not sign), `url` UnknownField (email has none), an SMTP field UnknownField
    /// (not an email target), and [`SmtpSettings::parse`]'s.
    pub fn parse(input: &TargetInput) -> Result<TargetDraft, Vec<Invalid>> {
        let mut errors = Vec::new();
        let kind_parsed = TargetKind::parse(input.kind);
        if kind_parsed.is_none() {
            errors.push(Invalid::new("kind", Reason::BadFormat));
        }
        let name = single_line("name", input.name, 80, true).map_err(|e| errors.push(e));
        let url = input.url.trim();
        let secret = input.secret.map(str::trim).filter(|s| !s.is_empty());
        let smtp = if kind_parsed == Some(TargetKind::Email) {
            if !url.is_empty() {
                errors.push(Invalid::new("url", Reason::UnknownField));
            }
            // Without the fields at all, each required one is reported missing.
            SmtpSettings::parse(&input.smtp.unwrap_or_default())
                .map(Some)
                .map_err(|e| errors.extend(e))
        } else {
            if let Err(e) = check_target_url(url) {
                errors.push(e);
            }
            for field in input.smtp.map(|s| s.given()).unwrap_or_default() {
                errors.push(Invalid::new(field, Reason::UnknownField));
            }
            Ok(None)
        };
        if let Err(e) = check_secret(kind_parsed, secret) {
            errors.push(e);
        }
        let events = parse_events(input.events).map_err(|e| errors.push(e));
        match (kind_parsed, name, smtp, events) {
            (Some(kind), Ok(name), Ok(smtp), Ok(events)) if errors.is_empty() => {
                let destination = match smtp {
                    Some(settings) => Destination::Email(settings),
                    None => Destination::Url {
                        url: url.to_owned(),
                        secret: secret.map(str::to_owned),
                    },
                };
                Ok(TargetDraft {
                    kind,
                    name,
                    destination,
                    events,
                })
            }
            _ => Err(errors),
        }
    }

    /// What the store seals: the URL and secret, or the SMTP settings with the password.
    pub fn sealed_settings(&self) -> BTreeMap<String, String> {
        match &self.destination {
            Destination::Url { url, secret } => {
                let mut settings = BTreeMap::from([("url".to_owned(), url.clone())]);
                if let Some(secret) = secret {
                    settings.insert("secret".to_owned(), secret.clone());
                }
                settings
            }
            Destination::Email(smtp) => smtp.sealed(),
        }
    }
}

fn check_target_url(url: &str) -> Result<(), Invalid> {
    if url.is_empty() {
        Err(Invalid::new("url", Reason::Required))
    } else if url.chars().count() > 2048 {
        Err(Invalid::new("url", Reason::TooLong { max: 2048 }))
    } else {
        check_url("url", url)
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
        let input = TargetInput {
            kind,
            name: "运营群",
            url,
            secret,
            smtp: None,
            events,
        };
        match TargetDraft::parse(&input) {
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
        let input = TargetInput {
            kind: "wecom",
            name: " 运营群 ",
            url: "https://x.example/h",
            events: Some("publish_missed, publish_failed,publish_failed"),
            ..TargetInput::default()
        };
        let draft = TargetDraft::parse(&input).unwrap();
        assert_eq!(draft.events, "publish_failed,publish_missed");
        assert_eq!(draft.name, "运营群");
        assert!(!draft.sealed_settings().contains_key("secret"));
        let all = TargetInput {
            events: Some("publish_failed,*"),
            ..input
        };
        assert_eq!(TargetDraft::parse(&all).unwrap().events, "*");
    }

    #[test]
    fn email_targets() {
        let smtp = SmtpInput {
            host: "smtp.example.com",
            port: "",
            security: "starttls",
            username: "ops@example.com",
            password: "app-password",
            from: "fanloop@example.com",
            to: "Ops@example.com, boss@example.com",
        };
        let email = TargetInput {
            kind: "email",
            name: "值班邮箱",
            smtp: Some(smtp),
            ..TargetInput::default()
        };
        let draft = TargetDraft::parse(&email).unwrap();
        assert_eq!(draft.kind, TargetKind::Email);
        let sealed = draft.sealed_settings();
        assert_eq!(sealed["smtp_password"], "app-password");
        assert_eq!(sealed["smtp_port"], "587");
        assert_eq!(sealed["mail_to"], "ops@example.com,boss@example.com");
        assert!(!sealed.contains_key("url"));

        let fields = |input: TargetInput| match TargetDraft::parse(&input) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| (e.field, e.reason)).collect(),
        };
        let one = |field: &str, reason: Reason| vec![(field.to_owned(), reason)];
        let plain_remote = SmtpInput {
            security: "none",
            ..smtp
        };
        let table: Vec<(TargetInput, Vec<(String, Reason)>)> = vec![
            (
                TargetInput {
                    smtp: Some(plain_remote),
                    ..email
                },
                one("smtp_security", Reason::InsecureUrl),
            ),
            (
                TargetInput {
                    url: "https://x.example",
                    ..email
                },
                one("url", Reason::UnknownField),
            ),
            (
                TargetInput {
                    secret: Some("0123456789abcdef"),
                    ..email
                },
                one("secret", Reason::UnknownField),
            ),
            (
                TargetInput {
                    smtp: None,
                    ..email
                },
                vec![
                    ("smtp_host".to_owned(), Reason::Required),
                    ("smtp_security".to_owned(), Reason::Required),
                    ("mail_from".to_owned(), Reason::Required),
                    ("mail_to".to_owned(), Reason::Required),
                ],
            ),
            (
                TargetInput {
                    kind: "wecom",
                    url: "https://x.example/h",
                    smtp: Some(SmtpInput {
                        host: "smtp.example.com",
                        ..SmtpInput::default()
                    }),
                    ..email
                },
                one("smtp_host", Reason::UnknownField),
            ),
        ];
        for (input, want) in table {
            assert_eq!(fields(input), want, "{input:?}");
        }
    }
}
