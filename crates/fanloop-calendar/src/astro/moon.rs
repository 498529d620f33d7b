//! Instants of new moon, Meeus ch. 49 ("Phases of the Moon").
//!
//! Meeus gives the mean phase plus 25 periodic terms and 14 planetary arguments; against
//! the full lunar theory (ELP 2000-82) the result is good to seconds of time, far below
//! the one-day resolution the calendar needs except for the rare new moon within seconds
//! of midnight (2057-09-28 23:59:58 UTC+8 by this code, where ΔT's uncertainty decides).

/// Mean synodic month in days (Meeus eq. 49.1).
pub(crate) const SYNODIC_MONTH: f64 = 29.530588861;

/// JDE of the mean new moon with lunation number k = 0 (2000 Jan 6).
const K0_JDE: f64 = 2451550.09766;

/// The JDE (TT) of new moon number `k` (k = 0 is the new moon of 2000 Jan 6; negative
/// before it).
pub(crate) fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3, t4) = (t * t, t * t * t, t * t * t * t);
    let mean = K0_JDE + SYNODIC_MONTH * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4;
    // Eccentricity of the Earth's orbit, which scales the terms in the Sun's anomaly.
    let e = 1.0 - 0.002516 * t - 0.0000074 * t2;
    let m = (2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3).to_radians();
    let mp = (201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4)
        .to_radians();
    let f = (160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4)
        .to_radians();
    let om = (124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3).to_radians();

    #[rustfmt::skip]
    let periodic = -0.40720 * mp.sin()
        + 0.17241 * e * m.sin()
        + 0.01608 * (2.0 * mp).sin()
        + 0.01039 * (2.0 * f).sin()
        + 0.00739 * e * (mp - m).sin()
        - 0.00514 * e * (mp + m).sin()
        + 0.00208 * e * e * (2.0 * m).sin()
        - 0.00111 * (mp - 2.0 * f).sin()
        - 0.00057 * (mp + 2.0 * f).sin()
        + 0.00056 * e * (2.0 * mp + m).sin()
        - 0.00042 * (3.0 * mp).sin()
        + 0.00042 * e * (m + 2.0 * f).sin()
        + 0.00038 * e * (m - 2.0 * f).sin()
        - 0.00024 * e * (2.0 * mp - m).sin()
        - 0.00017 * om.sin()
        - 0.00007 * (mp + 2.0 * m).sin()
        + 0.00004 * (2.0 * mp - 2.0 * f).sin()
        + 0.00004 * (3.0 * m).sin()
        + 0.00003 * (mp + m - 2.0 * f).sin()
        + 0.00003 * (2.0 * mp + 2.0 * f).sin()
        - 0.00003 * (mp + m + 2.0 * f).sin()
        + 0.00003 * (mp - m + 2.0 * f).sin()
        - 0.00002 * (mp - m - 2.0 * f).sin()
        - 0.00002 * (3.0 * mp + m).sin()
        + 0.00002 * (4.0 * mp).sin();

    // Additional corrections from the planets (Meeus ch. 49, arguments A1–A14).
    let planetary: [(f64, f64, f64); 14] = [
        (0.000325, 299.77 + 0.107408 * k - 0.009173 * t2, 0.0),
        (0.000165, 251.88, 0.016321),
        (0.000164, 251.83, 26.651886),
        (0.000126, 349.42, 36.412478),
        (0.000110, 84.66, 18.206239),
        (0.000062, 141.74, 53.303771),
        (0.000060, 207.14, 2.453732),
        (0.000056, 154.84, 7.306860),
        (0.000047, 34.52, 27.261239),
        (0.000042, 207.19, 0.121824),
        (0.000040, 291.34, 1.844379),
        (0.000037, 161.72, 24.198154),
        (0.000035, 239.56, 25.513099),
        (0.000023, 331.55, 3.592518),
    ];
    let additional: f64 = planetary
        .iter()
        .map(|&(coef, a0, rate)| coef * (a0 + rate * k).to_radians().sin())
        .sum();

    mean + periodic + additional
}

/// The lunation number whose mean new moon is nearest before `jd`; the true new moon can
/// differ from the mean by up to ~14 hours, so callers step ±1 to settle.
pub(crate) fn lunation_near(jd: f64) -> i64 {
    ((jd - K0_JDE) / SYNODIC_MONTH).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_moons_match_published_instants() {
        // Meeus example 49.a: k = −283, JDE 2443192.65118 (1977 Feb 18, 3h37m42s TD).
        // Then published UT instants (NASA/USNO) plus ΔT: 2017 Aug 21 18:30 UT and
        // 2024 Apr 8 18:21 UT (both total solar eclipses), 2024 Jan 11 11:57 UT.
        let ut = |jd: f64, h: f64, m: f64, dt: f64| jd + (h * 60.0 + m) / 1440.0 + dt / 86400.0;
        let cases = [
            (2443192.65118, 0.2),
            (ut(2457986.5, 18.0, 30.0, 69.0), 1.5),
            (ut(2460408.5, 18.0, 21.0, 69.0), 1.5),
            (ut(2460320.5, 11.0, 57.0, 69.0), 1.5),
        ];
        for (published, tolerance_minutes) in cases {
            let k = lunation_near(published + 1.0);
            let nearest = [k - 1, k, k + 1]
                .into_iter()
                .map(new_moon)
                .min_by(|a, b| (a - published).abs().total_cmp(&(b - published).abs()));
            let minutes = nearest.map_or(f64::MAX, |jde| (jde - published) * 1440.0);
            assert!(
                minutes.abs() < tolerance_minutes,
                "{published}: off by {minutes:.2} min"
            );
        }
    }
}
