//! Tests of the public API: what a caller of `events` sees.

use super::*;
use jiff::civil::date;

fn find<'a>(events: &'a [Event], name_zh: &str) -> Option<&'a Event> {
    events.iter().find(|e| e.name_zh == name_zh)
}

fn year(y: i16) -> Vec<Event> {
    events(y, &[]).unwrap_or_else(|e| panic!("{y}: {e}"))
}

#[test]
fn years_outside_the_range_are_refused() {
    for (y, ok) in [
        (1899, false),
        (1900, true),
        (2100, true),
        (2101, false),
        (-5, false),
    ] {
        let result = events(y, &[]).map(|_| ());
        let expected = if ok {
            Ok(())
        } else {
            Err(CalendarError::YearOutOfRange(y.into()))
        };
        assert_eq!(result, expected, "{y}");
    }
}

#[test]
fn published_2027_dates_come_out_of_events() {
    let all = year(2027);
    for (name, expected) in [
        ("春节", date(2027, 2, 6)),
        ("端午节", date(2027, 6, 9)),
        ("中秋节", date(2027, 9, 15)),
        ("清明", date(2027, 4, 5)),
        ("冬至", date(2027, 12, 22)),
    ] {
        assert_eq!(find(&all, name).map(|e| e.date), Some(expected), "{name}");
    }
}

#[test]
fn every_year_has_every_kind_of_computed_event_once() {
    for y in [MIN_YEAR, 1950, 2000, 2033, 2027, MAX_YEAR] {
        let all = year(y);
        let count = |kind| all.iter().filter(|e| e.kind == kind).count();
        assert_eq!(count(Kind::SolarTerm), 24, "{y}");
        // 8 festivals a year; 腊八 can fall in either January or the next January, so a
        // Gregorian year holds 7–9 of them (but 春节 and 除夕 exactly once).
        assert!((7..=9).contains(&count(Kind::LunarFestival)), "{y}");
        for name in ["春节", "除夕", "中秋节", "端午节"] {
            assert_eq!(
                all.iter().filter(|e| e.name_zh == name).count(),
                1,
                "{y} {name}"
            );
        }
        assert!(
            all.windows(2).all(|p| p[0].date <= p[1].date),
            "{y}: not sorted"
        );
    }
}

#[test]
fn new_years_eve_is_the_day_before_spring_festival() {
    for y in MIN_YEAR..=MAX_YEAR {
        let all = year(y);
        let eve = find(&all, "除夕").map(|e| e.date.tomorrow());
        let new_year = find(&all, "春节").map(|e| e.date);
        assert_eq!(eve.and_then(Result::ok), new_year, "{y}");
    }
}

/// The holiday data and the astronomy must agree: each festival holiday contains the
/// festival (or solar term) it is named after.
#[test]
fn holiday_periods_contain_their_computed_festival() {
    for y in holiday_years() {
        let all = year(y);
        for (holiday, day) in [
            ("春节假期", "春节"),
            ("清明节假期", "清明"),
            ("端午节假期", "端午节"),
        ] {
            let period = find(&all, holiday);
            let target = find(&all, day).map(|e| e.date);
            let inside = period
                .zip(target)
                .is_some_and(|(p, d)| p.date <= d && d <= p.end.unwrap_or(p.date));
            assert!(inside, "{y}: {holiday} should contain {day} {target:?}");
        }
        let mid_autumn = find(&all, "中秋节").map(|e| e.date);
        let holds = all
            .iter()
            .filter(|e| e.kind == Kind::Holiday)
            .any(|p| mid_autumn.is_some_and(|d| p.date <= d && d <= p.end.unwrap_or(p.date)));
        assert!(holds, "{y}: no holiday contains 中秋节 {mid_autumn:?}");
    }
}

#[test]
fn holidays_2025_match_the_notice() {
    let all = year(2025);
    let periods: Vec<(Date, Option<Date>)> = all
        .iter()
        .filter(|e| e.kind == Kind::Holiday)
        .map(|e| (e.date, e.end))
        .collect();
    assert_eq!(
        periods,
        [
            (date(2025, 1, 1), None),
            (date(2025, 1, 28), Some(date(2025, 2, 4))),
            (date(2025, 4, 4), Some(date(2025, 4, 6))),
            (date(2025, 5, 1), Some(date(2025, 5, 5))),
            (date(2025, 5, 31), Some(date(2025, 6, 2))),
            (date(2025, 10, 1), Some(date(2025, 10, 8))),
        ]
    );
    let workdays: Vec<Date> = all
        .iter()
        .filter(|e| e.kind == Kind::Workday)
        .map(|e| e.date)
        .collect();
    assert_eq!(
        workdays,
        [
            date(2025, 1, 26),
            date(2025, 2, 8),
            date(2025, 4, 27),
            date(2025, 9, 28),
            date(2025, 10, 11)
        ]
    );
    assert!(
        all.iter()
            .filter(|e| e.kind == Kind::Holiday)
            .all(|e| e.source_url.is_some())
    );
}

#[test]
fn custom_events_are_merged_sorted_and_default_their_lead_time() {
    let launch = CustomEvent {
        date: date(2025, 3, 1),
        name_zh: "新品发布".into(),
        name_en: None,
        lead_days: Some(40),
        yearly: false,
        source_url: None,
    };
    let anniversary = CustomEvent {
        date: date(2024, 2, 29),
        name_zh: "品牌周年".into(),
        name_en: Some("Brand anniversary".into()),
        lead_days: None,
        yearly: true,
        source_url: None,
    };
    let all = events(2025, &[launch.clone(), anniversary.clone()]).unwrap_or_default();
    let got = find(&all, "新品发布");
    assert_eq!(
        got.map(|e| (e.date, e.kind, e.lead_days, e.name_en.as_str())),
        Some((date(2025, 3, 1), Kind::Custom, 40, "新品发布"))
    );
    assert_eq!(got.map(Event::prepare_from), Some(date(2025, 1, 20)));
    let yearly = find(&all, "品牌周年");
    assert_eq!(
        yearly.map(|e| (e.date, e.lead_days)),
        Some((date(2025, 2, 28), 7))
    );
    assert!(all.windows(2).all(|p| p[0].date <= p[1].date));
    // A one-off event of another year does not appear.
    let other = events(2026, &[launch]).unwrap_or_default();
    assert!(find(&other, "新品发布").is_none());
}

#[test]
fn lead_times_follow_the_event_or_the_kind() {
    let all = year(2025);
    for (name, lead) in [
        ("春节", 30),
        ("双11", 45),
        ("清明", 3),
        ("世界地球日", 7),
        ("开学季", 30),
    ] {
        assert_eq!(find(&all, name).map(|e| e.lead_days), Some(lead), "{name}");
    }
}

#[test]
fn notices_are_listed_with_their_years_and_urls() {
    let notices = holiday_notices().unwrap_or_default();
    let years: Vec<i16> = notices.iter().map(|n| n.year).collect();
    assert_eq!(years, holiday_years());
    assert!(years.contains(&2025) && years.contains(&2026), "{years:?}");
    assert!(
        notices
            .iter()
            .all(|n| n.url.starts_with("https://www.gov.cn/"))
    );
}
