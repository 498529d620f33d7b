//! Positional astronomy for the calendar: the Sun's apparent longitude (for solar terms)
//! and the instants of new moon, both in Terrestrial Time, plus the conversions that
//! turn an instant into a civil day in China Standard Time.
//!
//! Everything here follows Jean Meeus, *Astronomical Algorithms* (2nd ed., 1998); each
//! function names its chapter. The accuracy needed is "the right civil day", i.e. well
//! under a minute for almost every event; the tests check against the book's worked
//! examples and against published instants.

pub(crate) mod moon;
pub(crate) mod sun;
pub(crate) mod time;
mod vsop;
