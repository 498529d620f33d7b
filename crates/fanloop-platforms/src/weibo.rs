//! Weibo: one `POST /2/statuses/share.json` per post (text, optionally one picture).
//!
//! `share.json` is the API Weibo leaves to third-party apps, and it is narrow: at most
//! 140 汉字 (two ASCII characters count one, a link 12), exactly zero or one picture, and
//! the text must carry a link to the app's bound safe domain (安全域名), which Weibo
//! uses to attribute the post. What can be checked here is checked before sending.
//!
//! Weibo has no idempotency key and `share.json` returns nothing to look up an
//! interrupted attempt by, so [`Connector::reconcile`] answers `Unknown`.

use crate::connector::{
    BoxFuture, ChannelConfig, Connector, MediaFile, Outgoing, Receipt, Reconciled, Session,
};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http;
use fanloop_domain::{HashtagStyle, Platform};
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use std::time::Duration;

/// `share.json`'s limit, in Weibo's count (the app's 2,000-character long posts are not
/// available to third-party apps).
pub const SHARE_MAX: usize = 140;

/// A Weibo channel: `access_token` (secret) and an optional `api_base_url`.
pub struct Weibo {
    client: reqwest::Client,
    base: String,
    token: String,
    call_timeout: Duration,
}

impl Weibo {
    pub fn new(config: &ChannelConfig) -> Result<Self, PublishError> {
        Ok(Weibo {
            client: http::client(),
            base: http::base_url(config, "api_base_url", "https://api.weibo.com"),
            token: config.require("access_token")?.to_owned(),
            call_timeout: http::CALL_TIMEOUT,
        })
    }

    /// How long one request may take before its outcome counts as unknown.
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Sends a request and reads Weibo's answer: the JSON value, or the classified error.
    /// The access token travels in the query or form, so transport errors lose their URL.
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<String, PublishError> {
        let resp = request
            .timeout(self.call_timeout)
            .send()
            .await
            .map_err(|e| http::transport(e.without_url()))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .text()
            .await
            .map_err(|e| http::transport(e.without_url()))?;
        match serde_json::from_str::<Failure>(&body) {
            Ok(failure) => Err(classify(&failure)),
            Err(_) if status.is_success() => Ok(body),
            Err(_) => Err(http::status_error(status, &headers, &body)),
        }
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<String, PublishError> {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .query(&[("access_token", self.token.as_str())])
            .query(query);
        // Reading cannot have posted anything.
        self.call(request).await.map_err(|mut e| {
            if e.class == ErrorClass::Unknown {
                e.class = ErrorClass::Retryable;
            }
            e
        })
    }
}

impl Connector for Weibo {
    fn publish<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        let _ = session;
        Box::pin(async move {
            let text = post.rendered.body.as_str();
            check(text, post)?;
            let url = format!("{}/2/statuses/share.json", self.base);
            let request = match picture(post) {
                None => {
                    let form = [("access_token", self.token.as_str()), ("status", text)];
                    self.client.post(url).form(&form)
                }
                Some(pic) => {
                    let part = Part::bytes(pic.bytes.clone())
                        .file_name(pic.file_name.clone())
                        .mime_str(&pic.content_type)
                        .map_err(|e| {
                            let detail = format!("{}: {e}", pic.file_name);
                            PublishError::new(ErrorClass::Rejected, Reason::MediaRejected, detail)
                        })?;
                    let form = Form::new()
                        .text("access_token", self.token.clone())
                        .text("status", text.to_owned())
                        .part("pic", part);
                    self.client.post(url).multipart(form)
                }
            };
            let body = self.call(request).await?;
            let status: Status = serde_json::from_str(&body)
                .map_err(|_| http::malformed("unreadable status", &body))?;
            let id = status.idstr.unwrap_or_else(|| status.id.to_string());
            Ok(Receipt::Published {
                url: Some(format!("https://m.weibo.cn/status/{id}")),
                remote_id: id,
            })
        })
    }

    /// No idempotency key and nothing to look the post up by: a person must check.
    fn reconcile<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Reconciled, PublishError>> {
        let _ = (session, post);
        Box::pin(async { Ok(Reconciled::Unknown) })
    }

    /// The account's screen name, or its uid when the profile cannot be read.
    fn verify<'a>(
        &'a self,
        session: &'a mut Session,
    ) -> BoxFuture<'a, Result<String, PublishError>> {
        let _ = session;
        Box::pin(async move {
            let body = self.get("/2/account/get_uid.json", &[]).await?;
            let uid: Uid = serde_json::from_str(&body)
                .map_err(|_| http::malformed("unreadable uid", &body))?;
            let uid = uid.uid.to_string();
            match self.get("/2/users/show.json", &[("uid", &uid)]).await {
                Ok(body) => Ok(serde_json::from_str::<User>(&body).map_or(uid, |u| u.screen_name)),
                Err(e) if e.class == ErrorClass::Auth && e.reason != Reason::PermissionDenied => {
                    Err(e)
                }
                Err(_) => Ok(uid),
            }
        })
    }
}

/// Refuses, before sending, what `share.json` is documented to refuse.
fn check(text: &str, post: &Outgoing) -> Result<(), PublishError> {
    let rejected =
        |reason, detail: String| Err(PublishError::new(ErrorClass::Rejected, reason, detail));
    let length = fanloop_text::length(text, &Platform::Weibo.limits());
    if length > SHARE_MAX {
        return rejected(
            Reason::TextTooLong,
            format!("{length} characters; Weibo's share API takes at most {SHARE_MAX}"),
        );
    }
    if fanloop_text::urls(text).is_empty() {
        return rejected(
            Reason::ContentRejected,
            "Weibo's share API only accepts posts that contain a link to the app's bound safe \
             domain (安全域名); add a link to your site to the post"
                .to_owned(),
        );
    }
    if !fanloop_text::hashtags(text, HashtagStyle::Wrapped).is_empty() {
        return rejected(
            Reason::ContentRejected,
            "Weibo's share API does not accept #话题# topics; remove the tags for this channel"
                .to_owned(),
        );
    }
    let pictures = post.images.len().max(usize::from(post.cover.is_some()));
    if pictures > 1 {
        return rejected(
            Reason::MediaRejected,
            format!("{pictures} images; Weibo's share API takes one picture"),
        );
    }
    Ok(())
}

/// The one picture to send: the first image, or the cover when there is no image.
fn picture(post: &Outgoing) -> Option<&MediaFile> {
    post.images.first().or(post.cover.as_ref())
}

#[derive(Deserialize)]
struct Failure {
    error_code: i64,
    #[serde(default)]
    error: String,
}

#[derive(Deserialize)]
struct Status {
    id: i64,
    idstr: Option<String>,
}

#[derive(Deserialize)]
struct Uid {
    uid: i64,
}

#[derive(Deserialize)]
struct User {
    screen_name: String,
}

/// Weibo's error codes (see PLATFORMS.md) onto classes.
fn classify(failure: &Failure) -> PublishError {
    let detail = format!("{}: {}", failure.error_code, failure.error);
    let (class, reason) = match failure.error_code {
        10001 | 10002 | 10009 => (ErrorClass::Retryable, Reason::PlatformBusy),
        10022..=10024 => (ErrorClass::RateLimited, Reason::RateLimited),
        20012 => (ErrorClass::Rejected, Reason::TextTooLong),
        20016 | 20017 | 20019 | 20111 => (ErrorClass::Rejected, Reason::Duplicate),
        20005 | 20006 => (ErrorClass::Rejected, Reason::MediaRejected),
        21327 | 21332 => (ErrorClass::Auth, Reason::TokenExpired),
        // The app key is not bound to a safe domain: only the app's owner can fix it.
        10017 => {
            let detail = format!("{detail} (bind a safe domain to the app in Weibo's console)");
            return PublishError::new(ErrorClass::Auth, Reason::PermissionDenied, detail);
        }
        _ => (ErrorClass::Rejected, Reason::Other),
    };
    PublishError::new(class, reason, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanloop_render::{Options, Target, render};

    #[test]
    fn codes_map_onto_classes() {
        let c = |code| {
            let e = classify(&Failure {
                error_code: code,
                error: String::new(),
            });
            (e.class, e.reason)
        };
        assert_eq!(c(10023), (ErrorClass::RateLimited, Reason::RateLimited));
        assert_eq!(c(20012), (ErrorClass::Rejected, Reason::TextTooLong));
        assert_eq!(c(20111), (ErrorClass::Rejected, Reason::Duplicate));
        assert_eq!(c(21327), (ErrorClass::Auth, Reason::TokenExpired));
        assert_eq!(c(10017), (ErrorClass::Auth, Reason::PermissionDenied));
        assert_eq!(c(10001), (ErrorClass::Retryable, Reason::PlatformBusy));
    }

    #[test]
    fn what_share_json_refuses_is_refused_first() {
        let outgoing = |md: &str| Outgoing {
            key: "k".into(),
            rendered: render(md, Target::Weibo, &Options::default()),
            cover: None,
            images: Vec::new(),
            first_attempt_ms: 0,
        };
        let reason = |md: &str| {
            let p = outgoing(md);
            check(p.rendered.body.as_str(), &p).err().map(|e| e.reason)
        };
        assert_eq!(reason("新品上线 https://fanloop.example/a"), None);
        assert_eq!(reason("没有链接"), Some(Reason::ContentRejected));
        assert_eq!(
            reason("#新品# https://fanloop.example/a"),
            Some(Reason::ContentRejected)
        );
        let long = format!("{} https://fanloop.example/a", "字".repeat(130));
        assert_eq!(reason(&long), Some(Reason::TextTooLong));
    }
}
