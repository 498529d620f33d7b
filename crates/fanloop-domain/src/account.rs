//! People: email addresses, display names and password policy.

use crate::invalid::{Invalid, Reason, single_line};
use serde::Serialize;

/// A normalised email address (trimmed, lower-cased), used as the sign-in name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = single_line("email", raw, 254, true)?.to_lowercase();
        let (local, domain) = text
            .split_once('@')
            .ok_or_else(|| Invalid::new("email", Reason::NotAnEmail))?;
        let domain_ok = !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || !domain_ok || text.contains(char::is_whitespace) {
            return Err(Invalid::new("email", Reason::NotAnEmail));
        }
        Ok(Email(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What teammates see: 1–64 characters, one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        single_line("display_name", raw, 64, true).map(DisplayName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the policy. Never printed: `Debug` hides it.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    /// argon2 cost grows with input; a cap keeps a hostile login from burning CPU.
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(Invalid::new(
                "password",
                Reason::TooShort {
                    min: Self::MIN_CHARS,
                },
            ));
        }
        if count > Self::MAX_CHARS {
            return Err(Invalid::new(
                "password",
                Reason::TooLong {
                    max: Self::MAX_CHARS,
                },
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let cases = [
            ("  Li.Lei@Example.COM ", Some("li.lei@example.com")),
            ("a@b.cn", Some("a@b.cn")),
            ("no-at-sign", None),
            ("@example.com", None),
            ("a@", None),
            ("a@.cn", None),
            ("a@b..cn", None),
            ("a b@c.cn", None),
            ("a@b@c.cn", None),
            ("", None),
        ];
        for (raw, want) in cases {
            let got = Email::parse(raw).ok();
            assert_eq!(got.as_ref().map(Email::as_str), want, "{raw:?}");
        }
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("十个字的中文密码很安全").is_ok());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("0123456789").unwrap()),
            "Password(…)"
        );
    }
}
