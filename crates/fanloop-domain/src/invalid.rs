//! Why an input was refused, as data: the web layer turns it into words in the user's
//! language, so this crate stays free of presentation.

use std::fmt;

/// What was wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    ControlCharacters,
    NotAnEmail,
    UnknownTimeZone,
    UnknownLocale,
    UnknownRole,
    UnknownPlatform,
    UnknownField,
    NotText,
    /// A URL must be https, or plain http to a loopback address only.
    InsecureUrl,
    NotAUrl,
    /// A number or time outside what the field accepts.
    OutOfRange,
    /// Not in the expected shape (a date, a time, a weekly slot).
    BadFormat,
}

/// A refused input: the field that was wrong and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid {
    pub field: String,
    pub reason: Reason,
}

impl Invalid {
    pub fn new(field: impl Into<String>, reason: Reason) -> Self {
        Invalid {
            field: field.into(),
            reason,
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {:?}", self.field, self.reason)
    }
}

/// Trims a single-line text field and checks its length in characters (not bytes, so a
/// Chinese name gets the same allowance as an English one).
pub(crate) fn single_line(
    field: &str,
    raw: &str,
    max: usize,
    required: bool,
) -> Result<String, Invalid> {
    let text = raw.trim();
    if text.is_empty() && required {
        return Err(Invalid::new(field, Reason::Required));
    }
    if text.chars().count() > max {
        return Err(Invalid::new(field, Reason::TooLong { max }));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::new(field, Reason::ControlCharacters));
    }
    Ok(text.to_owned())
}
