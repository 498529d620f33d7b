//! A fake X API v2, written from X's documentation: `POST /2/tweets` with the 280
//! weighted-character limit and the duplicate-content refusal, `POST /2/media/upload`,
//! `GET /2/users/me` and the user's timeline (links shown as t.co, `&` escaped, as X
//! shows them), OAuth 2.0 refresh with rotating refresh tokens, and per-user rate limits
//! with `x-rate-limit-*` headers.
//!
//! Injected [`Fault`]s and the latency apply to `POST /2/tweets`, the publish path.
//! `Fault::ExpiredToken` really expires the current access token, so a client must
//! refresh to continue.

use crate::{FakeServer, Fault, Faults};
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct XOptions {
    pub access_token: String,
    pub refresh_token: String,
    /// Required in refresh requests when set (public OAuth clients send it).
    pub client_id: Option<String>,
    /// `expires_in` of refreshed access tokens.
    pub token_lifetime: Duration,
    pub username: String,
    /// `POST /2/tweets` per user per window.
    pub rate_limit: u32,
    pub rate_window: Duration,
    pub latency: Duration,
}

impl Default for XOptions {
    fn default() -> Self {
        XOptions {
            access_token: "x-access-0".to_owned(),
            refresh_token: "x-refresh-0".to_owned(),
            client_id: None,
            token_lifetime: Duration::from_secs(7200),
            username: "fanloop".to_owned(),
            rate_limit: 100,
            rate_window: Duration::from_secs(900),
            latency: Duration::ZERO,
        }
    }
}

/// One post the fake created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTweet {
    pub id: String,
    pub text: String,
    pub media_ids: Vec<String>,
}

/// A running fake; stops when dropped.
pub struct FakeX {
    server: FakeServer,
    shared: Arc<Shared>,
}

const USER_ID: &str = "1500000000000000001";

impl FakeX {
    pub async fn start(options: XOptions) -> FakeX {
        let faults = Faults::default();
        faults.set_latency(options.latency);
        let account = Account {
            access: Some(options.access_token.clone()),
            refresh: Some(options.refresh_token.clone()),
            ..Account::default()
        };
        let shared = Arc::new(Shared {
            options,
            faults,
            requests: AtomicU64::new(0),
            state: Mutex::new(account),
        });
        let router = Router::new()
            .route("/2/tweets", post(create_tweet))
            .route("/2/media/upload", post(upload_media))
            .route("/2/users/me", get(me))
            .route("/2/users/{id}/tweets", get(timeline))
            .route("/2/oauth2/token", post(token))
            .with_state(shared.clone());
        FakeX {
            server: FakeServer::start(router).await,
            shared,
        }
    }

    /// The base URL to put in a channel's `api_base_url`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    pub fn tweets(&self) -> Vec<FakeTweet> {
        self.shared.lock().tweets.clone()
    }

    pub fn tweets_created(&self) -> usize {
        self.shared.lock().tweets.len()
    }

    /// Successful token refreshes.
    pub fn refreshes(&self) -> usize {
        self.shared.lock().refreshes
    }

    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Ends the current access token's life, as time would.
    pub fn expire_access_token(&self) {
        self.shared.lock().access = None;
    }

    /// The refresh token currently valid (rotated by every refresh).
    pub fn current_refresh_token(&self) -> Option<String> {
        self.shared.lock().refresh.clone()
    }
}

struct Shared {
    options: XOptions,
    faults: Faults,
    requests: AtomicU64,
    state: Mutex<Account>,
}

/// The one user the fake serves.
#[derive(Default)]
struct Account {
    access: Option<String>,
    refresh: Option<String>,
    refreshes: usize,
    tweets: Vec<FakeTweet>,
    media: Vec<String>,
    window: Option<(Instant, u32)>,
    next_id: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Account> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        bearer.is_some() && self.lock().access.as_deref() == bearer
    }

    fn create(&self, body: &[u8]) -> Response {
        let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let text = request["text"].as_str().unwrap_or("").to_owned();
        let media_ids: Vec<String> = request["media"]["media_ids"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if text.trim().is_empty() && media_ids.is_empty() {
            return problem(
                400,
                "Invalid Request",
                "One or more parameters to your request was invalid.",
            );
        }
        if weighted_length(&text) > 280 {
            return problem(400, "Invalid Request", "Your Tweet text is too long.");
        }
        let mut account = self.lock();
        if media_ids.len() > 4 || media_ids.iter().any(|m| !account.media.contains(m)) {
            return problem(400, "Invalid Request", "Your media IDs are invalid.");
        }
        if account
            .tweets
            .iter()
            .any(|t| t.text == text && !text.is_empty())
        {
            return problem(
                403,
                "Forbidden",
                "You are not allowed to create a Tweet with duplicate content.",
            );
        }
        account.next_id += 1;
        let id = (1_800_000_000_000_000_000 + account.next_id).to_string();
        let answer = json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}});
        account.tweets.push(FakeTweet {
            id,
            text,
            media_ids,
        });
        (StatusCode::CREATED, Json(answer)).into_response()
    }

    /// Counts a post against the user's window; the headers every answer carries.
    fn rate(&self) -> (bool, [(&'static str, HeaderValue); 3]) {
        let mut account = self.lock();
        let now = Instant::now();
        let window = self.options.rate_window;
        let (start, used) = account.window.get_or_insert((now, 0));
        if now.duration_since(*start) >= window {
            *start = now;
            *used = 0;
        }
        *used += 1;
        let limit = self.options.rate_limit;
        let reset = SystemTime::now() + window.saturating_sub(now.duration_since(*start));
        let reset = reset
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let headers = [
            ("x-rate-limit-limit", HeaderValue::from(limit)),
            (
                "x-rate-limit-remaining",
                HeaderValue::from(limit.saturating_sub(*used)),
            ),
            ("x-rate-limit-reset", HeaderValue::from(reset)),
        ];
        (*used <= limit, headers)
    }
}

async fn create_tweet(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    s.faults.delay().await;
    if !s.authorized(&headers) {
        return unauthorized();
    }
    let (allowed, rate) = s.rate();
    let mut resp = if !allowed {
        problem(429, "Too Many Requests", "Too Many Requests")
    } else {
        match s.faults.next() {
            None => s.create(&body),
            Some(Fault::ServerError) => problem(500, "Internal Server Error", "Something broke"),
            Some(Fault::TimeoutBeforeWork) => {
                Faults::hang().await;
                StatusCode::GATEWAY_TIMEOUT.into_response()
            }
            Some(Fault::TimeoutAfterWork) => {
                let _ = s.create(&body);
                Faults::hang().await;
                StatusCode::GATEWAY_TIMEOUT.into_response()
            }
            Some(Fault::RateLimited(secs)) => {
                let mut resp = problem(429, "Too Many Requests", "Too Many Requests");
                let reset = SystemTime::now() + Duration::from_secs(secs);
                let reset = reset
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                resp.headers_mut()
                    .insert("x-rate-limit-reset", HeaderValue::from(reset));
                return resp;
            }
            Some(Fault::ExpiredToken) => {
                s.lock().access = None;
                return unauthorized();
            }
            Some(Fault::Malformed) => {
                let _ = s.create(&body);
                let html = "<html><body>upstream connect error</body></html>";
                (
                    StatusCode::CREATED,
                    [(header::CONTENT_TYPE, "text/html")],
                    html,
                )
                    .into_response()
            }
            Some(Fault::RejectContent) => problem(
                400,
                "Invalid Request",
                "This request looks like it might be automated or violates the rules.",
            ),
        }
    };
    for (name, value) in rate {
        resp.headers_mut().insert(name, value);
    }
    resp
}

async fn upload_media(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    s.faults.delay().await;
    if !s.authorized(&headers) {
        return unauthorized();
    }
    let mut media = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("media") {
            let content_type = field.content_type().unwrap_or("").to_owned();
            let size = field.bytes().await.map_or(0, |b| b.len());
            media = Some((content_type, size));
        }
    }
    match media {
        Some((t, size)) if t.starts_with("image/") && size > 0 => {
            let mut account = s.lock();
            account.next_id += 1;
            let id = (1_700_000_000_000_000_000 + account.next_id).to_string();
            account.media.push(id.clone());
            let data = json!({"id": id, "media_key": format!("3_{id}"), "size": size,
                "expires_after_secs": 86_400});
            Json(json!({ "data": data })).into_response()
        }
        _ => problem(
            400,
            "Invalid Request",
            "media type unrecognized or media missing",
        ),
    }
}

async fn me(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    if !s.authorized(&headers) {
        return unauthorized();
    }
    let name = &s.options.username;
    Json(json!({"data": {"id": USER_ID, "name": name, "username": name}})).into_response()
}

/// The user's posts, newest first, as X displays them.
async fn timeline(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    if !s.authorized(&headers) {
        return unauthorized();
    }
    let max = params
        .get("max_results")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(10);
    let account = s.lock();
    let data: Vec<Value> = account
        .tweets
        .iter()
        .rev()
        .take(max)
        .map(|t| json!({"id": t.id, "text": as_displayed(&t.text)}))
        .collect();
    Json(json!({"data": data, "meta": {"result_count": data.len()}})).into_response()
}

/// `POST /2/oauth2/token` with `grant_type=refresh_token`: a new access token and a
/// new refresh token; the old refresh token stops working.
async fn token(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let form = Uri::try_from(format!("/?{}", String::from_utf8_lossy(&body)))
        .ok()
        .and_then(|uri| Query::<HashMap<String, String>>::try_from_uri(&uri).ok())
        .map(|q| q.0)
        .unwrap_or_default();
    let field = |k: &str| form.get(k).map(String::as_str);
    let mut account = s.lock();
    let client_ok = s
        .options
        .client_id
        .as_deref()
        .is_none_or(|id| field("client_id") == Some(id));
    let valid = field("grant_type") == Some("refresh_token")
        && client_ok
        && field("refresh_token").is_some()
        && field("refresh_token") == account.refresh.as_deref();
    if !valid {
        let body = json!({"error": "invalid_request",
            "error_description": "Value passed for the token was invalid."});
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    account.refreshes += 1;
    let n = account.refreshes;
    let (access, refresh) = (format!("x-access-{n}"), format!("x-refresh-{n}"));
    account.access = Some(access.clone());
    account.refresh = Some(refresh.clone());
    Json(json!({
        "token_type": "bearer",
        "expires_in": s.options.token_lifetime.as_secs(),
        "access_token": access,
        "refresh_token": refresh,
        "scope": "tweet.read tweet.write users.read offline.access",
    }))
    .into_response()
}

fn unauthorized() -> Response {
    problem(401, "Unauthorized", "Unauthorized")
}

fn problem(status: u16, title: &str, detail: &str) -> Response {
    let body = json!({"title": title, "detail": detail, "type": "about:blank", "status": status});
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(body)).into_response()
}

/// How X shows a stored text: links as t.co short links, `&<>` escaped.
fn as_displayed(text: &str) -> String {
    let words: Vec<String> = text
        .split(' ')
        .enumerate()
        .map(|(i, w)| {
            if w.starts_with("http://") || w.starts_with("https://") {
                format!("https://t.co/fake{i}")
            } else {
                w.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            }
        })
        .collect();
    words.join(" ")
}

/// X's weighted length: these ranges weigh 1, everything else 2, a link 23.
fn weighted_length(text: &str) -> usize {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let bare = word.trim_end();
            if bare.starts_with("http://") || bare.starts_with("https://") {
                return 23 + word.len() - bare.len();
            }
            word.chars()
                .map(|c| match c as u32 {
                    0..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037 => 1,
                    _ => 2,
                })
                .sum()
        })
        .sum()
}
