//! Fanloop's black-box suite: one test binary (fast to link) that drives the real
//! server over HTTP, the real CLI as a process, the store on both backends, and the UI in
//! headless Chromium.
//!
//! Suites needing PostgreSQL or Chromium say "skipped" when the machine lacks them;
//! `FANLOOP_REQUIRE_POSTGRES=1` / `FANLOOP_REQUIRE_BROWSER=1` (set by CI) turn a skip
//! into a failure.

mod api;
mod auth;
mod browser;
mod calendar;
mod calendar_ui;
mod channel_edit;
mod cli;
mod editor_ui;
mod helpers;
mod hooks;
mod lint;
mod media;
mod notifications;
mod post_extras;
mod publishing;
mod rbac;
mod render;
mod review;
mod scripts;
mod store;
mod topics;
