//! A fake Bluesky PDS, for fault injection only. The Bluesky connector's main tests run
//! against a real PDS (`peers/bluesky-pds`); this fake does what a real one will not do
//! on demand: fail, stall, rate-limit, expire a token mid-session, answer garbage.
//!
//! It serves one account ([`HANDLE`], [`PASSWORD`]) and knows one other handle
//! ([`FRIEND_HANDLE`]) for mentions. Tokens are opaque strings, not JWTs, so a client
//! cannot read their expiry and must cope. Faults apply to `createRecord`, the publish
//! path; a duplicate record key is answered with a 500, as the real PDS does.

use crate::{FakeServer, Fault, Faults};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

pub const HANDLE: &str = "fake.test";
pub const DID: &str = "did:plc:fakeaccount000000000000";
pub const PASSWORD: &str = "fake-app-pass-word";
/// Another account's handle, which `resolveHandle` knows.
pub const FRIEND_HANDLE: &str = "friend.test";
pub const FRIEND_DID: &str = "did:plc:fakefriend0000000000000";

const POST_COLLECTION: &str = "app.bsky.feed.post";

/// A running fake PDS; stops when dropped.
pub struct FakeBluesky {
    server: FakeServer,
    pub faults: Faults,
    state: Shared,
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Pds>>);

#[derive(Default)]
struct Pds {
    faults: Faults,
    access: Option<String>,
    access_expired: bool,
    refresh: Option<String>,
    issued: u32,
    logins: u32,
    refreshes: u32,
    /// The app password no longer logs in.
    revoked: bool,
    blobs: u32,
    /// Record key → record, in the one account's post collection.
    posts: BTreeMap<String, Value>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pds> {
        // A panicking handler must not hide every later request's answer.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl FakeBluesky {
    pub async fn start() -> FakeBluesky {
        let faults = Faults::default();
        let state = Shared::default();
        state.lock().faults = faults.clone();
        let router = Router::new()
            .route(
                "/xrpc/com.atproto.server.createSession",
                post(create_session),
            )
            .route(
                "/xrpc/com.atproto.server.refreshSession",
                post(refresh_session),
            )
            .route("/xrpc/com.atproto.server.getSession", get(get_session))
            .route("/xrpc/com.atproto.repo.uploadBlob", post(upload_blob))
            .route("/xrpc/com.atproto.repo.createRecord", post(create_record))
            .route("/xrpc/com.atproto.repo.getRecord", get(get_record))
            .route(
                "/xrpc/com.atproto.identity.resolveHandle",
                get(resolve_handle),
            )
            .with_state(state.clone());
        FakeBluesky {
            server: FakeServer::start(router).await,
            faults,
            state,
        }
    }

    /// The `service_url` to configure.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The posts written, by record key.
    pub fn posts(&self) -> BTreeMap<String, Value> {
        self.state.lock().posts.clone()
    }

    /// How many times `createSession` succeeded.
    pub fn logins(&self) -> u32 {
        self.state.lock().logins
    }

    /// How many times `refreshSession` succeeded.
    pub fn refreshes(&self) -> u32 {
        self.state.lock().refreshes
    }

    /// The account's owner revoked the app password: its sessions end (refresh and
    /// access tokens are refused) and logging in with it fails.
    pub fn revoke_app_password(&self) {
        let mut pds = self.state.lock();
        pds.revoked = true;
        pds.access = None;
        pds.refresh = None;
    }
}

/// An XRPC error answer: `{"error": name, "message": …}` with its status.
struct Refusal {
    status: StatusCode,
    name: &'static str,
    message: String,
}

fn refusal(status: StatusCode, name: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        name,
        message: message.into(),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({"error": self.name, "message": self.message});
        (self.status, axum::Json(body)).into_response()
    }
}

/// The real PDS's answer to a write it could not do, a taken record key among them.
fn internal_error() -> Refusal {
    refusal(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        "Internal Server Error",
    )
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

impl Pds {
    fn issue(&mut self) -> Value {
        self.issued += 1;
        let access = format!("access-{}", self.issued);
        let refresh = format!("refresh-{}", self.issued);
        self.access = Some(access.clone());
        self.access_expired = false;
        self.refresh = Some(refresh.clone());
        json!({"accessJwt": access, "refreshJwt": refresh, "did": DID, "handle": HANDLE})
    }

    /// Checks the access token, answering as the PDS does (400, not 401, for tokens).
    fn authorize(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let bad = StatusCode::BAD_REQUEST;
        match bearer(headers) {
            None => Err(refusal(
                StatusCode::UNAUTHORIZED,
                "AuthMissing",
                "Authentication Required",
            )),
            Some(t) if self.access.as_deref() != Some(t) => {
                Err(refusal(bad, "InvalidToken", "Token could not be verified"))
            }
            Some(_) if self.access_expired => {
                Err(refusal(bad, "ExpiredToken", "Token has expired"))
            }
            Some(_) => Ok(()),
        }
    }

    fn is_ours(repo: &str) -> bool {
        repo == DID || repo == HANDLE
    }
}

#[derive(Deserialize)]
struct Login {
    identifier: String,
    password: String,
}

async fn create_session(
    State(state): State<Shared>,
    axum::Json(login): axum::Json<Login>,
) -> Response {
    let mut pds = state.lock();
    if !Pds::is_ours(&login.identifier) || login.password != PASSWORD || pds.revoked {
        let message = "Invalid identifier or password";
        return refusal(StatusCode::UNAUTHORIZED, "AuthenticationRequired", message)
            .into_response();
    }
    pds.logins += 1;
    axum::Json(pds.issue()).into_response()
}

async fn refresh_session(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let mut pds = state.lock();
    match bearer(&headers) {
        Some(token) if pds.refresh.as_deref() == Some(token) => {
            pds.refreshes += 1;
            axum::Json(pds.issue()).into_response()
        }
        _ => refusal(
            StatusCode::BAD_REQUEST,
            "ExpiredToken",
            "Token has been revoked",
        )
        .into_response(),
    }
}

async fn get_session(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match state.lock().authorize(&headers) {
        Ok(()) => axum::Json(json!({"handle": HANDLE, "did": DID})).into_response(),
        Err(refused) => refused.into_response(),
    }
}

async fn upload_blob(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let mut pds = state.lock();
    if let Err(refused) = pds.authorize(&headers) {
        return refused.into_response();
    }
    pds.blobs += 1;
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    axum::Json(json!({"blob": {
        "$type": "blob",
        "ref": {"$link": format!("bafkreifakeblob{}", pds.blobs)},
        "mimeType": mime,
        "size": body.len(),
    }}))
    .into_response()
}

#[derive(Deserialize)]
struct Create {
    repo: String,
    collection: String,
    rkey: Option<String>,
    record: Value,
}

async fn create_record(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::Json(create): axum::Json<Create>,
) -> Response {
    let faults = state.lock().faults.clone();
    faults.delay().await;
    if let Err(refused) = state.lock().authorize(&headers) {
        return refused.into_response();
    }
    match faults.next() {
        Some(Fault::ServerError) => internal_error().into_response(),
        Some(Fault::TimeoutBeforeWork) => {
            Faults::hang().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::RateLimited(seconds)) => rate_limited(seconds),
        Some(Fault::ExpiredToken) => {
            state.lock().access_expired = true;
            refusal(StatusCode::BAD_REQUEST, "ExpiredToken", "Token has expired").into_response()
        }
        Some(Fault::RejectContent) => refusal(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 \
             graphemes",
        )
        .into_response(),
        Some(Fault::TimeoutAfterWork) => {
            let _ = write(&state, create);
            Faults::hang().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::Malformed) => match write(&state, create) {
            Ok(_) => (StatusCode::OK, "<html><body>upstream hiccup</body></html>").into_response(),
            Err(refused) => refused.into_response(),
        },
        None => match write(&state, create) {
            Ok(written) => axum::Json(written).into_response(),
            Err(refused) => refused.into_response(),
        },
    }
}

/// Stores a post under its record key; a taken key is a 500, as on the real PDS.
fn write(state: &Shared, create: Create) -> Result<Value, Refusal> {
    if !Pds::is_ours(&create.repo) || create.collection != POST_COLLECTION {
        let message = "Unknown repo or collection";
        return Err(refusal(StatusCode::BAD_REQUEST, "InvalidRequest", message));
    }
    let mut pds = state.lock();
    let rkey = create
        .rkey
        .unwrap_or_else(|| format!("3fake{:08}", pds.posts.len()));
    if pds.posts.contains_key(&rkey) {
        return Err(internal_error());
    }
    pds.posts.insert(rkey.clone(), create.record);
    Ok(json!({
        "uri": format!("at://{DID}/{POST_COLLECTION}/{rkey}"),
        "cid": format!("bafyreifake{}", pds.posts.len()),
    }))
}

/// A 429 with the PDS's rate-limit headers; the reset is in seconds since the epoch.
fn rate_limited(seconds: u64) -> Response {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let status = StatusCode::TOO_MANY_REQUESTS;
    let mut response = refusal(status, "RateLimitExceeded", "Rate Limit Exceeded").into_response();
    let headers = response.headers_mut();
    headers.insert("ratelimit-limit", HeaderValue::from(5000_u32));
    headers.insert("ratelimit-remaining", HeaderValue::from(0_u32));
    headers.insert("ratelimit-reset", HeaderValue::from(now + seconds));
    headers.insert("ratelimit-policy", HeaderValue::from_static("5000;w=3600"));
    response
}

#[derive(Deserialize)]
struct RecordQuery {
    repo: String,
    collection: String,
    rkey: String,
}

async fn get_record(State(state): State<Shared>, Query(q): Query<RecordQuery>) -> Response {
    let pds = state.lock();
    let ours = Pds::is_ours(&q.repo) && q.collection == POST_COLLECTION;
    match pds.posts.get(&q.rkey).filter(|_| ours) {
        Some(record) => axum::Json(json!({
            "uri": format!("at://{DID}/{POST_COLLECTION}/{}", q.rkey),
            "cid": "bafyreifakestored",
            "value": record,
        }))
        .into_response(),
        None => {
            let message = format!(
                "Could not locate record: at://{}/{}/{}",
                q.repo, q.collection, q.rkey
            );
            refusal(StatusCode::BAD_REQUEST, "RecordNotFound", message).into_response()
        }
    }
}

#[derive(Deserialize)]
struct HandleQuery {
    handle: String,
}

async fn resolve_handle(Query(q): Query<HandleQuery>) -> Response {
    match q.handle.as_str() {
        HANDLE => axum::Json(json!({"did": DID})).into_response(),
        FRIEND_HANDLE => axum::Json(json!({"did": FRIEND_DID})).into_response(),
        _ => refusal(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Unable to resolve handle",
        )
        .into_response(),
    }
}
