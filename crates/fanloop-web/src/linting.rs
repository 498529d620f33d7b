//! The compliance linter each workspace uses: the built-in dictionaries plus the
//! workspace's industry packs and its own banned and preferred words.
//!
//! Building a linter costs from a millisecond (built-ins) to about 100 ms (50,000 words),
//! so it is built once per workspace and kept. Several instances may share one database,
//! so a cached linter is never trusted blindly: every call reads the lists' stored
//! `version` (one indexed single-column read) and rebuilds when it differs. A save on any
//! instance therefore takes effect on every instance at the next lint, with no TTL.
//!
//! The cache is process-wide and keyed by workspace id. Versions are random values
//! (empty before a workspace first saves lists, when its linter is the built-in one), so
//! two stores in one process — the test suite runs many — cannot mistake one another's
//! lists for their own.

use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::i18n::Tr;
use fanloop_domain::{Locale, WorkspaceId};
use fanloop_store::scripts::WordLists;
use fanloop_text::{Linter, Pack, WordList, WordsError};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Longest list accepted, in characters (about 20,000 typical terms); the linter stays
/// quick to build and the settings page quick to load.
pub const MAX_LIST_CHARS: usize = 200_000;
/// At most this many bad lines are reported at once; the rest wait for the next save.
const MAX_PROBLEMS: usize = 20;

struct Cached {
    version: String,
    linter: Arc<Linter>,
}

static CACHE: LazyLock<Mutex<HashMap<i64, Cached>>> = LazyLock::new(Default::default);

/// The workspace's linter, from the cache when its lists have not changed since it was
/// built. Failures are internal (the lists were checked when saved).
pub async fn workspace_linter(
    state: &AppState,
    workspace: WorkspaceId,
) -> Result<Arc<Linter>, ApiError> {
    let tr = Tr::new(Locale::default());
    let version = state
        .store
        .word_lists_version(workspace)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    if let Some(linter) = cached(workspace, &version) {
        return Ok(linter);
    }
    let lists = if version.is_empty() {
        WordLists::default()
    } else {
        state
            .store
            .word_lists(workspace)
            .await
            .map_err(|e| ApiError::store(&tr, e))?
    };
    // A large list takes long enough to build that it must not hold an async worker.
    let built = tokio::task::spawn_blocking(move || build(&lists))
        .await
        .map_err(|e| ApiError::internal(&tr, &e))?
        .map_err(|e| ApiError::internal(&tr, &e))?;
    let linter = Arc::new(built);
    if let Ok(mut cache) = CACHE.lock() {
        // Keyed by the version read *before* loading, so a save racing this build makes
        // the next call rebuild rather than keep a stale linter under a new version.
        cache.insert(
            workspace.0,
            Cached {
                version,
                linter: linter.clone(),
            },
        );
    }
    Ok(linter)
}

fn cached(workspace: WorkspaceId, version: &str) -> Option<Arc<Linter>> {
    let cache = CACHE.lock().ok()?;
    cache
        .get(&workspace.0)
        .filter(|c| c.version == version)
        .map(|c| c.linter.clone())
}

/// Builds a linter from saved lists. Saved lists were checked on the way in; a line that
/// no longer parses (a list written by an older rule) is skipped and logged rather than
/// leaving the workspace without any linter.
fn build(lists: &WordLists) -> Result<Linter, fanloop_text::BuildError> {
    let mut builder = Linter::builder();
    for code in &lists.packs {
        match Pack::parse(code) {
            Some(pack) => builder = builder.pack(pack),
            None => tracing::warn!(pack = %code, "unknown industry pack in saved word lists"),
        }
    }
    for text in [&lists.banned, &lists.preferred] {
        for line in text.lines() {
            match WordList::parse(line) {
                Ok(words) => builder = builder.words(words),
                Err(e) => tracing::warn!(error = %e, "skipping a saved word-list line"),
            }
        }
    }
    builder.build()
}

/// Checks lists as typed or sent: both in the WordList format, the banned list holding
/// bare terms only and the preferred list `word => replacement` pairs only, so each box
/// means one thing. Every problem names its field and line.
pub(crate) fn check_lists(
    tr: &Tr,
    banned: &str,
    preferred: &str,
    packs: &[String],
) -> Result<Vec<Pack>, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    for (field, text) in [("banned", banned), ("preferred", preferred)] {
        let chars = text.chars().count();
        if chars > MAX_LIST_CHARS {
            problems.push(FieldProblem {
                field: field.into(),
                message: tr.t1("invalid.too_long", MAX_LIST_CHARS),
            });
            continue;
        }
        for (index, raw) in text.lines().enumerate() {
            if let Some(key) = line_problem(field, raw) {
                problems.push(FieldProblem {
                    field: field.into(),
                    message: tr.t1(key, index + 1),
                });
            }
        }
    }
    let mut chosen = Vec::new();
    for code in packs {
        match Pack::parse(code) {
            Some(pack) if !chosen.contains(&pack) => chosen.push(pack),
            Some(_) => {}
            None => problems.push(FieldProblem {
                field: "packs".into(),
                message: tr.t1("words.unknown_pack", code),
            }),
        }
    }
    problems.truncate(MAX_PROBLEMS);
    if problems.is_empty() {
        Ok(chosen)
    } else {
        Err(problems)
    }
}

/// The catalog key of what is wrong with one line of `field`, if anything.
fn line_problem(field: &str, raw: &str) -> Option<&'static str> {
    if raw
        .chars()
        .any(|c| c.is_control() && c != '\t' && c != '\r')
    {
        return Some("words.line_control");
    }
    match WordList::parse(raw) {
        Err(WordsError::EmptySide { .. }) => Some("words.line_empty_side"),
        Err(WordsError::TwoArrows { .. }) => Some("words.line_two_arrows"),
        Ok(list) if field == "banned" && !list.preferred.is_empty() => {
            Some("words.line_arrow_in_banned")
        }
        Ok(list) if field == "preferred" && !list.banned.is_empty() => {
            Some("words.line_needs_arrow")
        }
        Ok(_) => None,
    }
}

/// Appends imported text to a list as typed: on a new line, without the file's
/// byte-order mark, line endings made uniform.
pub(crate) fn append(list: &str, imported: &str) -> String {
    let imported = imported
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n");
    let list = list.trim_end();
    if list.is_empty() {
        imported.trim_end().to_owned()
    } else {
        format!("{list}\n{}", imported.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WebConfig;
    use fanloop_domain::{DisplayName, Email, WorkspaceProfile};
    use fanloop_text::Post;

    #[test]
    fn lists_name_the_line() {
        let tr = Tr::new(Locale::En);
        let ok = check_lists(&tr, "# 注释\n竞品A\n\nC#", "亲 => 您", &["food".into()]);
        assert_eq!(ok.unwrap(), vec![Pack::Food]);
        let problems = check_lists(
            &tr,
            "竞品A\n亲 => 您",
            "亲 => 您\n宝宝\na => b => c\n=> x",
            &["cosmetics".into(), "tobacco".into()],
        )
        .unwrap_err();
        let seen: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.field.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(seen.len(), 5, "{seen:?}");
        assert!(seen[0].0 == "banned" && seen[0].1.contains("2"), "{seen:?}");
        assert!(
            seen[1].0 == "preferred" && seen[1].1.contains("2"),
            "{seen:?}"
        );
        assert!(
            seen[2].1.contains("3") && seen[3].1.contains("4"),
            "{seen:?}"
        );
        assert_eq!(seen[4].0, "packs");
        assert_eq!(append("a\n", "\u{feff}b\r\nc\n"), "a\nb\nc");
        assert_eq!(append("", "b"), "b");
    }

    #[tokio::test]
    async fn the_linter_follows_the_saved_lists() {
        let dir = std::env::temp_dir().join(format!(
            "fanloop-linting-{}",
            &fanloop_store::new_token("")[..12]
        ));
        let vault = fanloop_store::Vault::from_key([1; 32]);
        let store = fanloop_store::Store::open(&dir, None, vault).await.unwrap();
        let email = Email::parse("owner@example.com").unwrap();
        let name = DisplayName::parse("Owner").unwrap();
        let user = store
            .create_user(&email, &name, "x", Locale::ZhCn)
            .await
            .unwrap();
        let profile = WorkspaceProfile::parse("品牌", "Asia/Shanghai", "zh-CN", "").unwrap();
        let ws = store.create_workspace(user.id, &profile).await.unwrap();
        let state = AppState::new(store.clone(), WebConfig::new("http://localhost", &dir));
        let rules = |linter: &Linter| {
            let text = "竞品A 的特效面霜，亲";
            let findings = linter.lint(&Post::plain(text), None, Locale::ZhCn);
            let mut rules: Vec<String> = findings
                .iter()
                .map(|f| format!("{}/{}", f.rule, f.category))
                .collect();
            rules.dedup();
            rules
        };

        let before = workspace_linter(&state, ws.id()).await.unwrap();
        assert!(rules(&before).iter().all(|r| !r.starts_with("workspace")));
        assert!(rules(&before).iter().all(|r| !r.starts_with("cosmetics")));
        store
            .set_word_lists(ws.id(), "竞品A", "亲 => 您", &["cosmetics"], user.id)
            .await
            .unwrap();
        let after = workspace_linter(&state, ws.id()).await.unwrap();
        let found = rules(&after);
        for expected in [
            "workspace/banned",
            "workspace/preferred",
            "cosmetics/efficacy",
        ] {
            assert!(
                found.iter().any(|r| r == expected),
                "{expected} in {found:?}"
            );
        }
        let again = workspace_linter(&state, ws.id()).await.unwrap();
        assert!(
            Arc::ptr_eq(&after, &again),
            "unchanged lists reuse the linter"
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
