//! 短视频脚本: the list (running time and hook verdict at a glance) and the editor, a
//! shot table whose rows are added and removed by plain form buttons, so it works
//! without JavaScript; htmx only refreshes the hook verdict while typing.

use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::api::scripts::{
    HookView, ScriptFinding, check_post, hook_view, lint_script, problems, seconds,
};
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::linting::workspace_linter;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::script::{RawShot, ScriptDraft, Shot, ShotSize, shot_ms, total_ms};
use fanloop_domain::{Invalid, Permission, Reason};
use fanloop_store::scripts::Script;
use serde::Deserialize;

/// Seconds as people write them: `2.5`, `3`.
fn secs(ms: u64) -> String {
    let s = format!("{:.1}", seconds(ms));
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

// ---- list -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "scripts.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<ListRow>,
    can_write: bool,
}

struct ListRow {
    id: i64,
    title: String,
    shots: usize,
    total: String,
    hook: HookView,
    updated: String,
}

pub async fn list(State(state): State<AppState>, page: Page, ctx: WorkspaceCtx) -> Response {
    let scripts = match state.store.scripts(ctx.id()).await {
        Ok(scripts) => scripts,
        Err(e) => return page.fail(&e),
    };
    let shell = match Shell::load(&state, &page, Some(&ctx), "content").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let rows = scripts
        .into_iter()
        .map(|s| ListRow {
            id: s.id,
            shots: s.shots.len(),
            total: secs(total_ms(&s.shots)),
            hook: hook_view(&page.tr, &s.shots),
            updated: page.tr.datetime(s.updated_at, &ctx.workspace.timezone),
            title: s.title,
        })
        .collect();
    let can_write = ctx.role.allows(Permission::WriteContent);
    render(
        StatusCode::OK,
        &ListPage {
            shell,
            rows,
            can_write,
        },
    )
}

// ---- editor ---------------------------------------------------------------------------

/// One row of the shot table as typed.
#[derive(Clone)]
pub struct Row {
    scene: String,
    size: String,
    duration: String,
    voice_over: String,
    on_screen_text: String,
}

impl Default for Row {
    fn default() -> Self {
        Row {
            scene: String::new(),
            size: ShotSize::Medium.code().into(),
            duration: "3".into(),
            voice_over: String::new(),
            on_screen_text: String::new(),
        }
    }
}

/// The editor as typed: what is shown back when something is refused.
#[derive(Default)]
pub struct ScriptForm {
    title: String,
    post_id: String,
    rows: Vec<Row>,
}

const CELLS: [&str; 5] = ["scene", "size", "duration", "voice_over", "on_screen_text"];

impl ScriptForm {
    fn of(s: &Script) -> ScriptForm {
        ScriptForm {
            title: s.title.clone(),
            post_id: s.post_id.map(|p| p.to_string()).unwrap_or_default(),
            rows: s
                .shots
                .iter()
                .map(|shot| Row {
                    scene: shot.scene.clone(),
                    size: shot.size.code().into(),
                    duration: secs(u64::from(shot.duration_ms)),
                    voice_over: shot.voice_over.clone(),
                    on_screen_text: shot.on_screen_text.clone(),
                })
                .collect(),
        }
    }

    /// Rows come as repeated fields, every row sending all five cells in order, so the
    /// n-th value of each name belongs to the n-th row.
    fn read(pairs: &[(String, String)]) -> ScriptForm {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let column = |name: &str| -> Vec<&str> {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        let columns: Vec<Vec<&str>> = CELLS.iter().map(|c| column(c)).collect();
        let count = columns.iter().map(Vec::len).max().unwrap_or(0);
        let cell = |c: usize, i: usize| columns[c].get(i).copied().unwrap_or("").to_owned();
        ScriptForm {
            title: get("title"),
            post_id: get("post_id"),
            rows: (0..count)
                .map(|i| Row {
                    scene: cell(0, i),
                    size: cell(1, i),
                    duration: cell(2, i),
                    voice_over: cell(3, i),
                    on_screen_text: cell(4, i),
                })
                .collect(),
        }
    }

    fn parse(&self) -> Result<ScriptDraft, Vec<Invalid>> {
        let post_id = match self.post_id.trim() {
            "" => Ok(None),
            raw => raw
                .parse::<i64>()
                .map(Some)
                .map_err(|_| Invalid::new("post_id", Reason::NotText)),
        };
        let raw: Vec<RawShot> = self
            .rows
            .iter()
            .map(|r| RawShot {
                scene: &r.scene,
                size: &r.size,
                seconds: r.duration.trim().parse::<f64>().ok(),
                voice_over: &r.voice_over,
                on_screen_text: &r.on_screen_text,
            })
            .collect();
        match (ScriptDraft::parse(&self.title, None, &raw), post_id) {
            (Ok(draft), Ok(post_id)) => Ok(ScriptDraft { post_id, ..draft }),
            (draft, post) => Err(draft
                .err()
                .into_iter()
                .flatten()
                .chain(post.err())
                .collect()),
        }
    }

    /// The rows as shots even while some cells are invalid, so the hook verdict and
    /// running time follow what is typed (an unreadable duration counts as zero).
    fn lenient(&self) -> Vec<Shot> {
        self.rows
            .iter()
            .map(|r| Shot {
                scene: r.scene.clone(),
                size: ShotSize::parse(&r.size).unwrap_or(ShotSize::Medium),
                duration_ms: r
                    .duration
                    .trim()
                    .parse()
                    .ok()
                    .and_then(shot_ms)
                    .unwrap_or(0),
                voice_over: r.voice_over.clone(),
                on_screen_text: r.on_screen_text.clone(),
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "scripts_edit.html")]
struct EditPage {
    shell: Shell,
    /// `None` while the script is new.
    script_id: Option<i64>,
    form: ScriptForm,
    starts: Vec<String>,
    total: String,
    hook: HookView,
    posts: Vec<(i64, String)>,
    findings: Vec<ScriptFinding>,
    errors: FieldErrors,
    can_write: bool,
    saved: bool,
}

impl EditPage {
    fn action(&self) -> String {
        match self.script_id {
            Some(id) => format!("{}/{id}", self.shell.area_href("scripts")),
            None => format!("{}/new", self.shell.area_href("scripts")),
        }
    }

    fn start(&self, i: &usize) -> &str {
        self.starts.get(*i).map_or("", String::as_str)
    }

    fn sizes(&self) -> [ShotSize; 5] {
        ShotSize::ALL
    }

    fn size_label(&self, s: &ShotSize) -> &'static str {
        self.shell.tr.t(&format!("script.size.{}", s.code()))
    }

    fn cell_error(&self, i: &usize, cell: &str) -> Option<&str> {
        self.errors.get(&format!("shots[{i}].{cell}"))
    }

    /// Lint messages for one row (both of its texts).
    fn row_findings(&self, i: &usize) -> Vec<&ScriptFinding> {
        let prefix = format!("shots[{i}].");
        self.findings
            .iter()
            .filter(|f| f.field.starts_with(&prefix))
            .collect()
    }

    fn title_findings(&self) -> Vec<&ScriptFinding> {
        self.findings
            .iter()
            .filter(|f| f.field == "title")
            .collect()
    }

    fn linked(&self, id: &i64) -> bool {
        self.form.post_id.trim() == id.to_string()
    }
}

#[allow(clippy::too_many_arguments)]
async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    script_id: Option<i64>,
    form: ScriptForm,
    errors: FieldErrors,
    status: StatusCode,
    saved: bool,
) -> Response {
    let posts = match state.store.posts(ctx.id()).await {
        Ok(posts) => posts
            .into_iter()
            .take(200)
            .map(|p| (p.id, p.title))
            .collect(),
        Err(e) => return page.fail(&e),
    };
    let shots = form.lenient();
    let findings = match workspace_linter(state, ctx.id()).await {
        Ok(linter) => lint_script(&linter, &form.title, &shots, page.tr.lang),
        Err(e) => return page.refuse(e.status, &e.detail),
    };
    let shell = match Shell::load(state, page, Some(ctx), "content").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let mut at = 0u64;
    let starts = shots
        .iter()
        .map(|s| {
            let start = secs(at);
            at += u64::from(s.duration_ms);
            start
        })
        .collect();
    let view = EditPage {
        total: secs(total_ms(&shots)),
        hook: hook_view(&page.tr, &shots),
        shell,
        script_id,
        form,
        starts,
        posts,
        findings,
        errors,
        can_write: ctx.role.allows(Permission::WriteContent),
        saved,
    };
    render(status, &view)
}

pub async fn new_page(State(state): State<AppState>, page: Page, ctx: WorkspaceCtx) -> Response {
    let form = ScriptForm {
        rows: vec![Row::default()],
        ..ScriptForm::default()
    };
    let ok = StatusCode::OK;
    show(
        &state,
        &page,
        &ctx,
        None,
        form,
        FieldErrors::default(),
        ok,
        false,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn edit_page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, script_id)): Path<(i64, i64)>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let script = match state.store.script(ctx.id(), script_id).await {
        Ok(Some(script)) => script,
        Ok(None) => return page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found")),
        Err(e) => return page.fail(&e),
    };
    let form = ScriptForm::of(&script);
    let (errors, ok, saved) = (FieldErrors::default(), StatusCode::OK, q.saved.is_some());
    show(
        &state,
        &page,
        &ctx,
        Some(script_id),
        form,
        errors,
        ok,
        saved,
    )
    .await
}

/// Handles every button of the editor: add a row, remove row n, check the hook, or save.
async fn submit(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    script_id: Option<i64>,
    pairs: &[(String, String)],
) -> Response {
    let mut form = ScriptForm::read(pairs);
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let ok = StatusCode::OK;
    let none = FieldErrors::default();
    if let Some(i) = value("remove").and_then(|v| v.parse::<usize>().ok()) {
        if i < form.rows.len() {
            form.rows.remove(i);
        }
        return show(state, page, ctx, script_id, form, none, ok, false).await;
    }
    match value("action") {
        Some("add") => {
            form.rows.push(Row::default());
            return show(state, page, ctx, script_id, form, none, ok, false).await;
        }
        Some("check") => return show(state, page, ctx, script_id, form, none, ok, false).await,
        _ => {}
    }
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    let draft = match form.parse() {
        Ok(draft) => draft,
        Err(errors) => {
            let mut fields = FieldErrors::default();
            for p in problems(&page.tr, &errors) {
                fields.set(&p.field, p.message);
            }
            return show(state, page, ctx, script_id, form, fields, refused, false).await;
        }
    };
    if let Err(e) = check_post(state, &page.tr, ctx.id(), draft.post_id).await {
        let fields = FieldErrors::one("post_id", e.detail.clone());
        return show(state, page, ctx, script_id, form, fields, e.status, false).await;
    }
    let actor = page.principal.user.id;
    let saved = match script_id {
        Some(id) => state
            .store
            .update_script(ctx.id(), id, actor, &draft)
            .await
            .map(|()| id),
        None => state.store.create_script(ctx.id(), actor, &draft).await,
    };
    match saved {
        Ok(id) => {
            Redirect::to(&format!("/w/{}/scripts/{id}?saved=1", ctx.workspace.id)).into_response()
        }
        Err(fanloop_store::StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    submit(&state, &page, &ctx, None, &pairs).await
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, script_id)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    // Another workspace's or a made-up id is a 404 whatever button was pressed.
    match state.store.script(ctx.id(), script_id).await {
        Ok(Some(_)) => submit(&state, &page, &ctx, Some(script_id), &pairs).await,
        Ok(None) => page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found")),
        Err(e) => page.fail(&e),
    }
}
