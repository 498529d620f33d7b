//! The content calendar: a month (default) or a week of days in the workspace's time
//! zone, each with its publications and the hot-spot calendar's events, under the
//! attention banner. Scheduled cards can be dragged to another day (`app.js` posts to
//! `actions::move_publication`) or given a new time in their own small form.

use super::layout::{Day, DayEvent, Range, days, events_between};
use super::{Attention, FilterOptions, Filters, PubCard, day_start_ms, timezone, today};
use crate::AppState;
use crate::gate::WorkspaceCtx;
use crate::i18n::Tr;
use crate::pages::{Page, Shell, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use fanloop_domain::Permission;
use fanloop_store::publishing::PublicationFilter;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CalendarQuery {
    /// `week`, otherwise a month.
    pub view: String,
    /// `YYYY-MM-DD`: the week shown, or the month it falls in.
    pub date: String,
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub filters: Filters,
    /// A note after a change (`moved`).
    pub done: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    pub shell: Shell,
    pub range: Range,
    pub days: Vec<Day>,
    pub filters: Filters,
    pub options: FilterOptions,
    pub attention: Attention,
    pub can_schedule: bool,
    pub total: usize,
    pub timezone: String,
    /// A note after a change.
    pub notice: Option<&'static str>,
    /// A refused move: the publication, what was typed and why.
    pub refused: Option<Refused>,
}

pub struct Refused {
    pub publication_id: i64,
    pub typed: String,
    pub message: String,
}

impl CalendarPage {
    fn tr(&self) -> &Tr {
        &self.shell.tr
    }

    pub fn title(&self) -> String {
        let zh = self.tr().is_zh();
        let (start, end) = (
            self.range.start,
            self.range
                .end_exclusive()
                .yesterday()
                .unwrap_or(self.range.start),
        );
        let month_name = |d: Date| -> String {
            let names = self.tr().t("cal.month_names");
            names
                .split(' ')
                .nth(d.month() as usize - 1)
                .unwrap_or("")
                .to_owned()
        };
        match (self.range.week, zh) {
            (false, true) => format!(
                "{}年{}月",
                self.range.month.year(),
                self.range.month.month()
            ),
            (false, false) => format!(
                "{} {}",
                month_name(self.range.month),
                self.range.month.year()
            ),
            (true, true) if start.year() == end.year() => format!(
                "{}年{}月{}日 – {}月{}日",
                start.year(),
                start.month(),
                start.day(),
                end.month(),
                end.day()
            ),
            (true, true) => format!(
                "{}年{}月{}日 – {}年{}月{}日",
                start.year(),
                start.month(),
                start.day(),
                end.year(),
                end.month(),
                end.day()
            ),
            (true, false) => format!(
                "{} {} – {} {} {}",
                start.day(),
                month_name(start),
                end.day(),
                month_name(end),
                end.year()
            ),
        }
    }

    pub fn weekdays(&self) -> Vec<&'static str> {
        self.tr().t("cal.weekdays").split(' ').collect()
    }

    pub fn weekday_of(&self, d: &Day) -> &'static str {
        self.weekdays()
            .get(d.date.weekday().to_monday_zero_offset() as usize)
            .copied()
            .unwrap_or("")
    }

    pub fn base(&self) -> String {
        self.shell.area_href("calendar")
    }

    /// The link to another range, keeping the filters.
    pub fn nav(&self, forward: bool) -> String {
        format!(
            "{}{}{}",
            self.base(),
            self.range.step(forward),
            self.filters.query()
        )
    }

    pub fn today_href(&self) -> String {
        let view = if self.range.week { "?view=week" } else { "?" };
        format!("{}{view}{}", self.base(), self.filters.query())
    }

    /// The other view of about the same days: the week of today when the month shown
    /// holds it (else the month's first week), or the month of the week's Monday.
    pub fn switch_href(&self, week: bool) -> String {
        let q = if week {
            let today = today(&timezone(&self.timezone));
            let anchor = if today.first_of_month() == self.range.month {
                today
            } else {
                self.range.month
            };
            format!("?view=week&date={anchor}")
        } else {
            format!("?month={}", self.range.start.strftime("%Y-%m"))
        };
        format!("{}{q}{}", self.base(), self.filters.query())
    }

    pub fn filter_action(&self) -> String {
        self.base()
    }

    /// The range travels with the filter form so filtering stays on the same days.
    pub fn filter_hidden(&self) -> Vec<(&'static str, String)> {
        if self.range.week {
            vec![
                ("view", "week".into()),
                ("date", self.range.start.to_string()),
            ]
        } else {
            vec![("month", self.range.month.strftime("%Y-%m").to_string())]
        }
    }

    pub fn filter_clear(&self) -> String {
        format!("{}{}", self.base(), self.range.query())
    }

    /// Where forms on this page come back to.
    pub fn back(&self) -> String {
        format!("{}{}", self.range.query(), self.filters.query())
    }

    pub fn kind_label(&self, e: &DayEvent) -> &'static str {
        self.tr().t(&format!("calendar.kind.{}", e.kind))
    }

    pub fn refused_for(&self, c: &PubCard) -> Option<&Refused> {
        self.refused.as_ref().filter(|r| r.publication_id == c.id)
    }

    pub fn typed_at(&self, c: &PubCard) -> String {
        self.refused_for(c)
            .map(|r| r.typed.clone())
            .unwrap_or_else(|| c.at_input.clone())
    }

    pub fn day_label(&self, d: &Day) -> String {
        if self.tr().is_zh() {
            format!("{}月{}日", d.date.month(), d.date.day())
        } else {
            d.date.strftime("%b %-d").to_string()
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<CalendarQuery>,
) -> Response {
    let notice = match q.done.as_str() {
        "moved" => Some("cal.done_moved"),
        _ => None,
    };
    show(&state, &page, &ctx, &q, StatusCode::OK, notice, None).await
}

/// Renders the calendar for `q`; a refused move comes back through here with its reason.
pub async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    q: &CalendarQuery,
    status: StatusCode,
    notice: Option<&'static str>,
    refused: Option<Refused>,
) -> Response {
    let tz: TimeZone = timezone(&ctx.workspace.timezone);
    let today = today(&tz);
    let range = Range::resolve(&q.view, &q.date, &q.month, today);
    let (Some(from), Some(until)) = (
        day_start_ms(range.start, &tz),
        day_start_ms(range.end_exclusive(), &tz),
    ) else {
        return page.refuse(StatusCode::BAD_REQUEST, page.tr.t("cal.bad_range"));
    };
    let mut filter = PublicationFilter {
        from: Some(from),
        until: Some(until),
        limit: 5000,
        ..PublicationFilter::default()
    };
    q.filters.apply(&mut filter);
    let shell = match Shell::load(state, page, Some(ctx), "calendar").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let loaded = async {
        let publications = state.store.publications(ctx.id(), &filter).await?;
        let own = state.store.calendar_events(ctx.id()).await?;
        let options = FilterOptions::load(state, ctx).await?;
        let attention = Attention::load(state, ctx).await?;
        Ok::<_, fanloop_store::StoreError>((publications, own, options, attention))
    };
    let (publications, own, options, attention) = match loaded.await {
        Ok(found) => found,
        Err(e) => return page.fail(&e),
    };
    let can_schedule = ctx.role.allows(Permission::SchedulePublications);
    let total = publications.len();
    let cards = publications
        .into_iter()
        .map(|p| PubCard::new(&page.tr, &tz, p, can_schedule))
        .collect();
    let events = events_between(&own, range.start, range.end_exclusive());
    let view = CalendarPage {
        days: days(&range, today, &events, cards, page.tr.is_zh()),
        shell,
        range,
        filters: q.filters.clone(),
        options,
        attention,
        can_schedule,
        total,
        timezone: ctx.workspace.timezone.clone(),
        notice,
        refused,
    };
    render(status, &view)
}
