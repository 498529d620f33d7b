//! Publishing rules: the publication status machine, retry backoff, what a late start
//! means, weekly queue slots and golden-time suggestions. Pure: time is a parameter.

mod golden;
mod slots;
mod status;

pub use golden::{GoldenSlot, GoldenTime, Sample, suggest};
pub use slots::{WeeklySlot, next_free_slot};
pub use status::{
    DueCheck, MAX_ATTEMPTS, PublicationStatus, TOKEN_RENEW_MARGIN_MS, backoff_ms, due_check,
    token_expiring,
};
