//! Connector tests: each connector against a real server where PLATFORMS.md names one
//! (a Bluesky PDS, telegram-test-api), otherwise against a fake written from the
//! platform's documentation (`fanloop-fakes`; such tests say "fake" in their names).

mod bluesky;
mod mastodon;
mod telegram;
mod wechat;
mod wechat_mass;
mod weibo;
mod x;
