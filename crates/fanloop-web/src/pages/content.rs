//! 内容: the posts of a workspace, writing one (a master and a variant per channel),
//! editing it with live compliance findings, and moving it through review.

use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::error::ApiError;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::i18n::Tr;
use crate::review::{self, Linted};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{
    ApprovalRules, ChannelId, Permission, PostDraft, PostStatus, ReviewAction, Role, UserId,
};
use fanloop_render::{Body as RenderedBody, Options as RenderOptions, Target};
use fanloop_store::{Channel, NewPost, Post, ReviewEntry, StoreError};
use fanloop_text::{Finding, Severity};
use serde::Deserialize;
use std::collections::HashMap;

/// Labels and badge colours for statuses, shared by the list and the detail page.
pub struct StatusView {
    pub code: &'static str,
    pub label: &'static str,
}

pub fn status_view(tr: &Tr, status: PostStatus) -> StatusView {
    StatusView {
        code: status.code(),
        label: tr.t(&format!("status.{}", status.code())),
    }
}

// ---- the list -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "content_list.html")]
struct ListPage {
    shell: Shell,
    posts: Vec<Post>,
    filter: String,
    can_write: bool,
    timezone: String,
    /// The review queue reuses this page with its own heading.
    queue: bool,
}

impl ListPage {
    fn status(&self, p: &Post) -> StatusView {
        status_view(&self.shell.tr, p.status)
    }

    fn when(&self, p: &Post) -> String {
        self.shell.tr.datetime(p.updated_at, &self.timezone)
    }

    fn filters(&self) -> Vec<(&'static str, &'static str)> {
        let tr = &self.shell.tr;
        let mut all = vec![("", tr.t("content.all"))];
        for s in [
            PostStatus::Draft,
            PostStatus::InReview,
            PostStatus::ChangesRequested,
            PostStatus::Approved,
        ] {
            all.push((s.code(), tr.t(&format!("status.{}", s.code()))));
        }
        all
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    status: String,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<ListQuery>,
) -> Response {
    show_list(&state, &page, &ctx, "content", q.status, false).await
}

/// 审核: what waits for review and what was sent back.
pub async fn review_queue(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
) -> Response {
    show_list(&state, &page, &ctx, "review", String::new(), true).await
}

async fn show_list(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    active: &'static str,
    filter: String,
    queue: bool,
) -> Response {
    let shell = match Shell::load(state, page, Some(ctx), active).await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let posts = match state.store.posts(ctx.id()).await {
        Ok(posts) => posts,
        Err(e) => return page.fail(&e),
    };
    let posts = posts
        .into_iter()
        .filter(|p| {
            if queue {
                matches!(
                    p.status,
                    PostStatus::InReview | PostStatus::ChangesRequested
                )
            } else {
                filter.is_empty() || p.status.code() == filter
            }
        })
        .collect();
    let view = ListPage {
        shell,
        posts,
        filter,
        can_write: ctx.role.allows(Permission::WriteContent),
        timezone: ctx.workspace.timezone.clone(),
        queue,
    };
    render(StatusCode::OK, &view)
}

// ---- writing a new post ---------------------------------------------------------------

/// The post form as typed, kept when validation fails.
#[derive(Default)]
pub struct PostForm {
    pub title: String,
    pub body: String,
    pub tags: String,
    pub channels: Vec<i64>,
}

impl PostForm {
    /// Reads the form's fields; checkboxes repeat `channel`.
    fn from_pairs(pairs: &[(String, String)]) -> PostForm {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        PostForm {
            title: get("title"),
            body: get("body"),
            tags: get("tags"),
            channels: pairs
                .iter()
                .filter(|(k, _)| k == "channel")
                .filter_map(|(_, v)| v.parse().ok())
                .collect(),
        }
    }

    fn tag_list(&self) -> Vec<String> {
        self.tags
            .split([',', '，', ' ', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn parse(&self) -> Result<PostDraft, Vec<fanloop_domain::Invalid>> {
        PostDraft::parse(&self.title, &self.body, &self.tag_list())
    }
}

#[derive(Template)]
#[template(path = "content_new.html")]
struct NewPage<'a> {
    shell: Shell,
    form: &'a PostForm,
    channels: Vec<Channel>,
    errors: FieldErrors,
}

impl NewPage<'_> {
    fn checked(&self, c: &Channel) -> bool {
        self.form.channels.contains(&c.id)
    }

    fn platform_label(&self, c: &Channel) -> &'static str {
        c.platform.label(self.shell.tr.lang)
    }
}

async fn show_new(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    status: StatusCode,
    form: &PostForm,
    errors: FieldErrors,
) -> Response {
    let shell = match Shell::load(state, page, Some(ctx), "content").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    match state.store.channels(ctx.id()).await {
        Ok(channels) => render(
            status,
            &NewPage {
                shell,
                form,
                channels,
                errors,
            },
        ),
        Err(e) => page.fail(&e),
    }
}

pub async fn new_page(State(state): State<AppState>, page: Page, ctx: WorkspaceCtx) -> Response {
    show_new(
        &state,
        &page,
        &ctx,
        StatusCode::OK,
        &PostForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = PostForm::from_pairs(&pairs);
    let draft = match form.parse() {
        Ok(draft) => draft,
        Err(errors) => {
            let errors = FieldErrors::from_invalid(&page.tr, &errors);
            return show_new(
                &state,
                &page,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                errors,
            )
            .await;
        }
    };
    let new = NewPost {
        title: draft.title,
        body: draft.body,
        tags: draft.tags,
        topic_id: None,
        channels: form.channels.iter().map(|c| ChannelId(*c)).collect(),
    };
    match state
        .store
        .create_post(ctx.id(), page.principal.user.id, &new)
        .await
    {
        Ok(id) => Redirect::to(&format!("/w/{}/content/{id}", ctx.workspace.id)).into_response(),
        Err(StoreError::NotFound) => {
            let errors = FieldErrors::one("channels", page.tr.t("review.unknown_channel"));
            show_new(
                &state,
                &page,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                errors,
            )
            .await
        }
        Err(e) => page.fail(&e),
    }
}

// ---- one post -------------------------------------------------------------------------

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

fn previews(post: &Post, tr: &Tr) -> Vec<Preview> {
    post.variants
        .iter()
        .map(|v| {
            let target = Target::for_platform(v.platform).unwrap_or(Target::Plain);
            let options = RenderOptions {
                title: Some(v.title.clone()),
                tags: v.tags.clone(),
                ..RenderOptions::default()
            };
            let rendered = fanloop_render::render(&v.body, target, &options);
            let (html, text) = match &rendered.body {
                RenderedBody::Html(h) => (Some(h.clone()), None),
                other => (None, Some(other.as_str().to_owned())),
            };
            let body = &rendered.report.body;
            Preview {
                variant_id: v.id,
                label: format!("{} · {}", v.channel_name, v.platform.label(tr.lang)),
                platform: v.platform.code(),
                html,
                text,
                count: body.count,
                limit: body.limit,
                over: body.over,
                fold_at: body.fold_at,
            }
        })
        .collect()
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

    fn severity_label(&self, f: &Finding) -> &'static str {
        self.shell.tr.t(&format!("severity.{}", f.severity.code()))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    done: String,
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
    let saved = PostForm {
        title: post.title.clone(),
        body: post.body.clone(),
        tags: post.tags.join(", "),
        channels: Vec::new(),
    };
    let form = typed.unwrap_or(&saved);
    let view = DetailPage {
        shell,
        linted: review::lint(&post, page.tr.lang),
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
        previews: previews(&post, &page.tr),
        rules,
        role: ctx.role,
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
            )
            .await;
        }
    };
    let result = match review::load(&state, &page.tr, &ctx, post_id).await {
        Ok(post) => review::edit(&state, &page.tr, &page.principal, &ctx, &post, &draft).await,
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
            let reason = Some(f.override_reason).filter(|r| !r.trim().is_empty());
            let action = ReviewAction::Submit {
                lint_errors: review::lint_errors(&post),
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
async fn after(
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
            let mut errors = FieldErrors::default();
            for p in &e.errors {
                errors.set(&p.field, p.message.clone());
            }
            errors.set("review", e.detail.clone());
            show_detail(state, page, ctx, post_id, e.status, typed, errors, None).await
        }
    }
}

// ---- live findings --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "content_findings.html")]
struct FindingsFragment {
    tr: Tr,
    findings: Vec<Finding>,
}

impl FindingsFragment {
    fn severity(&self, f: &Finding) -> &'static str {
        f.severity.code()
    }

    fn severity_label(&self, f: &Finding) -> &'static str {
        self.tr.t(&format!("severity.{}", f.severity.code()))
    }
}

/// Findings for the text being typed (the master, no platform), swapped in by htmx.
pub async fn lint_preview(page: Page, Form(fields): Form<HashMap<String, String>>) -> Response {
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let findings = review::lint_text(get("title"), get("body"), page.tr.lang);
    render(
        StatusCode::OK,
        &FindingsFragment {
            tr: page.tr,
            findings,
        },
    )
}
