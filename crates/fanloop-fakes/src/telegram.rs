//! A fake Telegram Bot API, written from the Bot API documentation, for what the npm
//! emulator (`telegram-test-api`) does not cover: `sendPhoto`, `sendMediaGroup`, the
//! per-chat flood limit answering 429 with `parameters.retry_after`, unknown chats, the
//! length limits and HTML parse errors, plus injected faults.
//!
//! Injected [`Fault`]s and the latency apply to the send methods, the publish path.

use crate::{FakeServer, Fault, Faults};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// How the fake Bot API behaves.
#[derive(Debug, Clone)]
pub struct TelegramOptions {
    /// Accepted bot tokens.
    pub tokens: Vec<String>,
    /// Chats the bot may post to (`@name` or numeric ids); others are "chat not found".
    pub chats: Vec<String>,
    /// Messages per chat per minute before 429 (Telegram: about 20 for channels).
    pub per_chat_per_minute: u32,
    pub latency: Duration,
}

impl Default for TelegramOptions {
    fn default() -> Self {
        TelegramOptions {
            tokens: vec!["123456:TEST-TOKEN".to_owned()],
            chats: vec!["@fanloop".to_owned()],
            per_chat_per_minute: 20,
            latency: Duration::ZERO,
        }
    }
}

/// One message the fake posted (a media group posts one per photo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMessage {
    pub message_id: i64,
    pub chat_id: String,
    /// The text, or the caption of a photo.
    pub text: String,
    pub parse_mode: Option<String>,
    pub has_photo: bool,
}

/// A running fake Bot API; stops when dropped.
pub struct FakeTelegram {
    server: FakeServer,
    shared: Arc<Shared>,
}

impl FakeTelegram {
    pub async fn start(options: TelegramOptions) -> FakeTelegram {
        let faults = Faults::default();
        faults.set_latency(options.latency);
        let shared = Arc::new(Shared {
            options,
            faults,
            requests: AtomicU64::new(0),
            state: Mutex::new(Chats::default()),
        });
        let router = Router::new()
            .route("/{bot}/{method}", any(dispatch))
            .with_state(shared.clone());
        FakeTelegram {
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

    /// Every message posted, in order.
    pub fn messages(&self) -> Vec<FakeMessage> {
        self.shared.lock().messages.clone()
    }

    pub fn messages_sent(&self) -> usize {
        self.shared.lock().messages.len()
    }

    /// Every HTTP request received.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }
}

struct Shared {
    options: TelegramOptions,
    faults: Faults,
    requests: AtomicU64,
    state: Mutex<Chats>,
}

#[derive(Default)]
struct Chats {
    messages: Vec<FakeMessage>,
    /// Chat → start of its flood window and messages in it.
    windows: HashMap<String, (Instant, u32)>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Chats> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A request's parameters, whether sent as JSON or as multipart form data.
#[derive(Default)]
struct Params {
    fields: HashMap<String, String>,
    /// Uploaded file parts: name → content type.
    files: HashMap<String, String>,
}

impl Params {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    async fn read(req: Request) -> Result<Params, String> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mut params = Params::default();
        if content_type.starts_with("multipart/form-data") {
            let mut form = Multipart::from_request(req, &())
                .await
                .map_err(|e| e.to_string())?;
            while let Ok(Some(field)) = form.next_field().await {
                let name = field.name().unwrap_or("").to_owned();
                let file_type = field
                    .file_name()
                    .map(|_| field.content_type().unwrap_or(""));
                let file_type = file_type.map(str::to_owned);
                let bytes = field.bytes().await.map_err(|e| e.to_string())?;
                match file_type {
                    Some(t) if !bytes.is_empty() => {
                        params.files.insert(name, t);
                    }
                    Some(_) => {}
                    None => {
                        params.fields.insert(name, text(&bytes));
                    }
                }
            }
        } else {
            let bytes = Bytes::from_request(req, &())
                .await
                .map_err(|e| e.to_string())?;
            if !bytes.is_empty() {
                let value: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
                for (k, v) in value.as_object().into_iter().flatten() {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    params.fields.insert(k.clone(), v);
                }
            }
        }
        Ok(params)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn dispatch(
    State(s): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    req: Request,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let Some(token) = bot.strip_prefix("bot") else {
        return error(404, "Not Found", None);
    };
    if !s.options.tokens.iter().any(|t| t == token) {
        return error(401, "Unauthorized", None);
    }
    if method == "getMe" {
        let me = json!({"id": 123456, "is_bot": true, "first_name": "Fanloop", "username": "fanloop_test_bot"});
        return ok(me);
    }
    if !matches!(
        method.as_str(),
        "sendMessage" | "sendPhoto" | "sendMediaGroup"
    ) {
        return error(404, "Not Found: method not found", None);
    }
    s.faults.delay().await;
    let params = match Params::read(req).await {
        Ok(p) => p,
        Err(e) => return error(400, &format!("Bad Request: {e}"), None),
    };
    match s.faults.next() {
        None => send(&s, &method, &params),
        Some(Fault::ServerError) => error(500, "Internal Server Error", None),
        Some(Fault::TimeoutBeforeWork) => {
            Faults::hang().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::TimeoutAfterWork) => {
            let _ = send(&s, &method, &params);
            Faults::hang().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::RateLimited(secs)) => flood(secs),
        Some(Fault::ExpiredToken) => error(401, "Unauthorized", None),
        Some(Fault::Malformed) => {
            let _ = send(&s, &method, &params);
            let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], html).into_response()
        }
        Some(Fault::RejectContent) => error(
            400,
            "Bad Request: can't parse entities: Unsupported start tag \"script\" at byte offset 0",
            None,
        ),
    }
}

/// Validates and posts; every check is one Telegram documents or answers with.
fn send(s: &Shared, method: &str, p: &Params) -> Response {
    let chat = p.get("chat_id").unwrap_or("").to_owned();
    if !s.options.chats.contains(&chat) {
        return error(400, "Bad Request: chat not found", None);
    }
    let parse_mode = p.get("parse_mode").map(str::to_owned);
    let (text, photos) = match method {
        "sendMessage" => {
            let text = p.get("text").unwrap_or("");
            if text.trim().is_empty() {
                return error(400, "Bad Request: message text is empty", None);
            }
            (text.to_owned(), 0)
        }
        "sendPhoto" => match p.files.get("photo") {
            None => return error(400, "Bad Request: there is no photo in the request", None),
            Some(t) if !t.starts_with("image/") => {
                return error(400, "Bad Request: IMAGE_PROCESS_FAILED", None);
            }
            Some(_) => (p.get("caption").unwrap_or("").to_owned(), 1),
        },
        _ => match group(p) {
            Ok(group) => group,
            Err(message) => return error(400, &message, None),
        },
    };
    let (limit, too_long) = if photos == 0 {
        (4096, "Bad Request: message is too long")
    } else {
        (1024, "Bad Request: message caption is too long")
    };
    if parse_mode.as_deref() == Some("HTML")
        && let Err(message) = check_html(&text)
    {
        return error(400, &message, None);
    }
    if visible_units(&text, parse_mode.as_deref() == Some("HTML")) > limit {
        return error(400, too_long, None);
    }
    let mut chats = s.lock();
    let now = Instant::now();
    let (start, used) = chats.windows.entry(chat.clone()).or_insert((now, 0));
    if now.duration_since(*start) >= Duration::from_secs(60) {
        *start = now;
        *used = 0;
    }
    if *used >= s.options.per_chat_per_minute {
        let wait = 60 - now.duration_since(*start).as_secs().min(59);
        return flood(wait);
    }
    *used += 1;
    let mut results = Vec::new();
    for i in 0..photos.max(1) {
        let message = FakeMessage {
            message_id: chats.messages.len() as i64 + 1,
            chat_id: chat.clone(),
            text: if i == 0 { text.clone() } else { String::new() },
            parse_mode: parse_mode.clone(),
            has_photo: photos > 0,
        };
        results.push(message_json(&message));
        chats.messages.push(message);
    }
    if method == "sendMediaGroup" {
        ok(Value::Array(results))
    } else {
        ok(results.remove(0))
    }
}

/// A `sendMediaGroup`'s caption and photo count, checking each `attach://` reference.
fn group(p: &Params) -> Result<(String, usize), String> {
    let media: Value = serde_json::from_str(p.get("media").unwrap_or("null"))
        .map_err(|_| "Bad Request: can't parse media JSON object".to_owned())?;
    let items = media.as_array().map(Vec::as_slice).unwrap_or_default();
    if !(2..=10).contains(&items.len()) {
        return Err("Bad Request: wrong number of media items".into());
    }
    for item in items {
        let name = item["media"]
            .as_str()
            .and_then(|m| m.strip_prefix("attach://"));
        if !name.is_some_and(|n| p.files.get(n).is_some_and(|t| t.starts_with("image/"))) {
            return Err("Bad Request: wrong file identifier/HTTP URL specified".into());
        }
    }
    Ok((
        items[0]["caption"].as_str().unwrap_or("").to_owned(),
        items.len(),
    ))
}

fn message_json(m: &FakeMessage) -> Value {
    let date = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut chat = json!({"id": -1_001_234_567_890_i64, "type": "channel", "title": "Fanloop"});
    if let Some(name) = m.chat_id.strip_prefix('@') {
        chat["username"] = json!(name);
    }
    let field = if m.has_photo { "caption" } else { "text" };
    json!({"message_id": m.message_id, "date": date, "chat": chat, field: m.text})
}

fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

fn error(code: u16, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(body)).into_response()
}

fn flood(secs: u64) -> Response {
    let description = format!("Too Many Requests: retry after {secs}");
    error(429, &description, Some(json!({"retry_after": secs})))
}

/// Tags the Bot API's HTML mode accepts.
const TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
];

fn check_html(html: &str) -> Result<(), String> {
    let mut at = 0;
    while let Some(open) = html[at..].find('<') {
        let start = at + open;
        let Some(close) = html[start..].find('>') else {
            return Err(format!(
                "Bad Request: can't parse entities: unclosed tag at byte offset {start}"
            ));
        };
        let inner = html[start + 1..start + close].trim_start_matches('/');
        let name = inner.split([' ', '\t', '\n']).next().unwrap_or("");
        if !TAGS.contains(&name) {
            return Err(format!(
                "Bad Request: can't parse entities: Unsupported start tag \"{name}\" at byte offset {start}"
            ));
        }
        at = start + close + 1;
    }
    Ok(())
}

/// UTF-16 units of the text as shown: tags removed and entities decoded in HTML mode.
fn visible_units(text: &str, html: bool) -> usize {
    if !html {
        return text.encode_utf16().count();
    }
    let mut shown = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => shown.push(c),
            _ => {}
        }
    }
    let decoded = shown
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    decoded.encode_utf16().count()
}
