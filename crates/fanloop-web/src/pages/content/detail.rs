//! One post: the master form, variant previews with their own edit forms, review
//! actions, scheduling (`calendar::schedule`), compliance findings, version history with
//! diffs, and the comment thread.

use super::{PostForm, StatusView, status_view};
use crate::AppState;
use crate::error::ApiError;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::i18n::Tr;
use crate::pages::calendar::schedule::{self as scheduling, ScheduleCard};
use crate::pages::{FieldErrors, Page, Shell, render};
use crate::review::extras::{self as post_extras, Segment, VersionDiff};
use crate::review::{self, Linted};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{ApprovalRules, Permission, Platform, PostStatus, ReviewAction, Role, UserId};
use fanloop_render::{Body as RenderedBody, Options as RenderOptions, Target};
use fanloop_store::post_extras::VersionEntry;
use fanloop_store::{Member, Post, ReviewEntry};
use fanloop_text::{Finding, Severity};
use serde::Deserialize;

/// An API refusal as inline form errors: each field, and the summary under `review`.
pub(crate) fn api_errors(e: ApiError) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for p in &e.errors {
        errors.set(&p.field, p.message.clone());
    }
    errors.set("review", e.detail);
    errors
}

/// A variant as its platform will show it, in a phone-sized frame.
pub struct Preview {
    pub variant_id: i64,
    pub label: String,
    pub platform: &'static str,
    /// Renderer-made HTML (raw HTML in the Markdown is escaped by the renderer).
    pub html: Option<String>,
    pub text: Option<String>,
    pub count: usize,
    pub limit: Option<usize>,
    pub over: bool,
    pub fold_at: Option<usize>,
}

/// How `platform` shows a title, Markdown body and tags.
pub fn preview_of(
    id: i64,
    label: String,
    platform: Platform,
    title: &str,
    body: &str,
    tags: &[String],
    theme: &fanloop_render::Theme,
) -> Preview {
    let target = Target::for_platform(platform).unwrap_or(Target::Plain);
    let options = RenderOptions {
        title: Some(title.to_owned()),
        tags: tags.to_vec(),
        theme: theme.clone(),
    };
    let rendered = fanloop_render::render(body, target, &options);
    let (html, text) = match &rendered.body {
        RenderedBody::Html(h) => (Some(h.clone()), None),
        other => (None, Some(other.as_str().to_owned())),
    };
    let report = &rendered.report.body;
    Preview {
        variant_id: id,
        label,
        platform: platform.code(),
        html,
        text,
        count: report.count,
        limit: report.limit,
        over: report.over,
        fold_at: report.fold_at,
    }
}

fn previews(post: &Post, tr: &Tr, theme: &fanloop_render::Theme) -> Vec<Preview> {
    post.variants
        .iter()
        .map(|v| {
            let label = format!("{} · {}", v.channel_name, v.platform.label(tr.lang));
            preview_of(v.id, label, v.platform, &v.title, &v.body, &v.tags, theme)
        })
        .collect()
}

/// A comment ready to show: who, when, and its text with mentions marked.
pub struct CommentItem {
    pub author_name: String,
    pub at: i64,
    pub segments: Vec<Segment>,
    pub mentions_me: bool,
}

#[derive(Template)]
#[template(path = "content_detail.html")]
struct DetailPage<'a> {
    shell: Shell,
    post: &'a Post,
    form: &'a PostForm,
    history: Vec<ReviewEntry>,
    linted: Vec<Linted>,
    can_write: bool,
    can_approve: bool,
    is_owner: bool,
    errors: FieldErrors,
    notice: Option<&'static str>,
    timezone: String,
    /// The viewer, to know whether they already approved this version.
    me: i64,
    previews: Vec<Preview>,
    rules: ApprovalRules,
    role: Role,
    members: Vec<Member>,
    comments: Vec<CommentItem>,
    can_comment: bool,
    versions: Vec<VersionEntry>,
    /// The version diff asked for with `?diff=N`.
    diff: Option<VersionDiff>,
    overdue: bool,
    /// Publications of the post and, once approved, the form to schedule it.
    schedule: ScheduleCard,
}

impl DetailPage<'_> {
    fn status(&self) -> StatusView {
        status_view(&self.shell.tr, self.post.status)
    }

    fn when(&self, at: &i64) -> String {
        self.shell.tr.datetime(*at, &self.timezone)
    }

    fn lint_errors(&self) -> usize {
        self.linted
            .iter()
            .flat_map(|l| &l.findings)
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    fn lint_label(&self, l: &Linted) -> String {
        match (l.platform, l.channel_id) {
            (Some(p), Some(channel)) => {
                let name = self
                    .post
                    .variants
                    .iter()
                    .find(|v| v.channel_id == channel)
                    .map(|v| v.channel_name.as_str())
                    .unwrap_or("");
                format!("{name} · {}", p.label(self.shell.tr.lang))
            }
            _ => self.shell.tr.t("content.master").to_owned(),
        }
    }

    fn severity(&self, f: &Finding) -> &'static str {
        f.severity.code()
    }

    fn action_label(&self, e: &ReviewEntry) -> &'static str {
        self.shell.tr.t(&format!("review.action.{}", e.action))
    }

    fn status_label(&self, code: &str) -> &'static str {
        self.shell.tr.t(&format!("status.{code}"))
    }

    fn can_submit(&self) -> bool {
        self.can_write
            && matches!(
                self.post.status,
                PostStatus::Draft | PostStatus::ChangesRequested
            )
    }

    fn can_review(&self) -> bool {
        self.can_approve
            && self.post.status == PostStatus::InReview
            && self.rules.approver_roles.contains(&self.role)
    }

    /// Why this viewer cannot approve although they review, if so.
    fn approve_blocked(&self) -> Option<&'static str> {
        if self.post.author_id == self.me && !self.rules.author_may_approve {
            Some(self.shell.tr.t("review.author_may_not_approve"))
        } else if self.approved_by_me() {
            Some(self.shell.tr.t("review.already_approved"))
        } else {
            None
        }
    }

    fn approved_by_me(&self) -> bool {
        self.post.approvals.contains(&UserId(self.me))
    }

    /// Where a master finding lies in the editor, when the editor shows the text that
    /// was linted (after a refused save it shows what was typed instead, and the live
    /// findings take over on the next keystroke).
    fn spot(&self, l: &Linted, f: &Finding) -> Option<super::spots::Spot> {
        let shown = self.form.title == self.post.title && self.form.body == self.post.body;
        (l.variant_id.is_none() && shown)
            .then(|| super::spots::spot(&self.post.title, &self.post.body, f))
            .flatten()
    }

    fn severity_label(&self, f: &Finding) -> &'static str {
        self.shell.tr.t(&format!("severity.{}", f.severity.code()))
    }

    fn assigned(&self, m: &Member) -> bool {
        self.form.assignee == m.user_id.to_string()
    }

    /// "Only the variant of 公众号 changed" for versions made by variant edits.
    fn summary(&self, summary: &str) -> String {
        match summary.split_once(':') {
            Some((kind, name)) => self.shell.tr.t1(&format!("extras.summary.{kind}"), name),
            None => String::new(),
        }
    }

    /// The variants' platforms, once each, for the live preview's picker.
    fn preview_platforms(&self) -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<(&'static str, &'static str)> = Vec::new();
        for v in &self.post.variants {
            let entry = (v.platform.code(), v.platform.label(self.shell.tr.lang));
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        out
    }

    fn variant_tags(&self, id: &i64) -> String {
        self.post
            .variants
            .iter()
            .find(|v| v.id == *id)
            .map(|v| v.tags.join(", "))
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    done: String,
    /// A version whose diff to show.
    diff: Option<i64>,
}

pub async fn detail(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    Query(q): Query<DetailQuery>,
) -> Response {
    let notice = match q.done.as_str() {
        "saved" => Some("form.saved"),
        "submit" => Some("content.done_submit"),
        "approve" => Some("content.done_approve"),
        "request_changes" => Some("content.done_request_changes"),
        "comment" => Some("extras.done_comment"),
        "variant" => Some("extras.done_variant"),
        "reset" => Some("extras.done_reset"),
        "schedule" => Some("schedule.done"),
        "unschedule" => Some("schedule.done_unschedule"),
        _ => None,
    };
    show_detail(
        &state,
        &page,
        &ctx,
        post_id,
        StatusCode::OK,
        None,
        FieldErrors::default(),
        notice,
        q.diff,
        scheduling::Typed::default(),
    )
    .await
}

/// The post page again after a refused scheduling, the form as typed.
pub(crate) async fn show_scheduling(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    post_id: i64,
    status: StatusCode,
    typed: scheduling::Typed,
) -> Response {
    let errors = FieldErrors::default();
    show_detail(
        state, page, ctx, post_id, status, None, errors, None, None, typed,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn show_detail(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    post_id: i64,
    status: StatusCode,
    typed: Option<&PostForm>,
    errors: FieldErrors,
    notice: Option<&'static str>,
    diff: Option<i64>,
    sched: scheduling::Typed,
) -> Response {
    let post = match review::load(state, &page.tr, ctx, post_id).await {
        Ok(post) => post,
        Err(e) => return page.refuse(e.status, &e.detail),
    };
    let shell = match Shell::load(state, page, Some(ctx), "content").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let (history, rules) = match (
        state.store.review_log(post.id).await,
        state.store.approval_rules(ctx.id()).await,
    ) {
        (Ok(history), Ok(rules)) => (history, rules),
        (Err(e), _) | (_, Err(e)) => return page.fail(&e),
    };
    let me = page.principal.user.id;
    let (members, comments, versions) = match (
        state.store.members(ctx.id()).await,
        state.store.comments(ctx.id(), post.id).await,
        state.store.versions(ctx.id(), post.id).await,
    ) {
        (Ok(m), Ok(c), Ok(v)) => (m, c, v),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return page.fail(&e),
    };
    // Opening the post is reading what mentions the viewer here.
    if let Err(e) = state.store.read_mentions(post.id, me).await {
        return page.fail(&e);
    }
    let diff = match diff {
        Some(v) => match post_extras::version_diff(state, &page.tr, ctx, post.id, v).await {
            Ok(d) => Some(d),
            Err(e) if e.status == StatusCode::NOT_FOUND => None,
            Err(e) => return page.refuse(e.status, &e.detail),
        },
        None => None,
    };
    let comments = comments
        .into_iter()
        .map(|c| CommentItem {
            segments: post_extras::segments(&c.body, &members),
            mentions_me: c.mentions.contains(&me.0),
            author_name: c.author_name,
            at: c.at,
        })
        .collect();
    let linter = match crate::linting::workspace_linter(state, ctx.id()).await {
        Ok(linter) => linter,
        Err(e) => return page.refuse(e.status, &e.detail),
    };
    let theme = match crate::theme::workspace_theme(state, &page.tr, ctx.id()).await {
        Ok(theme) => theme,
        Err(e) => return page.refuse(e.status, &e.detail),
    };
    let schedule = match scheduling::card(state, &page.tr, ctx, &post, sched).await {
        Ok(card) => card,
        Err(e) => return page.refuse(e.status, &e.detail),
    };
    let saved = PostForm::of(&post);
    let form = typed.unwrap_or(&saved);
    let view = DetailPage {
        shell,
        linted: review::lint(&linter, &post, page.tr.lang),
        post: &post,
        form,
        history,
        can_write: ctx.role.allows(Permission::WriteContent),
        can_approve: ctx.role.allows(Permission::ApproveContent),
        is_owner: ctx.role == Role::Owner,
        errors,
        notice,
        timezone: ctx.workspace.timezone.clone(),
        me: page.principal.user.id.0,
        previews: previews(&post, &page.tr, &theme),
        rules,
        role: ctx.role,
        members,
        comments,
        can_comment: ctx.role.allows(Permission::AnswerInbox),
        versions,
        diff,
        overdue: post_extras::overdue(&post, &post_extras::today(&ctx.workspace.timezone)),
        schedule,
    };
    render(status, &view)
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = PostForm::from_pairs(&pairs);
    let meta = match form.meta(&page.tr) {
        Ok(meta) => meta,
        Err(errors) => {
            return show_detail(
                &state,
                &page,
                &ctx,
                post_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&form),
                errors,
                None,
                None,
                scheduling::Typed::default(),
            )
            .await;
        }
    };
    let draft = match form.parse() {
        Ok(draft) => draft,
        Err(errors) => {
            let errors = FieldErrors::from_invalid(&page.tr, &errors);
            return show_detail(
                &state,
                &page,
                &ctx,
                post_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&form),
                errors,
                None,
                None,
                scheduling::Typed::default(),
            )
            .await;
        }
    };
    let result = match review::load(&state, &page.tr, &ctx, post_id).await {
        Ok(post) => {
            review::edit(
                &state,
                &page.tr,
                &page.principal,
                &ctx,
                &post,
                &draft,
                &meta,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &page, &ctx, post_id, result, "saved", Some(&form)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    override_reason: String,
    comment: String,
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let result = match review::load(&state, &page.tr, &ctx, post_id).await {
        Ok(post) => {
            let linter = match crate::linting::workspace_linter(&state, ctx.id()).await {
                Ok(linter) => linter,
                Err(e) => return page.refuse(e.status, &e.detail),
            };
            let reason = Some(f.override_reason).filter(|r| !r.trim().is_empty());
            let action = ReviewAction::Submit {
                lint_errors: review::lint_errors(&linter, &post),
                override_reason: reason,
            };
            review::transition(
                &state,
                &page.tr,
                &page.principal,
                &ctx,
                &post,
                "submit",
                &action,
                "",
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &page, &ctx, post_id, result, "submit", None).await
}

pub async fn approve(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
) -> Response {
    let result = match review::load(&state, &page.tr, &ctx, post_id).await {
        Ok(post) => {
            review::transition(
                &state,
                &page.tr,
                &page.principal,
                &ctx,
                &post,
                "approve",
                &ReviewAction::Approve,
                "",
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &page, &ctx, post_id, result, "approve", None).await
}

pub async fn request_changes(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let comment = f.comment.trim().to_owned();
    let result = match review::load(&state, &page.tr, &ctx, post_id).await {
        Ok(post) => {
            let action = ReviewAction::RequestChanges {
                comment: comment.clone(),
            };
            review::transition(
                &state,
                &page.tr,
                &page.principal,
                &ctx,
                &post,
                "request_changes",
                &action,
                &comment,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(
        &state,
        &page,
        &ctx,
        post_id,
        result,
        "request_changes",
        None,
    )
    .await
}

/// Back to the post with a note, or the post again with the refusal shown in place.
pub(super) async fn after(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    post_id: i64,
    result: Result<(), ApiError>,
    done: &str,
    typed: Option<&PostForm>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!(
            "/w/{}/content/{post_id}?done={done}",
            ctx.workspace.id
        ))
        .into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => page.refuse(e.status, &e.detail),
        Err(e) => {
            let status = e.status;
            let errors = api_errors(e);
            let sched = scheduling::Typed::default();
            show_detail(
                state, page, ctx, post_id, status, typed, errors, None, None, sched,
            )
            .await
        }
    }
}
