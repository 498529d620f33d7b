//! Fanloop's HTTP face: the server-rendered web UI (askama + htmx), the JSON API under
//! `/api/v1`, authentication, sessions, CSRF, role checks and the operations endpoints.
//!
//! Every route is declared once in `routes::table()` with the access it needs; the router
//! is built from that table and a gate in front of each route authenticates, checks
//! CSRF, the tenant boundary and the role before any handler runs. Handlers cannot forget
//! a check because they never perform it.
//!
//! Architecture invariant: no SQL here (everything goes through `fanloop_store::Store`)
//! and no business rule that `fanloop_domain` could hold.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

mod api;
mod assets;
mod error;
mod form;
mod gate;
mod hooks;
mod i18n;
mod linting;
mod metrics;
mod ops;
mod pages;
mod password;
mod publishing;
mod review;
mod routes;
mod theme;

pub use api::media::sweep_partial_uploads;
pub use gate::{Principal, SESSION_COOKIE};
pub use metrics::Metrics;
pub use password::hash_password;
pub use routes::{Access, RouteSpec, table};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use fanloop_store::Store;
use std::sync::Arc;

/// Largest request body accepted anywhere (JSON and forms). Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How the server presents itself.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people reach Fanloop at, for links in invitations and setup; no
    /// trailing slash.
    pub public_url: String,
    /// Session lifetime in milliseconds.
    pub session_ttl_ms: i64,
    /// Where uploaded media files are kept (a local directory through `object_store`).
    pub media_dir: std::path::PathBuf,
}

impl WebConfig {
    pub fn new(public_url: &str, media_dir: &std::path::Path) -> WebConfig {
        WebConfig {
            public_url: public_url.trim_end_matches('/').to_owned(),
            session_ttl_ms: 14 * 24 * 3600 * 1000,
            media_dir: media_dir.to_owned(),
        }
    }

    /// Cookies carry `Secure` when Fanloop is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    /// Wakes this instance's publishing scheduler when a post is scheduled.
    pub wake: fanloop_engine::Wake,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            wake: fanloop_engine::Wake::default(),
        }
    }

    /// The same state, waking the given engine's scheduler.
    pub fn with_wake(mut self, wake: fanloop_engine::Wake) -> AppState {
        self.wake = wake;
        self
    }
}

/// The whole application: every route of the table behind its gate, plus static assets.
pub fn app(state: AppState) -> Router {
    routes::router(state.clone())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Serves the app on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish. Client addresses are recorded for login throttling.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Milliseconds since the epoch, the store's time unit.
pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
