//! The Sun's apparent geocentric longitude and the instant it reaches a given value.

use super::time::{J2000, normalize_degrees};
use super::vsop;

/// Mean length of the tropical year in days, used only to turn a longitude error into a
/// time step while solving; the solver converges regardless of its exact value.
const TROPICAL_YEAR: f64 = 365.24219;

/// Apparent geocentric ecliptic longitude of the Sun in degrees, [0, 360), at `jde` (TT).
///
/// Meeus ch. 25, "higher accuracy": the Earth's heliocentric longitude L and radius R from
/// VSOP87 (ch. 32), turned geocentric (Θ = L + 180°), converted to the FK5 frame (eq.
/// 25.9, −0.09033″), then corrected for nutation in longitude Δψ (ch. 22) and aberration
/// (−20.4898″/R, eq. 25.10). Solar terms are defined on the *apparent* longitude, so
/// both corrections are needed: together they are ~35″, about 14 minutes of time.
pub(crate) fn apparent_longitude(jde: f64) -> f64 {
    let tau = (jde - J2000) / 365250.0;
    let l = vsop::evaluate(
        &[vsop::L0, vsop::L1, vsop::L2, vsop::L3, vsop::L4, vsop::L5],
        tau,
    );
    let r = vsop::evaluate(&[vsop::R0, vsop::R1, vsop::R2], tau);
    let theta = l.to_degrees() + 180.0;
    let fk5 = -0.09033 / 3600.0;
    let aberration = -20.4898 / 3600.0 / r;
    normalize_degrees(theta + fk5 + nutation_in_longitude(tau * 10.0) + aberration)
}

/// Nutation in longitude Δψ in degrees, T in Julian centuries from J2000.0 (TT).
///
/// Meeus ch. 22, the four-term abridgement accurate to 0.5″ (≈ 12 s of solar motion);
/// the full 63-term series would add nothing at a one-day resolution.
fn nutation_in_longitude(t: f64) -> f64 {
    let omega = (125.04452 - 1934.136261 * t + 0.0020708 * t * t).to_radians();
    let sun = (280.4665 + 36000.7698 * t).to_radians();
    let moon = (218.3165 + 481267.8813 * t).to_radians();
    let arcsec = -17.20 * omega.sin() - 1.32 * (2.0 * sun).sin() - 0.23 * (2.0 * moon).sin()
        + 0.21 * (2.0 * omega).sin();
    arcsec / 3600.0
}

/// The instant (JDE, TT) near `guess` at which the Sun's apparent longitude equals
/// `target` degrees.
///
/// Newton-style iteration with the mean solar motion as the slope (Meeus ch. 27 uses the
/// same correction, 58·sin(target − λ), for equinoxes); the true motion varies by ±3 %
/// over the year, so each step gains well over a decimal digit and ten steps reach the
/// float limit from a guess within a few days.
pub(crate) fn time_of_longitude(target: f64, guess: f64) -> f64 {
    let mut jde = guess;
    for _ in 0..10 {
        let diff = (target - apparent_longitude(jde) + 540.0).rem_euclid(360.0) - 180.0;
        jde += diff * TROPICAL_YEAR / 360.0;
        if diff.abs() < 1e-8 {
            break;
        }
    }
    jde
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_meeus_example_25b() {
        // Meeus example 25.b, 1992 Oct 13.0 TD: apparent λ = 199°54′21.818″ (with the full
        // nutation series; ours differs by < 0.5″).
        let lambda = apparent_longitude(2448908.5);
        let expected = 199.0 + 54.0 / 60.0 + 21.818 / 3600.0;
        assert!((lambda - expected).abs() * 3600.0 < 1.0, "{lambda}");
    }

    #[test]
    fn nutation_matches_meeus_example_22a() {
        // Meeus example 22.a, 1987 Apr 10.0 TD: Δψ = −3.788″.
        let t = (2446895.5 - J2000) / 36525.0;
        let dpsi = nutation_in_longitude(t) * 3600.0;
        assert!((dpsi + 3.788).abs() < 0.5, "{dpsi}");
    }

    #[test]
    fn equinoxes_and_solstices_match_published_instants() {
        // (guess JD, target λ, published instant as JDE TT). Meeus example 27.a: June
        // solstice 1962 at JDE 2437837.39245. The others are the published UT instants
        // (USNO) plus ΔT: 2000 Mar 20 07:35 UT, 2000 Dec 21 13:37 UT, 2024 Jun 20 20:51 UT.
        let ut = |jd: f64, minutes: f64| jd + minutes / 1440.0;
        let cases = [
            (2437835.0, 90.0, 2437837.39245),
            (
                2451623.0,
                0.0,
                ut(2451623.5, 7.0 * 60.0 + 35.0) + 64.0 / 86400.0,
            ),
            (
                2451899.0,
                270.0,
                ut(2451899.5, 13.0 * 60.0 + 37.0) + 64.0 / 86400.0,
            ),
            (
                2460480.0,
                90.0,
                ut(2460481.5, 20.0 * 60.0 + 51.0) + 69.0 / 86400.0,
            ),
        ];
        for (guess, target, published) in cases {
            let jde = time_of_longitude(target, guess);
            let minutes = (jde - published) * 1440.0;
            assert!(minutes.abs() < 1.5, "λ={target}: off by {minutes:.2} min");
        }
    }
}
