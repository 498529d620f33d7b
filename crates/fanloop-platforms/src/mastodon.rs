//! Mastodon: one status per publication, images through the v2 media upload, and the
//! instance's own text limit.
//!
//! Re-sending is safe: every status is created with `Idempotency-Key: <post.key>`, and
//! Mastodon answers a repeated key from the same account with the status the first
//! request created instead of a new one. Mastodon keeps those keys for one hour, which
//! bounds how long [`Connector::reconcile`] may answer `SafeToRetry`.

use crate::connector::{
    BoxFuture, ChannelConfig, Connector, MediaFile, Outgoing, Receipt, Reconciled, Session,
};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http;
use fanloop_domain::{Platform, TextLimits};
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// Mastodon's defaults when an instance does not publish its configuration.
const DEFAULT_LIMITS: InstanceLimits = InstanceLimits {
    max_characters: 500,
    url_weight: 23,
    max_media: 4,
};
/// How long the instance's limits are trusted before being fetched again. Admins change
/// them rarely; a day keeps the cost at one request per channel per day.
const LIMITS_TTL_MS: i64 = 24 * 3600 * 1000;
/// Mastodon forgets an idempotency key an hour after the status was created; five
/// minutes of margin cover clock skew between us and the instance.
const IDEMPOTENCY_WINDOW_MS: i64 = 55 * 60 * 1000;
/// How long one publish may wait for uploaded media to finish processing before handing
/// the post back to the engine (the media ids are kept, so the next attempt only waits).
const MEDIA_WAIT: Duration = Duration::from_secs(10);

/// A Mastodon channel: `instance_url` (public) and `access_token` (secret).
pub struct Mastodon {
    client: reqwest::Client,
    base: String,
    token: String,
    call_timeout: Duration,
    media_wait: Duration,
}

/// What an instance allows in one status, from `GET /api/v2/instance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceLimits {
    pub max_characters: usize,
    /// Every link counts as this many characters, whatever its length.
    pub url_weight: usize,
    pub max_media: usize,
}

impl InstanceLimits {
    /// Session form `max_characters,url_weight,max_media`, so the cache survives between
    /// calls without a schema.
    fn encode(self) -> String {
        format!(
            "{},{},{}",
            self.max_characters, self.url_weight, self.max_media
        )
    }

    fn decode(raw: &str) -> Option<InstanceLimits> {
        let mut parts = raw.split(',').map(|p| p.parse::<usize>().ok());
        Some(InstanceLimits {
            max_characters: parts.next()??,
            url_weight: parts.next()??,
            max_media: parts.next()??,
        })
    }

    /// The length of `text` as this instance counts it: characters, links at their
    /// fixed weight. (Mastodon counts a remote mention as its local part only; counting
    /// it whole can only make this stricter than the server.)
    pub fn length(&self, text: &str) -> usize {
        let limits = TextLimits {
            url_weight: Some(self.url_weight),
            ..Platform::Mastodon.limits()
        };
        fanloop_text::length(text, &limits)
    }
}

impl Mastodon {
    pub fn new(config: &ChannelConfig) -> Result<Self, PublishError> {
        Ok(Mastodon {
            client: http::client(),
            base: config
                .require("instance_url")?
                .trim_end_matches('/')
                .to_owned(),
            token: config.require("access_token")?.to_owned(),
            call_timeout: http::CALL_TIMEOUT,
            media_wait: MEDIA_WAIT,
        })
    }

    /// How long one request may take before its outcome counts as unknown (tests
    /// shorten it to exercise timeouts quickly).
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// How long one publish waits for media processing before answering `Retryable`.
    pub fn with_media_wait(mut self, wait: Duration) -> Self {
        self.media_wait = wait;
        self
    }

    fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .timeout(self.call_timeout)
    }

    /// The instance's limits, from the session when fetched within a day.
    pub async fn limits(&self, session: &mut Session) -> Result<InstanceLimits, PublishError> {
        let fresh = session
            .get("instance:fetched_ms")
            .and_then(|t| t.parse::<i64>().ok())
            .is_some_and(|t| session.now_ms - t < LIMITS_TTL_MS);
        let cached = session
            .get("instance:limits")
            .and_then(InstanceLimits::decode);
        if let Some(cached) = cached
            && fresh
        {
            return Ok(cached);
        }
        let resp = self
            .request(reqwest::Method::GET, "/api/v2/instance")
            .send()
            .await;
        let (status, headers, body) = read(resp).await.map_err(nothing_posted)?;
        let limits = if status == StatusCode::NOT_FOUND {
            // Instances older than 4.0 have no v2 endpoint; they use the defaults.
            DEFAULT_LIMITS
        } else if status.is_success() {
            parse_limits(&body).ok_or_else(|| {
                nothing_posted(http::malformed("unreadable /api/v2/instance", &body))
            })?
        } else {
            return Err(nothing_posted(classify(
                status,
                &headers,
                &body,
                session.now_ms,
            )));
        };
        session.set("instance:limits", limits.encode());
        session.set("instance:fetched_ms", session.now_ms.to_string());
        Ok(limits)
    }

    /// Uploads the post's images (or reuses the ids an earlier attempt stored) and waits,
    /// within [`MEDIA_WAIT`], until Mastodon has processed them.
    async fn media_ids(
        &self,
        session: &mut Session,
        post: &Outgoing,
        limits: InstanceLimits,
    ) -> Result<Vec<String>, PublishError> {
        let files = attachments(post);
        if files.len() > limits.max_media {
            return Err(PublishError::new(
                ErrorClass::Rejected,
                Reason::MediaRejected,
                format!(
                    "{} images; this instance takes at most {}",
                    files.len(),
                    limits.max_media
                ),
            ));
        }
        let mut ids = Vec::with_capacity(files.len());
        let mut unready = Vec::new();
        for (i, file) in files.into_iter().enumerate() {
            let slot = media_slot(&post.key, i);
            let id = match session.get(&slot) {
                Some(id) => {
                    unready.push(id.to_owned());
                    id.to_owned()
                }
                None => {
                    let (id, ready) = self.upload(file, session.now_ms).await?;
                    session.set(&slot, id.clone());
                    if !ready {
                        unready.push(id.clone());
                    }
                    id
                }
            };
            ids.push(id);
        }
        if let Err(e) = self.await_processing(unready, session.now_ms).await {
            if e.reason == Reason::MediaRejected {
                forget_media(session, &post.key);
            }
            return Err(e);
        }
        Ok(ids)
    }

    /// `POST /api/v2/media`: the attachment's id and whether it is already processed.
    async fn upload(&self, file: &MediaFile, now_ms: i64) -> Result<(String, bool), PublishError> {
        let part = reqwest::multipart::Part::bytes(file.bytes.clone())
            .file_name(file.file_name.clone())
            .mime_str(&file.content_type)
            .map_err(|e| {
                PublishError::new(
                    ErrorClass::Rejected,
                    Reason::MediaRejected,
                    format!(
                        "{}: content type {:?}: {e}",
                        file.file_name, file.content_type
                    ),
                )
            })?;
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if !file.alt.is_empty() {
            form = form.text("description", file.alt.clone());
        }
        let resp = self
            .request(reqwest::Method::POST, "/api/v2/media")
            .multipart(form)
            .send()
            .await;
        let (status, headers, body) = read(resp).await.map_err(nothing_posted)?;
        if !status.is_success() {
            let mut e = classify(status, &headers, &body, now_ms);
            if e.class == ErrorClass::Rejected {
                e.reason = Reason::MediaRejected;
            }
            return Err(nothing_posted(e));
        }
        let media: Media = serde_json::from_str(&body)
            .map_err(|_| nothing_posted(http::malformed("unreadable media upload", &body)))?;
        let ready = status == StatusCode::OK && media.url.is_some();
        Ok((media.id, ready))
    }

    /// Polls `GET /api/v1/media/:id` (206 while processing) with growing pauses until
    /// every id is ready or the wait is used up. This is waiting inside one attempt, not
    /// a retry: nothing is sent twice.
    async fn await_processing(
        &self,
        mut ids: Vec<String>,
        now_ms: i64,
    ) -> Result<(), PublishError> {
        let deadline = Instant::now() + self.media_wait;
        let mut pause = Duration::from_millis(200);
        loop {
            let mut still = Vec::new();
            for id in ids {
                let path = format!("/api/v1/media/{id}");
                let resp = self.request(reqwest::Method::GET, &path).send().await;
                let (status, headers, body) = read(resp).await.map_err(nothing_posted)?;
                match status.as_u16() {
                    200 => {}
                    206 => still.push(id),
                    404 => {
                        return Err(PublishError::new(
                            ErrorClass::Retryable,
                            Reason::MediaRejected,
                            format!("uploaded media {id} is gone; it will be uploaded again"),
                        ));
                    }
                    _ => return Err(nothing_posted(classify(status, &headers, &body, now_ms))),
                }
            }
            if still.is_empty() {
                return Ok(());
            }
            if Instant::now() + pause > deadline {
                return Err(PublishError::new(
                    ErrorClass::Retryable,
                    Reason::PlatformBusy,
                    format!("media {} still processing", still.join(", ")),
                )
                .with_retry_after(Some(Duration::from_secs(15))));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
            ids = still;
        }
    }

    /// One publish: check the length, upload or reuse media, create the status.
    async fn attempt(
        &self,
        session: &mut Session,
        post: &Outgoing,
    ) -> Result<Receipt, PublishError> {
        let text = post.rendered.body.as_str();
        let limits = self.limits(session).await?;
        let length = limits.length(text);
        if length > limits.max_characters {
            let detail = format!(
                "{length} characters; this instance allows {}",
                limits.max_characters
            );
            return Err(PublishError::new(
                ErrorClass::Rejected,
                Reason::TextTooLong,
                detail,
            ));
        }
        let media_ids = self.media_ids(session, post, limits).await?;
        self.create_status(session, post, text, media_ids).await
    }

    async fn create_status(
        &self,
        session: &mut Session,
        post: &Outgoing,
        text: &str,
        media_ids: Vec<String>,
    ) -> Result<Receipt, PublishError> {
        let payload = serde_json::json!({
            "status": text,
            "media_ids": media_ids,
            "visibility": "public",
        });
        let resp = self
            .request(reqwest::Method::POST, "/api/v1/statuses")
            .header("Idempotency-Key", &post.key)
            .json(&payload)
            .send()
            .await;
        let (status, headers, body) = read(resp).await?;
        if !status.is_success() {
            return Err(classify(status, &headers, &body, session.now_ms));
        }
        let created: Created =
            serde_json::from_str(&body).map_err(|_| http::malformed("unreadable status", &body))?;
        Ok(Receipt::Published {
            remote_id: created.id,
            url: created.url.or(created.uri),
        })
    }
}

impl Connector for Mastodon {
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
                forget_media(session, &post.key);
            }
            result
        })
    }

    /// `SafeToRetry` while Mastodon still remembers the idempotency key: a repeat then
    /// returns the status an interrupted attempt created. Past that window a repeat could
    /// post twice, and Mastodon offers no lookup by key, so a person must check.
    fn reconcile<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Reconciled, PublishError>> {
        Box::pin(async move {
            let age = session.now_ms - post.first_attempt_ms;
            // Without the engine's clock the key's age is unknown, so it is not trusted.
            if session.now_ms <= 0 || age > IDEMPOTENCY_WINDOW_MS {
                Ok(Reconciled::Unknown)
            } else {
                Ok(Reconciled::SafeToRetry)
            }
        })
    }

    fn verify<'a>(
        &'a self,
        session: &'a mut Session,
    ) -> BoxFuture<'a, Result<String, PublishError>> {
        Box::pin(async move {
            let resp = self
                .request(reqwest::Method::GET, "/api/v1/accounts/verify_credentials")
                .send()
                .await;
            let (status, headers, body) = read(resp).await.map_err(nothing_posted)?;
            if !status.is_success() {
                return Err(nothing_posted(classify(
                    status,
                    &headers,
                    &body,
                    session.now_ms,
                )));
            }
            let account: Account = serde_json::from_str(&body)
                .map_err(|_| nothing_posted(http::malformed("unreadable account", &body)))?;
            Ok(account.acct)
        })
    }
}

#[derive(Deserialize)]
struct Created {
    id: String,
    url: Option<String>,
    uri: Option<String>,
}

#[derive(Deserialize)]
struct Media {
    id: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct Account {
    acct: String,
}

/// The images to attach: the post's images, or its cover when that is all it has
/// (Mastodon has no cover field, but a post with only a cover should still show it).
fn attachments(post: &Outgoing) -> Vec<&MediaFile> {
    if post.images.is_empty() {
        post.cover.iter().collect()
    } else {
        post.images.iter().collect()
    }
}

fn media_slot(key: &str, index: usize) -> String {
    format!("media:{key}:{index}")
}

/// Drops this post's remembered media ids once they can no longer be used.
fn forget_media(session: &mut Session, key: &str) {
    let prefix = format!("media:{key}:");
    let before = session.values.len();
    session.values.retain(|k, _| !k.starts_with(&prefix));
    if session.values.len() != before {
        session.changed = true;
    }
}

fn parse_limits(body: &str) -> Option<InstanceLimits> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let config = value.get("configuration")?;
    let number = |section: &str, key: &str, default: usize| {
        config
            .get(section)
            .and_then(|s| s.get(key))
            .and_then(serde_json::Value::as_u64)
            .map_or(default, |n| n as usize)
    };
    Some(InstanceLimits {
        max_characters: number("statuses", "max_characters", DEFAULT_LIMITS.max_characters),
        url_weight: number(
            "statuses",
            "characters_reserved_per_url",
            DEFAULT_LIMITS.url_weight,
        ),
        max_media: number(
            "statuses",
            "max_media_attachments",
            DEFAULT_LIMITS.max_media,
        ),
    })
}

/// Reads a whole response, or classifies the transport failure.
async fn read(
    resp: Result<reqwest::Response, reqwest::Error>,
) -> Result<(StatusCode, HeaderMap, String), PublishError> {
    let resp = resp.map_err(http::transport)?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.text().await.map_err(http::transport)?;
    Ok((status, headers, body))
}

/// Errors of calls made before the status is sent (reading limits, uploading media)
/// cannot have posted anything, so "unknown outcome" becomes a plain retry.
fn nothing_posted(mut e: PublishError) -> PublishError {
    if e.class == ErrorClass::Unknown {
        e.class = ErrorClass::Retryable;
    }
    e
}

/// Mastodon's error answers: `{"error": "..."}` with the status saying what kind.
fn classify(status: StatusCode, headers: &HeaderMap, body: &str, now_ms: i64) -> PublishError {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| http::snippet(body));
    let detail = format!("HTTP {}: {message}", status.as_u16());
    let lower = message.to_lowercase();
    match status.as_u16() {
        401 => PublishError::new(ErrorClass::Auth, Reason::CredentialsRejected, detail),
        403 => PublishError::new(ErrorClass::Auth, Reason::PermissionDenied, detail),
        // Attaching media that is still processing; it will be ready shortly.
        422 if lower.contains("not finished processing") => {
            PublishError::new(ErrorClass::Retryable, Reason::PlatformBusy, detail)
        }
        422 if lower.contains("character limit") => {
            PublishError::new(ErrorClass::Rejected, Reason::TextTooLong, detail)
        }
        422 => PublishError::new(ErrorClass::Rejected, Reason::ContentRejected, detail),
        429 => PublishError::new(ErrorClass::RateLimited, Reason::RateLimited, detail)
            .with_retry_after(reset_wait(headers, now_ms).or_else(|| http::retry_after(headers))),
        _ => http::status_error(status, headers, body),
    }
}

/// Time until `X-RateLimit-Reset` (an ISO 8601 instant), by the engine's clock.
fn reset_wait(headers: &HeaderMap, now_ms: i64) -> Option<Duration> {
    if now_ms <= 0 {
        return None;
    }
    let reset: jiff::Timestamp = headers
        .get("x-ratelimit-reset")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let wait_ms = reset.as_millisecond().saturating_sub(now_ms).max(0);
    Some(Duration::from_millis(wait_ms as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn limits_come_from_the_instance_or_the_defaults() {
        let body = r#"{"configuration":{"statuses":{"max_characters":1000,
            "characters_reserved_per_url":20,"max_media_attachments":6}}}"#;
        let parsed = parse_limits(body).unwrap();
        assert_eq!(
            (parsed.max_characters, parsed.url_weight, parsed.max_media),
            (1000, 20, 6)
        );
        assert_eq!(
            parse_limits(r#"{"configuration":{}}"#),
            Some(DEFAULT_LIMITS)
        );
        assert_eq!(parse_limits("<html>"), None);
        assert_eq!(InstanceLimits::decode(&parsed.encode()), Some(parsed));
        assert_eq!(InstanceLimits::decode("1,2"), None);
    }

    #[test]
    fn links_count_as_the_instance_says() {
        let text = format!("see https://example.com/{}", "a".repeat(100));
        assert_eq!(DEFAULT_LIMITS.length(&text), 4 + 23);
        assert_eq!(DEFAULT_LIMITS.length("你好"), 2);
    }

    #[test]
    fn errors_are_classified() {
        let none = HeaderMap::new();
        let c = |code: u16, body: &str| {
            let e = classify(StatusCode::from_u16(code).unwrap(), &none, body, 1);
            (e.class, e.reason)
        };
        let too_long = r#"{"error":"Validation failed: Text character limit of 500 exceeded"}"#;
        assert_eq!(
            c(422, too_long),
            (ErrorClass::Rejected, Reason::TextTooLong)
        );
        let busy = r#"{"error":"Cannot attach files that have not finished processing."}"#;
        assert_eq!(c(422, busy), (ErrorClass::Retryable, Reason::PlatformBusy));
        assert_eq!(
            c(401, "{}"),
            (ErrorClass::Auth, Reason::CredentialsRejected)
        );
        assert_eq!(c(500, ""), (ErrorClass::Retryable, Reason::PlatformBusy));
        assert_eq!(c(503, ""), (ErrorClass::Unknown, Reason::PlatformBusy));

        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("2024-01-01T00:05:00.000Z"),
        );
        let now = "2024-01-01T00:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond();
        let e = classify(StatusCode::TOO_MANY_REQUESTS, &headers, "", now);
        assert_eq!(e.retry_after, Some(Duration::from_secs(300)));
    }
}
