//! `/api/v1/workspaces/{id}/word-lists`: the workspace's banned words, preferred
//! replacements (brand voice) and enabled industry packs, as the compliance linter reads
//! them. Lists are text in the WordList format (`crates/fanloop-text/src/words.rs`).

use super::{ApiJson, ApiTr, rfc3339};
use crate::AppState;
use crate::error::ApiError;
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use crate::linting::check_lists;
use axum::Json;
use axum::extract::State;
use fanloop_store::scripts::WordLists;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct WordListsView {
    banned: String,
    preferred: String,
    packs: Vec<String>,
    /// When the lists were last saved; absent before the first save.
    updated_at: Option<String>,
}

fn view(lists: WordLists) -> WordListsView {
    WordListsView {
        banned: lists.banned,
        preferred: lists.preferred,
        packs: lists.packs,
        updated_at: lists.updated_at.map(rfc3339),
    }
}

/// All three fields are required, so a partial body cannot wipe a list by accident.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordListsBody {
    banned: String,
    preferred: String,
    packs: Vec<String>,
}

pub async fn get(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<WordListsView>, ApiError> {
    state
        .store
        .word_lists(ctx.id())
        .await
        .map(|lists| Json(view(lists)))
        .map_err(|e| ApiError::store(&tr, e))
}

/// Checks and saves lists; shared with the settings page.
pub(crate) async fn save(
    state: &AppState,
    tr: &Tr,
    principal: &Principal,
    ctx: &WorkspaceCtx,
    banned: &str,
    preferred: &str,
    packs: &[String],
) -> Result<(), ApiError> {
    let packs = check_lists(tr, banned, preferred, packs).map_err(|p| ApiError::fields(tr, p))?;
    let codes: Vec<&str> = packs.iter().map(|p| p.code()).collect();
    state
        .store
        .set_word_lists(ctx.id(), banned, preferred, &codes, principal.user.id)
        .await
        .map(|_| ())
        .map_err(|e| ApiError::store(tr, e))
}

pub async fn put(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<WordListsBody>,
) -> Result<Json<WordListsView>, ApiError> {
    save(
        &state,
        &tr,
        &principal,
        &ctx,
        &body.banned,
        &body.preferred,
        &body.packs,
    )
    .await?;
    get(State(state), ApiTr(tr), ctx).await
}

// ---- OpenAPI schemas, kept beside the types they describe -----------------------------

fn properties() -> serde_json::Value {
    serde_json::json!({
        "banned": {"type": "string", "description": "One banned term per line; `#` starts a comment"},
        "preferred": {"type": "string", "description": "One `word to avoid => word to use` per line"},
        "packs": {"type": "array", "uniqueItems": true, "items": {"type": "string", "enum": ["cosmetics", "food", "health"]}}
    })
}

pub(crate) fn body_schema() -> serde_json::Value {
    serde_json::json!({"type": "object", "additionalProperties": false, "required": ["banned", "preferred", "packs"], "properties": properties()})
}

pub(crate) fn schema() -> serde_json::Value {
    let mut props = properties();
    if let Some(map) = props.as_object_mut() {
        map.insert(
            "updated_at".into(),
            serde_json::json!({"type": ["string", "null"], "format": "date-time"}),
        );
    }
    serde_json::json!({"type": "object", "properties": props})
}
