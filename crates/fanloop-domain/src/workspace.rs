//! A workspace is one brand: its name, time zone, language and voice.

use crate::invalid::{Invalid, Reason, single_line};
use serde::Serialize;

/// 1–80 characters, one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WorkspaceName(String);

impl WorkspaceName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        single_line("name", raw, 80, true).map(WorkspaceName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone known to the bundled tz database, so every machine agrees on what
/// "Monday 08:00" means regardless of the host's own tz files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub const DEFAULT: &'static str = "Asia/Shanghai";

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Invalid::new("timezone", Reason::Required));
        }
        // Offsets and abbreviations ("UTC+8", "CST") are ambiguous; only IANA names pass.
        // The bundled database matches names case-insensitively; keep its canonical
        // spelling so the same zone is never stored two ways.
        match jiff::tz::TimeZone::get(name)
            .ok()
            .and_then(|tz| tz.iana_name().map(str::to_owned))
        {
            Some(canonical) => Ok(TimeZoneName(canonical)),
            None => Err(Invalid::new("timezone", Reason::UnknownTimeZone)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        TimeZoneName(Self::DEFAULT.to_owned())
    }
}

/// The interface and report language. Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "zh-cn" | "zh" | "zh-hans" => Ok(Locale::ZhCn),
            "en" | "en-us" | "en-gb" => Ok(Locale::En),
            "" => Err(Invalid::new("locale", Reason::Required)),
            _ => Err(Invalid::new("locale", Reason::UnknownLocale)),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }
}

/// Notes on tone, taboos and style that writers and (later) the linter follow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct BrandVoice(String);

impl BrandVoice {
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = raw.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(
                "brand_voice",
                Reason::TooLong {
                    max: Self::MAX_CHARS,
                },
            ));
        }
        // Newlines and tabs are welcome in notes; other control characters are not.
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(Invalid::new("brand_voice", Reason::ControlCharacters));
        }
        Ok(BrandVoice(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones() {
        for ok in ["Asia/Shanghai", "America/New_York", "UTC", "Europe/London"] {
            assert!(TimeZoneName::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            TimeZoneName::parse(" asia/shanghai ").unwrap().as_str(),
            "Asia/Shanghai"
        );
        for bad in ["", "Mars/Olympus", "UTC+8", "Asia/Beijing", "+08:00"] {
            let err = TimeZoneName::parse(bad);
            assert!(err.is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_and_locales() {
        assert_eq!(
            WorkspaceName::parse("  小米之家 ").unwrap().as_str(),
            "小米之家"
        );
        assert!(WorkspaceName::parse("   ").is_err());
        assert!(WorkspaceName::parse("a\u{0}b").is_err());
        assert!(WorkspaceName::parse(&"品".repeat(80)).is_ok());
        assert!(WorkspaceName::parse(&"品".repeat(81)).is_err());
        assert_eq!(Locale::parse("zh-CN").unwrap(), Locale::ZhCn);
        assert_eq!(Locale::parse("EN").unwrap(), Locale::En);
        assert!(Locale::parse("fr").is_err());
        assert!(BrandVoice::parse("亲切\n专业").is_ok());
    }
}

/// Everything an owner sets on a workspace, parsed together so a form or API call learns
/// about every wrong field at once, not one per round trip.
#[derive(Debug, Clone)]
pub struct WorkspaceProfile {
    pub name: WorkspaceName,
    pub timezone: TimeZoneName,
    pub locale: Locale,
    pub brand_voice: BrandVoice,
}

impl WorkspaceProfile {
    pub fn parse(
        name: &str,
        timezone: &str,
        locale: &str,
        brand_voice: &str,
    ) -> Result<Self, Vec<Invalid>> {
        match (
            WorkspaceName::parse(name),
            TimeZoneName::parse(timezone),
            Locale::parse(locale),
            BrandVoice::parse(brand_voice),
        ) {
            (Ok(name), Ok(timezone), Ok(locale), Ok(brand_voice)) => Ok(WorkspaceProfile {
                name,
                timezone,
                locale,
                brand_voice,
            }),
            (a, b, c, d) => Err([a.err(), b.err(), c.err(), d.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

#[cfg(test)]
mod profile_tests {
    use super::*;

    #[test]
    fn reports_every_wrong_field() {
        let errors = WorkspaceProfile::parse("", "Mars/Base", "zh-CN", "").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "timezone"]);
        assert!(WorkspaceProfile::parse("品牌", "Asia/Shanghai", "en", "").is_ok());
    }
}
