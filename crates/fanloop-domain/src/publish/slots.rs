//! Weekly queue slots ("Tue 20:00") and finding the next free one, in the workspace's
//! time zone. Daylight-saving safe: a slot inside a spring-forward gap moves to the
//! first valid instant after it; one inside an autumn fold happens once, at its first
//! occurrence.

use crate::invalid::{Invalid, Reason};
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use std::collections::BTreeSet;

/// A weekly time: weekday (0 = Monday … 6 = Sunday) and minute of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WeeklySlot {
    pub weekday: u8,
    pub minute: u16,
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_NAMES_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

impl WeeklySlot {
    pub fn new(weekday: u8, minute: u16) -> Result<WeeklySlot, Invalid> {
        if weekday > 6 {
            return Err(Invalid::new("weekday", Reason::OutOfRange));
        }
        if minute >= 24 * 60 {
            return Err(Invalid::new("time", Reason::OutOfRange));
        }
        Ok(WeeklySlot { weekday, minute })
    }

    /// Parses "tue 20:00", "周二 20:00" or "2 20:00" (1 = Monday … 7 = Sunday).
    pub fn parse(raw: &str) -> Result<WeeklySlot, Invalid> {
        let mut parts = raw.split_whitespace();
        let (Some(day), Some(time), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Invalid::new("slot", Reason::BadFormat));
        };
        let lower = day.to_ascii_lowercase();
        let weekday = DAY_NAMES
            .iter()
            .position(|d| lower.starts_with(d))
            .or_else(|| DAY_NAMES_ZH.iter().position(|d| *d == day))
            .or_else(|| match day.parse::<u8>() {
                Ok(n @ 1..=7) => Some(usize::from(n - 1)),
                _ => None,
            })
            .ok_or_else(|| Invalid::new("weekday", Reason::BadFormat))?;
        let (h, m) = time
            .split_once(':')
            .ok_or_else(|| Invalid::new("time", Reason::BadFormat))?;
        let digits = |p: &str, max: usize| {
            !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
            return Err(Invalid::new("time", Reason::BadFormat));
        }
        let (h, m): (u16, u16) = match (h.parse::<u16>(), m.parse::<u16>()) {
            (Ok(h), Ok(m)) if h < 24 && m < 60 => (h, m),
            _ => return Err(Invalid::new("time", Reason::BadFormat)),
        };
        WeeklySlot::new(weekday as u8, h * 60 + m)
    }

    /// "周二 20:00" / "Tue 20:00".
    pub fn label(&self, zh: bool) -> String {
        let day = if zh {
            DAY_NAMES_ZH[usize::from(self.weekday)].to_owned()
        } else {
            let d = DAY_NAMES[usize::from(self.weekday)];
            d[..1].to_ascii_uppercase() + &d[1..]
        };
        format!("{day} {:02}:{:02}", self.minute / 60, self.minute % 60)
    }

    fn weekday(&self) -> Weekday {
        Weekday::from_monday_zero_offset(self.weekday as i8).expect("checked in new")
    }

    /// The instant of this slot on `date` in `tz`, when `date` has this weekday.
    fn on(&self, date: Date, tz: &TimeZone) -> Option<Timestamp> {
        if date.weekday() != self.weekday() {
            return None;
        }
        let time = jiff::civil::time((self.minute / 60) as i8, (self.minute % 60) as i8, 0, 0);
        // `to_zoned` uses the "compatible" rule: gaps resolve forward, folds to the
        // earlier instant.
        date.to_datetime(time)
            .to_zoned(tz.clone())
            .ok()
            .map(|z| z.timestamp())
    }
}

/// The first slot strictly after `after_ms` that no other publication of the channel
/// occupies (`taken`, as ms instants), looking up to eight weeks ahead.
pub fn next_free_slot(
    slots: &[WeeklySlot],
    tz: &TimeZone,
    after_ms: i64,
    taken: &BTreeSet<i64>,
) -> Option<i64> {
    if slots.is_empty() {
        return None;
    }
    let start = Timestamp::from_millisecond(after_ms).ok()?;
    let mut date = start.to_zoned(tz.clone()).date();
    for _ in 0..(8 * 7 + 1) {
        let mut todays: Vec<i64> = slots
            .iter()
            .filter_map(|s| s.on(date, tz))
            .map(|t| t.as_millisecond())
            .collect();
        todays.sort_unstable();
        if let Some(free) = todays
            .into_iter()
            .find(|t| *t > after_ms && !taken.contains(t))
        {
            return Some(free);
        }
        date = date.checked_add(1.day()).ok()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str, tz: &str) -> i64 {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned(TimeZone::get(tz).unwrap())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    #[test]
    fn parses_slots_in_both_languages() {
        assert_eq!(
            WeeklySlot::parse("Tue 20:00").unwrap(),
            WeeklySlot::new(1, 1200).unwrap()
        );
        assert_eq!(
            WeeklySlot::parse("周日 08:30").unwrap(),
            WeeklySlot::new(6, 510).unwrap()
        );
        assert_eq!(
            WeeklySlot::parse("1 07:05").unwrap(),
            WeeklySlot::new(0, 425).unwrap()
        );
        for bad in [
            "",
            "Tue",
            "Tue 24:00",
            "Tue 20:60",
            "8 10:00",
            "xyz 10:00",
            "Tue 1:2:3",
        ] {
            assert!(WeeklySlot::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            WeeklySlot::parse("tue 20:00").unwrap().label(true),
            "周二 20:00"
        );
        assert_eq!(
            WeeklySlot::parse("tue 20:00").unwrap().label(false),
            "Tue 20:00"
        );
    }

    #[test]
    fn next_slot_skips_taken_and_past_times() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let slots = [
            WeeklySlot::parse("Tue 20:00").unwrap(),
            WeeklySlot::parse("Thu 08:00").unwrap(),
        ];
        // 2026-12-01 is a Tuesday.
        let now = ms("2026-12-01T19:00", "Asia/Shanghai");
        let first = next_free_slot(&slots, &tz, now, &BTreeSet::new()).unwrap();
        assert_eq!(first, ms("2026-12-01T20:00", "Asia/Shanghai"));
        let taken = BTreeSet::from([first]);
        let second = next_free_slot(&slots, &tz, now, &taken).unwrap();
        assert_eq!(second, ms("2026-12-03T08:00", "Asia/Shanghai"));
        let late = ms("2026-12-01T20:00", "Asia/Shanghai");
        assert_eq!(
            next_free_slot(&slots, &tz, late, &BTreeSet::new()),
            Some(second)
        );
        assert_eq!(next_free_slot(&[], &tz, now, &BTreeSet::new()), None);
    }

    #[test]
    fn daylight_saving_gaps_and_folds() {
        let tz = TimeZone::get("America/New_York").unwrap();
        // 2026-03-08 (Sunday): 02:00 → 03:00. A Sunday 02:30 slot falls in the gap.
        let slot = [WeeklySlot::parse("Sun 02:30").unwrap()];
        let before = ms("2026-03-07T12:00", "America/New_York");
        let got = next_free_slot(&slot, &tz, before, &BTreeSet::new()).unwrap();
        assert_eq!(got, ms("2026-03-08T03:30", "America/New_York"));
        // 2026-11-01 (Sunday): 01:30 happens twice; the slot is the first (EDT, UTC-4).
        let fold = [WeeklySlot::parse("Sun 01:30").unwrap()];
        let before = ms("2026-10-31T12:00", "America/New_York");
        let got = next_free_slot(&fold, &tz, before, &BTreeSet::new()).unwrap();
        let utc: jiff::Timestamp = "2026-11-01T05:30:00Z".parse().unwrap();
        assert_eq!(got, utc.as_millisecond());
        // Shanghai "Monday 08:00" is the same UTC instant every week (no DST).
        let sh = TimeZone::get("Asia/Shanghai").unwrap();
        let mon = [WeeklySlot::parse("Mon 08:00").unwrap()];
        let a = next_free_slot(&mon, &sh, 0, &BTreeSet::new()).unwrap();
        let b = next_free_slot(&mon, &sh, a, &BTreeSet::new()).unwrap();
        assert_eq!(b - a, 7 * 86_400_000);
    }
}
