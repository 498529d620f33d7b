//! The contract between the engine and a platform connector.

use crate::error::{ErrorClass, PublishError, Reason};
use fanloop_domain::Platform;
use fanloop_render::Rendered;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so connectors can live behind `dyn Connector`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A channel's configuration as a connector sees it: public settings and decrypted
/// secrets, exactly as validated by the domain's settings spec.
#[derive(Debug, Clone)]
pub struct ChannelConfig {
    pub channel_id: i64,
    pub platform: Platform,
    pub settings: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

impl ChannelConfig {
    /// A required setting or secret; missing ones are an auth-class error because only
    /// reconnecting the channel can fix them.
    pub fn require(&self, key: &str) -> Result<&str, PublishError> {
        self.settings
            .get(key)
            .or_else(|| self.secrets.get(key))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                PublishError::new(
                    ErrorClass::Auth,
                    Reason::MissingSetting,
                    format!("channel setting {key} is not set"),
                )
            })
    }

    /// An optional setting, e.g. an API base URL override.
    pub fn optional(&self, key: &str) -> Option<&str> {
        self.settings
            .get(key)
            .or_else(|| self.secrets.get(key))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Tokens a connector obtained (access tokens, sessions) and wants kept between calls.
/// The engine stores it sealed, per channel, and passes it back on every call; a
/// connector marks it `changed` when it refreshed something.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Session {
    pub values: BTreeMap<String, String>,
    /// When the main token expires (ms since the epoch), for health display and early
    /// refresh.
    pub expires_at_ms: Option<i64>,
    #[serde(skip)]
    pub changed: bool,
    /// The engine's clock, ms since the epoch, for expiry decisions; connectors read
    /// time only from here so tests can move it.
    #[serde(skip)]
    pub now_ms: i64,
}

impl Session {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_owned(), value.into());
        self.changed = true;
    }

    pub fn clear(&mut self) {
        if !self.values.is_empty() || self.expires_at_ms.is_some() {
            self.values.clear();
            self.expires_at_ms = None;
            self.changed = true;
        }
    }
}

/// A media file to upload with a post, already read from the media store.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub alt: String,
}

/// One post for one channel, ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Stable across every attempt of this publication: the idempotency key (Mastodon),
    /// the record key seed (Bluesky), the `clientmsgid` (WeChat mass send).
    pub key: String,
    /// The variant rendered for the channel's platform.
    pub rendered: Rendered,
    /// Cover image, when the post has one.
    pub cover: Option<MediaFile>,
    /// Images to attach, in order.
    pub images: Vec<MediaFile>,
    /// When this publication was first attempted (ms since the epoch), e.g. for a
    /// record's `createdAt` that must not change between attempts.
    pub first_attempt_ms: i64,
}

/// What the platform answered when a post went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Receipt {
    /// It is live.
    Published {
        remote_id: String,
        url: Option<String>,
    },
    /// Accepted but not yet live (WeChat's publish job); the engine asks again with
    /// `check` until it resolves.
    Pending { remote_id: String },
}

/// The answer to "did an earlier, interrupted attempt go out?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// It did; here is where.
    Found(Receipt),
    /// It did not, or sending again cannot duplicate it (an idempotency key): publish.
    SafeToRetry,
    /// The platform cannot tell us: a person must check before anything is sent again.
    Unknown,
}

/// A platform connector. Every method is one attempt; none retries or sleeps.
pub trait Connector: Send + Sync {
    /// Sends the post.
    fn publish<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>>;

    /// After an attempt whose outcome is unknown (a crash, a timeout): finds out whether
    /// the post went out. Never sends it.
    fn reconcile<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Reconciled, PublishError>>;

    /// For a `Receipt::Pending`: asks how the platform's job went.
    fn check<'a>(
        &'a self,
        session: &'a mut Session,
        remote_id: &'a str,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        let _ = session;
        Box::pin(async move {
            Ok(Receipt::Published {
                remote_id: remote_id.to_owned(),
                url: None,
            })
        })
    }

    /// Checks the credentials (and refreshes tokens), returning the account's display
    /// name or handle for the channel health card.
    fn verify<'a>(
        &'a self,
        session: &'a mut Session,
    ) -> BoxFuture<'a, Result<String, PublishError>>;

    /// Renews the session's token ahead of its expiry and sends nothing else. The
    /// engine's refresher calls it for channels whose saved token expires soon, so a
    /// publication never starts with a token about to lapse and a revoked credential is
    /// found before a post is due. A renewed session is marked `changed` with its new
    /// `expires_at_ms`; an `Auth` error means only reconnecting the channel can help.
    ///
    /// The default renews nothing: the connector's tokens do not expire, or cannot be
    /// renewed without a person.
    fn refresh<'a>(&'a self, session: &'a mut Session) -> BoxFuture<'a, Result<(), PublishError>> {
        let _ = session;
        Box::pin(async { Ok(()) })
    }
}
