//! The Chinese lunisolar calendar (农历) and its festivals.
//!
//! Rules as in the national standard GB/T 33661-2017 and explained by Helmer Aslaksen,
//! "The Mathematics of the Chinese Calendar": a month starts on the China Standard Time
//! day of a new moon; month 11 is the month containing 冬至; a 岁 (winter solstice to
//! winter solstice) with 13 months has a leap month, the first one in that 岁 that
//! contains no principal term (中气, a longitude multiple of 30°), and it takes the
//! number of the month before it. Deciding leap months per 岁, not per lunar year, is
//! what puts 2033's leap month after month 11 instead of after month 7.
//!
//! Checked month by month against the widely circulated 1900–2100 table (derived from
//! the Hong Kong Observatory's): identical except 1906 and 1933 (new moons within minutes of
//! midnight, put on the other side by that era's computations), 2033 (the table's well-known
//! leap-7 error) and 2057 (a new moon two seconds before midnight, inside ΔT's margin).

use crate::astro::moon::{lunation_near, new_moon};
use crate::astro::sun::time_of_longitude;
use crate::astro::time::{Jdn, cst_day_of};
use crate::terms::{WINTER_SOLSTICE, term_day, term_instant};

/// One lunar month: its number (1–12), whether it is a leap month (闰月), and its first
/// and one-past-last days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Month {
    pub number: u8,
    pub leap: bool,
    pub start: Jdn,
    pub end: Jdn,
}

/// Day of the new moon numbered `k`, in China Standard Time.
fn new_moon_day(k: i64) -> Jdn {
    cst_day_of(new_moon(k))
}

/// The lunation whose new-moon day is the last one on or before `day`.
fn lunation_on_or_before(day: Jdn) -> i64 {
    let mut k = lunation_near(day as f64);
    while new_moon_day(k) > day {
        k -= 1;
    }
    while new_moon_day(k + 1) <= day {
        k += 1;
    }
    k
}

/// The months of the 岁 that begins with the month 11 containing 冬至 of Gregorian `year`
/// and ends before the month 11 containing 冬至 of `year + 1`: 12 or 13 months, numbered
/// 11, 12, 1, …, 10 with the leap month (if any) repeating its predecessor's number.
fn sui(year: i64) -> Vec<Month> {
    let first = lunation_on_or_before(term_day(year, WINTER_SOLSTICE));
    let next = lunation_on_or_before(term_day(year + 1, WINTER_SOLSTICE));
    let solstice = term_instant(year, WINTER_SOLSTICE);
    // Principal terms of the 岁: 冬至 (270°) then every 30° up to 小雪 (240°).
    let principal: Vec<Jdn> = (0..12)
        .map(|i| {
            let target = ((270 + 30 * i) % 360) as f64;
            cst_day_of(time_of_longitude(target, solstice + 30.44 * i as f64))
        })
        .collect();
    let has_leap = next - first == 13;
    let mut months = Vec::with_capacity(13);
    let mut number = 11;
    let mut leap_placed = false;
    for k in first..next {
        let (start, end) = (new_moon_day(k), new_moon_day(k + 1));
        let has_principal = principal.iter().any(|&d| start <= d && d < end);
        let is_leap = has_leap && !leap_placed && k != first && !has_principal;
        if k != first && !is_leap {
            number = number % 12 + 1;
        }
        leap_placed |= is_leap;
        months.push(Month {
            number,
            leap: is_leap,
            start,
            end,
        });
    }
    months
}

/// The months of lunar year `year` (the one whose 正月初一 falls in Gregorian `year`), in
/// order: months 1–10 come from the 岁 of `year − 1`, months 11–12 from the 岁 of `year`.
pub(crate) fn lunar_year(year: i64) -> Vec<Month> {
    let starts_year = |m: &Month| m.number == 1 && !m.leap;
    let earlier = sui(year - 1);
    let later = sui(year);
    let head = earlier.iter().skip_while(|m| !starts_year(m));
    let tail = later.iter().take_while(|m| !starts_year(m));
    head.chain(tail).copied().collect()
}

/// A festival on a fixed lunar date, or on the last day of the year.
#[derive(Clone, Copy)]
pub(crate) enum LunarDate {
    /// (month, day) of a non-leap month.
    Fixed(u8, u8),
    /// 除夕: the day before the next 正月初一, whatever the length of month 12.
    YearEnd,
}

/// Festivals: (date, Chinese name, English name, lead days).
pub(crate) const FESTIVALS: [(LunarDate, &str, &str, u16); 8] = [
    (
        LunarDate::Fixed(1, 1),
        "春节",
        "Spring Festival (Chinese New Year)",
        30,
    ),
    (LunarDate::Fixed(1, 15), "元宵节", "Lantern Festival", 14),
    (LunarDate::Fixed(5, 5), "端午节", "Dragon Boat Festival", 21),
    (LunarDate::Fixed(7, 7), "七夕", "Qixi Festival", 21),
    (LunarDate::Fixed(8, 15), "中秋节", "Mid-Autumn Festival", 30),
    (
        LunarDate::Fixed(9, 9),
        "重阳节",
        "Double Ninth Festival",
        14,
    ),
    (LunarDate::Fixed(12, 8), "腊八节", "Laba Festival", 10),
    (LunarDate::YearEnd, "除夕", "Chinese New Year's Eve", 30),
];

/// The Gregorian day of `date` in lunar year `year`, given that year's months and the
/// first day of the following year. `None` if the month is too short (never for the
/// festivals above: every month has at least 29 days).
pub(crate) fn resolve(months: &[Month], next_new_year: Jdn, date: LunarDate) -> Option<Jdn> {
    match date {
        LunarDate::YearEnd => Some(next_new_year - 1),
        LunarDate::Fixed(number, day) => {
            let month = months.iter().find(|m| m.number == number && !m.leap)?;
            let jdn = month.start + i64::from(day) - 1;
            (jdn < month.end).then_some(jdn)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::astro::time::{civil_from_jdn, jdn_from_civil};

    fn festival(year: i64, index: usize) -> Option<(i64, i64, i64)> {
        let months = lunar_year(year);
        let next = lunar_year(year + 1).first()?.start;
        resolve(&months, next, FESTIVALS[index].0).map(civil_from_jdn)
    }

    /// Published dates (State Council notices, Hong Kong Observatory tables):
    /// (Gregorian year, festival index in FESTIVALS, month, day).
    #[test]
    fn festivals_fall_on_published_dates() {
        let published = [
            (2027, 0, 2, 6),
            (2027, 2, 6, 9),
            (2027, 4, 9, 15),
            (2026, 0, 2, 17),
            (2025, 0, 1, 29),
            (2025, 2, 5, 31),
            (2025, 4, 10, 6),
            (2025, 3, 8, 29),
            (2024, 0, 2, 10),
            (2024, 2, 6, 10),
            (2024, 4, 9, 17),
            (2023, 0, 1, 22),
            (2023, 2, 6, 22),
            (2023, 4, 9, 29),
            (2022, 0, 2, 1),
            (2021, 0, 2, 12),
            (2020, 0, 1, 25),
            (2020, 2, 6, 25),
            (2020, 4, 10, 1),
            (2019, 0, 2, 5),
            (2017, 0, 1, 28),
            (2015, 0, 2, 19),
            (2012, 0, 1, 23),
            (2008, 0, 2, 7),
            (2001, 0, 1, 24),
            (2000, 0, 2, 5),
            (1949, 0, 1, 29),
            (1900, 0, 1, 31),
            // Before 1929 the day boundary is Beijing mean time: the new moon of
            // 1916-02-04 00:05 UTC+8 fell on Feb 3 in Beijing, and so did 春节.
            (1916, 0, 2, 3),
            (2034, 0, 2, 19),
            (2033, 0, 1, 31),
        ];
        for (year, index, month, day) in published {
            assert_eq!(
                festival(year, index),
                Some((year, month, day)),
                "{year} {}",
                FESTIVALS[index].1
            );
        }
        // 除夕 2024 is the day before 春节 2025; 2025's holiday starts on it (01-28).
        assert_eq!(festival(2024, 7), Some((2025, 1, 28)));
    }

    /// Leap months from the published tables: (lunar year, leap month number).
    #[test]
    fn leap_months_match_published_tables() {
        let published = [
            (2001, Some(4)),
            (2004, Some(2)),
            (2006, Some(7)),
            (2009, Some(5)),
            (2012, Some(4)),
            (2014, Some(9)),
            (2017, Some(6)),
            (2020, Some(4)),
            (2023, Some(2)),
            (2024, None),
            (2025, Some(6)),
            (2028, Some(5)),
            (2033, Some(11)),
        ];
        for (year, leap) in published {
            let found = lunar_year(year).iter().find(|m| m.leap).map(|m| m.number);
            assert_eq!(found, leap, "{year}");
        }
    }

    #[test]
    fn every_lunar_year_is_well_formed() {
        for year in 1899..=2101 {
            let months = lunar_year(year);
            assert!(
                matches!(months.len(), 12 | 13),
                "{year}: {} months",
                months.len()
            );
            let numbers: Vec<u8> = months
                .iter()
                .filter(|m| !m.leap)
                .map(|m| m.number)
                .collect();
            assert_eq!(numbers, (1..=12).collect::<Vec<u8>>(), "{year}");
            for pair in months.windows(2) {
                assert_eq!(
                    pair[0].end, pair[1].start,
                    "{year}: months must be contiguous"
                );
            }
            for m in &months {
                assert!((29..=30).contains(&(m.end - m.start)), "{year}: {m:?}");
            }
            let new_year = civil_from_jdn(months[0].start);
            // 春节 always falls between January 21 and February 20.
            let day = months[0].start;
            assert!(
                (jdn_from_civil(year, 1, 21)..=jdn_from_civil(year, 2, 20)).contains(&day),
                "{year}: {new_year:?}"
            );
        }
    }
}
