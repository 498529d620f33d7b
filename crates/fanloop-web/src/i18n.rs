//! Interface text in Simplified Chinese and English.
//!
//! The catalog is one plain file (`locales/messages.txt`: `key = 中文 | English`) read
//! once, so translators edit text, not Rust. A test checks that every key the templates
//! and code use exists, and that no line lacks a language.

use crate::gate::{LANG_COOKIE, cookie};
use axum::http::{HeaderMap, header};
use fanloop_domain::{Invalid, Locale, Reason};
use std::collections::HashMap;
use std::sync::LazyLock;

pub type Lang = Locale;

const CATALOG_SOURCE: &str = include_str!("../locales/messages.txt");

static CATALOG: LazyLock<HashMap<&'static str, [&'static str; 2]>> =
    LazyLock::new(|| parse(CATALOG_SOURCE));

fn parse(source: &'static str) -> HashMap<&'static str, [&'static str; 2]> {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (key, texts) = line.split_once(" = ")?;
            let (zh, en) = texts.split_once(" | ")?;
            Some((key.trim(), [zh.trim(), en.trim()]))
        })
        .collect()
}

/// Whether the catalog has `key`, for text that only some items have (a field's hint).
pub fn has_key(key: &str) -> bool {
    CATALOG.contains_key(key)
}

/// Picks the language: for pages an explicit choice (cookie), then the account's
/// setting, then the browser's; for the API the request's `Accept-Language` first.
pub fn negotiate(headers: &HeaderMap, account: Option<Locale>, api: bool) -> Lang {
    let chosen = cookie(headers, LANG_COOKIE).and_then(|v| Locale::parse(&v).ok());
    let browser = accept_language(headers);
    if api {
        browser.or(account).unwrap_or_default()
    } else {
        chosen.or(account).or(browser).unwrap_or_default()
    }
}

fn accept_language(headers: &HeaderMap) -> Option<Locale> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    value.split(',').find_map(|tag| {
        let tag = tag.split(';').next()?.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Locale::ZhCn)
        } else if tag.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    })
}

/// A translator bound to one language; templates call `tr.t("key")`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    pub fn negotiate(headers: &HeaderMap, account: Option<Locale>, api: bool) -> Tr {
        Tr::new(negotiate(headers, account, api))
    }

    pub fn t(&self, key: &str) -> &'static str {
        match CATALOG.get(key) {
            Some([zh, en]) => match self.lang {
                Locale::ZhCn => zh,
                Locale::En => en,
            },
            // Visible in the page, caught by the catalog test; never a crash.
            None => "⟨missing text⟩",
        }
    }

    /// `t(key)` with `{}` replaced by `arg`.
    pub fn t1(&self, key: &str, arg: impl std::fmt::Display) -> String {
        self.t(key).replacen("{}", &arg.to_string(), 1)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn locale(&self) -> Locale {
        self.lang
    }

    pub fn is_zh(&self) -> bool {
        self.lang == Locale::ZhCn
    }

    /// Why a field was refused, in words.
    pub fn reason(&self, reason: &Reason) -> String {
        match reason {
            Reason::Required => self.t("invalid.required").to_owned(),
            Reason::TooLong { max } => self.t1("invalid.too_long", max),
            Reason::TooShort { min } => self.t1("invalid.too_short", min),
            Reason::ControlCharacters => self.t("invalid.control").to_owned(),
            Reason::NotAnEmail => self.t("invalid.email").to_owned(),
            Reason::UnknownTimeZone => self.t("invalid.timezone").to_owned(),
            Reason::UnknownLocale => self.t("invalid.locale").to_owned(),
            Reason::UnknownRole => self.t("invalid.role").to_owned(),
            Reason::UnknownPlatform => self.t("invalid.platform").to_owned(),
            Reason::UnknownField => self.t("invalid.unknown_field").to_owned(),
            Reason::NotText => self.t("invalid.not_text").to_owned(),
            Reason::InsecureUrl => self.t("invalid.insecure_url").to_owned(),
            Reason::NotAUrl => self.t("invalid.url").to_owned(),
            Reason::OutOfRange => self.t("invalid.out_of_range").to_owned(),
            Reason::BadFormat => self.t("invalid.bad_format").to_owned(),
        }
    }

    pub fn invalid(&self, invalid: &Invalid) -> String {
        self.reason(&invalid.reason)
    }

    /// A Unix-millisecond instant shown in a workspace's time zone.
    pub fn datetime(&self, at_ms: i64, timezone: &str) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(at_ms) else {
            return String::new();
        };
        let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        ts.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_has_both_languages() {
        for line in CATALOG_SOURCE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let parsed = line
                .split_once(" = ")
                .and_then(|(_, t)| t.split_once(" | "));
            let ok = parsed.is_some_and(|(zh, en)| !zh.trim().is_empty() && !en.trim().is_empty());
            assert!(ok, "catalog line lacks a language: {line}");
        }
    }

    /// Every `t("…")`/`t1("…")` in templates and code names a key the catalog has.
    #[test]
    fn every_used_key_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut missing = Vec::new();
        for folder in ["templates", "src", "src/pages", "src/api"] {
            for entry in std::fs::read_dir(format!("{dir}{folder}")).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in ["t(\"", "t1(\""] {
                    for (i, _) in text.match_indices(marker) {
                        let rest = &text[i + marker.len()..];
                        let key = &rest[..rest.find('"').unwrap()];
                        if key.contains('.') && !key.contains(' ') && !CATALOG.contains_key(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from locales/messages.txt:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn negotiation() {
        let mut h = HeaderMap::new();
        assert_eq!(negotiate(&h, None, false), Locale::ZhCn);
        h.insert(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(negotiate(&h, None, false), Locale::En);
        assert_eq!(negotiate(&h, Some(Locale::ZhCn), false), Locale::ZhCn);
        assert_eq!(negotiate(&h, Some(Locale::ZhCn), true), Locale::En);
        h.insert(header::COOKIE, "fanloop_lang=zh-CN".parse().unwrap());
        assert_eq!(negotiate(&h, Some(Locale::En), false), Locale::ZhCn);
    }
}
