//! The built-in dictionaries (`data/*.txt`, embedded at compile time) and the industry
//! packs a workspace can switch on. The file format is described in `data/README.md`.

use crate::messages;
use serde::Serialize;
use thiserror::Error;

/// How serious a finding is. `Error` makes `fanloop lint` exit 1 and, when the
/// workspace says so, blocks submission for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    fn parse(raw: &str) -> Option<Severity> {
        match raw {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// An industry pack: rules that apply only to one kind of product, enabled per workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pack {
    /// Cosmetics: NMPA naming rules, no medical or implied medical claims.
    Cosmetics,
    /// Ordinary food: no curative or unprovable claims.
    Food,
    /// Health food (保健食品): Art. 18's list.
    Health,
}

impl Pack {
    pub const ALL: [Pack; 3] = [Pack::Cosmetics, Pack::Food, Pack::Health];

    pub fn code(self) -> &'static str {
        match self {
            Pack::Cosmetics => "cosmetics",
            Pack::Food => "food",
            Pack::Health => "health",
        }
    }

    pub fn parse(raw: &str) -> Option<Pack> {
        Pack::ALL.into_iter().find(|p| p.code() == raw.trim())
    }

    pub(crate) fn source(self) -> &'static str {
        match self {
            Pack::Cosmetics => include_str!("../data/cosmetics.txt"),
            Pack::Food => include_str!("../data/food.txt"),
            Pack::Health => include_str!("../data/health.txt"),
        }
    }
}

/// The dictionaries every linter uses, whatever the workspace enables.
pub(crate) const GENERAL: &[&str] = &[
    include_str!("../data/ad-law.txt"),
    include_str!("../data/marketing.txt"),
];

/// Compounds that make no claim although they contain a flagged term.
pub(crate) const BENIGN: &str = include_str!("../data/benign.txt");

/// What a flagged term is: the header of the section it appears under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Class {
    pub rule: &'static str,
    pub category: &'static str,
    pub severity: Severity,
    pub law: &'static str,
}

/// A dictionary line the parser does not understand (only the embedded files are
/// parsed with this, so a unit test keeps it from ever happening at run time).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("dictionary line {line}: {problem}")]
pub struct DictionaryError {
    pub line: usize,
    pub problem: &'static str,
}

/// Parses one dictionary file into (term, class) pairs.
pub(crate) fn parse(source: &'static str) -> Result<Vec<(&'static str, Class)>, DictionaryError> {
    let mut class = None;
    let mut terms = Vec::new();
    for (index, raw) in source.lines().enumerate() {
        let line = raw.trim();
        let fail = |problem| DictionaryError {
            line: index + 1,
            problem,
        };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            let parts: Vec<&'static str> = header.split_whitespace().collect();
            let &[rule, category, severity, law] = parts.as_slice() else {
                return Err(fail("a header is [rule category severity law]"));
            };
            if !messages::is_category(category) {
                return Err(fail("unknown category (add it to messages.rs)"));
            }
            if !messages::is_law(law) {
                return Err(fail("unknown law (add it to messages.rs)"));
            }
            let severity = Severity::parse(severity).ok_or(fail("unknown severity"))?;
            class = Some(Class {
                rule,
                category,
                severity,
                law,
            });
            continue;
        }
        let class = class.ok_or(fail("a term before the first header"))?;
        terms.push((line, class));
    }
    Ok(terms)
}

/// The benign compounds, one per line.
pub(crate) fn benign() -> impl Iterator<Item = &'static str> {
    BENIGN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_dictionary_parses_and_has_terms() {
        for source in GENERAL.iter().copied().chain(Pack::ALL.map(Pack::source)) {
            let terms = parse(source).map_err(|e| e.to_string());
            assert!(terms.as_ref().is_ok_and(|t| !t.is_empty()), "{terms:?}");
        }
        assert!(benign().count() > 50);
    }

    #[test]
    fn malformed_headers_are_refused_with_their_line() {
        let cases: &[(&str, usize)] = &[
            ("词", 1),
            ("[ad-law superlative error]\n", 1),
            ("# c\n[ad-law nosuch error -]", 2),
            ("[ad-law superlative fatal -]", 1),
            ("[ad-law superlative error art-99]", 1),
        ];
        for (input, line) in cases {
            assert_eq!(parse(input).map_err(|e| e.line), Err(*line), "{input:?}");
        }
    }

    #[test]
    fn benign_compounds_never_equal_a_flagged_term() {
        let flagged: Vec<&str> = GENERAL
            .iter()
            .copied()
            .chain(Pack::ALL.map(Pack::source))
            .flat_map(|s| parse(s).unwrap_or_default())
            .map(|(term, _)| term)
            .collect();
        for compound in benign() {
            assert!(
                !flagged.contains(&compound),
                "{compound} is both benign and flagged"
            );
        }
    }
}
