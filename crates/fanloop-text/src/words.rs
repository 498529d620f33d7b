//! Workspace word lists: the brand's own banned words and preferred replacements, as a
//! workspace imports them from a text file or edits them in the UI.
//!
//! Format, one entry per line (UTF-8):
//!
//! ```text
//! # A line starting with `#` is a comment; blank lines are skipped.
//! 竞品名                 ← a banned word: every occurrence is an error
//! 亲 => 您               ← a preferred word: `亲` is flagged, `您` suggested (warning)
//! ```
//!
//! Surrounding whitespace is trimmed; ASCII letters match case-insensitively. A term
//! may contain `#` after its first character (`C#`), but not start with it.

use thiserror::Error;

/// A parsed word list. Lists from several files add up with [`WordList::extend`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordList {
    pub banned: Vec<String>,
    /// (word to avoid, the word to use instead)
    pub preferred: Vec<(String, String)>,
}

/// A line the parser could not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WordsError {
    #[error("line {line}: `=>` needs a word on both sides")]
    EmptySide { line: usize },
    #[error("line {line}: more than one `=>`")]
    TwoArrows { line: usize },
}

impl WordList {
    pub fn parse(text: &str) -> Result<WordList, WordsError> {
        let mut list = WordList::default();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let number = index + 1;
            let mut sides = line.split("=>");
            let first = sides.next().unwrap_or_default().trim();
            match (sides.next(), sides.next()) {
                (None, _) => list.banned.push(first.to_owned()),
                (Some(_), Some(_)) => return Err(WordsError::TwoArrows { line: number }),
                (Some(second), None) => {
                    let second = second.trim();
                    if first.is_empty() || second.is_empty() {
                        return Err(WordsError::EmptySide { line: number });
                    }
                    list.preferred.push((first.to_owned(), second.to_owned()));
                }
            }
        }
        Ok(list)
    }

    pub fn extend(&mut self, other: WordList) {
        self.banned.extend(other.banned);
        self.preferred.extend(other.preferred);
    }

    pub fn is_empty(&self) -> bool {
        self.banned.is_empty() && self.preferred.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Expected<'a> = Result<(&'a [&'a str], &'a [(&'a str, &'a str)]), WordsError>;

    fn check(input: &str, expected: Expected) {
        let expected = expected.map(|(banned, preferred)| WordList {
            banned: banned.iter().map(|s| s.to_string()).collect(),
            preferred: preferred
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        });
        assert_eq!(WordList::parse(input), expected, "{input:?}");
    }

    #[test]
    fn parses_the_documented_format() {
        check("", Ok((&[], &[])));
        check("# 注释\n\n  竞品A  \r\nC#\n", Ok((&["竞品A", "C#"], &[])));
        check(
            "\u{feff}亲 => 您\n宝宝们=>朋友们",
            Ok((&[], &[("亲", "您"), ("宝宝们", "朋友们")])),
        );
        check("a\n => 您", Err(WordsError::EmptySide { line: 2 }));
        check("亲 =>", Err(WordsError::EmptySide { line: 1 }));
        check("a => b => c", Err(WordsError::TwoArrows { line: 1 }));
    }
}
