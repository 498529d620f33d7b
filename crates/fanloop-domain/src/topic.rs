//! 选题: topics with where they came from, how they score, and where they stand; and the
//! nine-square brainstorm (九宫格) that crosses account facets with user facets.

use crate::invalid::{Invalid, Reason, single_line};
use serde::Serialize;

/// Where a topic idea came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicSource {
    HotEvent,
    UserDemand,
    Product,
    Competitor,
    Brainstorm,
}

/// Where a topic stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicStatus {
    Idea,
    Planned,
    InProduction,
    Published,
    Archived,
}

macro_rules! codes {
    ($ty:ident { $($variant:ident => $code:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($ty::$variant => $code),* }
            }

            pub fn parse(raw: &str) -> Option<$ty> {
                Self::ALL.iter().copied().find(|v| v.code() == raw.trim())
            }
        }
    };
}

codes!(TopicSource { HotEvent => "hot_event", UserDemand => "user_demand", Product => "product", Competitor => "competitor", Brainstorm => "brainstorm" });
codes!(TopicStatus { Idea => "idea", Planned => "planned", InProduction => "in_production", Published => "published", Archived => "archived" });

/// How much each score counts toward a topic's priority, per workspace (0–10 each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScoreWeights {
    pub timeliness: u8,
    pub value: u8,
    pub conversion: u8,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights {
            timeliness: 1,
            value: 1,
            conversion: 1,
        }
    }
}

impl ScoreWeights {
    pub const MAX: u8 = 10;

    /// Each weight 0–10, not all zero (priorities would all be 0).
    pub fn parse(
        timeliness: i64,
        value: i64,
        conversion: i64,
    ) -> Result<ScoreWeights, Vec<Invalid>> {
        let one = |field: &str, n: i64| {
            u8::try_from(n)
                .ok()
                .filter(|n| *n <= Self::MAX)
                .ok_or_else(|| {
                    Invalid::new(
                        field,
                        Reason::TooLong {
                            max: usize::from(Self::MAX),
                        },
                    )
                })
        };
        match (
            one("timeliness", timeliness),
            one("value", value),
            one("conversion", conversion),
        ) {
            (Ok(0), Ok(0), Ok(0)) => Err(vec![Invalid::new("timeliness", Reason::Required)]),
            (Ok(timeliness), Ok(value), Ok(conversion)) => Ok(ScoreWeights {
                timeliness,
                value,
                conversion,
            }),
            (a, b, c) => Err([a.err(), b.err(), c.err()].into_iter().flatten().collect()),
        }
    }
}

/// A topic's three scores, each 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scores {
    pub timeliness: u8,
    pub value: u8,
    pub conversion: u8,
}

impl Scores {
    /// The weighted mean on a 0–100 scale (1 → 0, 5 → 100), so topics sort the same way
    /// whatever the weights add up to.
    pub fn priority(self, w: ScoreWeights) -> u8 {
        let total = u32::from(w.timeliness) + u32::from(w.value) + u32::from(w.conversion);
        if total == 0 {
            return 0;
        }
        let weighted = u32::from(self.timeliness - 1) * u32::from(w.timeliness)
            + u32::from(self.value - 1) * u32::from(w.value)
            + u32::from(self.conversion - 1) * u32::from(w.conversion);
        ((weighted * 100 + total * 2) / (total * 4)) as u8
    }
}

/// A topic as written, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicDraft {
    pub title: String,
    pub angle: String,
    pub source: TopicSource,
    pub scores: Scores,
    /// `YYYY-MM-DD` in the workspace's time zone.
    pub target_date: Option<String>,
}

fn score(field: &str, raw: &str) -> Result<u8, Invalid> {
    match raw.trim().parse::<u8>() {
        Ok(n @ 1..=5) => Ok(n),
        _ => Err(Invalid::new(field, Reason::NotText)),
    }
}

impl TopicDraft {
    pub fn parse(
        title: &str,
        angle: &str,
        source: &str,
        scores: [&str; 3],
        target_date: &str,
    ) -> Result<TopicDraft, Vec<Invalid>> {
        let title = single_line("title", title, 120, true);
        let angle = single_line("angle", angle, 500, false);
        let source =
            TopicSource::parse(source).ok_or_else(|| Invalid::new("source", Reason::UnknownField));
        let t = score("timeliness", scores[0]);
        let v = score("value", scores[1]);
        let c = score("conversion", scores[2]);
        let date = match target_date.trim() {
            "" => Ok(None),
            d => d
                .parse::<jiff::civil::Date>()
                .map(|d| Some(d.to_string()))
                .map_err(|_| Invalid::new("target_date", Reason::NotText)),
        };
        match (title, angle, source, t, v, c, date) {
            (
                Ok(title),
                Ok(angle),
                Ok(source),
                Ok(timeliness),
                Ok(value),
                Ok(conversion),
                Ok(target_date),
            ) => Ok(TopicDraft {
                title,
                angle,
                source,
                scores: Scores {
                    timeliness,
                    value,
                    conversion,
                },
                target_date,
            }),
            (a, b, c, d, e, f, g) => Err([
                a.err(),
                b.err(),
                c.err(),
                d.err(),
                e.err(),
                f.err(),
                g.err(),
            ]
            .into_iter()
            .flatten()
            .collect()),
        }
    }
}

/// A workspace's own date for the hot-spot calendar, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDate {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
    pub lead_days: u16,
    pub yearly: bool,
}

impl CalendarDate {
    pub const MAX_LEAD_DAYS: u16 = 365;

    pub fn parse(
        date: &str,
        name: &str,
        lead_days: &str,
        yearly: bool,
    ) -> Result<CalendarDate, Vec<Invalid>> {
        let date = date
            .trim()
            .parse::<jiff::civil::Date>()
            .map(|d| d.to_string())
            .map_err(|_| Invalid::new("date", Reason::NotText));
        let name = single_line("name", name, 40, true);
        let lead = match lead_days.trim() {
            "" => Ok(7),
            raw => raw
                .parse::<u16>()
                .ok()
                .filter(|n| *n <= Self::MAX_LEAD_DAYS)
                .ok_or_else(|| {
                    Invalid::new(
                        "lead_days",
                        Reason::TooLong {
                            max: usize::from(Self::MAX_LEAD_DAYS),
                        },
                    )
                }),
        };
        match (date, name, lead) {
            (Ok(date), Ok(name), Ok(lead_days)) => Ok(CalendarDate {
                date,
                name,
                lead_days,
                yearly,
            }),
            (a, b, c) => Err([a.err(), b.err(), c.err()].into_iter().flatten().collect()),
        }
    }
}

/// The nine-square grid: every account/product facet crossed with every user facet, each
/// pair a topic seed. Facets are trimmed, blank ones dropped and repeats removed.
pub fn brainstorm(
    account: &[String],
    users: &[String],
) -> Result<Vec<(String, String)>, Vec<Invalid>> {
    const MAX_FACETS: usize = 12;
    let clean = |field: &str, list: &[String]| -> Result<Vec<String>, Invalid> {
        let mut out: Vec<String> = Vec::new();
        for raw in list {
            let facet = single_line(field, raw, 30, false)?;
            if !facet.is_empty() && !out.contains(&facet) {
                out.push(facet);
            }
        }
        match out.len() {
            0 => Err(Invalid::new(field, Reason::Required)),
            n if n > MAX_FACETS => Err(Invalid::new(field, Reason::TooLong { max: MAX_FACETS })),
            _ => Ok(out),
        }
    };
    match (
        clean("account_facets", account),
        clean("user_facets", users),
    ) {
        (Ok(a), Ok(u)) => Ok(a
            .iter()
            .flat_map(|x| u.iter().map(move |y| (x.clone(), y.clone())))
            .collect()),
        (a, u) => Err([a.err(), u.err()].into_iter().flatten().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_is_a_weighted_mean_on_0_to_100() {
        let w = ScoreWeights::default();
        let s = |t, v, c| Scores {
            timeliness: t,
            value: v,
            conversion: c,
        };
        assert_eq!(s(1, 1, 1).priority(w), 0);
        assert_eq!(s(5, 5, 5).priority(w), 100);
        assert_eq!(s(3, 3, 3).priority(w), 50);
        let timely = ScoreWeights {
            timeliness: 3,
            value: 1,
            conversion: 0,
        };
        assert_eq!(s(5, 1, 1).priority(timely), 75);
        assert_eq!(s(1, 5, 5).priority(timely), 25);
        assert_eq!(
            s(5, 5, 5).priority(ScoreWeights {
                timeliness: 0,
                value: 0,
                conversion: 0
            }),
            0
        );
    }

    #[test]
    fn calendar_dates() {
        let ok = CalendarDate::parse("2026-09-18", "品牌生日", "", true).unwrap();
        assert_eq!((ok.lead_days, ok.yearly), (7, true));
        let fields: Vec<_> = CalendarDate::parse("9/18", " ", "400", false)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["date", "name", "lead_days"]);
    }

    #[test]
    fn weights() {
        assert_eq!(
            ScoreWeights::parse(3, 1, 0).unwrap(),
            ScoreWeights {
                timeliness: 3,
                value: 1,
                conversion: 0
            }
        );
        assert!(ScoreWeights::parse(0, 0, 0).is_err());
        assert_eq!(ScoreWeights::parse(11, -1, 2).unwrap_err().len(), 2);
    }

    #[test]
    fn drafts() {
        let ok = TopicDraft::parse(
            "双11 早鸟攻略",
            "学生党省钱",
            "hot_event",
            ["5", "4", "3"],
            "2026-11-01",
        )
        .unwrap();
        assert_eq!(ok.target_date.as_deref(), Some("2026-11-01"));
        let errors = TopicDraft::parse("", "", "rumour", ["0", "6", "x"], "11/01").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "source",
                "timeliness",
                "value",
                "conversion",
                "target_date"
            ]
        );
    }

    #[test]
    fn nine_square() {
        let grid = brainstorm(
            &["咖啡".into(), " 甜品 ".into(), "咖啡".into()],
            &["学生".into(), "".into(), "白领".into()],
        )
        .unwrap();
        assert_eq!(grid.len(), 4);
        assert_eq!(grid[0], ("咖啡".to_owned(), "学生".to_owned()));
        assert_eq!(grid[3], ("甜品".to_owned(), "白领".to_owned()));
        assert_eq!(
            brainstorm(&[], &["x".into()]).unwrap_err()[0].field,
            "account_facets"
        );
        let many: Vec<String> = (0..13).map(|i| i.to_string()).collect();
        assert!(brainstorm(&many, &["x".into()]).is_err());
    }
}
