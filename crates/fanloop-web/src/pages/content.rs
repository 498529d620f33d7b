//! 内容: the posts of a workspace, writing one (a master and a variant per channel),
//! editing it with live compliance findings, and moving it through review. The post
//! page is in `detail`; comments, variant edits and the live preview in `extras`.

mod detail;
pub mod extras;
mod spots;

pub(crate) use detail::show_scheduling;
pub use detail::{approve, detail, request_changes, save, submit};

use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::i18n::Tr;
use crate::review::{self, extras as post_extras};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{ChannelId, Permission, PostDraft, PostStatus, TopicStatus, UserId};
use fanloop_store::post_extras::PostMeta;
use fanloop_store::{Channel, Member, NewPost, Post, StoreError};
use fanloop_text::Finding;
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
    /// `YYYY-MM-DD` in the workspace's time zone, to flag overdue posts.
    today: String,
}

impl ListPage {
    fn status(&self, p: &Post) -> StatusView {
        status_view(&self.shell.tr, p.status)
    }

    fn when(&self, p: &Post) -> String {
        self.shell.tr.datetime(p.updated_at, &self.timezone)
    }

    fn overdue(&self, p: &Post) -> bool {
        post_extras::overdue(p, &self.today)
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
        today: post_extras::today(&ctx.workspace.timezone),
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
    /// A member's user id, or empty.
    pub assignee: String,
    pub due_date: String,
    pub cover_media_id: String,
    /// The topic this post is written from, if any.
    pub topic_id: String,
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
            assignee: get("assignee_id"),
            due_date: get("due_date"),
            cover_media_id: get("cover_media_id"),
            topic_id: get("topic_id"),
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

    /// The assignee, due date and cover as typed; errors name the form's fields.
    fn meta(&self, tr: &Tr) -> Result<PostMeta, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id = |raw: &str, field: &str, errors: &mut FieldErrors| match raw.trim() {
            "" => None,
            raw => raw.parse::<i64>().ok().or_else(|| {
                errors.set(field, tr.t("extras.bad_number"));
                None
            }),
        };
        let assignee = id(&self.assignee, "assignee_id", &mut errors);
        let cover_media_id = id(&self.cover_media_id, "cover_media_id", &mut errors);
        let due_date = post_extras::parse_due_date(&self.due_date).unwrap_or_else(|()| {
            errors.set("due_date", tr.t("extras.bad_date"));
            None
        });
        if errors.is_empty() {
            Ok(PostMeta {
                assignee: assignee.map(UserId),
                due_date,
                cover_media_id,
            })
        } else {
            Err(errors)
        }
    }

    /// Fills the form from a saved post.
    pub fn of(post: &Post) -> PostForm {
        PostForm {
            title: post.title.clone(),
            body: post.body.clone(),
            tags: post.tags.join(", "),
            channels: Vec::new(),
            assignee: post.assignee_id.map(|a| a.to_string()).unwrap_or_default(),
            due_date: post.due_date.clone().unwrap_or_default(),
            cover_media_id: post
                .cover_media_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
            topic_id: post.topic_id.map(|t| t.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "content_new.html")]
struct NewPage<'a> {
    shell: Shell,
    form: &'a PostForm,
    channels: Vec<Channel>,
    members: Vec<Member>,
    errors: FieldErrors,
}

impl NewPage<'_> {
    fn checked(&self, c: &Channel) -> bool {
        self.form.channels.contains(&c.id)
    }

    fn platform_label(&self, c: &Channel) -> &'static str {
        c.platform.label(self.shell.tr.lang)
    }

    fn assigned(&self, m: &Member) -> bool {
        self.form.assignee == m.user_id.to_string()
    }

    /// The channels' platforms, once each, for the live preview's picker.
    fn preview_platforms(&self) -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<(&'static str, &'static str)> = Vec::new();
        for c in &self.channels {
            let entry = (c.platform.code(), c.platform.label(self.shell.tr.lang));
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        out
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
    match (
        state.store.channels(ctx.id()).await,
        state.store.members(ctx.id()).await,
    ) {
        (Ok(channels), Ok(members)) => render(
            status,
            &NewPage {
                shell,
                form,
                channels,
                members,
                errors,
            },
        ),
        (Err(e), _) | (_, Err(e)) => page.fail(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    topic_id: String,
    title: String,
}

/// The editor, pre-filled when it is opened from a topic ("write it").
pub async fn new_page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<NewQuery>,
) -> Response {
    let form = PostForm {
        topic_id: q.topic_id,
        title: q.title,
        ..PostForm::default()
    };
    show_new(
        &state,
        &page,
        &ctx,
        StatusCode::OK,
        &form,
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
    let parsed = form.parse();
    let meta = form.meta(&page.tr);
    let meta = match (&parsed, meta) {
        (Ok(_), Ok(meta)) => match post_extras::check_meta(&state, &page.tr, &ctx, &meta).await {
            Ok(()) => Ok(meta),
            Err(e) => Err(detail::api_errors(e)),
        },
        (_, Err(errors)) => Err(errors),
        (Err(_), Ok(meta)) => Ok(meta),
    };
    let meta = match meta {
        Ok(meta) => meta,
        Err(errors) => {
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
    let draft = match parsed {
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
    // A topic from another workspace (or a made-up id) is refused, not silently dropped.
    let topic = match form.topic_id.trim().parse::<i64>() {
        Ok(id) => match state.store.topic(ctx.id(), id).await {
            Ok(Some(topic)) => Some(topic),
            Ok(None) => {
                return page.refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    page.tr.t("error.not_found"),
                );
            }
            Err(e) => return page.fail(&e),
        },
        Err(_) => None,
    };
    let new = NewPost {
        title: draft.title,
        body: draft.body,
        tags: draft.tags,
        topic_id: topic.as_ref().map(|t| t.id),
        channels: form.channels.iter().map(|c| ChannelId(*c)).collect(),
    };
    match state
        .store
        .create_post_with(ctx.id(), page.principal.user.id, &new, &meta)
        .await
    {
        Ok(id) => {
            // Writing a topic up moves it into production on the board.
            let starting =
                topic.filter(|t| matches!(t.status, TopicStatus::Idea | TopicStatus::Planned));
            if let Some(t) = starting
                && let Err(e) = state
                    .store
                    .set_topic_status(
                        ctx.id(),
                        t.id,
                        TopicStatus::InProduction,
                        page.principal.user.id,
                    )
                    .await
            {
                return page.fail(&e);
            }
            Redirect::to(&format!("/w/{}/content/{id}", ctx.workspace.id)).into_response()
        }
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

// ---- live findings --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "content_findings.html")]
struct FindingsFragment {
    tr: Tr,
    /// Each finding with where it lies in the title or body field, if it does.
    findings: Vec<(Finding, Option<spots::Spot>)>,
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
pub async fn lint_preview(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let linter = match crate::linting::workspace_linter(&state, ctx.id()).await {
        Ok(linter) => linter,
        Err(e) => return page.refuse(e.status, &e.detail),
    };
    let (title, body) = (get("title"), get("body"));
    let findings = review::lint_text(&linter, title, body, page.tr.lang)
        .into_iter()
        .map(|f| {
            let spot = spots::spot(title, body, &f);
            (f, spot)
        })
        .collect();
    render(
        StatusCode::OK,
        &FindingsFragment {
            tr: page.tr,
            findings,
        },
    )
}
