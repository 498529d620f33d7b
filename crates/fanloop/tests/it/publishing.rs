//! Publishing end to end: the API schedules, the real engine publishes through real
//! connectors to fakes written from the platforms' documentation (tests say "fake"),
//! and the store shows every outcome.

mod engine;
mod escalation;
mod group_commit;
mod reliability;
pub(crate) mod support;
mod wechat_mass;
