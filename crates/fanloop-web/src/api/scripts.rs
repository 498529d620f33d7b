//! `/api/v1/workspaces/{id}/scripts`: short-video scripts with their shot lists, running
//! time, the three-second hook verdict and the workspace linter's findings.

use super::{ApiJson, ApiTr, rfc3339};
use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use crate::linting::workspace_linter;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fanloop_domain::script::{Hook, RawShot, ScriptDraft, Shot, hook, total_ms};
use fanloop_domain::{Invalid, Locale, WorkspaceId};
use fanloop_store::scripts::Script;
use fanloop_text::{Finding, Linter, Post};
use serde::{Deserialize, Serialize};

/// Milliseconds as seconds for people and JSON (2500 → 2.5).
pub(crate) fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

#[derive(Serialize)]
pub struct HookView {
    pub passed: bool,
    /// `no_shots`, `silent_opening` or `no_hook_device` when the check failed.
    pub failed_rule: Option<&'static str>,
    /// `question`, `number`, `contrast`, `strong_claim` found in the opening.
    pub devices: Vec<&'static str>,
    pub message: String,
}

pub(crate) fn hook_view(tr: &Tr, shots: &[Shot]) -> HookView {
    match hook(shots) {
        Hook::Pass(devices) => {
            let names: Vec<&str> = devices
                .iter()
                .map(|d| tr.t(&format!("script.device.{}", d.code())))
                .collect();
            HookView {
                passed: true,
                failed_rule: None,
                devices: devices.iter().map(|d| d.code()).collect(),
                message: tr.t1("script.hook_pass", names.join(" · ")),
            }
        }
        Hook::Fail(rule) => HookView {
            passed: false,
            failed_rule: Some(rule.code()),
            devices: Vec::new(),
            message: tr.t(&format!("script.hook.{}", rule.code())).to_owned(),
        },
    }
}

/// A lint finding with the script field it was found in (`title`,
/// `shots[0].voice_over`, `shots[0].on_screen_text`); positions count characters of
/// that field.
#[derive(Serialize)]
pub struct ScriptFinding {
    pub field: String,
    #[serde(flatten)]
    pub finding: Finding,
}

/// Lints each text of a script on its own, so a finding points into one field.
pub(crate) fn lint_script(
    linter: &Linter,
    title: &str,
    shots: &[Shot],
    lang: Locale,
) -> Vec<ScriptFinding> {
    let mut texts = vec![("title".to_owned(), title)];
    for (i, s) in shots.iter().enumerate() {
        texts.push((format!("shots[{i}].voice_over"), &s.voice_over));
        texts.push((format!("shots[{i}].on_screen_text"), &s.on_screen_text));
    }
    texts
        .into_iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .flat_map(|(field, text)| {
            linter
                .lint(&Post::plain(text), None, lang)
                .into_iter()
                .map(move |finding| ScriptFinding {
                    field: field.clone(),
                    finding,
                })
        })
        .collect()
}

#[derive(Serialize)]
pub struct ShotView {
    scene: String,
    size: &'static str,
    /// Seconds.
    duration: f64,
    /// When the shot starts, seconds from the beginning.
    start: f64,
    voice_over: String,
    on_screen_text: String,
}

#[derive(Serialize)]
pub struct ScriptView {
    id: i64,
    title: String,
    post_id: Option<i64>,
    shots: Vec<ShotView>,
    /// Seconds.
    total_duration: f64,
    hook: HookView,
    /// Only on a single script (the list leaves them out to stay light).
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<Vec<ScriptFinding>>,
    created_at: String,
    updated_at: String,
}

fn view(tr: &Tr, s: Script, findings: Option<Vec<ScriptFinding>>) -> ScriptView {
    let mut start = 0u64;
    let shots = s
        .shots
        .iter()
        .map(|shot| {
            let at = start;
            start += u64::from(shot.duration_ms);
            ShotView {
                scene: shot.scene.clone(),
                size: shot.size.code(),
                duration: seconds(u64::from(shot.duration_ms)),
                start: seconds(at),
                voice_over: shot.voice_over.clone(),
                on_screen_text: shot.on_screen_text.clone(),
            }
        })
        .collect();
    ScriptView {
        id: s.id,
        total_duration: seconds(total_ms(&s.shots)),
        hook: hook_view(tr, &s.shots),
        title: s.title,
        post_id: s.post_id,
        shots,
        findings,
        created_at: rfc3339(s.created_at),
        updated_at: rfc3339(s.updated_at),
    }
}

/// Domain refusals as field problems, with wording for the two checks whose generic
/// reason would say too little (a shot size outside the list, a duration out of range).
pub(crate) fn problems(tr: &Tr, errors: &[Invalid]) -> Vec<FieldProblem> {
    errors
        .iter()
        .map(|e| FieldProblem {
            field: e.field.clone(),
            message: if e.field.ends_with(".duration") {
                tr.t("script.invalid_duration").to_owned()
            } else if e.field.ends_with(".size") {
                tr.t("script.invalid_size").to_owned()
            } else {
                tr.invalid(e)
            },
        })
        .collect()
}

/// Refuses a link to a post that is not the workspace's.
pub(crate) async fn check_post(
    state: &AppState,
    tr: &Tr,
    workspace: WorkspaceId,
    post_id: Option<i64>,
) -> Result<(), ApiError> {
    let Some(post) = post_id else { return Ok(()) };
    match state.store.post_in_workspace(workspace, post).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(ApiError::fields(
            tr,
            vec![FieldProblem {
                field: "post_id".into(),
                message: tr.t("script.post_unknown").into(),
            }],
        )),
        Err(e) => Err(ApiError::store(tr, e)),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShotBody {
    #[serde(default)]
    scene: String,
    size: String,
    /// Seconds, 0.5–600.
    duration: f64,
    #[serde(default)]
    voice_over: String,
    #[serde(default)]
    on_screen_text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptBody {
    title: String,
    #[serde(default)]
    post_id: Option<i64>,
    #[serde(default)]
    shots: Vec<ShotBody>,
}

fn parse(tr: &Tr, body: &ScriptBody) -> Result<ScriptDraft, ApiError> {
    let raw: Vec<RawShot> = body
        .shots
        .iter()
        .map(|s| RawShot {
            scene: &s.scene,
            size: &s.size,
            seconds: Some(s.duration),
            voice_over: &s.voice_over,
            on_screen_text: &s.on_screen_text,
        })
        .collect();
    ScriptDraft::parse(&body.title, body.post_id, &raw)
        .map_err(|errors| ApiError::fields(tr, problems(tr, &errors)))
}

async fn one(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    script_id: i64,
) -> Result<ScriptView, ApiError> {
    let script = state
        .store
        .script(ctx.id(), script_id)
        .await
        .map_err(|e| ApiError::store(tr, e))?
        .ok_or_else(|| ApiError::not_found(tr))?;
    let linter = workspace_linter(state, ctx.id()).await?;
    let findings = lint_script(&linter, &script.title, &script.shots, tr.lang);
    Ok(view(tr, script, Some(findings)))
}

pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<Vec<ScriptView>>, ApiError> {
    let scripts = state
        .store
        .scripts(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(
        scripts.into_iter().map(|s| view(&tr, s, None)).collect(),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<ScriptBody>,
) -> Result<(StatusCode, Json<ScriptView>), ApiError> {
    let draft = parse(&tr, &body)?;
    check_post(&state, &tr, ctx.id(), draft.post_id).await?;
    let id = state
        .store
        .create_script(ctx.id(), principal.user.id, &draft)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok((StatusCode::CREATED, Json(one(&state, &tr, &ctx, id).await?)))
}

pub async fn get(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
    Path((_, script_id)): Path<(i64, i64)>,
) -> Result<Json<ScriptView>, ApiError> {
    Ok(Json(one(&state, &tr, &ctx, script_id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, script_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ScriptBody>,
) -> Result<Json<ScriptView>, ApiError> {
    let draft = parse(&tr, &body)?;
    check_post(&state, &tr, ctx.id(), draft.post_id).await?;
    state
        .store
        .update_script(ctx.id(), script_id, principal.user.id, &draft)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(one(&state, &tr, &ctx, script_id).await?))
}

// ---- OpenAPI schemas, kept beside the types they describe -----------------------------

fn shot_properties() -> serde_json::Value {
    serde_json::json!({
        "scene": {"type": "string", "maxLength": 200},
        "size": {"type": "string", "enum": ["extreme_long", "long", "medium", "close_up", "extreme_close_up"]},
        "duration": {"type": "number", "minimum": 0.5, "maximum": 600, "description": "Seconds"},
        "voice_over": {"type": "string", "maxLength": 1000},
        "on_screen_text": {"type": "string", "maxLength": 200}
    })
}

pub(crate) fn body_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object", "additionalProperties": false, "required": ["title"],
        "properties": {
            "title": {"type": "string", "maxLength": 120},
            "post_id": {"type": ["integer", "null"], "description": "A post of the same workspace"},
            "shots": {"type": "array", "maxItems": 200, "items": {
                "type": "object", "additionalProperties": false, "required": ["size", "duration"],
                "properties": shot_properties()
            }}
        }
    })
}

pub(crate) fn schema() -> serde_json::Value {
    let mut shot = shot_properties();
    if let Some(map) = shot.as_object_mut() {
        map.insert(
            "start".into(),
            serde_json::json!({"type": "number", "description": "Seconds from the beginning"}),
        );
    }
    serde_json::json!({
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "post_id": {"type": ["integer", "null"]},
            "shots": {"type": "array", "items": {"type": "object", "properties": shot}},
            "total_duration": {"type": "number", "description": "Seconds"},
            "hook": {"type": "object", "description": "Whether the shots starting in the first 3 s carry voice-over or on-screen text with a question, a number, a contrast or a strong claim", "properties": {
                "passed": {"type": "boolean"},
                "failed_rule": {"type": ["string", "null"], "enum": ["no_shots", "silent_opening", "no_hook_device", null]},
                "devices": {"type": "array", "items": {"type": "string", "enum": ["question", "number", "contrast", "strong_claim"]}},
                "message": {"type": "string"}
            }},
            "findings": {"type": "array", "description": "Single script only: compliance findings with the field they were found in (title, shots[i].voice_over, shots[i].on_screen_text)", "items": {"type": "object"}},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"}
        }
    })
}
