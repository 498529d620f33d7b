//! Laying out the calendar: which days a month or week view shows (whole weeks,
//! Monday first), the hot-spot calendar's events on them, and each day's publication
//! cards. Pure: "today" is a parameter, so it is tested as tables of dates.

use super::PubCard;
use fanloop_calendar::{CustomEvent, Event, Kind};
use fanloop_store::CalendarEvent;
use jiff::ToSpan;
use jiff::civil::Date;

/// The days on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub week: bool,
    /// The first day shown (a Monday).
    pub start: Date,
    pub days: i64,
    /// The month being shown (its first day); for a week, the month of its Monday.
    pub month: Date,
}

impl Range {
    /// The range a view asks for (`view` `week` or else a month; `date` and `month` as
    /// typed in the query), falling back to today's when they do not parse.
    pub fn resolve(view: &str, date: &str, month: &str, today: Date) -> Range {
        let date: Option<Date> = date.trim().parse().ok();
        if view == "week" {
            let anchor = date.unwrap_or(today);
            let start = monday_of(anchor);
            return Range {
                week: true,
                start,
                days: 7,
                month: start.first_of_month(),
            };
        }
        let month = format!("{}-01", month.trim())
            .parse::<Date>()
            .ok()
            .or(date)
            .unwrap_or(today)
            .first_of_month();
        let start = monday_of(month);
        let last = month.last_of_month();
        let end = last
            .checked_add((6 - i64::from(last.weekday().to_monday_zero_offset())).days())
            .unwrap_or(last);
        let days = start.until(end).map(|s| s.get_days()).unwrap_or(34) as i64 + 1;
        Range {
            week: false,
            start,
            days,
            month,
        }
    }

    pub fn end_exclusive(&self) -> Date {
        self.start
            .checked_add(self.days.days())
            .unwrap_or(self.start)
    }

    /// The query of the range before or after this one.
    pub fn step(&self, forward: bool) -> String {
        let sign = if forward { 1 } else { -1 };
        if self.week {
            let d = self
                .start
                .checked_add((7 * sign).days())
                .unwrap_or(self.start);
            format!("?view=week&date={d}")
        } else {
            let m = self.month.checked_add(sign.months()).unwrap_or(self.month);
            format!("?month={}", m.strftime("%Y-%m"))
        }
    }

    /// This range as a query (for the return address of forms).
    pub fn query(&self) -> String {
        if self.week {
            format!("?view=week&date={}", self.start)
        } else {
            format!("?month={}", self.month.strftime("%Y-%m"))
        }
    }
}

fn monday_of(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(back.days()).unwrap_or(d)
}

/// One event of the hot-spot calendar on a day.
pub struct DayEvent {
    pub name: String,
    pub kind: &'static str,
}

pub struct Day {
    pub date: Date,
    pub iso: String,
    pub number: i8,
    pub in_range: bool,
    pub today: bool,
    pub past: bool,
    /// Inside a public holiday period (休) or a make-up workday (班).
    pub off: bool,
    pub workday: bool,
    pub events: Vec<DayEvent>,
    pub cards: Vec<PubCard>,
}

impl Day {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.cards.is_empty()
    }
}

/// The hot-spot calendar's events overlapping `[from, until)`, the workspace's own
/// included, as the topics page shows them.
pub fn events_between(own: &[CalendarEvent], from: Date, until: Date) -> Vec<Event> {
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
    let mut out = Vec::new();
    for year in from.year()..=until.year() {
        if let Ok(list) = fanloop_calendar::events(year, &custom) {
            out.extend(
                list.into_iter()
                    .filter(|e| e.end.unwrap_or(e.date) >= from && e.date < until),
            );
        }
    }
    out
}

/// Lays publications and events out over the days of `range`.
pub fn days(
    range: &Range,
    today: Date,
    events: &[Event],
    mut cards: Vec<PubCard>,
    zh: bool,
) -> Vec<Day> {
    let mut out = Vec::with_capacity(range.days as usize);
    let mut date = range.start;
    for _ in 0..range.days {
        let iso = date.to_string();
        let mut day_events: Vec<DayEvent> = Vec::new();
        let mut off = false;
        let mut workday = false;
        for e in events {
            match e.kind {
                Kind::Workday if e.date == date => workday = true,
                Kind::Workday => {}
                Kind::Holiday if e.date <= date && date <= e.end.unwrap_or(e.date) => {
                    off = true;
                }
                _ => {}
            }
            // Spanning events are named on their first day only. A festival that is
            // also a public holiday ("中秋节" and "中秋节假期") is named once, as the
            // holiday, which sorts first.
            let name = if zh { &e.name_zh } else { &e.name_en };
            let named =
                |d: &DayEvent| d.name.starts_with(name.as_str()) || name.starts_with(&d.name);
            if e.date == date && e.kind != Kind::Workday && !day_events.iter().any(named) {
                day_events.push(DayEvent {
                    name: name.clone(),
                    kind: e.kind.as_str(),
                });
            }
        }
        let (mine, rest): (Vec<PubCard>, Vec<PubCard>) =
            cards.into_iter().partition(|c| c.day == iso);
        cards = rest;
        out.push(Day {
            in_range: range.week || date.month() == range.month.month(),
            today: date == today,
            past: date < today,
            number: date.day(),
            iso,
            date,
            off,
            workday,
            events: day_events,
            cards: mine,
        });
        date = date.tomorrow().unwrap_or(date);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_cover_whole_weeks() {
        let today = d("2026-12-15");
        // October 2026 starts on a Thursday and ends on a Saturday.
        let oct = Range::resolve("", "", "2026-10", today);
        assert_eq!((oct.start, oct.days), (d("2026-09-28"), 35));
        assert_eq!(oct.end_exclusive(), d("2026-11-02"));
        assert_eq!(oct.step(false), "?month=2026-09");
        assert_eq!(oct.step(true), "?month=2026-11");
        // A bad month falls back to the date's month, then to today's.
        let fallback = Range::resolve("", "2026-02-10", "2026-13", today);
        assert_eq!(fallback.month, d("2026-02-01"));
        assert_eq!(Range::resolve("", "", "x", today).month, d("2026-12-01"));
        let week = Range::resolve("week", "2026-10-01", "", today);
        assert_eq!(
            (week.start, week.days, week.week),
            (d("2026-09-28"), 7, true)
        );
        assert_eq!(week.step(true), "?view=week&date=2026-10-05");
        assert_eq!(week.query(), "?view=week&date=2026-09-28");
        // March 2027 needs six rows: it starts on a Monday and ends on a Wednesday.
        let march = Range::resolve("", "", "2027-03", today);
        assert_eq!((march.start, march.days), (d("2027-03-01"), 35));
        let aug = Range::resolve("", "", "2026-08", today);
        assert_eq!((aug.start, aug.days), (d("2026-07-27"), 42));
    }

    #[test]
    fn holidays_mark_their_days_and_are_named_once() {
        let range = Range::resolve("", "", "2026-10", d("2026-12-15"));
        let events = events_between(&[], range.start, range.end_exclusive());
        let laid = days(&range, d("2026-12-15"), &events, Vec::new(), true);
        let day = |iso: &str| laid.iter().find(|x| x.iso == iso).unwrap();
        let names =
            |iso: &str| -> Vec<String> { day(iso).events.iter().map(|e| e.name.clone()).collect() };
        assert!(
            names("2026-10-01").contains(&"国庆节假期".to_owned()),
            "{:?}",
            names("2026-10-01")
        );
        assert!(day("2026-10-01").off && day("2026-10-07").off && !day("2026-10-08").off);
        assert!(day("2026-10-10").workday && !day("2026-10-10").off);
        assert!(names("2026-10-03").iter().all(|n| !n.starts_with("国庆")));
        let sept = Range::resolve("", "", "2026-09", d("2026-12-15"));
        let events = events_between(&[], sept.start, sept.end_exclusive());
        let laid = days(&sept, d("2026-12-15"), &events, Vec::new(), true);
        let festival: Vec<&str> = laid
            .iter()
            .find(|x| x.iso == "2026-09-25")
            .unwrap()
            .events
            .iter()
            .map(|e| e.name.as_str())
            .filter(|n| n.starts_with("中秋"))
            .collect();
        assert_eq!(
            festival,
            ["中秋节假期"],
            "the festival is named once, as the holiday"
        );
        assert_eq!(
            day("2026-10-08")
                .events
                .iter()
                .filter(|e| e.kind == "solar_term")
                .count(),
            1,
            "寒露"
        );
        assert!(!day("2026-09-28").in_range && day("2026-10-31").in_range);
        assert!(laid.iter().all(|x| x.past));
    }
}
