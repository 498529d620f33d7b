//! The linter: built once from the dictionaries (one Aho-Corasick automaton over every
//! term, benign compound and workspace word), then used for any number of posts.
//!
//! The automaton is daachorse's character-wise double array rather than the
//! `aho-corasick` crate's byte-wise NFA: Chinese text is three bytes a character, and
//! stepping once per character measured about five times faster on the 50,000-term
//! benchmark (`bench/lint`), with the same leftmost-longest semantics.

use crate::dictionary::{self, Class, DictionaryError, Pack};
use crate::finding::{self, Finding};
use crate::post::Post;
use crate::rules;
use crate::words::WordList;
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use fanloop_domain::{Locale, Platform};
use std::collections::HashSet;
use thiserror::Error;

/// What a pattern of the automaton stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Term(Class),
    /// Contains a flagged term but makes no claim; a match is dropped.
    Benign,
    Banned,
    /// Index into `Linter::replacements`.
    Preferred(usize),
}

/// A linter ready to check posts. Building it takes about a millisecond with the
/// built-in dictionaries and on the order of 100 ms with 50,000 workspace words; build
/// it once per workspace and share it (it is `Send + Sync`).
pub struct Linter {
    /// Values are indexes into `kinds`. Patterns are ASCII-lowercased; the text is
    /// lowercased the same way before a search (offsets do not move).
    pub(crate) automaton: CharwiseDoubleArrayAhoCorasick<u32>,
    pub(crate) kinds: Vec<Kind>,
    pub(crate) replacements: Vec<String>,
}

/// Why a linter could not be built.
#[derive(Debug, Error)]
pub enum BuildError {
    #[error(transparent)]
    Dictionary(#[from] DictionaryError),
    #[error("the word lists cannot be searched: {0}")]
    Automaton(String),
}

/// Chooses the packs and word lists a linter uses.
#[derive(Debug, Clone, Default)]
pub struct LinterBuilder {
    packs: Vec<Pack>,
    words: WordList,
}

impl LinterBuilder {
    /// Switches on an industry pack.
    pub fn pack(mut self, pack: Pack) -> Self {
        if !self.packs.contains(&pack) {
            self.packs.push(pack);
        }
        self
    }

    /// Adds a workspace word list; several lists add up.
    pub fn words(mut self, words: WordList) -> Self {
        self.words.extend(words);
        self
    }

    pub fn build(self) -> Result<Linter, BuildError> {
        // Order decides which entry wins when two are the same string: the workspace's
        // own words first, then the more specific industry packs, then the general
        // dictionaries. Benign compounds never equal a flagged term (a test checks).
        let mut patterns: Vec<&str> = Vec::new();
        let mut kinds = Vec::new();
        let mut replacements = Vec::new();
        for word in &self.words.banned {
            patterns.push(word);
            kinds.push(Kind::Banned);
        }
        for (word, replacement) in &self.words.preferred {
            patterns.push(word);
            kinds.push(Kind::Preferred(replacements.len()));
            replacements.push(replacement.clone());
        }
        let sources = self
            .packs
            .iter()
            .map(|p| p.source())
            .chain(dictionary::GENERAL.iter().copied());
        for source in sources {
            for (term, class) in dictionary::parse(source)? {
                patterns.push(term);
                kinds.push(Kind::Term(class));
            }
        }
        for compound in dictionary::benign() {
            patterns.push(compound);
            kinds.push(Kind::Benign);
        }
        // The first of equal patterns wins (the automaton refuses duplicates), and an
        // empty pattern, which a caller-filled list may hold, would match everywhere.
        let mut seen = HashSet::new();
        let mut entries = Vec::with_capacity(patterns.len());
        for (pattern, kind) in patterns.iter().zip(&kinds) {
            let folded = pattern.trim().to_ascii_lowercase();
            if !folded.is_empty() && seen.insert(folded.clone()) {
                entries.push((folded, *kind));
            }
        }
        let kinds: Vec<Kind> = entries.iter().map(|(_, kind)| *kind).collect();
        let values = entries
            .into_iter()
            .zip(0u32..)
            .map(|((pattern, _), index)| (pattern, index));
        let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build_with_values(values)
            .map_err(|e| BuildError::Automaton(e.to_string()))?;
        Ok(Linter {
            automaton,
            kinds,
            replacements,
        })
    }
}

impl Linter {
    pub fn builder() -> LinterBuilder {
        LinterBuilder::default()
    }

    /// Checks a post: dictionary terms everywhere, and the platform's rules when one is
    /// given. Findings come sorted by position; words are in `lang`.
    pub fn lint(&self, post: &Post, platform: Option<Platform>, lang: Locale) -> Vec<Finding> {
        let mut raws = Vec::new();
        rules::terms::scan(self, post, lang, &mut raws);
        if let Some(platform) = platform {
            rules::platform::check(post, platform, lang, &mut raws);
        }
        finding::finish(post.text, raws)
    }

    /// How many patterns the automaton holds (terms, compounds and workspace words).
    pub fn patterns(&self) -> usize {
        self.kinds.len()
    }

    /// Heap bytes used by the automaton and its tables.
    pub fn memory_usage(&self) -> usize {
        self.automaton.heap_bytes()
            + self.kinds.capacity() * std::mem::size_of::<Kind>()
            + self
                .replacements
                .iter()
                .map(String::capacity)
                .sum::<usize>()
    }
}
