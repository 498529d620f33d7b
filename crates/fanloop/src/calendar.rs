//! `fanloop calendar`: print a year's hot-spot calendar (holidays, make-up workdays, lunar
//! festivals, solar terms, shopping and seasonal nodes, international days) as text or
//! JSON. All the knowledge is in `fanloop-calendar`; this file only chooses a language
//! and prints.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use fanloop_calendar::{CalendarError, Event, Kind, MAX_YEAR, MIN_YEAR};

#[derive(clap::Args)]
pub struct Args {
    /// Gregorian year, 1900–2100 [default: the current year in China].
    #[arg(long)]
    year: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Language of event names and messages.
    #[arg(long, value_enum, default_value_t = Lang::ZhCn)]
    lang: Lang,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    #[value(name = "zh-CN")]
    ZhCn,
    #[value(name = "en")]
    En,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lang = args.lang;
    let year = match args.year {
        Some(year) => year,
        None => jiff::Timestamp::now()
            .in_tz("Asia/Shanghai")
            .context("finding the current year in China")?
            .year()
            .into(),
    };
    let year = i16::try_from(year)
        .map_err(|_| CalendarError::YearOutOfRange(year))
        .and_then(|y| fanloop_calendar::events(y, &[]).map(|events| (y, events)));
    let (year, events) = year.map_err(|e| anyhow::anyhow!(message(&e, lang)))?;

    for note in data_notes(year, lang)? {
        eprintln!("{note}");
    }
    let output = match args.format {
        Format::Json => json_array(&events, lang),
        Format::Text => events.iter().map(|e| text_row(e, lang) + "\n").collect(),
    };
    // A closed pipe (`fanloop calendar | head`) is the reader's choice, not an error.
    match std::io::stdout().lock().write_all(output.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("writing to standard output");
        }
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn name(e: &Event, lang: Lang) -> &str {
    match lang {
        Lang::ZhCn => &e.name_zh,
        Lang::En => &e.name_en,
    }
}

/// The JSON array, one event per line with keys in the documented order (`date`, `name`,
/// `kind`, then `lead_days` and `name_en`), which a `serde_json::Value` map would sort.
fn json_array(events: &[Event], lang: Lang) -> String {
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    let rows: Vec<String> = events
        .iter()
        .map(|e| {
            format!(
                r#"  {{"date":"{}","name":{},"kind":"{}","lead_days":{},"name_en":{}}}"#,
                e.date,
                quote(name(e, lang)),
                e.kind.as_str(),
                e.lead_days,
                quote(&e.name_en),
            )
        })
        .collect();
    if rows.is_empty() {
        return "[]\n".to_owned();
    }
    format!("[\n{}\n]\n", rows.join(",\n"))
}

fn text_row(e: &Event, lang: Lang) -> String {
    let span = match e.end {
        Some(end) => format!("{} – {}", e.date, end),
        None => e.date.to_string(),
    };
    let lead = match lang {
        Lang::ZhCn => format!("提前 {} 天准备", e.lead_days),
        Lang::En => format!("prepare {} days ahead", e.lead_days),
    };
    // Only the ASCII date column is padded: CJK text is double-width in a terminal.
    format!(
        "{span:<24}  {}  [{}] {lead}",
        name(e, lang),
        kind_label(e.kind, lang)
    )
}

fn kind_label(kind: Kind, lang: Lang) -> &'static str {
    match (lang, kind) {
        (Lang::ZhCn, Kind::Holiday) => "放假",
        (Lang::ZhCn, Kind::Workday) => "调休上班",
        (Lang::ZhCn, Kind::LunarFestival) => "农历节日",
        (Lang::ZhCn, Kind::SolarTerm) => "节气",
        (Lang::ZhCn, Kind::Shopping) => "电商节点",
        (Lang::ZhCn, Kind::Season) => "季节节点",
        (Lang::ZhCn, Kind::International) => "国际节日",
        (Lang::ZhCn, Kind::Custom) => "自定义",
        (Lang::En, Kind::Holiday) => "holiday",
        (Lang::En, Kind::Workday) => "make-up workday",
        (Lang::En, Kind::LunarFestival) => "lunar festival",
        (Lang::En, Kind::SolarTerm) => "solar term",
        (Lang::En, Kind::Shopping) => "shopping",
        (Lang::En, Kind::Season) => "season",
        (Lang::En, Kind::International) => "international day",
        (Lang::En, Kind::Custom) => "custom",
    }
}

/// Warnings for standard error: the year has no holiday data yet, or its data still has
/// unconfirmed parts.
fn data_notes(year: i16, lang: Lang) -> anyhow::Result<Vec<String>> {
    let notices =
        fanloop_calendar::holiday_notices().map_err(|e| anyhow::anyhow!(message(&e, lang)))?;
    let Some(notice) = notices.iter().find(|n| n.year == year) else {
        return Ok(vec![match lang {
            Lang::ZhCn => format!(
                "注意：没有 {year} 年的放假安排数据（国务院通常在前一年 11 月发布通知），日历中不含放假和调休。"
            ),
            Lang::En => format!(
                "note: no public-holiday data for {year} (the State Council usually announces it the November before); holidays and make-up workdays are not listed."
            ),
        }]);
    };
    Ok(notice
        .uncertain
        .iter()
        .map(|item| match lang {
            Lang::ZhCn => format!("注意：{year} 年放假安排数据有待核对：{item}"),
            Lang::En => format!("note: the {year} holiday data is not yet verified: {item}"),
        })
        .collect())
}

fn message(e: &CalendarError, lang: Lang) -> String {
    match (lang, e) {
        (Lang::ZhCn, CalendarError::YearOutOfRange(y)) => {
            format!("年份 {y} 超出支持范围 {MIN_YEAR}–{MAX_YEAR}，请换一个年份。")
        }
        (Lang::En, CalendarError::YearOutOfRange(y)) => {
            format!(
                "year {y} is outside the supported range {MIN_YEAR}–{MAX_YEAR}; choose a year in it."
            )
        }
        (_, e) => e.to_string(),
    }
}
