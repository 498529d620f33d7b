//! Settings → 词库: the workspace's banned words, preferred replacements and industry
//! packs. Refused lists come back exactly as typed with the bad lines named; a text file
//! can be appended to either list (sent by htmx as multipart, since the gate reads a
//! multipart body's CSRF token from the header only) and is shown for review before it
//! is saved.

use super::{FieldErrors, Page, SavedQuery, Shell, render};
use crate::AppState;
use crate::api::words;
use crate::error::FieldProblem;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::linting::{append, check_lists};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::Permission;
use fanloop_text::Pack;

#[derive(Template)]
#[template(path = "settings_words.html")]
struct WordsPage {
    shell: Shell,
    ws_id: i64,
    banned: String,
    preferred: String,
    packs: Vec<String>,
    /// Which list the import appends to.
    target: String,
    can_edit: bool,
    saved: bool,
    notice: Option<String>,
    errors: FieldErrors,
}

impl WordsPage {
    fn pack_codes(&self) -> Vec<&'static str> {
        Pack::ALL.iter().map(|p| p.code()).collect()
    }

    fn pack_label(&self, code: &str) -> &'static str {
        self.shell.tr.t(&format!("words.pack.{code}"))
    }
}

/// The lists as typed (or as saved).
#[derive(Default)]
struct Typed {
    banned: String,
    preferred: String,
    packs: Vec<String>,
    target: String,
}

/// Several problems of one list become one message under its box.
fn field_errors(problems: &[FieldProblem]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for field in ["banned", "preferred", "packs", "file"] {
        let messages: Vec<&str> = problems
            .iter()
            .filter(|p| p.field == field)
            .map(|p| p.message.as_str())
            .collect();
        if !messages.is_empty() {
            errors.set(field, messages.join("；"));
        }
    }
    errors
}

async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    typed: Typed,
    status: StatusCode,
    (saved, notice, errors): (bool, Option<String>, FieldErrors),
) -> Response {
    let shell = match Shell::load(state, page, Some(ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let view = WordsPage {
        shell,
        ws_id: ctx.workspace.id,
        banned: typed.banned,
        preferred: typed.preferred,
        packs: typed.packs,
        target: typed.target,
        can_edit: ctx.role.allows(Permission::EditWorkspace),
        saved,
        notice,
        errors,
    };
    render(status, &view)
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<SavedQuery>,
) -> Response {
    let lists = match state.store.word_lists(ctx.id()).await {
        Ok(lists) => lists,
        Err(e) => return page.fail(&e),
    };
    let typed = Typed {
        banned: lists.banned,
        preferred: lists.preferred,
        packs: lists.packs,
        target: "banned".into(),
    };
    let extra = (q.saved.is_some(), None, FieldErrors::default());
    show(&state, &page, &ctx, typed, StatusCode::OK, extra).await
}

fn typed_from(pairs: &[(String, String)]) -> Typed {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Typed {
        banned: get("banned"),
        preferred: get("preferred"),
        packs: pairs
            .iter()
            .filter(|(k, _)| k == "pack")
            .map(|(_, v)| v.clone())
            .collect(),
        target: get("target"),
    }
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let typed = typed_from(&pairs);
    let (banned, preferred) = (&typed.banned, &typed.preferred);
    let principal = &page.principal;
    match words::save(
        &state,
        &page.tr,
        principal,
        &ctx,
        banned,
        preferred,
        &typed.packs,
    )
    .await
    {
        Ok(()) => {
            Redirect::to(&format!("/w/{}/settings/words?saved=1", ctx.workspace.id)).into_response()
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let extra = (false, None, field_errors(&e.errors));
            show(&state, &page, &ctx, typed, e.status, extra).await
        }
        Err(e) => page.refuse(e.status, &e.detail),
    }
}

/// Appends an uploaded text file to the chosen list as typed, without saving, so the
/// operator sees what came in (and any bad lines) before pressing Save. htmx swaps only
/// the 2xx answers it receives, so a refused file is shown with 200 and an inline error.
pub async fn import(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    mut multipart: Multipart,
) -> Response {
    let mut pairs = Vec::new();
    let mut file: Option<Result<String, usize>> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return page.refuse(e.status(), &e.body_text()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return page.refuse(e.status(), &e.body_text()),
        };
        if name == "file" {
            file =
                Some(String::from_utf8(bytes.to_vec()).map_err(|e| e.utf8_error().valid_up_to()));
        } else if let Ok(value) = String::from_utf8(bytes.to_vec()) {
            pairs.push((name, value));
        }
    }
    let mut typed = typed_from(&pairs);
    let tr = &page.tr;
    let problem = |message: String| FieldErrors::one("file", message);
    let (notice, errors) = match (file, typed.target.as_str()) {
        (None, _) => (None, problem(tr.t("words.import_none").into())),
        (Some(Err(offset)), _) => (None, problem(tr.t1("words.import_utf8", offset))),
        (Some(Ok(text)), target @ ("banned" | "preferred")) => {
            let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
            let list = if target == "banned" {
                &mut typed.banned
            } else {
                &mut typed.preferred
            };
            *list = append(list, &text);
            let checked = check_lists(tr, &typed.banned, &typed.preferred, &typed.packs);
            let errors = checked.err().map(|p| field_errors(&p)).unwrap_or_default();
            (Some(tr.t1("words.imported", lines)), errors)
        }
        (Some(Ok(_)), _) => (None, problem(tr.t("words.import_target_unknown").into())),
    };
    show(
        &state,
        &page,
        &ctx,
        typed,
        StatusCode::OK,
        (false, notice, errors),
    )
    .await
}
