//! Fakes of platform APIs for tests and benchmarks, each written from the platform's
//! documentation (see PLATFORMS.md): the same paths, request shapes, error codes, quotas
//! and token expiry, plus knobs real platforms do not offer — latency, injected faults
//! and exact counts of what was published, which is how the reliability tests prove
//! "none lost, none twice".
//!
//! Every fake listens on a loopback port chosen by the OS and stops when dropped.

pub mod bluesky;
mod faults;
pub mod mastodon;
mod server;
pub mod telegram;
pub mod wechat;
pub mod weibo;
pub mod x;

pub use faults::{Fault, Faults};
pub use server::FakeServer;
