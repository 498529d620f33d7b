//! A fake Weibo open API, written from PLATFORMS.md: `statuses/share.json` (form or
//! multipart with `pic`), the 140-character count (two ASCII characters count one, a link
//! 12), the safe-domain link rule, duplicate text, 30 posts per hour per token, token
//! expiry, and `account/get_uid.json` / `users/show.json` for verification.
//!
//! Errors are Weibo's shape: `{"error": "...", "error_code": N, "request": "/2/..."}`.
//! Injected [`Fault`]s and the latency apply to `share.json`, the publish path.

use crate::{FakeServer, Fault, Faults};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct WeiboOptions {
    pub tokens: Vec<String>,
    /// The app's bound safe domain: every status must link to it.
    pub safe_domain: String,
    pub posts_per_hour: u32,
    pub latency: Duration,
}

impl Default for WeiboOptions {
    fn default() -> Self {
        WeiboOptions {
            tokens: vec!["weibo-token".to_owned()],
            safe_domain: "fanloop.example".to_owned(),
            posts_per_hour: 30,
            latency: Duration::ZERO,
        }
    }
}

/// One status the fake published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeWeiboPost {
    pub id: i64,
    pub token: String,
    pub text: String,
    pub has_pic: bool,
}

/// A running fake; stops when dropped.
pub struct FakeWeibo {
    server: FakeServer,
    shared: Arc<Shared>,
}

impl FakeWeibo {
    pub async fn start(options: WeiboOptions) -> FakeWeibo {
        let faults = Faults::default();
        faults.set_latency(options.latency);
        let shared = Arc::new(Shared {
            options,
            faults,
            requests: AtomicU64::new(0),
            state: Mutex::new(Posts::default()),
        });
        let router = Router::new()
            .route("/2/statuses/share.json", post(share))
            .route("/2/account/get_uid.json", get(get_uid))
            .route("/2/users/show.json", get(show_user))
            .with_state(shared.clone());
        FakeWeibo {
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

    pub fn posts(&self) -> Vec<FakeWeiboPost> {
        self.shared.lock().posts.clone()
    }

    pub fn posts_created(&self) -> usize {
        self.shared.lock().posts.len()
    }

    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Expires a token from now on (Weibo answers 21327).
    pub fn expire_token(&self, token: &str) {
        self.shared.lock().expired.push(token.to_owned());
    }
}

struct Shared {
    options: WeiboOptions,
    faults: Faults,
    requests: AtomicU64,
    state: Mutex<Posts>,
}

#[derive(Default)]
struct Posts {
    posts: Vec<FakeWeiboPost>,
    expired: Vec<String>,
    /// Token → start of its hour and posts in it.
    windows: HashMap<String, (Instant, u32)>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Posts> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Weibo's token errors: 21332 unknown, 21327 expired.
    fn check_token(&self, token: &str, request: &str) -> Result<(), Box<Response>> {
        if self.lock().expired.iter().any(|t| t == token) {
            return Err(Box::new(error(21327, "expired_token", request)));
        }
        if !self.options.tokens.iter().any(|t| t == token) {
            return Err(Box::new(error(21332, "invalid_access_token", request)));
        }
        Ok(())
    }

    fn publish(&self, form: &Form) -> Response {
        const REQUEST: &str = "/2/statuses/share.json";
        let token = form.field("access_token");
        let text = form.field("status").to_owned();
        if let Err(resp) = self.check_token(token, REQUEST) {
            return *resp;
        }
        if weibo_length(&text) > 140 {
            let message = "Text too long, please input text less than 140 characters!";
            return error(20012, message, REQUEST);
        }
        let safe = format!("://{}", self.options.safe_domain);
        if !text.contains(&safe) {
            let message = "status must contain a link to the app's safe domain";
            return error(10017, message, REQUEST);
        }
        if let Some(t) = &form.pic
            && !matches!(t.as_str(), "image/jpeg" | "image/png" | "image/gif")
        {
            let message = "Unsupported image type, only suport JPG, GIF, PNG!";
            return error(20005, message, REQUEST);
        }
        let mut state = self.lock();
        if state
            .posts
            .iter()
            .any(|p| p.token == token && p.text == text)
        {
            return error(20019, "Repeat content!", REQUEST);
        }
        let now = Instant::now();
        let (start, used) = state.windows.entry(token.to_owned()).or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(3600) {
            *start = now;
            *used = 0;
        }
        if *used >= self.options.posts_per_hour {
            return error(
                10024,
                "User requests for (statuses/share) out of rate limit!",
                REQUEST,
            );
        }
        *used += 1;
        let id = 4_900_000_000_000_000 + state.posts.len() as i64 + 1;
        state.posts.push(FakeWeiboPost {
            id,
            token: token.to_owned(),
            text: text.clone(),
            has_pic: form.pic.is_some(),
        });
        let answer = json!({
            "created_at": "Mon Jan 01 08:00:00 +0800 2024",
            "id": id,
            "idstr": id.to_string(),
            "mid": id.to_string(),
            "text": text,
            "user": {"id": 7_000_000_001_i64, "screen_name": "Fanloop测试号"},
        });
        Json(answer).into_response()
    }
}

/// The fields of a share request, form-encoded or multipart.
#[derive(Default)]
struct Form {
    fields: HashMap<String, String>,
    /// The `pic` part's content type, when one was sent.
    pic: Option<String>,
}

impl Form {
    fn field(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", String::as_str)
    }

    async fn read(req: Request) -> Form {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mut form = Form::default();
        if content_type.starts_with("multipart/form-data") {
            let Ok(mut parts) = Multipart::from_request(req, &()).await else {
                return form;
            };
            while let Ok(Some(field)) = parts.next_field().await {
                let name = field.name().unwrap_or("").to_owned();
                let part_type = field.content_type().unwrap_or("").to_owned();
                let bytes = field.bytes().await.unwrap_or_default();
                if name == "pic" {
                    form.pic = Some(part_type);
                } else {
                    form.fields
                        .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        } else if let Ok(body) = Bytes::from_request(req, &()).await {
            // A form body is a query string; axum's query parser decodes it.
            let uri = Uri::try_from(format!("/?{}", String::from_utf8_lossy(&body)));
            if let Some(Query(fields)) = uri.ok().and_then(|u| Query::try_from_uri(&u).ok()) {
                form.fields = fields;
            }
        }
        form
    }
}

async fn share(State(s): State<Arc<Shared>>, req: Request) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    s.faults.delay().await;
    let form = Form::read(req).await;
    const REQUEST: &str = "/2/statuses/share.json";
    match s.faults.next() {
        None => s.publish(&form),
        Some(Fault::ServerError) => {
            let mut resp = error(10001, "System error", REQUEST);
            *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            resp
        }
        Some(Fault::TimeoutBeforeWork) => {
            Faults::hang().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::TimeoutAfterWork) => {
            let _ = s.publish(&form);
            Faults::hang().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::RateLimited(_)) => error(10023, "User requests out of rate limit!", REQUEST),
        Some(Fault::ExpiredToken) => error(21327, "expired_token", REQUEST),
        Some(Fault::Malformed) => {
            let _ = s.publish(&form);
            let html = "<html><body>系统繁忙</body></html>";
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], html).into_response()
        }
        Some(Fault::RejectContent) => error(20019, "Repeat content!", REQUEST),
    }
}

async fn get_uid(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let token = q.get("access_token").map_or("", String::as_str);
    match s.check_token(token, "/2/account/get_uid.json") {
        Ok(()) => Json(json!({"uid": 7_000_000_001_i64})).into_response(),
        Err(resp) => *resp,
    }
}

async fn show_user(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let token = q.get("access_token").map_or("", String::as_str);
    if let Err(resp) = s.check_token(token, "/2/users/show.json") {
        return *resp;
    }
    let uid = q.get("uid").cloned().unwrap_or_default();
    Json(json!({"id": uid, "idstr": uid, "screen_name": "Fanloop测试号"})).into_response()
}

/// Weibo's error body; the HTTP status follows the error's family as Weibo's does
/// (token errors 401, rate limits 403, everything else 400).
fn error(code: i64, message: &str, request: &str) -> Response {
    let status = match code {
        21300..=21399 => StatusCode::UNAUTHORIZED,
        10022..=10024 => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = json!({"error": message, "error_code": code, "request": request});
    (status, Json::<Value>(body)).into_response()
}

/// Weibo's count: a non-ASCII character is 1, an ASCII character ½ (rounded up over the
/// whole text), a link 12 whatever its length.
fn weibo_length(text: &str) -> usize {
    let mut halves = 0usize;
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest
                .find(|c: char| c.is_whitespace() || !c.is_ascii())
                .unwrap_or(rest.len());
            halves += 24;
            rest = &rest[end..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        halves += if c.is_ascii() { 1 } else { 2 };
        rest = &rest[c.len_utf8()..];
    }
    halves.div_ceil(2)
}
