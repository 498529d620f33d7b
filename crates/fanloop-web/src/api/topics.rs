//! `/api/v1/workspaces/{id}/topics`: the topic library, with CSV export and import so
//! operators can move their spreadsheets in and out.

use super::{ApiJson, ApiTr, invalid, rfc3339};
use crate::AppState;
use crate::error::{ApiError, FieldProblem};
use crate::gate::{Principal, WorkspaceCtx};
use crate::i18n::Tr;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fanloop_domain::{ScoreWeights, TopicDraft, TopicSource, TopicStatus};
use fanloop_store::Topic;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct TopicView {
    id: i64,
    title: String,
    angle: String,
    source: TopicSource,
    timeliness: u8,
    value: u8,
    conversion: u8,
    /// 0–100 from the scores and the workspace's weights.
    priority: u8,
    status: TopicStatus,
    owner_id: Option<i64>,
    target_date: Option<String>,
    created_at: String,
}

fn view(t: Topic, w: ScoreWeights) -> TopicView {
    TopicView {
        id: t.id,
        priority: t.scores.priority(w),
        title: t.title,
        angle: t.angle,
        source: t.source,
        timeliness: t.scores.timeliness,
        value: t.scores.value,
        conversion: t.scores.conversion,
        status: t.status,
        owner_id: t.owner_id,
        target_date: t.target_date,
        created_at: rfc3339(t.created_at),
    }
}

/// The workspace's topics, highest priority first.
pub(crate) async fn ranked(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
) -> Result<(Vec<Topic>, ScoreWeights), ApiError> {
    let weights = state
        .store
        .score_weights(ctx.id())
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    let mut topics = state
        .store
        .topics(ctx.id())
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    topics.sort_by_key(|t| (std::cmp::Reverse(t.scores.priority(weights)), t.id));
    Ok((topics, weights))
}

pub async fn list(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<Vec<TopicView>>, ApiError> {
    let (topics, weights) = ranked(&state, &tr, &ctx).await?;
    Ok(Json(topics.into_iter().map(|t| view(t, weights)).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTopic {
    title: String,
    #[serde(default)]
    angle: String,
    source: String,
    timeliness: u8,
    value: u8,
    conversion: u8,
    target_date: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<NewTopic>,
) -> Result<(StatusCode, Json<TopicView>), ApiError> {
    let scores = [
        body.timeliness.to_string(),
        body.value.to_string(),
        body.conversion.to_string(),
    ];
    let draft = TopicDraft::parse(
        &body.title,
        &body.angle,
        &body.source,
        [&scores[0], &scores[1], &scores[2]],
        body.target_date.as_deref().unwrap_or(""),
    )
    .map_err(|e| invalid(&tr, e))?;
    let ids = state
        .store
        .create_topics(
            ctx.id(),
            principal.user.id,
            Some(principal.user.id),
            std::slice::from_ref(&draft),
        )
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    let (topics, weights) = ranked(&state, &tr, &ctx).await?;
    let topic = topics
        .into_iter()
        .find(|t| Some(&t.id) == ids.first())
        .ok_or_else(|| ApiError::not_found(&tr))?;
    Ok((StatusCode::CREATED, Json(view(topic, weights))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, topic_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<SetStatus>,
) -> Result<StatusCode, ApiError> {
    let status = TopicStatus::parse(&body.status).ok_or_else(|| {
        ApiError::fields(
            &tr,
            vec![FieldProblem {
                field: "status".into(),
                message: tr.t("invalid.unknown_field").into(),
            }],
        )
    })?;
    state
        .store
        .set_topic_status(ctx.id(), topic_id, status, principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- CSV ------------------------------------------------------------------------------

const CSV_HEADER: [&str; 9] = [
    "title",
    "angle",
    "source",
    "timeliness",
    "value",
    "conversion",
    "status",
    "target_date",
    "priority",
];

/// The topics as CSV (UTF-8 with a byte-order mark so spreadsheet programs read Chinese).
pub(crate) fn to_csv(topics: &[Topic], weights: ScoreWeights) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = writer.write_record(CSV_HEADER);
    for t in topics {
        let record = [
            t.title.clone(),
            t.angle.clone(),
            t.source.code().to_owned(),
            t.scores.timeliness.to_string(),
            t.scores.value.to_string(),
            t.scores.conversion.to_string(),
            t.status.code().to_owned(),
            t.target_date.clone().unwrap_or_default(),
            t.scores.priority(weights).to_string(),
        ];
        let _ = writer.write_record(&record);
    }
    writer.into_inner().unwrap_or_default()
}

/// Parses a CSV with a header row naming at least `title`; other columns are optional
/// (source defaults to brainstorm, scores to 3). Every refused row is reported, and
/// nothing is imported unless all rows are valid.
pub(crate) fn from_csv(tr: &Tr, bytes: &[u8]) -> Result<Vec<TopicDraft>, ApiError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ApiError::bad_request(tr, tr.t1("error.csv_utf8", e.valid_up_to())))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::bad_request(tr, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let Some(title) = column("title") else {
        return Err(ApiError::fields(
            tr,
            vec![FieldProblem {
                field: "title".into(),
                message: tr.t("error.csv_header").into(),
            }],
        ));
    };
    let (angle, source, t, v, c, date) = (
        column("angle"),
        column("source"),
        column("timeliness"),
        column("value"),
        column("conversion"),
        column("target_date"),
    );
    let mut drafts = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(FieldProblem {
                    field: format!("row {row}"),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let get = |col: Option<usize>, default: &'static str| {
            col.and_then(|c| record.get(c))
                .filter(|v| !v.trim().is_empty())
                .unwrap_or(default)
        };
        let parsed = TopicDraft::parse(
            get(Some(title), ""),
            get(angle, ""),
            get(source, "brainstorm"),
            [get(t, "3"), get(v, "3"), get(c, "3")],
            get(date, ""),
        );
        match parsed {
            Ok(draft) => drafts.push(draft),
            Err(errors) => problems.extend(errors.iter().map(|e| FieldProblem {
                field: format!("row {row}: {}", e.field),
                message: tr.invalid(e),
            })),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::fields(tr, problems));
    }
    if drafts.len() > 2000 {
        return Err(ApiError::too_large(tr));
    }
    Ok(drafts)
}

pub async fn export(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Response, ApiError> {
    let (topics, weights) = ranked(&state, &tr, &ctx).await?;
    Ok(csv_response(to_csv(&topics, weights)))
}

pub(crate) fn csv_response(body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"topics.csv\"",
            ),
        ],
        body,
    )
        .into_response()
}

#[derive(Serialize)]
pub struct Imported {
    imported: usize,
}

pub async fn import(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    body: Bytes,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    let drafts = from_csv(&tr, &body)?;
    state
        .store
        .create_topics(ctx.id(), principal.user.id, None, &drafts)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok((
        StatusCode::CREATED,
        Json(Imported {
            imported: drafts.len(),
        }),
    ))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    timeliness: i64,
    value: i64,
    conversion: i64,
}

pub async fn weights(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<Weights>, ApiError> {
    let w = state
        .store
        .score_weights(ctx.id())
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(Weights {
        timeliness: w.timeliness.into(),
        value: w.value.into(),
        conversion: w.conversion.into(),
    }))
}

pub async fn set_weights(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<Weights>,
) -> Result<Json<Weights>, ApiError> {
    let w = ScoreWeights::parse(body.timeliness, body.value, body.conversion)
        .map_err(|e| invalid(&tr, e))?;
    state
        .store
        .set_score_weights(ctx.id(), w, principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(Json(body))
}

// ---- the workspace's own calendar dates ----------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCalendarEvent {
    date: String,
    name: String,
    lead_days: Option<u16>,
    #[serde(default)]
    yearly: bool,
}

pub async fn calendar_events(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    ctx: WorkspaceCtx,
) -> Result<Json<Vec<fanloop_store::CalendarEvent>>, ApiError> {
    Ok(Json(
        state
            .store
            .calendar_events(ctx.id())
            .await
            .map_err(|e| ApiError::store(&tr, e))?,
    ))
}

pub async fn add_calendar_event(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    ApiJson(body): ApiJson<NewCalendarEvent>,
) -> Result<(StatusCode, Json<fanloop_store::CalendarEvent>), ApiError> {
    let lead = body.lead_days.map(|n| n.to_string()).unwrap_or_default();
    let d = fanloop_domain::CalendarDate::parse(&body.date, &body.name, &lead, body.yearly)
        .map_err(|e| invalid(&tr, e))?;
    let id = state
        .store
        .add_calendar_event(
            ctx.id(),
            principal.user.id,
            &d.date,
            &d.name,
            d.lead_days,
            d.yearly,
        )
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    let event = fanloop_store::CalendarEvent {
        id,
        date: d.date,
        name: d.name,
        lead_days: i64::from(d.lead_days),
        yearly: d.yearly,
    };
    Ok((StatusCode::CREATED, Json(event)))
}

pub async fn delete_calendar_event(
    State(state): State<AppState>,
    ApiTr(tr): ApiTr,
    principal: Principal,
    ctx: WorkspaceCtx,
    Path((_, event_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_calendar_event(ctx.id(), event_id, principal.user.id)
        .await
        .map_err(|e| ApiError::store(&tr, e))?;
    Ok(StatusCode::NO_CONTENT)
}
