//! Text intelligence for Fanloop: counting length the way each platform does, and the
//! compliance linter — Advertising-Law terms by category with the article they break,
//! opt-in industry packs (cosmetics, food, health food), inducement, false-urgency and
//! title-party patterns, per-platform rules read from `fanloop_domain::TextLimits`, and
//! the workspace's own banned and preferred words.
//!
//! ```text
//! let linter = Linter::builder().pack(Pack::Cosmetics).words(WordList::parse(list)?).build()?;
//! let findings = linter.lint(&Post::markdown(source), Some(Platform::Weibo), Locale::ZhCn);
//! ```
//!
//! Architecture invariant: no IO and no clock. Dictionaries are embedded (`data/`) or
//! passed in as text; every function is deterministic in its arguments and total over
//! any `&str` — no input makes it panic.

mod count;
mod dictionary;
mod finding;
mod linter;
mod messages;
mod post;
mod rules;
mod words;

pub use count::{hashtags, length, overflow_at, urls};
pub use dictionary::{DictionaryError, Pack, Severity};
pub use finding::Finding;
pub use linter::{BuildError, Linter, LinterBuilder};
pub use messages::summary;
pub use post::Post;
pub use words::{WordList, WordsError};
