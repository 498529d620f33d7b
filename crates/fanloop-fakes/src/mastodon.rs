//! A fake Mastodon instance, written from Mastodon's API documentation: statuses with
//! `Idempotency-Key` de-duplication, bearer tokens, the instance's character limit, the
//! v2 media upload that answers 202 while processing, and 300 requests per 5 minutes per
//! token with `X-RateLimit-*` headers.
//!
//! It counts exactly what it created, so reliability tests and the benchmark can prove
//! "none lost, none twice". All state sits behind one mutex held for microseconds, so
//! it takes thousands of posts a second.
//!
//! Injected [`Fault`]s apply to `POST /api/v1/statuses`, the publish path; the configured
//! latency applies to it and to media uploads.

use crate::{FakeServer, Fault, Faults};
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// How the fake instance behaves.
#[derive(Debug, Clone)]
pub struct MastodonOptions {
    /// Accepted bearer tokens; the account of `tokens[i]` is `user{i+1}`.
    pub tokens: Vec<String>,
    /// `configuration.statuses.max_characters` (links count 23).
    pub max_characters: usize,
    pub max_media: usize,
    /// How many `GET /api/v1/media/:id` answer 206 (processing) before 200; with 0 the
    /// upload answers 200 at once, otherwise 202.
    pub media_polls: u32,
    /// Requests allowed per token per window.
    pub rate_limit: u32,
    pub rate_window: Duration,
    /// How long an idempotency key is remembered (Mastodon: one hour).
    pub idempotency_ttl: Duration,
    /// Added to every publish-path request.
    pub latency: Duration,
}

impl Default for MastodonOptions {
    fn default() -> Self {
        MastodonOptions {
            tokens: vec!["token".to_owned()],
            max_characters: 500,
            max_media: 4,
            media_polls: 0,
            rate_limit: 300,
            rate_window: Duration::from_secs(300),
            idempotency_ttl: Duration::from_secs(3600),
            latency: Duration::ZERO,
        }
    }
}

/// One status the fake created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeStatus {
    pub id: String,
    pub token: String,
    pub idempotency_key: Option<String>,
    pub text: String,
    pub media_ids: Vec<String>,
}

/// A running fake instance; stops when dropped.
pub struct FakeMastodon {
    server: FakeServer,
    shared: Arc<Shared>,
}

impl FakeMastodon {
    pub async fn start(options: MastodonOptions) -> FakeMastodon {
        let faults = Faults::default();
        faults.set_latency(options.latency);
        let tokens = options.tokens.iter().cloned().zip(1..).collect();
        let shared = Arc::new(Shared {
            options,
            faults,
            requests: AtomicU64::new(0),
            state: Mutex::new(Store {
                tokens,
                ..Store::default()
            }),
        });
        let router = Router::new()
            .route("/api/v2/instance", get(instance))
            .route(
                "/api/v1/accounts/verify_credentials",
                get(verify_credentials),
            )
            .route("/api/v1/statuses", post(create_status))
            .route("/api/v2/media", post(upload_media))
            .route("/api/v1/media/{id}", get(media_status))
            .with_state(shared.clone());
        FakeMastodon {
            server: FakeServer::start(router).await,
            shared,
        }
    }

    /// The instance URL to put in a channel's `instance_url`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Distinct statuses created (repeats of an idempotency key are not counted).
    pub fn statuses_created(&self) -> usize {
        self.shared.lock().statuses.len()
    }

    /// Every HTTP request received, on any path, answered or not.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// `(idempotency key, text)` of every status created, in order ("" when sent
    /// without a key).
    pub fn statuses(&self) -> Vec<(String, String)> {
        let store = self.shared.lock();
        let keyed = |s: &FakeStatus| {
            (
                s.idempotency_key.clone().unwrap_or_default(),
                s.text.clone(),
            )
        };
        store.statuses.iter().map(keyed).collect()
    }

    /// The created statuses in full.
    pub fn records(&self) -> Vec<FakeStatus> {
        self.shared.lock().statuses.clone()
    }

    /// Media attachments uploaded (each upload counts, attached or not).
    pub fn media_uploaded(&self) -> usize {
        self.shared.lock().media.len()
    }

    /// Revokes a token, as a user removing the app from their account would.
    pub fn revoke_token(&self, token: &str) {
        self.shared.lock().tokens.remove(token);
    }
}

struct Shared {
    options: MastodonOptions,
    faults: Faults,
    requests: AtomicU64,
    state: Mutex<Store>,
}

#[derive(Default)]
struct Store {
    /// Token → account number.
    tokens: HashMap<String, usize>,
    windows: HashMap<String, (Instant, u32)>,
    statuses: Vec<FakeStatus>,
    /// (token, idempotency key) → index in `statuses`, and when it was stored.
    keys: HashMap<(String, String), (usize, Instant)>,
    media: HashMap<String, Attachment>,
    next_id: u64,
}

struct Attachment {
    token: String,
    description: String,
    polls_left: u32,
}

/// An authenticated caller and the rate-limit headers its answers carry.
struct Caller {
    token: String,
    account: usize,
    rate: [(&'static str, HeaderValue); 3],
}

impl Caller {
    fn reply(&self, status: StatusCode, body: Value) -> Response {
        let mut resp = (status, Json(body)).into_response();
        for (name, value) in &self.rate {
            resp.headers_mut().insert(*name, value.clone());
        }
        resp
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panicking handler cannot leave the maps half-updated in a way that matters
        // to a test; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks the bearer token and counts the request against its window.
    fn authorize(&self, headers: &HeaderMap) -> Result<Caller, Box<Response>> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("")
            .to_owned();
        let mut store = self.lock();
        let Some(&account) = store.tokens.get(&token) else {
            return Err(Box::new(invalid_token()));
        };
        let now = Instant::now();
        let window = self.options.rate_window;
        let (start, used) = store.windows.entry(token.clone()).or_insert((now, 0));
        if now.duration_since(*start) >= window {
            *start = now;
            *used = 0;
        }
        *used += 1;
        let limit = self.options.rate_limit;
        let remaining = limit.saturating_sub(*used);
        let reset = SystemTime::now() + window.saturating_sub(now.duration_since(*start));
        let over = *used > limit;
        let caller = Caller {
            token,
            account,
            rate: [
                ("x-ratelimit-limit", HeaderValue::from(limit)),
                ("x-ratelimit-remaining", HeaderValue::from(remaining)),
                ("x-ratelimit-reset", iso_header(reset)),
            ],
        };
        if over {
            return Err(Box::new(caller.reply(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"error": "Too many requests"}),
            )));
        }
        Ok(caller)
    }

    /// Creates the status, or returns the one already created under the same key by
    /// the same token.
    fn create(&self, caller: &Caller, key: Option<String>, body: &[u8], host: &str) -> Response {
        let request: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return caller.reply(StatusCode::BAD_REQUEST, json!({"error": e.to_string()}));
            }
        };
        let text = request["status"].as_str().unwrap_or("").to_owned();
        let media_ids: Vec<String> = request["media_ids"]
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut store = self.lock();
        let ttl = self.options.idempotency_ttl;
        if let Some(key) = &key {
            let slot = (caller.token.clone(), key.clone());
            match store.keys.get(&slot) {
                Some(&(index, at)) if at.elapsed() < ttl => {
                    let status = &store.statuses[index];
                    return caller.reply(StatusCode::OK, status_json(status, caller.account, host));
                }
                Some(_) => {
                    store.keys.remove(&slot);
                }
                None => {}
            }
        }
        if let Err(message) = self.validate(&store, caller, &text, &media_ids) {
            return caller.reply(StatusCode::UNPROCESSABLE_ENTITY, json!({"error": message}));
        }
        store.next_id += 1;
        let status = FakeStatus {
            id: (100_000 + store.next_id).to_string(),
            token: caller.token.clone(),
            idempotency_key: key.clone(),
            text,
            media_ids,
        };
        let answer = status_json(&status, caller.account, host);
        store.statuses.push(status);
        if let Some(key) = key {
            let index = store.statuses.len() - 1;
            store
                .keys
                .insert((caller.token.clone(), key), (index, Instant::now()));
        }
        caller.reply(StatusCode::OK, answer)
    }

    fn validate(
        &self,
        store: &Store,
        caller: &Caller,
        text: &str,
        media: &[String],
    ) -> Result<(), String> {
        if text.trim().is_empty() && media.is_empty() {
            return Err("Validation failed: Text can't be blank".into());
        }
        let max = self.options.max_characters;
        if mastodon_length(text) > max {
            return Err(format!(
                "Validation failed: Text character limit of {max} exceeded"
            ));
        }
        if media.len() > self.options.max_media {
            return Err("Validation failed: Media attachments are too many".into());
        }
        for id in media {
            match store.media.get(id) {
                Some(a) if a.token == caller.token && a.polls_left == 0 => {}
                Some(a) if a.token == caller.token => {
                    return Err("Cannot attach files that have not finished processing. \
                                Try again in a moment!"
                        .into());
                }
                _ => return Err(format!("Validation failed: media {id} not found")),
            }
        }
        Ok(())
    }
}

async fn instance(State(s): State<Arc<Shared>>) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let body = json!({
        "domain": "fake.mastodon.local",
        "version": "4.3.0",
        "configuration": {"statuses": {
            "max_characters": s.options.max_characters,
            "max_media_attachments": s.options.max_media,
            "characters_reserved_per_url": 23,
        }},
    });
    Json(body).into_response()
}

async fn verify_credentials(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    match s.authorize(&headers) {
        Ok(caller) => {
            let name = format!("user{}", caller.account);
            let body = json!({"id": caller.account.to_string(), "username": name, "acct": name});
            caller.reply(StatusCode::OK, body)
        }
        Err(resp) => *resp,
    }
}

async fn create_status(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    s.faults.delay().await;
    let caller = match s.authorize(&headers) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    match s.faults.next() {
        None => s.create(&caller, key, &body, &host),
        Some(Fault::ServerError) => caller.reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": "We're sorry, but something went wrong on our end."}),
        ),
        Some(Fault::TimeoutBeforeWork) => {
            Faults::hang().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::TimeoutAfterWork) => {
            let _ = s.create(&caller, key, &body, &host);
            Faults::hang().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::RateLimited(seconds)) => {
            let mut resp = caller.reply(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"error": "Too many requests"}),
            );
            let reset = SystemTime::now() + Duration::from_secs(seconds);
            resp.headers_mut()
                .insert("x-ratelimit-reset", iso_header(reset));
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            resp
        }
        Some(Fault::ExpiredToken) => invalid_token(),
        Some(Fault::Malformed) => {
            let _ = s.create(&caller, key, &body, &host);
            let html = "<html><body>502 Bad Gateway</body></html>";
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], html).into_response()
        }
        Some(Fault::RejectContent) => caller.reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "Validation failed: Text was flagged by the instance's filters"}),
        ),
    }
}

async fn upload_media(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    s.faults.delay().await;
    let caller = match s.authorize(&headers) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    let (mut file, mut description) = (None, String::new());
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or("").to_owned();
        let content_type = field.content_type().unwrap_or("").to_owned();
        let Ok(bytes) = field.bytes().await else {
            return caller.reply(StatusCode::BAD_REQUEST, json!({"error": "broken upload"}));
        };
        match name.as_str() {
            "file" => file = Some((content_type, bytes.len())),
            "description" => description = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    let invalid = match &file {
        None | Some((_, 0)) => Some("Validation failed: File can't be blank"),
        Some((t, _)) if !t.starts_with("image/") && !t.starts_with("video/") => {
            Some("Validation failed: File content type is invalid")
        }
        _ => None,
    };
    if let Some(message) = invalid {
        return caller.reply(StatusCode::UNPROCESSABLE_ENTITY, json!({"error": message}));
    }
    let polls = s.options.media_polls;
    let mut store = s.lock();
    store.next_id += 1;
    let id = (900_000 + store.next_id).to_string();
    let attachment = Attachment {
        token: caller.token.clone(),
        description,
        polls_left: polls,
    };
    let body = media_json(&id, &attachment);
    store.media.insert(id, attachment);
    let status = if polls == 0 {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    caller.reply(status, body)
}

async fn media_status(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let caller = match s.authorize(&headers) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    let mut store = s.lock();
    match store.media.get_mut(&id) {
        Some(a) if a.token == caller.token => {
            let status = if a.polls_left > 0 {
                a.polls_left -= 1;
                StatusCode::PARTIAL_CONTENT
            } else {
                StatusCode::OK
            };
            caller.reply(status, media_json(&id, a))
        }
        _ => caller.reply(StatusCode::NOT_FOUND, json!({"error": "Record not found"})),
    }
}

fn invalid_token() -> Response {
    let body = json!({"error": "The access token is invalid"});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

fn status_json(status: &FakeStatus, account: usize, host: &str) -> Value {
    let url = format!("http://{host}/@user{account}/{}", status.id);
    json!({
        "id": status.id,
        "uri": url,
        "url": url,
        "visibility": "public",
        "content": format!("<p>{}</p>", escape(&status.text)),
        "media_attachments": status.media_ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
        "account": {"id": account.to_string(), "acct": format!("user{account}")},
    })
}

fn media_json(id: &str, a: &Attachment) -> Value {
    let url = (a.polls_left == 0).then(|| format!("/system/media/{id}.png"));
    json!({"id": id, "type": "image", "url": url, "description": a.description})
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Mastodon's count: characters, with every link weighing 23.
fn mastodon_length(text: &str) -> usize {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let bare = word.trim_end();
            if bare.starts_with("http://") || bare.starts_with("https://") {
                23 + (word.chars().count() - bare.chars().count())
            } else {
                word.chars().count()
            }
        })
        .sum()
}

/// An instant as Mastodon writes `X-RateLimit-Reset`: `2024-05-01T12:00:00.000Z`.
fn iso_header(at: SystemTime) -> HeaderValue {
    let since = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let day = secs % 86_400;
    let text = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        day / 3600,
        day % 3600 / 60,
        day % 60,
        since.subsec_millis()
    );
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("1970-01-01T00:00:00.000Z"))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (the classic era-based method:
/// 400-year eras of 146,097 days, years starting in March so leap days fall last).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_lengths() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(
            mastodon_length("hi https://example.com/very/long/path ok"),
            3 + 23 + 3
        );
        assert_eq!(mastodon_length("你好"), 2);
    }
}
