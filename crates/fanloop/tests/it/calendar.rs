//! Black-box tests of `fanloop calendar`.

use std::process::{Command, Output};

fn calendar(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fanloop"))
        .arg("calendar")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running fanloop calendar: {e}"))
}

fn json(args: &[&str]) -> Vec<serde_json::Value> {
    let out = calendar(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"))
}

fn find<'a>(rows: &'a [serde_json::Value], name: &str) -> Option<&'a serde_json::Value> {
    rows.iter().find(|r| r["name"] == name)
}

#[test]
fn json_lists_the_published_2027_dates() {
    let rows = json(&["--year", "2027", "--format", "json"]);
    for (name, date, kind) in [
        ("春节", "2027-02-06", "lunar_festival"),
        ("端午节", "2027-06-09", "lunar_festival"),
        ("中秋节", "2027-09-15", "lunar_festival"),
        ("清明", "2027-04-05", "solar_term"),
        ("冬至", "2027-12-22", "solar_term"),
        ("双11", "2027-11-11", "shopping"),
    ] {
        let row = find(&rows, name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(
            (row["date"].as_str(), row["kind"].as_str()),
            (Some(date), Some(kind)),
            "{name}"
        );
    }
    let dates: Vec<&str> = rows.iter().filter_map(|r| r["date"].as_str()).collect();
    assert!(dates.windows(2).all(|p| p[0] <= p[1]), "not sorted by date");
    assert_eq!(
        rows.iter().filter(|r| r["kind"] == "solar_term").count(),
        24
    );
    for row in &rows {
        let keys: Vec<&str> = row
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys.len(), 5, "{row}");
        for key in ["date", "name", "kind", "lead_days", "name_en"] {
            assert!(keys.contains(&key), "{row} lacks {key}");
        }
    }
}

#[test]
fn json_carries_holidays_and_make_up_workdays_from_the_data_files() {
    let rows = json(&["--year", "2025", "--format", "json"]);
    let by_kind = |kind: &str| -> Vec<&str> {
        rows.iter()
            .filter(|r| r["kind"] == kind)
            .filter_map(|r| r["date"].as_str())
            .collect()
    };
    assert_eq!(
        by_kind("holiday"),
        [
            "2025-01-01",
            "2025-01-28",
            "2025-04-04",
            "2025-05-01",
            "2025-05-31",
            "2025-10-01"
        ]
    );
    assert_eq!(
        by_kind("workday"),
        [
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11"
        ]
    );
    let new_year = find(&rows, "春节").map(|r| (r["date"].clone(), r["lead_days"].clone()));
    assert_eq!(new_year, Some(("2025-01-29".into(), 30.into())));
}

#[test]
fn english_names_with_lang_en() {
    let rows = json(&["--year", "2024", "--format", "json", "--lang", "en"]);
    let festival = find(&rows, "Spring Festival (Chinese New Year)");
    assert_eq!(
        festival.and_then(|r| r["date"].as_str()),
        Some("2024-02-10")
    );
    assert_eq!(
        find(&rows, "Winter Solstice").and_then(|r| r["date"].as_str()),
        Some("2024-12-21")
    );
}

#[test]
fn text_is_the_default_and_warns_when_a_year_has_no_holiday_data() {
    let out = calendar(&["--year", "1950"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("1950-") && l.contains("冬至")),
        "{stdout}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("双11")),
        "双11 did not exist in 1950"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有 1950 年的放假安排数据"));
}

#[test]
fn years_outside_the_range_exit_2_with_a_clear_message() {
    for (args, expected) in [
        (&["--year", "1899"][..], "1899 超出支持范围 1900–2100"),
        (
            &["--year", "2101", "--format", "json"][..],
            "2101 超出支持范围",
        ),
        (
            &["--year", "99999", "--lang", "en"][..],
            "year 99999 is outside the supported range 1900–2100",
        ),
    ] {
        let out = calendar(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn unknown_format_or_language_is_a_usage_error() {
    for args in [
        &["--year", "2025", "--format", "xml"][..],
        &["--year", "2025", "--lang", "fr"][..],
    ] {
        assert_eq!(calendar(args).status.code(), Some(2), "{args:?}");
    }
}
