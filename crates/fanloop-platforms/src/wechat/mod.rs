//! WeChat Official Account (微信公众号): the article connector, mass send, and the push
//! callback's crypto and parsing.
//!
//! - [`WechatOa`] publishes articles (cover → body images → draft → publish job) and
//!   answers `check` from the job's status; see `publish.rs` for how interrupted attempts
//!   are made safe without an idempotency key.
//! - [`callback`] and [`crypto`] are pure: the web layer's `/hooks/wechat/{channel_id}`
//!   endpoint calls them with the channel's settings, the request and its clock.
//!
//! Settings: `app_id`, `app_secret`, `token`, `encoding_aes_key` (the last three secret),
//! `api_base_url` (default `https://api.weixin.qq.com`; companies route through a fixed-IP
//! gateway because of errcode 40164).

mod api;
mod article;
pub mod callback;
pub mod crypto;
mod errcode;
mod mass;
mod publish;
mod xml;

pub use mass::{MassSend, client_msg_id};

use crate::connector::{
    BoxFuture, ChannelConfig, Connector, Outgoing, Receipt, Reconciled, Session,
};
use crate::error::PublishError;
use crate::http;
use std::time::Duration;

/// WeChat's API, unless the channel routes elsewhere.
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";

/// The connector of one WeChat Official Account channel.
pub struct WechatOa {
    api: api::Api,
}

impl WechatOa {
    pub fn new(config: &ChannelConfig) -> Result<Self, PublishError> {
        Ok(WechatOa {
            api: api::Api {
                client: http::client(),
                call_timeout: http::CALL_TIMEOUT,
                base: http::base_url(config, "api_base_url", DEFAULT_API_BASE),
                app_id: config.require("app_id")?.to_owned(),
                app_secret: config.require("app_secret")?.to_owned(),
            },
        })
    }

    /// How long one request may take before its outcome counts as unknown (tests
    /// shorten it to reach the "did it go out?" cases quickly).
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.api.call_timeout = timeout;
        self
    }

    pub fn app_id(&self) -> &str {
        &self.api.app_id
    }
}

impl std::fmt::Debug for WechatOa {
    // By hand, so the AppSecret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatOa")
            .field("app_id", &self.api.app_id)
            .field("base", &self.api.base)
            .finish_non_exhaustive()
    }
}

impl Connector for WechatOa {
    fn publish<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        Box::pin(self.publish_post(session, post))
    }

    fn reconcile<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Reconciled, PublishError>> {
        Box::pin(self.reconcile_post(session, post))
    }

    fn check<'a>(
        &'a self,
        session: &'a mut Session,
        remote_id: &'a str,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        Box::pin(self.check_job(session, remote_id))
    }

    /// Fetches a token (proving the AppID, secret and IP allow-list) and names the
    /// account by its AppID: the token API knows nothing more about it.
    fn verify<'a>(
        &'a self,
        session: &'a mut Session,
    ) -> BoxFuture<'a, Result<String, PublishError>> {
        Box::pin(async move {
            self.api.fetch_token(session).await?;
            Ok(self.api.app_id.clone())
        })
    }

    /// Asks `stable_token` again. In its normal mode WeChat hands back the current token
    /// until the last five minutes of its life and a new one from then on, so an early
    /// call may leave the expiry as it was; either way the AppSecret and the IP
    /// allow-list are proven still good.
    fn refresh<'a>(&'a self, session: &'a mut Session) -> BoxFuture<'a, Result<(), PublishError>> {
        Box::pin(async move { self.api.fetch_token(session).await.map(|_| ()) })
    }
}
