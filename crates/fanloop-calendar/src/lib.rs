//! The hot-spot calendar (热点日历): for any year 1900–2100, the dates an operator plans
//! content around — public holidays and make-up workdays (from the State Council's
//! notices, shipped as data), lunar festivals and the 24 solar terms (computed
//! astronomically), shopping and seasonal nodes, international days, and the workspace's
//! own events — each with a lead time saying when to start preparing.
//!
//! Entry point: [`events`]. The astronomy (`astro`) follows Meeus, *Astronomical
//! Algorithms*; the lunar calendar rules follow GB/T 33661-2017.
//!
//! **Architecture invariant:** no IO and no clock. Holiday data is embedded at build time
//! and everything else is computed from the year alone, so the same year always gives
//! the same calendar and the only failures are a year out of range or bad embedded data.

mod astro;
mod holidays;
mod lunar;
mod nodes;
mod terms;

use jiff::civil::Date;

use astro::time::{Jdn, civil_from_jdn, jdn_from_civil};
pub use holidays::{HolidayNotice, holiday_notices, holiday_years};

/// First and last supported Gregorian years.
pub const MIN_YEAR: i16 = 1900;
pub const MAX_YEAR: i16 = 2100;

/// What an event is; also fixes its default lead time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A public holiday period (放假).
    Holiday,
    /// A weekend day worked to make up for a holiday (调休上班).
    Workday,
    /// A festival on a lunar date (春节, 中秋…).
    LunarFestival,
    /// One of the 24 solar terms (节气).
    SolarTerm,
    /// An e-commerce node (双11, 618…).
    Shopping,
    /// A season spanning weeks (毕业季, 开学季).
    Season,
    /// An international or foreign day (地球日, 母亲节…).
    International,
    /// A workspace's own event.
    Custom,
}

impl Kind {
    /// The wire name: `holiday`, `workday`, `lunar_festival`, `solar_term`, `shopping`,
    /// `season`, `international`, `custom`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Holiday => "holiday",
            Kind::Workday => "workday",
            Kind::LunarFestival => "lunar_festival",
            Kind::SolarTerm => "solar_term",
            Kind::Shopping => "shopping",
            Kind::Season => "season",
            Kind::International => "international",
            Kind::Custom => "custom",
        }
    }

    /// Days before the event to start preparing, when the event names none. Campaign
    /// nodes need weeks of planning; a solar term is a quick seasonal post.
    pub fn default_lead_days(self) -> u16 {
        match self {
            Kind::Holiday => 14,
            Kind::Workday => 3,
            Kind::LunarFestival => 14,
            Kind::SolarTerm => 3,
            Kind::Shopping => 30,
            Kind::Season => 30,
            Kind::International => 7,
            Kind::Custom => 7,
        }
    }
}

/// One dated event of the calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub date: Date,
    /// Last day for events spanning several days (holiday periods, seasons).
    pub end: Option<Date>,
    pub name_zh: String,
    pub name_en: String,
    pub kind: Kind,
    /// Start preparing this many days before `date`.
    pub lead_days: u16,
    /// Where the date comes from, when it is a decision rather than a computation.
    pub source_url: Option<String>,
}

impl Event {
    /// The day to start preparing: `date` minus `lead_days`.
    pub fn prepare_from(&self) -> Date {
        date_of(jdn_of(self.date) - i64::from(self.lead_days))
    }
}

/// A workspace's own event, merged into the calendar by [`events`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomEvent {
    pub date: Date,
    pub name_zh: String,
    /// Defaults to `name_zh`.
    pub name_en: Option<String>,
    /// Defaults to [`Kind::Custom`]'s lead time.
    pub lead_days: Option<u16>,
    /// Repeat on the same month and day every year (a brand anniversary); 29 February
    /// falls on the 28th in common years.
    pub yearly: bool,
    pub source_url: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("year {0} is outside the supported range {MIN_YEAR}–{MAX_YEAR}")]
    YearOutOfRange(i64),
    /// An embedded holiday file is malformed; a build with such a file fails its tests.
    #[error("holiday data file {file} is invalid: {reason}")]
    HolidayData { file: String, reason: String },
}

/// Every event of Gregorian `year`, with `custom` merged in, sorted by date (then kind,
/// then Chinese name).
pub fn events(year: i16, custom: &[CustomEvent]) -> Result<Vec<Event>, CalendarError> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(CalendarError::YearOutOfRange(year.into()));
    }
    let mut out = holiday_events(year)?;
    out.extend(solar_term_events(year));
    out.extend(lunar_events(year));
    out.extend(node_events(year));
    out.extend(custom.iter().filter_map(|c| custom_event(c, year)));
    out.sort_by(|a, b| (a.date, a.kind, &a.name_zh).cmp(&(b.date, b.kind, &b.name_zh)));
    Ok(out)
}

fn event(date: Date, name_zh: &str, name_en: &str, kind: Kind, lead_days: Option<u16>) -> Event {
    Event {
        date,
        end: None,
        name_zh: name_zh.to_owned(),
        name_en: name_en.to_owned(),
        kind,
        lead_days: lead_days.unwrap_or(kind.default_lead_days()),
        source_url: None,
    }
}

/// Holiday periods and make-up workdays dated in `year`, from every notice (a notice can
/// date a make-up day in the previous year, e.g. a late-December workday for 元旦).
fn holiday_events(year: i16) -> Result<Vec<Event>, CalendarError> {
    let mut out = Vec::new();
    for notice in holidays::notices()? {
        for h in &notice.holidays {
            if h.first.year() == year {
                let mut e = event(
                    h.first,
                    &format!("{}假期", h.name_zh),
                    &format!("{} holiday", h.name_en),
                    Kind::Holiday,
                    h.lead_days,
                );
                e.end = (h.last != h.first).then_some(h.last);
                e.source_url = Some(notice.notice_url.clone());
                out.push(e);
            }
            for &w in h.workdays.iter().filter(|w| w.year() == year) {
                let mut e = event(
                    w,
                    &format!("{}调休上班", h.name_zh),
                    &format!("Make-up workday ({})", h.name_en),
                    Kind::Workday,
                    None,
                );
                e.source_url = Some(notice.notice_url.clone());
                out.push(e);
            }
        }
    }
    Ok(out)
}

fn solar_term_events(year: i16) -> impl Iterator<Item = Event> {
    terms::NAMES.iter().enumerate().map(move |(i, (zh, en))| {
        event(
            date_of(terms::term_day(year.into(), i)),
            zh,
            en,
            Kind::SolarTerm,
            None,
        )
    })
}

/// Festivals of lunar years `year − 1` and `year` that fall in Gregorian `year` (腊八 and
/// 除夕 of the previous lunar year land in January or February).
fn lunar_events(year: i16) -> Vec<Event> {
    let year = i64::from(year);
    let years = [
        lunar::lunar_year(year - 1),
        lunar::lunar_year(year),
        lunar::lunar_year(year + 1),
    ];
    let mut out = Vec::new();
    for pair in years.windows(2) {
        let (months, next_new_year) = (&pair[0], pair[1].first().map(|m| m.start));
        for (date, zh, en, lead) in lunar::FESTIVALS {
            let Some(jdn) = next_new_year.and_then(|next| lunar::resolve(months, next, date))
            else {
                continue;
            };
            if civil_from_jdn(jdn).0 == year {
                out.push(event(date_of(jdn), zh, en, Kind::LunarFestival, Some(lead)));
            }
        }
    }
    out
}

fn node_events(year: i16) -> impl Iterator<Item = Event> {
    nodes::NODES.iter().filter_map(move |n| {
        let (first, last) = nodes::resolve(n, year)?;
        let mut e = event(first, n.name_zh, n.name_en, n.kind, n.lead_days);
        e.end = last;
        Some(e)
    })
}

fn custom_event(c: &CustomEvent, year: i16) -> Option<Event> {
    let date = if c.yearly {
        Date::new(year, c.date.month(), c.date.day())
            .or_else(|_| Date::new(year, c.date.month(), c.date.day() - 1))
            .ok()?
    } else if c.date.year() == year {
        c.date
    } else {
        return None;
    };
    let name_en = c.name_en.as_deref().unwrap_or(&c.name_zh);
    let mut e = event(date, &c.name_zh, name_en, Kind::Custom, c.lead_days);
    e.source_url = c.source_url.clone();
    Some(e)
}

fn jdn_of(date: Date) -> Jdn {
    jdn_from_civil(date.year().into(), date.month().into(), date.day().into())
}

/// The date of a day number. The day numbers come from this crate's own arithmetic over
/// 1899–2101, where `civil_from_jdn` always yields a valid date (tested day by day).
fn date_of(jdn: Jdn) -> Date {
    let (y, m, d) = civil_from_jdn(jdn);
    jiff::civil::date(y as i16, m as i8, d as i8)
}

#[cfg(test)]
mod tests;
