//! Shopping nodes, seasons and international days: dates fixed by custom rather than by
//! astronomy or decree, so a table of rules is the whole implementation.

use jiff::civil::{Date, Weekday};

use crate::Kind;

/// When a node falls in a given year.
#[derive(Clone, Copy)]
pub(crate) enum When {
    /// A fixed month and day, optionally running to a last (month, day).
    Fixed {
        month: i8,
        day: i8,
        until: Option<(i8, i8)>,
    },
    /// The n-th given weekday of a month (母亲节, 父亲节).
    NthWeekday {
        month: i8,
        weekday: Weekday,
        nth: i8,
    },
}

/// A rule: when, names, kind, lead time (None: the kind's default), and the first year it
/// applies. The first years of the internet-era shopping nodes are approximate; they
/// only keep historical years free of anachronisms (双11 since 2009 is exact).
pub(crate) struct Node {
    pub when: When,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub kind: Kind,
    pub lead_days: Option<u16>,
    pub since: i16,
}

const fn fixed(month: i8, day: i8) -> When {
    When::Fixed {
        month,
        day,
        until: None,
    }
}

pub(crate) const NODES: &[Node] = &[
    // Shopping (电商节点).
    Node {
        when: fixed(3, 8),
        name_zh: "女神节",
        name_en: "Goddess Day sales",
        kind: Kind::Shopping,
        lead_days: Some(21),
        since: 2015,
    },
    Node {
        when: fixed(5, 20),
        name_zh: "520 告白日",
        name_en: "520 confession day",
        kind: Kind::Shopping,
        lead_days: Some(14),
        since: 2010,
    },
    Node {
        when: fixed(6, 18),
        name_zh: "618 年中大促",
        name_en: "618 mid-year sale",
        kind: Kind::Shopping,
        lead_days: Some(30),
        since: 2010,
    },
    Node {
        when: fixed(11, 11),
        name_zh: "双11",
        name_en: "Singles' Day (Double 11)",
        kind: Kind::Shopping,
        lead_days: Some(45),
        since: 2009,
    },
    Node {
        when: fixed(12, 12),
        name_zh: "双12",
        name_en: "Double 12",
        kind: Kind::Shopping,
        lead_days: Some(30),
        since: 2012,
    },
    // Seasons.
    Node {
        when: When::Fixed {
            month: 6,
            day: 1,
            until: Some((6, 30)),
        },
        name_zh: "毕业季",
        name_en: "Graduation season",
        kind: Kind::Season,
        lead_days: None,
        since: 1900,
    },
    Node {
        when: When::Fixed {
            month: 8,
            day: 20,
            until: Some((9, 30)),
        },
        name_zh: "开学季",
        name_en: "Back-to-school season",
        kind: Kind::Season,
        lead_days: None,
        since: 1900,
    },
    // International days.
    Node {
        when: fixed(2, 14),
        name_zh: "情人节",
        name_en: "Valentine's Day",
        kind: Kind::International,
        lead_days: Some(21),
        since: 1900,
    },
    Node {
        when: fixed(3, 8),
        name_zh: "国际妇女节",
        name_en: "International Women's Day",
        kind: Kind::International,
        lead_days: Some(14),
        since: 1911,
    },
    Node {
        when: fixed(3, 15),
        name_zh: "国际消费者权益日",
        name_en: "World Consumer Rights Day",
        kind: Kind::International,
        lead_days: Some(14),
        since: 1983,
    },
    Node {
        when: fixed(4, 22),
        name_zh: "世界地球日",
        name_en: "Earth Day",
        kind: Kind::International,
        lead_days: None,
        since: 1970,
    },
    Node {
        when: fixed(4, 23),
        name_zh: "世界读书日",
        name_en: "World Book Day",
        kind: Kind::International,
        lead_days: None,
        since: 1995,
    },
    Node {
        when: When::NthWeekday {
            month: 5,
            weekday: Weekday::Sunday,
            nth: 2,
        },
        name_zh: "母亲节",
        name_en: "Mother's Day",
        kind: Kind::International,
        lead_days: Some(21),
        since: 1914,
    },
    Node {
        when: fixed(6, 1),
        name_zh: "国际儿童节",
        name_en: "International Children's Day",
        kind: Kind::International,
        lead_days: Some(14),
        since: 1950,
    },
    Node {
        when: When::NthWeekday {
            month: 6,
            weekday: Weekday::Sunday,
            nth: 3,
        },
        name_zh: "父亲节",
        name_en: "Father's Day",
        kind: Kind::International,
        lead_days: Some(21),
        since: 1910,
    },
    Node {
        when: fixed(12, 25),
        name_zh: "圣诞节",
        name_en: "Christmas",
        kind: Kind::International,
        lead_days: Some(21),
        since: 1900,
    },
];

/// The node's first and (for seasons) last day in `year`; `None` if the rule does not
/// apply that year or names no such day.
pub(crate) fn resolve(node: &Node, year: i16) -> Option<(Date, Option<Date>)> {
    if year < node.since {
        return None;
    }
    match node.when {
        When::Fixed { month, day, until } => {
            let first = Date::new(year, month, day).ok()?;
            let last = match until {
                Some((m, d)) => Some(Date::new(year, m, d).ok()?),
                None => None,
            };
            Some((first, last))
        }
        When::NthWeekday {
            month,
            weekday,
            nth,
        } => {
            let first = Date::new(year, month, 1)
                .ok()?
                .nth_weekday_of_month(nth, weekday)
                .ok()?;
            Some((first, None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(name: &str, year: i16) -> Option<Date> {
        let node = NODES.iter().find(|n| n.name_zh == name)?;
        resolve(node, year).map(|(first, _)| first)
    }

    #[test]
    fn rules_give_the_known_dates() {
        let cases = [
            ("母亲节", 2024, Some(jiff::civil::date(2024, 5, 12))),
            ("母亲节", 2025, Some(jiff::civil::date(2025, 5, 11))),
            ("父亲节", 2024, Some(jiff::civil::date(2024, 6, 16))),
            ("父亲节", 2025, Some(jiff::civil::date(2025, 6, 15))),
            ("双11", 2009, Some(jiff::civil::date(2009, 11, 11))),
            ("双11", 2008, None),
            ("世界地球日", 1969, None),
            ("开学季", 2030, Some(jiff::civil::date(2030, 8, 20))),
        ];
        for (name, year, expected) in cases {
            assert_eq!(find(name, year), expected, "{name} {year}");
        }
    }
}
