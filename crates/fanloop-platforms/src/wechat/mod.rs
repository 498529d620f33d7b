//! WeChat Official Account (微信公众号): the article connector, mass send, and the push
//! callback's crypto and parsing.
//!
//! - [`WechatOa`] publishes articles (cover → body images → draft → publish job) and
//!   answers `check` from the job's status; see `publish.rs` for how interrupted attempts
//!   are made safe without an idempotency key. With `delivery = mass_all | mass_tag` it
//!   mass-sends the draft to followers instead (`mass.rs`).
//! - [`callback`] and [`crypto`] are pure: the web layer's `/hooks/wechat/{channel_id}`
//!   endpoint calls them with the channel's settings, the request and its clock.
//!
//! Settings: `app_id`, `app_secret`, `token`, `encoding_aes_key` (the last three secret),
//! `api_base_url` (default `https://api.weixin.qq.com`; companies route through a fixed-IP
//! gateway because of errcode 40164), `delivery` (`publish`, `mass_all`, `mass_tag` with
//! `mass_tag_id`) and `account_type` (read by the quota table, not here).

mod api;
mod article;
pub mod callback;
pub mod crypto;
mod errcode;
mod mass;
mod publish;
mod xml;

pub use mass::{MassSend, RemoteId, client_msg_id};

use crate::connector::{
    BoxFuture, ChannelConfig, Connector, Outgoing, Receipt, Reconciled, Session,
};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http;
use fanloop_domain::WechatDelivery;
use std::time::Duration;

/// WeChat's API, unless the channel routes elsewhere.
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";

/// The connector of one WeChat Official Account channel.
pub struct WechatOa {
    api: api::Api,
    delivery: WechatDelivery,
}

impl WechatOa {
    pub fn new(config: &ChannelConfig) -> Result<Self, PublishError> {
        // Checked when the channel was saved; only a person editing it can fix it now.
        let delivery = WechatDelivery::from_settings(&config.settings).map_err(|e| {
            PublishError::new(
                ErrorClass::Auth,
                Reason::MissingSetting,
                format!("channel setting {} is not valid", e.field),
            )
        })?;
        Ok(WechatOa {
            delivery,
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

    pub fn delivery(&self) -> WechatDelivery {
        self.delivery
    }

    /// The tag a mass send goes to, or `None` for every follower.
    fn mass_target(&self) -> Option<Option<i64>> {
        match self.delivery {
            WechatDelivery::Publish => None,
            WechatDelivery::MassAll => Some(None),
            WechatDelivery::MassTag { tag_id } => Some(Some(i64::from(tag_id))),
        }
    }
}

impl std::fmt::Debug for WechatOa {
    // By hand, so the AppSecret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatOa")
            .field("app_id", &self.api.app_id)
            .field("base", &self.api.base)
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}

impl Connector for WechatOa {
    fn publish<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        Box::pin(async move {
            match self.mass_target() {
                Some(tag_id) => self.publish_mass(session, post, tag_id).await,
                None => self.publish_post(session, post).await,
            }
        })
    }

    fn reconcile<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Reconciled, PublishError>> {
        Box::pin(async move {
            match self.mass_target() {
                Some(tag_id) => self.reconcile_mass(session, post, tag_id).await,
                None => self.reconcile_post(session, post).await,
            }
        })
    }

    fn check<'a>(
        &'a self,
        session: &'a mut Session,
        remote_id: &'a str,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        // By the id, not the channel's current delivery: a channel switched to mass
        // sends still has publish jobs to finish, and the other way round.
        Box::pin(async move {
            match RemoteId::parse(remote_id) {
                Some(RemoteId::MassSend(msg_id)) => self.check_mass(session, msg_id).await,
                Some(RemoteId::PublishJob(publish_id)) => self.check_job(session, publish_id).await,
                None => Err(http::malformed("an empty remote id", remote_id)),
            }
        })
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
