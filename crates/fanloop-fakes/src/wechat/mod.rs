//! A fake of the WeChat Official Account API (PLATFORMS.md, "WeChat Official Account"):
//! `stable_token`, `media/uploadimg`, `material/add_material`, `draft/add`,
//! `freepublish/submit|get|batchget` and `message/mass/sendall|get` (`mass.rs`), answering
//! HTTP 200 with `errcode`s the way WeChat does.
//!
//! What it enforces, from the documentation: tokens that expire (42001) or are unknown
//! (40001); body images must be URLs `uploadimg` issued (WeChat filters others out; the
//! fake refuses them with 45166 so tests notice); title ≤ 64 characters (45003, the older
//! and looser figure), content < 20,000 characters (45002), a known `thumb_media_id`
//! (40007); mass sends de-duplicated by `clientmsgid` (45065 with the earlier `msg_id`)
//! and limited to one a day (45028); 60 calls a minute (45011).
//!
//! `stable_token` in its normal mode hands back the current token until the last five
//! minutes of its life, and a new one from then on (the old one stays good until it
//! expires); [`FakeWechat::set_secret`] stands for the AppSecret being reset in the
//! WeChat backend, after which the old one gets 40125.
//!
//! Two choices where the documentation is silent (uncertain): a submitted draft leaves
//! the draft box (a second submit of it gets 40007), and the minute limit counts every
//! call but `stable_token`. "A day" of mass sends lasts until [`FakeWechat::new_day`].

use crate::{FakeServer, Fault, Faults};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

mod articles;
mod mass;
mod uploads;

use articles::{batchget, draft_add, get_job, submit};
pub use mass::FakeMassSend;
use mass::{MassRecord, mass_get, mass_send};
use uploads::{add_material, upload_image};

type Params = Query<HashMap<String, String>>;

/// An article as the fake stored it, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeArticle {
    pub title: String,
    pub digest: String,
    pub content: String,
    pub thumb_media_id: String,
}

struct Token {
    expires: Instant,
    revoked: bool,
}

struct Job {
    publish_id: u64,
    article_id: String,
    articles: Vec<FakeArticle>,
    submitted: Instant,
    outcome: i64,
}

struct World {
    app_id: String,
    secret: String,
    token_lifetime: Duration,
    /// How long before its expiry the current token is replaced by a new one.
    renewal_window: Duration,
    tokens: HashMap<String, Token>,
    current_token: Option<String>,
    tokens_issued: usize,
    token_requests: usize,
    fault_paths: Vec<String>,
    minute_limit: usize,
    recent_calls: VecDeque<Instant>,
    seq: u64,
    image_urls: HashSet<String>,
    materials: HashSet<String>,
    drafts: HashMap<String, Vec<FakeArticle>>,
    jobs: Vec<Job>,
    publish_delay: Duration,
    publish_outcome: i64,
    mass_by_client_id: HashMap<String, u64>,
    mass_today: usize,
    mass_quota: usize,
    mass_sends: Vec<MassRecord>,
    /// How long a mass send stays `SENDING`, and the `msg_status` it ends with.
    mass_delay: Duration,
    mass_outcome: &'static str,
}

struct Shared {
    world: Mutex<World>,
    faults: Faults,
}

type App = Arc<Shared>;

/// The endpoints whose requests consume injected faults unless told otherwise: the ones
/// that change something.
const PUBLISH_PATH: &[&str] = &[
    "media/uploadimg",
    "material/add_material",
    "draft/add",
    "freepublish/submit",
    "message/mass/sendall",
];

/// The fake, listening on loopback until dropped.
pub struct FakeWechat {
    server: FakeServer,
    shared: App,
}

impl FakeWechat {
    /// Starts a fake account with these credentials.
    pub async fn start(app_id: &str, secret: &str) -> FakeWechat {
        let shared = Arc::new(Shared {
            world: Mutex::new(World {
                app_id: app_id.to_owned(),
                secret: secret.to_owned(),
                token_lifetime: Duration::from_secs(7200),
                renewal_window: Duration::from_secs(300),
                tokens: HashMap::new(),
                current_token: None,
                tokens_issued: 0,
                token_requests: 0,
                fault_paths: PUBLISH_PATH.iter().map(|p| p.to_string()).collect(),
                minute_limit: 60,
                recent_calls: VecDeque::new(),
                seq: 0,
                image_urls: HashSet::new(),
                materials: HashSet::new(),
                drafts: HashMap::new(),
                jobs: Vec::new(),
                publish_delay: Duration::ZERO,
                publish_outcome: 0,
                mass_by_client_id: HashMap::new(),
                mass_today: 0,
                mass_quota: 1,
                mass_sends: Vec::new(),
                mass_delay: Duration::ZERO,
                mass_outcome: "SEND_SUCCESS",
            }),
            faults: Faults::default(),
        });
        let router = Router::new()
            .route("/cgi-bin/stable_token", post(stable_token))
            .route("/cgi-bin/media/uploadimg", post(upload_image))
            .route("/cgi-bin/material/add_material", post(add_material))
            .route("/cgi-bin/draft/add", post(draft_add))
            .route("/cgi-bin/freepublish/submit", post(submit))
            .route("/cgi-bin/freepublish/get", post(get_job))
            .route("/cgi-bin/freepublish/batchget", post(batchget))
            .route("/cgi-bin/message/mass/sendall", post(mass_send))
            .route("/cgi-bin/message/mass/get", post(mass_get))
            .with_state(shared.clone());
        FakeWechat {
            server: FakeServer::start(router).await,
            shared,
        }
    }

    /// The base URL for the channel's `api_base_url`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.shared)
    }

    /// Which endpoints (e.g. `"freepublish/submit"`) consume injected faults.
    pub fn set_fault_paths(&self, paths: &[&str]) {
        self.world().fault_paths = paths.iter().map(|p| p.to_string()).collect();
    }

    /// The `expires_in` of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.world().token_lifetime = lifetime;
    }

    /// How long before its expiry `stable_token` replaces the current token (WeChat: five
    /// minutes), for tests whose tokens live only seconds.
    pub fn set_renewal_window(&self, window: Duration) {
        self.world().renewal_window = window;
    }

    /// The AppSecret was reset in the WeChat backend: `stable_token` refuses the old
    /// one with 40125 from now on. Tokens already issued keep working until they expire.
    pub fn set_secret(&self, secret: &str) {
        self.world().secret = secret.to_owned();
    }

    /// Expires every issued token: calls with them get 42001 until a new one is fetched.
    pub fn expire_tokens(&self) {
        let mut w = self.world();
        let now = Instant::now();
        for t in w.tokens.values_mut() {
            t.expires = now;
        }
        w.current_token = None;
    }

    /// Distinct tokens handed out (a still-valid token is handed out again as is).
    pub fn tokens_issued(&self) -> usize {
        self.world().tokens_issued
    }

    /// Calls to `stable_token`, successful or not.
    pub fn token_requests(&self) -> usize {
        self.world().token_requests
    }

    /// Body images uploaded with `uploadimg`.
    pub fn image_upload_count(&self) -> usize {
        self.world().image_urls.len()
    }

    /// How long a publish job stays "publishing" (status 1) before its outcome.
    pub fn set_publish_delay(&self, delay: Duration) {
        self.world().publish_delay = delay;
    }

    /// The `publish_status` jobs submitted from now on end with (0 success, 2–6 failures).
    pub fn set_publish_outcome(&self, status: i64) {
        self.world().publish_outcome = status;
    }

    pub fn set_minute_limit(&self, calls: usize) {
        self.world().minute_limit = calls;
    }

    /// Articles in publish jobs that succeed: what readers will see, counted once each.
    pub fn published_count(&self) -> usize {
        let w = self.world();
        w.jobs
            .iter()
            .filter(|j| j.outcome == 0)
            .map(|j| j.articles.len())
            .sum()
    }

    /// The published articles, oldest first.
    pub fn published(&self) -> Vec<FakeArticle> {
        let w = self.world();
        w.jobs
            .iter()
            .filter(|j| j.outcome == 0)
            .flat_map(|j| j.articles.clone())
            .collect()
    }

    pub fn draft_count(&self) -> usize {
        self.world().drafts.len()
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, World> {
    shared.world.lock().unwrap_or_else(|e| e.into_inner())
}

fn error(code: i64, msg: &str) -> Response {
    axum::Json(json!({ "errcode": code, "errmsg": msg })).into_response()
}

/// A refusal instead of the work: WeChat's errcode answer, or a bare HTTP 500.
enum Refusal {
    Errcode(i64, &'static str),
    ServerError,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Errcode(code, msg) => error(code, msg),
            Refusal::ServerError => {
                (StatusCode::INTERNAL_SERVER_ERROR, "system error").into_response()
            }
        }
    }
}

impl World {
    fn next_id(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn issue_token(&mut self) -> String {
        let token = format!("FAKE_TOKEN_{}_{}", self.next_id(), self.app_id);
        let expires = Instant::now() + self.token_lifetime;
        self.tokens.insert(
            token.clone(),
            Token {
                expires,
                revoked: false,
            },
        );
        self.current_token = Some(token.clone());
        self.tokens_issued += 1;
        token
    }

    fn check_token(&self, params: &HashMap<String, String>) -> Result<(), Refusal> {
        let Some(token) = params.get("access_token") else {
            return Err(Refusal::Errcode(41001, "access_token missing"));
        };
        match self.tokens.get(token) {
            Some(t) if t.revoked => Err(Refusal::Errcode(
                40001,
                "invalid credential, access_token is invalid or not latest",
            )),
            Some(t) if t.expires <= Instant::now() => {
                Err(Refusal::Errcode(42001, "access_token expired"))
            }
            Some(_) => Ok(()),
            None => Err(Refusal::Errcode(
                40001,
                "invalid credential, access_token is invalid or not latest",
            )),
        }
    }

    fn within_minute_limit(&mut self) -> bool {
        let now = Instant::now();
        while self
            .recent_calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            self.recent_calls.pop_front();
        }
        if self.recent_calls.len() >= self.minute_limit {
            return false;
        }
        self.recent_calls.push_back(now);
        true
    }

    fn job_status(&self, job: &Job) -> i64 {
        if job.submitted.elapsed() < self.publish_delay {
            1
        } else {
            job.outcome
        }
    }
}

/// The content error a `RejectContent` fault answers with at each endpoint.
fn content_error(path: &str) -> Refusal {
    match path {
        "media/uploadimg" | "material/add_material" => Refusal::Errcode(40005, "invalid file type"),
        "freepublish/submit" => Refusal::Errcode(53503, "该草稿未通过发布检查"),
        _ => Refusal::Errcode(45166, "invalid content"),
    }
}

/// What every API call goes through before its work: latency, faults that act before the
/// work, the token and the minute limit. Returns the fault that acts after the work.
async fn gate(
    app: &App,
    path: &str,
    params: &HashMap<String, String>,
) -> Result<Option<Fault>, Refusal> {
    app.faults.delay().await;
    let scoped = lock(app).fault_paths.iter().any(|p| p == path);
    let fault = if scoped { app.faults.next() } else { None };
    match fault {
        Some(Fault::ServerError) => {
            return Err(Refusal::ServerError);
        }
        Some(Fault::TimeoutBeforeWork) => {
            Faults::hang().await;
            return Err(Refusal::Errcode(-1, "system error"));
        }
        Some(Fault::RateLimited(_)) => {
            // WeChat sends no Retry-After: its limits are daily quotas.
            return Err(Refusal::Errcode(45009, "reach max api daily quota limit"));
        }
        Some(Fault::ExpiredToken) => return Err(Refusal::Errcode(42001, "access_token expired")),
        Some(Fault::RejectContent) => return Err(content_error(path)),
        _ => {}
    }
    let mut w = lock(app);
    w.check_token(params)?;
    if !w.within_minute_limit() {
        return Err(Refusal::Errcode(
            45011,
            "api minute-quota reach limit, must slower, retry next minute",
        ));
    }
    Ok(fault)
}

/// Answers after the work, applying a fault that acts then.
async fn finish(fault: Option<Fault>, body: Value) -> Response {
    match fault {
        Some(Fault::TimeoutAfterWork) => {
            Faults::hang().await;
            error(-1, "system error")
        }
        Some(Fault::Malformed) => {
            (StatusCode::OK, "<html><body>upstream error</body></html>").into_response()
        }
        _ => axum::Json(body).into_response(),
    }
}

/// A JSON endpoint's prologue: the fault gate, then the body parsed as an object.
async fn admit_json(
    app: &App,
    path: &str,
    params: &HashMap<String, String>,
    body: &Bytes,
) -> Result<(Option<Fault>, Value), Refusal> {
    let fault = gate(app, path, params).await?;
    Ok((fault, parse_json(body)?))
}

fn parse_json(body: &Bytes) -> Result<Value, Refusal> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or(Refusal::Errcode(47001, "data format error"))
}

fn id_param(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

async fn stable_token(State(app): State<App>, body: Bytes) -> Response {
    let v = match parse_json(&body) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let mut w = lock(&app);
    w.token_requests += 1;
    if v["grant_type"] != "client_credential" {
        return error(40002, "invalid grant_type");
    }
    if v["appid"] != w.app_id.as_str() {
        return error(40013, "invalid appid");
    }
    if v["secret"] != w.secret.as_str() {
        return error(40125, "invalid appsecret");
    }
    let force = v["force_refresh"].as_bool().unwrap_or(false);
    let now = Instant::now();
    let current = w.current_token.clone().filter(|t| {
        w.tokens
            .get(t)
            .is_some_and(|t| !t.revoked && t.expires > now)
    });
    let renewing = |t: &String| w.tokens[t].expires <= now + w.renewal_window;
    let token = match current {
        Some(t) if force => {
            if let Some(old) = w.tokens.get_mut(&t) {
                old.revoked = true;
            }
            w.issue_token()
        }
        // Within the last minutes of its life: a new token, the old one still good.
        Some(t) if renewing(&t) => w.issue_token(),
        Some(t) => t,
        None => w.issue_token(),
    };
    let left = w.tokens[&token]
        .expires
        .saturating_duration_since(Instant::now());
    axum::Json(json!({ "access_token": token, "expires_in": left.as_secs() })).into_response()
}
