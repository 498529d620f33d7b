//! Public holidays and make-up workdays (调休), as announced each year by the State
//! Council. They are decisions, not computations, so they ship as data: one JSON file
//! per year in `data/holidays/`, embedded by `build.rs`. Each file carries the notice's
//! URL, and an `uncertain` list for anything not yet checked against the notice.

use jiff::civil::{Date, Weekday};
use serde::Deserialize;

use crate::CalendarError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/holiday_files.rs"));
}

/// One year's notice.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Notice {
    pub year: i16,
    pub notice: String,
    pub notice_url: String,
    #[serde(default)]
    pub uncertain: Vec<String>,
    pub holidays: Vec<Holiday>,
}

/// One holiday period and the weekend days worked to make up for it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Holiday {
    pub name_zh: String,
    pub name_en: String,
    pub first: Date,
    pub last: Date,
    pub workdays: Vec<Date>,
    pub lead_days: Option<u16>,
}

/// Parse and check every embedded file. The checks catch typing mistakes in the data: a
/// year that disagrees with the file name, a period that ends before it starts, periods
/// that overlap, or a make-up workday that is not a weekend day.
pub(crate) fn notices() -> Result<Vec<Notice>, CalendarError> {
    embedded::FILES
        .iter()
        .map(|(file, text)| parse(file, text))
        .collect()
}

fn parse(file: &str, text: &str) -> Result<Notice, CalendarError> {
    let bad = |reason: String| CalendarError::HolidayData {
        file: file.to_owned(),
        reason,
    };
    let notice: Notice = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    if file != format!("{}.json", notice.year) {
        return Err(bad(format!(
            "year {} does not match the file name",
            notice.year
        )));
    }
    if !notice.notice_url.starts_with("https://") {
        return Err(bad("notice_url must be an https URL".to_owned()));
    }
    for (i, h) in notice.holidays.iter().enumerate() {
        if h.first > h.last {
            return Err(bad(format!(
                "{}: first {} is after last {}",
                h.name_zh, h.first, h.last
            )));
        }
        if let Some(next) = notice
            .holidays
            .get(i + 1)
            .filter(|next| next.first <= h.last)
        {
            return Err(bad(format!(
                "{} overlaps {} (keep periods in date order)",
                h.name_zh, next.name_zh
            )));
        }
        for w in &h.workdays {
            if !matches!(w.weekday(), Weekday::Saturday | Weekday::Sunday) {
                return Err(bad(format!(
                    "{}: make-up workday {w} is not a weekend day",
                    h.name_zh
                )));
            }
        }
    }
    Ok(notice)
}

/// What the embedded data says about one year's notice, so a caller can cite it and
/// warn while parts of it are unconfirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolidayNotice {
    pub year: i16,
    /// The notice's title and number.
    pub title: String,
    pub url: String,
    /// Parts of the file not yet checked against the notice; empty once verified.
    pub uncertain: Vec<String>,
}

/// Every embedded notice, ascending by year.
pub fn holiday_notices() -> Result<Vec<HolidayNotice>, CalendarError> {
    Ok(notices()?
        .into_iter()
        .map(|n| HolidayNotice {
            year: n.year,
            title: n.notice,
            url: n.notice_url,
            uncertain: n.uncertain,
        })
        .collect())
}

/// The years for which holiday data is embedded, ascending.
pub fn holiday_years() -> Vec<i16> {
    embedded::FILES
        .iter()
        .filter_map(|(file, _)| file.strip_suffix(".json")?.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_parses_and_passes_its_checks() {
        let notices = notices().map_err(|e| e.to_string());
        assert!(notices.as_ref().is_ok_and(|n| n.len() >= 2), "{notices:?}");
    }

    /// Proves the build script embeds whatever the folder holds: the embedded list must
    /// equal the folder's `.json` files as seen now, so a new year's file is picked up by
    /// rebuilding, with no code change.
    #[test]
    fn embedded_files_are_exactly_the_data_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/holidays");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".json"))
                    .collect()
            })
            .unwrap_or_default();
        on_disk.sort();
        let embedded: Vec<&str> = embedded::FILES.iter().map(|(name, _)| *name).collect();
        assert!(!embedded.is_empty());
        assert_eq!(embedded, on_disk);
    }

    /// The 2026 file against the notice as published (国办发明电〔2025〕7号): each
    /// period's first and last day and every make-up workday, so a typing slip in the
    /// data fails here rather than in an operator's calendar.
    #[test]
    fn the_2026_file_matches_the_published_notice() {
        let notices = notices().expect("embedded data parses");
        let n = notices.iter().find(|n| n.year == 2026).expect("2026 data");
        assert!(n.uncertain.is_empty(), "{:?}", n.uncertain);
        let got: Vec<(String, String, String, Vec<String>)> = n
            .holidays
            .iter()
            .map(|h| {
                (
                    h.name_zh.clone(),
                    h.first.to_string(),
                    h.last.to_string(),
                    h.workdays.iter().map(|d| d.to_string()).collect(),
                )
            })
            .collect();
        let published = [
            ("元旦", "2026-01-01", "2026-01-03", vec!["2026-01-04"]),
            (
                "春节",
                "2026-02-15",
                "2026-02-23",
                vec!["2026-02-14", "2026-02-28"],
            ),
            ("清明节", "2026-04-04", "2026-04-06", vec![]),
            ("劳动节", "2026-05-01", "2026-05-05", vec!["2026-05-09"]),
            ("端午节", "2026-06-19", "2026-06-21", vec![]),
            ("中秋节", "2026-09-25", "2026-09-27", vec![]),
            (
                "国庆节",
                "2026-10-01",
                "2026-10-07",
                vec!["2026-09-20", "2026-10-10"],
            ),
        ];
        let want: Vec<(String, String, String, Vec<String>)> = published
            .iter()
            .map(|(name, first, last, work)| {
                (
                    name.to_string(),
                    first.to_string(),
                    last.to_string(),
                    work.iter().map(|d| d.to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn bad_data_is_refused_with_the_reason() {
        let ok = r#"{"year":2030,"notice":"n","notice_url":"https://example.org/","holidays":[]}"#;
        assert!(parse("2030.json", ok).is_ok());
        let cases = [
            ("2031.json", ok, "does not match"),
            ("2030.json", r#"{"year":2030}"#, "missing field"),
            ("2030.json", &ok.replace("https://", "http://"), "https"),
            (
                "2030.json",
                &ok.replace(
                    r#""holidays":[]"#,
                    r#""holidays":[{"name_zh":"x","name_en":"x","first":"2030-01-02","last":"2030-01-01","workdays":[]}]"#,
                ),
                "after last",
            ),
            (
                "2030.json",
                &ok.replace(
                    r#""holidays":[]"#,
                    r#""holidays":[{"name_zh":"x","name_en":"x","first":"2030-01-01","last":"2030-01-01","workdays":["2030-01-02"]}]"#,
                ),
                "not a weekend",
            ),
        ];
        for (file, text, reason) in cases {
            let err = parse(file, text).map(|_| ()).map_err(|e| e.to_string());
            assert!(
                err.as_ref().is_err_and(|e| e.contains(reason)),
                "{file}: {err:?}"
            );
        }
    }
}
