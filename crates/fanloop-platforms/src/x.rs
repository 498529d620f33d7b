//! X (API v2): `POST /2/tweets`, images through `POST /2/media/upload`, OAuth 2.0 user
//! tokens refreshed with `POST /2/oauth2/token`.
//!
//! Tokens: X rotates refresh tokens — each refresh returns a new one and the old one
//! stops working. The refreshed pair is kept in the [`Session`] (which the engine
//! persists sealed, per channel) and wins over the channel's secrets as long as those
//! are the ones it was refreshed from (`x:origin`): reconnecting the channel with new
//! secrets makes the old pair void. Losing the session means reconnecting the channel.
//!
//! Re-sending: X has no idempotency key (it refuses an identical text as duplicate
//! content instead), so [`Connector::reconcile`] looks for the post among the account's
//! recent posts and answers `Unknown` when it cannot see it: absence on a timeline that
//! lags is no proof. Image alt text (`/2/media/metadata`) is not sent yet.

use crate::connector::{
    BoxFuture, ChannelConfig, Connector, MediaFile, Outgoing, Receipt, Reconciled, Session,
};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http;
use fanloop_domain::Platform;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// X's post limit in weighted characters (CJK 2, a link 23), from the domain's table.
pub const TEXT_MAX: usize = 280;
pub const IMAGES_MAX: usize = 4;
/// Refresh this long before the access token expires, so a call never starts with a
/// token about to lapse.
const REFRESH_MARGIN_MS: i64 = 60_000;
/// How far before the first attempt `reconcile` looks (clock skew between us and X).
const LOOKBACK_MS: i64 = 120_000;

/// An X channel: `access_token` (secret), optional `refresh_token` (secret) and
/// `client_id` for OAuth 2.0 refresh, optional `api_base_url`.
pub struct X {
    client: reqwest::Client,
    base: String,
    access_token: String,
    refresh_token: Option<String>,
    client_id: Option<String>,
    call_timeout: Duration,
}

impl X {
    pub fn new(config: &ChannelConfig) -> Result<Self, PublishError> {
        Ok(X {
            client: http::client(),
            base: http::base_url(config, "api_base_url", "https://api.x.com"),
            access_token: config.require("access_token")?.to_owned(),
            refresh_token: config.optional("refresh_token").map(str::to_owned),
            client_id: config.optional("client_id").map(str::to_owned),
            call_timeout: http::CALL_TIMEOUT,
        })
    }

    /// How long one request may take before its outcome counts as unknown.
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Whether the session's refreshed tokens descend from this channel's secrets.
    fn refreshed<'s>(&self, session: &'s Session, key: &str) -> Option<&'s str> {
        let origin = session.get("x:origin")?;
        (origin == self.access_token)
            .then(|| session.get(key))
            .flatten()
    }

    fn access_token<'s>(&'s self, session: &'s Session) -> &'s str {
        self.refreshed(session, "x:access_token")
            .unwrap_or(&self.access_token)
    }

    fn refresh_token<'s>(&'s self, session: &'s Session) -> Option<&'s str> {
        self.refreshed(session, "x:refresh_token")
            .or(self.refresh_token.as_deref())
    }

    /// Exchanges the refresh token for a new pair and keeps both in the session.
    async fn refresh_pair(&self, session: &mut Session) -> Result<(), PublishError> {
        let Some(refresh_token) = self.refresh_token(session).map(str::to_owned) else {
            return Err(PublishError::new(
                ErrorClass::Auth,
                Reason::TokenExpired,
                "the access token was refused and the channel has no refresh token",
            ));
        };
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token),
        ];
        if let Some(id) = &self.client_id {
            form.push(("client_id", id.clone()));
        }
        let resp = self
            .client
            .post(format!("{}/2/oauth2/token", self.base))
            .timeout(self.call_timeout)
            .form(&form)
            .send()
            .await;
        let (status, headers, body) = read(resp).await.map_err(nothing_posted)?;
        if matches!(status.as_u16(), 400 | 401) {
            let detail = format!("token refresh refused: {}", problem(&body));
            return Err(PublishError::new(
                ErrorClass::Auth,
                Reason::TokenExpired,
                detail,
            ));
        }
        if !status.is_success() {
            return Err(nothing_posted(classify(
                status,
                &headers,
                &body,
                session.now_ms,
            )));
        }
        let tokens: Tokens = serde_json::from_str(&body)
            .map_err(|_| nothing_posted(http::malformed("unreadable token answer", &body)))?;
        session.set("x:origin", self.access_token.clone());
        session.set("x:access_token", tokens.access_token);
        if let Some(rotated) = tokens.refresh_token {
            session.set("x:refresh_token", rotated);
        }
        session.expires_at_ms = tokens.expires_in.map(|s| session.now_ms + s * 1000);
        session.changed = true;
        Ok(())
    }

    /// Sends a request built for the current access token. A token about to expire is
    /// refreshed first; a 401 is answered by refreshing and sending once more, which is
    /// safe because a refused request created nothing.
    async fn authorized<F>(&self, session: &mut Session, build: F) -> Result<Answer, PublishError>
    where
        F: Fn(&str) -> Result<RequestBuilder, PublishError>,
    {
        let has_refresh = self.refresh_token(session).is_some();
        let expiring = session
            .expires_at_ms
            .is_some_and(|at| session.now_ms > 0 && at - session.now_ms < REFRESH_MARGIN_MS);
        if has_refresh && expiring {
            self.refresh_pair(session).await?;
        }
        let request = build(self.access_token(session))?.timeout(self.call_timeout);
        let answer = read(request.send().await).await?;
        if answer.0 != StatusCode::UNAUTHORIZED || !has_refresh {
            return Ok(answer);
        }
        self.refresh_pair(session).await?;
        let request = build(self.access_token(session))?.timeout(self.call_timeout);
        read(request.send().await).await
    }

    /// A read-only call: its failures cannot have posted anything.
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        session: &mut Session,
        path: &str,
    ) -> Result<T, PublishError> {
        let url = format!("{}{path}", self.base);
        let (status, headers, body) = self
            .authorized(session, |token| {
                Ok(self.client.get(&url).bearer_auth(token))
            })
            .await
            .map_err(nothing_posted)?;
        if !status.is_success() {
            return Err(nothing_posted(classify(
                status,
                &headers,
                &body,
                session.now_ms,
            )));
        }
        serde_json::from_str(&body)
            .map_err(|_| nothing_posted(http::malformed("unreadable answer", &body)))
    }

    async fn me(&self, session: &mut Session) -> Result<User, PublishError> {
        let me: Data<User> = self.get_json(session, "/2/users/me").await?;
        Ok(me.data)
    }

    /// Uploads the images (reusing ids an earlier attempt stored in the session).
    async fn media_ids(
        &self,
        session: &mut Session,
        post: &Outgoing,
    ) -> Result<Vec<String>, PublishError> {
        let files = attachments(post);
        if files.len() > IMAGES_MAX {
            let detail = format!("{} images; X takes at most {IMAGES_MAX}", files.len());
            return Err(PublishError::new(
                ErrorClass::Rejected,
                Reason::MediaRejected,
                detail,
            ));
        }
        let mut ids = Vec::with_capacity(files.len());
        for (i, file) in files.into_iter().enumerate() {
            let slot = format!("media:{}:{i}", post.key);
            if let Some(id) = session.get(&slot) {
                ids.push(id.to_owned());
                continue;
            }
            let id = self.upload(session, file).await.map_err(nothing_posted)?;
            session.set(&slot, id.clone());
            ids.push(id);
        }
        Ok(ids)
    }

    async fn upload(
        &self,
        session: &mut Session,
        file: &MediaFile,
    ) -> Result<String, PublishError> {
        let url = format!("{}/2/media/upload", self.base);
        let (status, headers, body) = self
            .authorized(session, |token| {
                let part = reqwest::multipart::Part::bytes(file.bytes.clone())
                    .file_name(file.file_name.clone())
                    .mime_str(&file.content_type)
                    .map_err(|e| {
                        let detail = format!("{}: {e}", file.file_name);
                        PublishError::new(ErrorClass::Rejected, Reason::MediaRejected, detail)
                    })?;
                let form = reqwest::multipart::Form::new()
                    .text("media_category", "tweet_image")
                    .part("media", part);
                Ok(self.client.post(&url).bearer_auth(token).multipart(form))
            })
            .await?;
        if !status.is_success() {
            let mut e = classify(status, &headers, &body, session.now_ms);
            if e.class == ErrorClass::Rejected {
                e.reason = Reason::MediaRejected;
            }
            return Err(e);
        }
        let media: Data<Media> = serde_json::from_str(&body)
            .map_err(|_| http::malformed("unreadable media upload", &body))?;
        Ok(media.data.id)
    }

    async fn attempt(
        &self,
        session: &mut Session,
        post: &Outgoing,
    ) -> Result<Receipt, PublishError> {
        let text = post.rendered.body.as_str();
        let length = fanloop_text::length(text, &Platform::X.limits());
        if length > TEXT_MAX {
            let detail = format!("{length} weighted characters; X allows {TEXT_MAX}");
            return Err(PublishError::new(
                ErrorClass::Rejected,
                Reason::TextTooLong,
                detail,
            ));
        }
        let media_ids = self.media_ids(session, post).await?;
        let mut payload = json!({ "text": text });
        if !media_ids.is_empty() {
            payload["media"] = json!({ "media_ids": media_ids });
        }
        let url = format!("{}/2/tweets", self.base);
        let (status, headers, body) = self
            .authorized(session, |token| {
                Ok(self.client.post(&url).bearer_auth(token).json(&payload))
            })
            .await?;
        if !status.is_success() {
            return Err(classify(status, &headers, &body, session.now_ms));
        }
        let created: Data<Tweet> =
            serde_json::from_str(&body).map_err(|_| http::malformed("unreadable post", &body))?;
        Ok(receipt(created.data.id))
    }
}

impl Connector for X {
    fn publish<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        Box::pin(async move {
            let result = self.attempt(session, post).await;
            // Uploaded media ids are kept only until the post is settled, either way.
            if result
                .as_ref()
                .map_or_else(|e| e.class == ErrorClass::Rejected, |_| true)
            {
                let prefix = format!("media:{}:", post.key);
                let before = session.values.len();
                session.values.retain(|k, _| !k.starts_with(&prefix));
                session.changed |= session.values.len() != before;
            }
            result
        })
    }

    /// Looks for a post with the same text among the account's posts since the first
    /// attempt: found → its receipt; not seen → `Unknown` (the timeline may lag, and
    /// sending again could duplicate it or be refused as duplicate content).
    fn reconcile<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Reconciled, PublishError>> {
        Box::pin(async move {
            let user = match self.me(session).await {
                Ok(user) => user,
                // Without read scopes the lookup is impossible, which is not a fault.
                Err(e) if e.reason == Reason::PermissionDenied => return Ok(Reconciled::Unknown),
                Err(e) => return Err(e),
            };
            let since = jiff::Timestamp::from_millisecond(post.first_attempt_ms - LOOKBACK_MS)
                .map(|t| format!("&start_time={}", t.strftime("%Y-%m-%dT%H:%M:%SZ")))
                .unwrap_or_default();
            let path = format!("/2/users/{}/tweets?max_results=20{since}", user.id);
            let recent: Listing = match self.get_json(session, &path).await {
                Ok(recent) => recent,
                Err(e) if e.reason == Reason::PermissionDenied => return Ok(Reconciled::Unknown),
                Err(e) => return Err(e),
            };
            let wanted = comparable(post.rendered.body.as_str());
            let found = recent
                .data
                .into_iter()
                .find(|t| comparable(&t.text) == wanted);
            Ok(found.map_or(Reconciled::Unknown, |t| Reconciled::Found(receipt(t.id))))
        })
    }

    fn verify<'a>(
        &'a self,
        session: &'a mut Session,
    ) -> BoxFuture<'a, Result<String, PublishError>> {
        Box::pin(async move { Ok(format!("@{}", self.me(session).await?.username)) })
    }

    /// Exchanges the refresh token for a new pair (X rotates it: the old one stops
    /// working). A channel without a refresh token has nothing to renew.
    fn refresh<'a>(&'a self, session: &'a mut Session) -> BoxFuture<'a, Result<(), PublishError>> {
        Box::pin(async move {
            if self.refresh_token(session).is_none() {
                return Ok(());
            }
            self.refresh_pair(session).await
        })
    }
}

type Answer = (StatusCode, HeaderMap, String);

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Tweet {
    id: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Listing {
    #[serde(default)]
    data: Vec<Tweet>,
}

#[derive(Deserialize)]
struct Media {
    id: String,
}

#[derive(Deserialize)]
struct User {
    id: String,
    username: String,
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
}

fn receipt(id: String) -> Receipt {
    // The `i/web` form resolves without knowing the account's handle.
    let url = format!("https://x.com/i/web/status/{id}");
    Receipt::Published {
        remote_id: id,
        url: Some(url),
    }
}

/// The images to attach: the post's images, or its cover when that is all it has.
fn attachments(post: &Outgoing) -> Vec<&MediaFile> {
    if post.images.is_empty() {
        post.cover.iter().collect()
    } else {
        post.images.iter().collect()
    }
}

/// Text as it can be compared with what X shows: X rewrites links to t.co and escapes
/// `&`, `<` and `>`, so links become a placeholder and entities are decoded.
fn comparable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for link in fanloop_text::urls(text) {
        out.push_str(&text[at..link.start]);
        out.push('\u{1}');
        at = link.end;
    }
    out.push_str(&text[at..]);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

async fn read(resp: Result<reqwest::Response, reqwest::Error>) -> Result<Answer, PublishError> {
    let resp = resp.map_err(http::transport)?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.text().await.map_err(http::transport)?;
    Ok((status, headers, body))
}

/// Errors of calls that cannot have posted anything are retries, not unknowns.
fn nothing_posted(mut e: PublishError) -> PublishError {
    if e.class == ErrorClass::Unknown {
        e.class = ErrorClass::Retryable;
    }
    e
}

/// The human part of X's error answers: problem+json `detail`/`title`, an `errors`
/// list, or OAuth's `error_description`.
fn problem(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return http::snippet(body);
    };
    let first_error = v
        .get("errors")
        .and_then(|e| e.get(0))
        .and_then(|e| e.get("message"));
    [
        v.get("detail"),
        first_error,
        v.get("error_description"),
        v.get("title"),
        v.get("error"),
    ]
    .into_iter()
    .flatten()
    .find_map(|m| m.as_str().map(str::to_owned))
    .unwrap_or_else(|| http::snippet(body))
}

fn classify(status: StatusCode, headers: &HeaderMap, body: &str, now_ms: i64) -> PublishError {
    let message = problem(body);
    let detail = format!("HTTP {}: {message}", status.as_u16());
    let lower = message.to_lowercase();
    match status.as_u16() {
        401 => PublishError::new(ErrorClass::Auth, Reason::CredentialsRejected, detail),
        403 if lower.contains("duplicate") => {
            PublishError::new(ErrorClass::Rejected, Reason::Duplicate, detail)
        }
        403 => PublishError::new(ErrorClass::Auth, Reason::PermissionDenied, detail),
        400 if lower.contains("too long") => {
            PublishError::new(ErrorClass::Rejected, Reason::TextTooLong, detail)
        }
        400 => PublishError::new(ErrorClass::Rejected, Reason::ContentRejected, detail),
        429 => PublishError::new(ErrorClass::RateLimited, Reason::RateLimited, detail)
            .with_retry_after(reset_wait(headers, now_ms).or_else(|| http::retry_after(headers))),
        _ => http::status_error(status, headers, body),
    }
}

/// Time until `x-rate-limit-reset` (epoch seconds), by the engine's clock.
fn reset_wait(headers: &HeaderMap, now_ms: i64) -> Option<Duration> {
    let reset: i64 = headers
        .get("x-rate-limit-reset")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (now_ms > 0).then(|| Duration::from_millis((reset * 1000 - now_ms).max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn comparable_text_ignores_link_rewriting_and_escaping() {
        assert_eq!(
            comparable("Read https://example.com/a?b=c & enjoy"),
            comparable("Read https://t.co/abc123 &amp; enjoy")
        );
        assert_ne!(comparable("one"), comparable("two"));
    }

    #[test]
    fn errors_are_classified() {
        let c = |code: u16, body: &str| {
            let e = classify(
                StatusCode::from_u16(code).unwrap(),
                &HeaderMap::new(),
                body,
                1,
            );
            (e.class, e.reason)
        };
        let dup = r#"{"detail":"You are not allowed to create a Tweet with duplicate content.","status":403}"#;
        assert_eq!(c(403, dup), (ErrorClass::Rejected, Reason::Duplicate));
        assert_eq!(
            c(403, r#"{"title":"Forbidden"}"#),
            (ErrorClass::Auth, Reason::PermissionDenied)
        );
        assert_eq!(
            c(400, r#"{"errors":[{"message":"bad"}]}"#).1,
            Reason::ContentRejected
        );
        assert_eq!(c(500, "").0, ErrorClass::Retryable);

        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-reset", HeaderValue::from_static("1000"));
        let e = classify(StatusCode::TOO_MANY_REQUESTS, &h, "{}", 940_000);
        assert_eq!(e.retry_after, Some(Duration::from_secs(60)));
    }
}
