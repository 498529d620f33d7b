//! 选题: the topic library (list and board), the hot-spot calendar's coming events with
//! their "start preparing" dates, CSV in and out, and the nine-square brainstorm.

use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::api::topics::{csv_response, from_csv, ranked, to_csv};
use crate::error::ApiError;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_calendar::{CustomEvent, Event};
use fanloop_domain::{Permission, ScoreWeights, TopicDraft, TopicSource, TopicStatus, brainstorm};
use fanloop_store::{CalendarEvent, Topic};
use serde::Deserialize;

/// How far ahead the calendar card looks.
const HORIZON_DAYS: i64 = 60;

/// The new-topic form as typed.
#[derive(Deserialize)]
#[serde(default)]
pub struct TopicForm {
    title: String,
    angle: String,
    source: String,
    timeliness: String,
    value: String,
    conversion: String,
    target_date: String,
}

impl Default for TopicForm {
    fn default() -> Self {
        TopicForm {
            title: String::new(),
            angle: String::new(),
            source: TopicSource::HotEvent.code().into(),
            timeliness: "3".into(),
            value: "3".into(),
            conversion: "3".into(),
            target_date: String::new(),
        }
    }
}

impl TopicForm {
    fn parse(&self) -> Result<TopicDraft, Vec<fanloop_domain::Invalid>> {
        TopicDraft::parse(
            &self.title,
            &self.angle,
            &self.source,
            [&self.timeliness, &self.value, &self.conversion],
            &self.target_date,
        )
    }
}

/// A coming event of the hot-spot calendar.
pub struct Coming {
    pub name: String,
    pub date: String,
    pub prepare_from: String,
    pub kind: &'static str,
    /// Preparation should already have started.
    pub due: bool,
}

#[derive(Template)]
#[template(path = "topics.html")]
struct TopicsPage<'a> {
    shell: Shell,
    topics: Vec<Topic>,
    weights: ScoreWeights,
    board: bool,
    can_write: bool,
    form: &'a TopicForm,
    errors: FieldErrors,
    coming: Vec<Coming>,
    import_text: String,
    notice: Option<String>,
    /// Owners and admins tune how the scores add up.
    can_weigh: bool,
    /// The workspace's own dates.
    own: Vec<CalendarEvent>,
}

impl TopicsPage<'_> {
    fn priority(&self, t: &Topic) -> u8 {
        t.scores.priority(self.weights)
    }

    fn source_label(&self, t: &Topic) -> &'static str {
        self.shell
            .tr
            .t(&format!("topic.source.{}", t.source.code()))
    }

    fn status_label(&self, s: &TopicStatus) -> &'static str {
        self.shell.tr.t(&format!("topic.status.{}", s.code()))
    }

    fn statuses(&self) -> &'static [TopicStatus] {
        TopicStatus::ALL
    }

    fn sources(&self) -> &'static [TopicSource] {
        TopicSource::ALL
    }

    fn source_option(&self, s: &TopicSource) -> &'static str {
        self.shell.tr.t(&format!("topic.source.{}", s.code()))
    }

    fn in_status(&self, s: &TopicStatus) -> Vec<&Topic> {
        self.topics.iter().filter(|t| t.status == *s).collect()
    }

    fn kind_label(&self, c: &Coming) -> &'static str {
        self.shell.tr.t(&format!("calendar.kind.{}", c.kind))
    }
}

fn coming(ctx: &WorkspaceCtx, zh: bool, own: &[CalendarEvent]) -> Vec<Coming> {
    let tz = jiff::tz::TimeZone::get(&ctx.workspace.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(tz).date();
    let until = today
        .checked_add(jiff::Span::new().days(HORIZON_DAYS))
        .unwrap_or(today);
    let custom: Vec<CustomEvent> = own
        .iter()
        .filter_map(|e| {
            Some(CustomEvent {
                date: e.date.parse().ok()?,
                name_zh: e.name.clone(),
                name_en: None,
                lead_days: u16::try_from(e.lead_days).ok(),
                yearly: e.yearly,
                source_url: None,
            })
        })
        .collect();
    let mut events: Vec<Event> = Vec::new();
    for year in [today.year(), today.year() + 1] {
        if let Ok(mut list) = fanloop_calendar::events(year, &custom) {
            events.append(&mut list);
        }
    }
    events
        .into_iter()
        .filter(|e| e.date >= today && e.date <= until && e.kind.as_str() != "workday")
        .map(|e| Coming {
            due: e.prepare_from() <= today,
            prepare_from: e.prepare_from().to_string(),
            date: e.date.to_string(),
            kind: e.kind.as_str(),
            name: if zh { e.name_zh } else { e.name_en },
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ViewQuery {
    view: String,
    title: String,
    target_date: String,
    imported: Option<usize>,
}

struct Extra {
    status: StatusCode,
    errors: FieldErrors,
    import_text: String,
    notice: Option<String>,
}

async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    board: bool,
    form: &TopicForm,
    extra: Extra,
) -> Response {
    let (topics, weights) = match ranked(state, &page.tr, ctx).await {
        Ok(found) => found,
        Err(e) => return page.refuse(e.status, &e.detail),
    };
    let shell = match Shell::load(state, page, Some(ctx), "topics").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let own = match state.store.calendar_events(ctx.id()).await {
        Ok(own) => own,
        Err(e) => return page.fail(&e),
    };
    let view = TopicsPage {
        coming: coming(ctx, page.tr.is_zh(), &own),
        own,
        shell,
        topics,
        weights,
        board,
        can_write: ctx.role.allows(Permission::WriteContent),
        form,
        errors: extra.errors,
        import_text: extra.import_text,
        notice: extra.notice,
        can_weigh: ctx.role.allows(Permission::EditWorkspace),
    };
    render(extra.status, &view)
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<ViewQuery>,
) -> Response {
    // "Use as topic" from the calendar pre-fills the form.
    let form = TopicForm {
        title: q.title,
        target_date: q.target_date,
        ..TopicForm::default()
    };
    let notice = q.imported.map(|n| page.tr.t1("topic.imported", n));
    let extra = Extra {
        status: StatusCode::OK,
        errors: FieldErrors::default(),
        import_text: String::new(),
        notice,
    };
    show(&state, &page, &ctx, q.view == "board", &form, extra).await
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<TopicForm>,
) -> Response {
    match form.parse() {
        Ok(draft) => {
            let owner = Some(page.principal.user.id);
            match state
                .store
                .create_topics(ctx.id(), page.principal.user.id, owner, &[draft])
                .await
            {
                Ok(_) => Redirect::to(&format!("/w/{}/topics", ctx.workspace.id)).into_response(),
                Err(e) => page.fail(&e),
            }
        }
        Err(errors) => {
            let errors = FieldErrors::from_invalid(&page.tr, &errors);
            let extra = Extra {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                import_text: String::new(),
                notice: None,
            };
            show(&state, &page, &ctx, false, &form, extra).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, topic_id)): Path<(i64, i64)>,
    Form(form): Form<StatusForm>,
) -> Response {
    let Some(status) = TopicStatus::parse(&form.status) else {
        return page.refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            page.tr.t("invalid.unknown_field"),
        );
    };
    match state
        .store
        .set_topic_status(ctx.id(), topic_id, status, page.principal.user.id)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/w/{}/topics?view=board", ctx.workspace.id)).into_response()
        }
        Err(fanloop_store::StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}

pub async fn export(State(state): State<AppState>, page: Page, ctx: WorkspaceCtx) -> Response {
    match ranked(&state, &page.tr, &ctx).await {
        Ok((topics, weights)) => csv_response(to_csv(&topics, weights)),
        Err(e) => page.refuse(e.status, &e.detail),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
}

pub async fn import(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<ImportForm>,
) -> Response {
    let refused = |e: ApiError| {
        let mut errors = FieldErrors::one("csv", e.detail.clone());
        if e.errors.len() > 1 {
            errors.set(
                "csv",
                e.errors
                    .iter()
                    .map(|p| format!("{}: {}", p.field, p.message))
                    .collect::<Vec<_>>()
                    .join("；"),
            );
        }
        Extra {
            status: e.status,
            errors,
            import_text: form.csv.clone(),
            notice: None,
        }
    };
    match from_csv(&page.tr, form.csv.as_bytes()) {
        Ok(drafts) => match state
            .store
            .create_topics(ctx.id(), page.principal.user.id, None, &drafts)
            .await
        {
            Ok(ids) => Redirect::to(&format!(
                "/w/{}/topics?imported={}",
                ctx.workspace.id,
                ids.len()
            ))
            .into_response(),
            Err(e) => page.fail(&e),
        },
        Err(e) => {
            show(
                &state,
                &page,
                &ctx,
                false,
                &TopicForm::default(),
                refused(e),
            )
            .await
        }
    }
}

// ---- nine-square brainstorm -----------------------------------------------------------

#[derive(Template)]
#[template(path = "topics_brainstorm.html")]
struct BrainstormPage {
    shell: Shell,
    account: String,
    users: String,
    pairs: Vec<(String, String)>,
    can_write: bool,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BrainstormForm {
    account: String,
    users: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

pub async fn brainstorm_page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
) -> Response {
    let shell = match Shell::load(&state, &page, Some(&ctx), "topics").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let can_write = ctx.role.allows(Permission::WriteContent);
    let view = BrainstormPage {
        shell,
        account: String::new(),
        users: String::new(),
        pairs: Vec::new(),
        can_write,
        errors: FieldErrors::default(),
    };
    render(StatusCode::OK, &view)
}

/// Crosses the facets into idea cards; nothing is stored until a card is kept.
pub async fn brainstorm_grid(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<BrainstormForm>,
) -> Response {
    let shell = match Shell::load(&state, &page, Some(&ctx), "topics").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let (pairs, errors, status) = match brainstorm(&lines(&form.account), &lines(&form.users)) {
        Ok(pairs) => (pairs, FieldErrors::default(), StatusCode::OK),
        Err(errors) => (
            Vec::new(),
            FieldErrors::from_invalid(&page.tr, &errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let can_write = ctx.role.allows(Permission::WriteContent);
    render(
        status,
        &BrainstormPage {
            shell,
            account: form.account,
            users: form.users,
            pairs,
            can_write,
            errors,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeepForm {
    facet: String,
    user: String,
}

/// Keeps one idea card as a topic (source: brainstorm).
pub async fn keep(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    headers: HeaderMap,
    Form(form): Form<KeepForm>,
) -> Response {
    let htmx = headers.contains_key("hx-request");
    let title = format!("{} × {}", form.facet.trim(), form.user.trim());
    match TopicDraft::parse(
        &title,
        "",
        TopicSource::Brainstorm.code(),
        ["3", "3", "3"],
        "",
    ) {
        Ok(draft) => match state
            .store
            .create_topics(
                ctx.id(),
                page.principal.user.id,
                Some(page.principal.user.id),
                &[draft],
            )
            .await
        {
            // htmx swaps the card's button for a note; a plain form goes to the library.
            Ok(_) if htmx => (
                StatusCode::OK,
                axum::response::Html(format!(
                    "<span class=\"kept\">✓ {}</span>",
                    page.tr.t("topic.kept")
                )),
            )
                .into_response(),
            Ok(_) => Redirect::to(&format!("/w/{}/topics", ctx.workspace.id)).into_response(),
            Err(e) => page.fail(&e),
        },
        Err(errors) => page.refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page.tr.invalid(&errors[0]),
        ),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WeightsForm {
    timeliness: String,
    value: String,
    conversion: String,
}

pub async fn set_weights(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<WeightsForm>,
) -> Response {
    let number = |s: &str| s.trim().parse::<i64>().unwrap_or(-1);
    match ScoreWeights::parse(
        number(&form.timeliness),
        number(&form.value),
        number(&form.conversion),
    ) {
        Ok(weights) => match state
            .store
            .set_score_weights(ctx.id(), weights, page.principal.user.id)
            .await
        {
            Ok(()) => Redirect::to(&format!("/w/{}/topics", ctx.workspace.id)).into_response(),
            Err(e) => page.fail(&e),
        },
        Err(_) => {
            let errors = FieldErrors::one("weights", page.tr.t("topic.weights_invalid"));
            let extra = Extra {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                import_text: String::new(),
                notice: None,
            };
            show(&state, &page, &ctx, false, &TopicForm::default(), extra).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventForm {
    date: String,
    name: String,
    lead_days: String,
    yearly: String,
}

pub async fn add_event(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<EventForm>,
) -> Response {
    match fanloop_domain::CalendarDate::parse(
        &form.date,
        &form.name,
        &form.lead_days,
        !form.yearly.is_empty(),
    ) {
        Ok(d) => match state
            .store
            .add_calendar_event(
                ctx.id(),
                page.principal.user.id,
                &d.date,
                &d.name,
                d.lead_days,
                d.yearly,
            )
            .await
        {
            Ok(_) => Redirect::to(&format!("/w/{}/topics", ctx.workspace.id)).into_response(),
            Err(e) => page.fail(&e),
        },
        Err(errors) => {
            let message = errors
                .iter()
                .map(|e| page.tr.invalid(e))
                .collect::<Vec<_>>()
                .join(" ");
            let extra = Extra {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors: FieldErrors::one("event", message),
                import_text: String::new(),
                notice: None,
            };
            show(&state, &page, &ctx, false, &TopicForm::default(), extra).await
        }
    }
}

pub async fn delete_event(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, event_id)): Path<(i64, i64)>,
) -> Response {
    match state
        .store
        .delete_calendar_event(ctx.id(), event_id, page.principal.user.id)
        .await
    {
        Ok(()) => Redirect::to(&format!("/w/{}/topics", ctx.workspace.id)).into_response(),
        Err(fanloop_store::StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}
