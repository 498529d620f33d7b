//! The rules around a post that both faces share: assignee, due date and cover
//! references, @mentions in comments, variants edited on their own, and version diffs.

use super::{decide_for, stale};
use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use fanloop_domain::{PostStatus, ReviewAction, UserId};
use fanloop_store::post_extras::{PostMeta, VariantEdit, VersionEntry};
use fanloop_store::{Member, Post, StoreError};
use serde::Serialize;

/// Comments are short notes between teammates, not articles.
pub const COMMENT_MAX: usize = 4000;

/// A due date as typed: `YYYY-MM-DD`, or empty for none.
pub fn parse_due_date(raw: &str) -> Result<Option<String>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    // jiff also accepts forms such as "2025-1-2"; only the canonical form round-trips.
    match raw.parse::<jiff::civil::Date>() {
        Ok(date) if date.to_string() == raw => Ok(Some(raw.to_owned())),
        _ => Err(()),
    }
}

/// Today's date in the workspace's time zone, as `YYYY-MM-DD`.
pub fn today(timezone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(tz).date().to_string()
}

/// Past its due day (in the workspace's time zone) and not yet approved.
pub fn overdue(post: &Post, today: &str) -> bool {
    post.status != PostStatus::Approved && post.due_date.as_deref().is_some_and(|due| due < today)
}

/// Refuses, naming every field, an assignee who is not a member or a cover that is not
/// the workspace's media.
pub async fn check_refs(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    assignee: Option<UserId>,
    covers: &[(&'static str, Option<i64>)],
) -> Result<(), ApiError> {
    let invalid = state
        .store
        .refs_invalid(ctx.id(), assignee, covers)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    if invalid.is_empty() {
        return Ok(());
    }
    Err(ApiError::fields(
        tr,
        invalid
            .into_iter()
            .map(|field| FieldProblem {
                field: field.to_owned(),
                message: tr
                    .t(if field == "assignee_id" {
                        "extras.not_a_member"
                    } else {
                        "extras.unknown_media"
                    })
                    .to_owned(),
            })
            .collect(),
    ))
}

/// Checks a due date and the references of `meta` together.
pub async fn check_meta(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    meta: &PostMeta,
) -> Result<(), ApiError> {
    check_refs(
        state,
        tr,
        ctx,
        meta.assignee,
        &[("cover_media_id", meta.cover_media_id)],
    )
    .await
}

// ---- mentions -------------------------------------------------------------------------

/// A piece of a comment: plain text, or a mention of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Segment {
    Text(String),
    Mention { user_id: i64, text: String },
}

/// Splits a comment into text and @mentions of members, each named by display name or
/// by the part of their email before `@`, ignoring case. The longest name wins, so
/// "@Ann Lee" finds Ann Lee rather than Ann; Chinese text needs no space after a name
/// ("@小满请看"). An `@` inside a word (an email address) mentions no one.
pub fn segments(text: &str, members: &[Member]) -> Vec<Segment> {
    let mut names: Vec<(String, i64)> = Vec::new();
    for m in members {
        let local = m.email.split('@').next().unwrap_or("");
        for name in [m.display_name.as_str(), local] {
            if !name.is_empty() {
                names.push((name.to_lowercase(), m.user_id));
            }
        }
    }
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let at_word_start = !prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '.');
        let found = (matches!(c, '@' | '＠') && at_word_start)
            .then(|| mention_at(after, &names))
            .flatten();
        match found {
            Some((len, user_id)) => {
                if !plain.is_empty() {
                    out.push(Segment::Text(std::mem::take(&mut plain)));
                }
                out.push(Segment::Mention {
                    user_id,
                    text: rest[..c.len_utf8() + len].to_owned(),
                });
                prev = after[..len].chars().last();
                rest = &after[len..];
            }
            None => {
                plain.push(c);
                prev = Some(c);
                rest = after;
            }
        }
    }
    if !plain.is_empty() {
        out.push(Segment::Text(plain));
    }
    out
}

/// The byte length and user of the longest member name `text` starts with, provided
/// the name does not run on into more letters of a Latin word.
fn mention_at(text: &str, names: &[(String, i64)]) -> Option<(usize, i64)> {
    names.iter().find_map(|(name, user)| {
        let head = text.get(..name.len())?;
        let boundary = !text[name.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        (head.to_lowercase() == *name && boundary).then_some((name.len(), *user))
    })
}

/// The members a comment mentions, each once.
pub fn mentioned(segments: &[Segment]) -> Vec<UserId> {
    let mut ids: Vec<UserId> = Vec::new();
    for s in segments {
        if let Segment::Mention { user_id, .. } = s
            && !ids.contains(&UserId(*user_id))
        {
            ids.push(UserId(*user_id));
        }
    }
    ids
}

/// Checks and stores a comment with the members it mentions.
pub async fn comment(
    state: &AppState,
    tr: &Tr,
    principal: &Principal,
    ctx: &WorkspaceCtx,
    post_id: i64,
    body: &str,
) -> Result<i64, ApiError> {
    let body = body.trim();
    let problem = if body.is_empty() {
        Some(tr.t("invalid.required").to_owned())
    } else if body.chars().count() > COMMENT_MAX {
        Some(tr.t1("invalid.too_long", COMMENT_MAX))
    } else if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some(tr.t("invalid.control").to_owned())
    } else {
        None
    };
    if let Some(message) = problem {
        return Err(ApiError::fields(
            tr,
            vec![FieldProblem {
                field: "body".into(),
                message,
            }],
        ));
    }
    let members = state
        .store
        .members(ctx.id())
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    let mentions = mentioned(&segments(body, &members));
    state
        .store
        .add_comment(ctx.id(), post_id, principal.user.id, body, &mentions)
        .await
        .map_err(|e| ApiError::store(tr, e))
}

// ---- variants -------------------------------------------------------------------------

/// Saves a variant's own text (or, with `None`, resets it to the master); either is an
/// edit of the post, so an approved post goes back to review.
pub async fn change_variant(
    state: &AppState,
    tr: &Tr,
    principal: &Principal,
    ctx: &WorkspaceCtx,
    post: &Post,
    variant_id: i64,
    edit: Option<&VariantEdit>,
) -> Result<(), ApiError> {
    if !post.variants.iter().any(|v| v.id == variant_id) {
        return Err(ApiError::not_found(tr));
    }
    if let Some(edit) = edit {
        check_refs(
            state,
            tr,
            ctx,
            None,
            &[("cover_media_id", edit.cover_media_id)],
        )
        .await?;
    }
    let decision = decide_for(state, tr, principal, ctx, post, &ReviewAction::Edit).await?;
    let store = &state.store;
    let user = principal.user.id;
    let result = match edit {
        Some(edit) => {
            store
                .edit_variant(ctx.id(), post, variant_id, user, edit, &decision)
                .await
        }
        None => {
            store
                .reset_variant(ctx.id(), post, variant_id, user, &decision)
                .await
        }
    };
    result.map(|_| ()).map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found(tr),
        other => stale(tr, other),
    })
}

// ---- diffs ----------------------------------------------------------------------------

/// One line of a diff: `equal`, `insert` or `delete`.
#[derive(Debug, Clone, Serialize)]
pub struct DiffLine {
    pub op: &'static str,
    pub text: String,
}

/// What one version changed from the one before it (from nothing, for the first).
#[derive(Debug, Clone, Serialize)]
pub struct VersionDiff {
    pub version: i64,
    pub previous: Option<i64>,
    pub title_before: Option<String>,
    pub title_after: String,
    pub summary: String,
    /// Runs of changed body lines with up to three unchanged lines around each.
    pub hunks: Vec<Vec<DiffLine>>,
}

pub fn diff(before: Option<&VersionEntry>, after: &VersionEntry) -> VersionDiff {
    let old = before.map(|b| b.body.as_str()).unwrap_or("");
    let text_diff = similar::TextDiff::from_lines(old, &after.body);
    let hunks = text_diff
        .grouped_ops(3)
        .iter()
        .map(|group| {
            group
                .iter()
                .flat_map(|op| text_diff.iter_changes(op))
                .map(|change| DiffLine {
                    op: match change.tag() {
                        similar::ChangeTag::Equal => "equal",
                        similar::ChangeTag::Insert => "insert",
                        similar::ChangeTag::Delete => "delete",
                    },
                    text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                })
                .collect()
        })
        .collect();
    VersionDiff {
        version: after.version,
        previous: before.map(|b| b.version),
        title_before: before
            .map(|b| b.title.clone())
            .filter(|t| *t != after.title),
        title_after: after.title.clone(),
        summary: after.summary.clone(),
        hunks,
    }
}

/// Loads version `version` of a post and the one before it, and diffs them.
pub async fn version_diff(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    post_id: i64,
    version: i64,
) -> Result<VersionDiff, ApiError> {
    let store = &state.store;
    let after = store
        .version(ctx.id(), post_id, version)
        .await
        .map_err(|e| ApiError::store(tr, e))?
        .ok_or_else(|| ApiError::not_found(tr))?;
    let before = match version {
        v if v > 1 => store
            .version(ctx.id(), post_id, v - 1)
            .await
            .map_err(|e| ApiError::store(tr, e))?,
        _ => None,
    };
    Ok(diff(before.as_ref(), &after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanloop_domain::Role;

    fn member(id: i64, name: &str, email: &str) -> Member {
        Member {
            user_id: id,
            email: email.into(),
            display_name: name.into(),
            role: Role::Editor,
            joined_at: 0,
        }
    }

    #[test]
    fn mentions_resolve_to_members() {
        let team = [
            member(1, "小满", "xm@example.com"),
            member(2, "Ann", "ann@example.com"),
            member(3, "Ann Lee", "lee@example.com"),
        ];
        let cases: [(&str, &[i64]); 8] = [
            ("@小满请看一下", &[1]),
            ("cc @XM and @ann.", &[1, 2]),
            ("@Ann Lee 改标题", &[3]),
            ("@annie 不是成员", &[]),
            ("mail ann@example.com", &[]),
            ("＠小满 @小满", &[1]),
            ("@lee", &[3]),
            ("no mention @ all", &[]),
        ];
        for (text, want) in cases {
            let got: Vec<i64> = mentioned(&segments(text, &team))
                .iter()
                .map(|u| u.0)
                .collect();
            assert_eq!(got, want, "{text}");
        }
        let s = segments("看 @Ann!", &team);
        assert_eq!(
            s,
            [
                Segment::Text("看 ".into()),
                Segment::Mention {
                    user_id: 2,
                    text: "@Ann".into()
                },
                Segment::Text("!".into())
            ]
        );
    }

    #[test]
    fn due_dates() {
        assert_eq!(
            parse_due_date(" 2025-03-09 "),
            Ok(Some("2025-03-09".into()))
        );
        assert_eq!(parse_due_date(""), Ok(None));
        for bad in ["2025-3-9", "2025-02-30", "tomorrow", "2025-03-09T10:00"] {
            assert!(parse_due_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn diffs_show_changed_lines() {
        let v = |version: i64, title: &str, body: &str| VersionEntry {
            version,
            title: title.into(),
            body: body.into(),
            author_id: 1,
            author_name: "a".into(),
            at: 0,
            summary: String::new(),
        };
        let d = diff(Some(&v(1, "t", "a\nb\nc\n")), &v(2, "t2", "a\nB\nc\n"));
        let ops: Vec<(&str, &str)> = d.hunks[0].iter().map(|l| (l.op, l.text.as_str())).collect();
        assert_eq!(
            ops,
            [
                ("equal", "a"),
                ("delete", "b"),
                ("insert", "B"),
                ("equal", "c")
            ]
        );
        assert_eq!(d.title_before.as_deref(), Some("t"));
        let first = diff(None, &v(1, "t", "x"));
        assert_eq!(first.hunks[0][0].op, "insert");
        assert!(
            diff(Some(&v(1, "t", "x")), &v(2, "t", "x"))
                .hunks
                .is_empty()
        );
    }
}
