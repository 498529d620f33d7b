//! Review as both faces use it: load a post, ask the domain whether an action is
//! allowed under the workspace's rules, and store the decision. The API and the pages
//! call these so the rules are enforced in one place.

pub mod extras;

use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use fanloop_domain::{
    Actor, Decision, PostDraft, Refusal, ReviewAction, ReviewState, UserId, decide,
};
use fanloop_domain::{Locale, Platform};
use fanloop_store::post_extras::PostMeta;
use fanloop_store::{Post, StoreError};
use fanloop_text::{Finding, Linter, Post as TextPost, Severity};

/// The findings of one text of a post: the master (no platform) or a variant.
pub struct Linted {
    pub variant_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub platform: Option<Platform>,
    pub findings: Vec<Finding>,
}

/// Lints the master and every variant, each against its own platform's rules, with the
/// workspace's linter (`crate::linting::workspace_linter`: its word lists and packs).
pub fn lint(linter: &Linter, post: &Post, lang: Locale) -> Vec<Linted> {
    let source = |title: &str, body: &str| format!("# {title}\n{body}");
    let master = source(&post.title, &post.body);
    let mut out = vec![Linted {
        variant_id: None,
        channel_id: None,
        platform: None,
        findings: linter.lint(&TextPost::markdown(&master), None, lang),
    }];
    for v in &post.variants {
        let text = source(&v.title, &v.body);
        let mut parsed = TextPost::markdown(&text);
        parsed.tags = v.tags.len();
        out.push(Linted {
            variant_id: Some(v.id),
            channel_id: Some(v.channel_id),
            platform: Some(v.platform),
            findings: linter.lint(&parsed, Some(v.platform), lang),
        });
    }
    out
}

/// Findings for a master being typed, before it is saved.
pub fn lint_text(linter: &Linter, title: &str, body: &str, lang: Locale) -> Vec<Finding> {
    let source = format!("# {title}\n{body}");
    linter.lint(&TextPost::markdown(&source), None, lang)
}

/// How many error-severity findings the post's master and variants carry.
pub fn lint_errors(linter: &Linter, post: &Post) -> usize {
    lint(linter, post, Locale::ZhCn)
        .iter()
        .flat_map(|l| &l.findings)
        .filter(|f| f.severity == Severity::Error)
        .count()
}

pub async fn load(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    post_id: i64,
) -> Result<Post, ApiError> {
    state
        .store
        .post(ctx.id(), post_id)
        .await
        .map_err(|e| ApiError::store(tr, e))?
        .ok_or_else(|| ApiError::not_found(tr))
}

/// Saves a new version of the master with its assignee, due date and cover; an
/// approved post goes back to review.
pub async fn edit(
    state: &AppState,
    tr: &Tr,
    principal: &Principal,
    ctx: &WorkspaceCtx,
    post: &Post,
    draft: &PostDraft,
    meta: &PostMeta,
) -> Result<(), ApiError> {
    extras::check_meta(state, tr, ctx, meta).await?;
    let decision = decide_for(state, tr, principal, ctx, post, &ReviewAction::Edit).await?;
    state
        .store
        .edit_post_with(ctx.id(), post, principal.user.id, draft, meta, &decision)
        .await
        .map(|_| ())
        .map_err(|e| stale(tr, e))
}

#[allow(clippy::too_many_arguments)]
pub async fn transition(
    state: &AppState,
    tr: &Tr,
    principal: &Principal,
    ctx: &WorkspaceCtx,
    post: &Post,
    name: &str,
    action: &ReviewAction,
    note: &str,
) -> Result<(), ApiError> {
    let decision = decide_for(state, tr, principal, ctx, post, action).await?;
    state
        .store
        .apply_review(ctx.id(), post, principal.user.id, name, &decision, note)
        .await
        .map_err(|e| stale(tr, e))
}

/// Asks the domain whether the action is allowed under the workspace's rules.
pub async fn decide_for(
    state: &AppState,
    tr: &Tr,
    principal: &Principal,
    ctx: &WorkspaceCtx,
    post: &Post,
    action: &ReviewAction,
) -> Result<Decision, ApiError> {
    let rules = state
        .store
        .approval_rules(ctx.id())
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    let review = ReviewState {
        status: post.status,
        author: UserId(post.author_id),
        approvals: post.approvals.clone(),
    };
    let actor = Actor {
        user: principal.user.id,
        role: ctx.role,
    };
    decide(&rules, &review, actor, action).map_err(|refusal| refused(tr, &refusal))
}

fn refused(tr: &Tr, refusal: &Refusal) -> ApiError {
    let message = match refusal {
        Refusal::WrongStatus { status } => tr.t1(
            "review.wrong_status",
            tr.t(&format!("status.{}", status.code())),
        ),
        Refusal::LintErrorsBlock { errors } => tr.t1("review.lint_errors_block", errors),
        other => tr.t(&format!("review.{}", other.code())).to_owned(),
    };
    match refusal {
        Refusal::CommentRequired => ApiError::fields(
            tr,
            vec![FieldProblem {
                field: "comment".into(),
                message,
            }],
        ),
        r if r.is_forbidden() => ApiError::forbidden(tr, message),
        _ => ApiError::conflict(tr, "status", message),
    }
}

/// Someone else moved the post between our read and our write.
fn stale(tr: &Tr, e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::conflict(tr, "version", tr.t("review.post_changed")),
        other => ApiError::store(tr, other),
    }
}
