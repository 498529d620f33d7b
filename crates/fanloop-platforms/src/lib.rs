//! Fanloop's platform connectors. Each platform's module turns a rendered post into the
//! platform's API calls and classifies every failure, so the engine can decide between
//! retrying, waiting, holding the channel for reconnection and failing with a reason.
//!
//! Architecture invariants:
//! - A connector never retries on its own and never sleeps: one call is one attempt, and
//!   the engine (which records every attempt in the store first) owns retries and time.
//! - Every platform fact a connector relies on (error codes, quotas, limits) is written
//!   once, here or in the domain's limits table.
//! - Base URLs come from channel settings; plain `http` is accepted for loopback only
//!   (checked when the channel is created, in the domain).

pub mod bluesky;
mod connector;
mod error;
pub mod http;
pub mod mastodon;
mod quota;
pub mod telegram;
pub mod wechat;
pub mod weibo;
pub mod x;

use fanloop_domain::Platform;

pub use connector::{
    BoxFuture, ChannelConfig, Connector, MediaFile, Outgoing, Receipt, Reconciled, Session,
};
pub use error::{ErrorClass, PublishError, Reason};
pub use quota::{Quota, QuotaScope, QuotaWindow, quotas};

/// The connector for an API-tier channel, or why it cannot be built (a setting missing).
/// Sandbox and assisted channels have no connector: the engine handles them itself.
pub fn connector(config: &ChannelConfig) -> Result<Box<dyn Connector>, PublishError> {
    match config.platform {
        Platform::Mastodon => Ok(Box::new(mastodon::Mastodon::new(config)?)),
        Platform::WechatOa => Ok(Box::new(wechat::WechatOa::new(config)?)),
        Platform::Telegram => Ok(Box::new(telegram::Telegram::new(config)?)),
        Platform::X => Ok(Box::new(x::X::new(config)?)),
        Platform::Weibo => Ok(Box::new(weibo::Weibo::new(config)?)),
        Platform::Bluesky => Ok(Box::new(bluesky::Bluesky::new(config)?)),
        // connectors: one arm per API-tier platform, added above this line
        other => Err(PublishError::new(
            ErrorClass::Rejected,
            Reason::NotConnectable,
            format!("no connector for platform {}", other.code()),
        )),
    }
}
