//! Time scales and day numbers.
//!
//! A civil day is identified by its Julian Day Number (`Jdn`, the integer JD of its noon;
//! Meeus ch. 7), which makes "days between" plain subtraction and keeps the astronomy free
//! of calendar types. Conversion to `jiff::civil::Date` happens only at the crate's edge.

/// Julian Day Number of a civil day (Gregorian calendar).
pub(crate) type Jdn = i64;

/// JD of J2000.0 (2000 January 1.5 TT), the epoch of Meeus's series.
pub(crate) const J2000: f64 = 2451545.0;

/// China Standard Time is UTC+8 (120°E); the calendar's day boundary is its midnight.
const CST_OFFSET_DAYS: f64 = 8.0 / 24.0;

/// Before 1929 the calendar was reckoned in Beijing mean solar time (116°25′E, UTC+7h45m40s);
/// the switch to 120°E took effect in 1929 (Aslaksen, "The Mathematics of the Chinese
/// Calendar"). It matters only for events within ~15 minutes after midnight, e.g.
/// the new moons of 1914-11-18 and 1916-02-04, which the published tables put on the
/// previous day.
const BEIJING_OFFSET_DAYS: f64 = (7.0 * 3600.0 + 45.0 * 60.0 + 40.0) / 86400.0;

/// JD (UT) of 1929-01-01 00:00 at UTC+8, when 120°E became the calendar's meridian.
const MERIDIAN_CHANGE_JD: f64 = jdn_from_civil(1929, 1, 1) as f64 - 0.5 - CST_OFFSET_DAYS;

/// JDN of a Gregorian date (Fliegel & Van Flandern's integer form of Meeus ch. 7).
pub(crate) const fn jdn_from_civil(year: i64, month: i64, day: i64) -> Jdn {
    let a = (14 - month) / 12;
    let y = year + 4800 - a;
    let m = month + 12 * a - 3;
    day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
}

/// Gregorian date of a JDN (Richards' inverse of the above), as (year, month, day).
pub(crate) fn civil_from_jdn(jdn: Jdn) -> (i64, i64, i64) {
    let f = jdn + 1401 + (((4 * jdn + 274_277) / 146_097) * 3) / 4 - 38;
    let e = 4 * f + 3;
    let g = (e % 1461) / 4;
    let h = 5 * g + 2;
    let day = (h % 153) / 5 + 1;
    let month = (h / 153 + 2) % 12 + 1;
    let year = e / 1461 - 4716 + (14 - month) / 12;
    (year, month, day)
}

/// The civil day in China on which the instant `jde` (TT) falls: China Standard Time
/// from 1929, Beijing mean time before.
pub(crate) fn cst_day_of(jde: f64) -> Jdn {
    let jd_ut = jde - delta_t_seconds(jde) / 86400.0;
    let offset = if jd_ut < MERIDIAN_CHANGE_JD {
        BEIJING_OFFSET_DAYS
    } else {
        CST_OFFSET_DAYS
    };
    // JD counts from noon, so the civil day starting at midnight is JD + 0.5 floored.
    (jd_ut + 0.5 + offset).floor() as Jdn
}

/// ΔT = TT − UT in seconds, from the polynomial fits of Espenak & Meeus (NASA's "Five
/// Millennium Canon of Solar Eclipses", 2006) for 1900–2150. The term instants are
/// computed in TT (uniform time) and the calendar needs UT; ΔT is about a minute in this
/// range, so ignoring it would shift events near midnight onto the wrong day.
pub(crate) fn delta_t_seconds(jde: f64) -> f64 {
    let y = 2000.0 + (jde - J2000) / 365.25;
    if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494119 * t - 0.0598939 * t.powi(2) + 0.0061966 * t.powi(3) - 0.000197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.84493 * t - 0.076100 * t.powi(2) + 0.0020936 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.3345 * t - 0.060374 * t.powi(2)
            + 0.0017275 * t.powi(3)
            + 0.000651814 * t.powi(4)
            + 0.00002373599 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.32217 * t + 0.005589 * t.powi(2)
    } else {
        -20.0 + 32.0 * ((y - 1820.0) / 100.0).powi(2) - 0.5628 * (2150.0 - y)
    }
}

/// Reduce an angle in degrees to [0, 360).
pub(crate) fn normalize_degrees(deg: f64) -> f64 {
    deg.rem_euclid(360.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jdn_matches_meeus_examples() {
        // Meeus ch. 7: 2000 Jan 1.5 is JD 2451545.0; 1957 Oct 4.81 is JD 2436116.31.
        for (y, m, d, jdn) in [
            (2000, 1, 1, 2_451_545),
            (1957, 10, 4, 2_436_116),
            (1900, 1, 1, 2_415_021),
            (1929, 1, 1, 2_425_613),
        ] {
            assert_eq!(jdn_from_civil(y, m, d), jdn, "{y}-{m}-{d}");
            assert_eq!(civil_from_jdn(jdn), (y, m, d));
        }
    }

    #[test]
    fn day_numbers_agree_with_jiff_over_the_whole_range() {
        let mut date = jiff::civil::date(1890, 1, 1);
        let mut jdn = jdn_from_civil(1890, 1, 1);
        while date.year() < 2110 {
            let (y, m, d) = civil_from_jdn(jdn);
            assert_eq!(
                (y, m, d),
                (date.year().into(), date.month().into(), date.day().into())
            );
            assert_eq!(jdn_from_civil(y, m, d), jdn);
            date = date.tomorrow().unwrap();
            jdn += 1;
        }
    }

    #[test]
    fn delta_t_is_close_to_observed_values() {
        // Observed ΔT (IERS): 1900 ≈ −2.7 s, 1950 ≈ 29.1 s, 2000 ≈ 63.8 s. The fits are
        // within a second there; later values are extrapolations (≈ 70–200 s).
        for (year, observed) in [(1900.0, -2.7), (1950.0, 29.1), (2000.0, 63.8)] {
            let jde = J2000 + (year - 2000.0) * 365.25;
            let dt = delta_t_seconds(jde);
            assert!((dt - observed).abs() < 1.0, "{year}: {dt}");
        }
        let late = delta_t_seconds(J2000 + 100.0 * 365.25);
        assert!((150.0..250.0).contains(&late), "2100: {late}");
    }
}
