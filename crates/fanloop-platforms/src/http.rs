//! What every HTTP connector shares: one client configuration, base URLs from settings,
//! and the mapping of transport failures and status codes onto error classes.

use crate::connector::ChannelConfig;
use crate::error::{ErrorClass, PublishError, Reason};
use std::time::Duration;

/// How long one platform call may take before its outcome counts as unknown.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

tokio::task_local! {
    static SHARED: reqwest::Client;
}

/// The client connectors use: the one shared by the surrounding [`sharing_client`]
/// scope, or else a new one.
pub fn client() -> reqwest::Client {
    SHARED
        .try_with(Clone::clone)
        .unwrap_or_else(|_| new_client())
}

/// A new client: bounded timeouts, no redirects to other hosts' APIs.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(CALL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Fanloop/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client configuration is static")
}

/// Runs `work` with every connector built inside it sharing `client`. The engine
/// builds a connector per attempt; a new client each time would load the TLS roots and
/// open a new connection per post, measured at about a third of the engine's CPU per
/// post, while a shared one keeps connections to each platform alive between
/// attempts. A scope rather than a process-wide client, because a client's pooled
/// connections belong to the runtime that opened them (tests run many runtimes).
pub async fn sharing_client<F: std::future::Future>(client: reqwest::Client, work: F) -> F::Output {
    SHARED.scope(client, work).await
}

/// The API base URL: the channel's override (already checked to be https, or http on
/// loopback) or the platform's default, without a trailing slash.
pub fn base_url(config: &ChannelConfig, key: &str, default: &str) -> String {
    config
        .optional(key)
        .unwrap_or(default)
        .trim_end_matches('/')
        .to_owned()
}

/// A transport failure. Whether the request may have reached the platform decides the
/// class: refused connections did not; timeouts and broken bodies might have.
pub fn transport(e: reqwest::Error) -> PublishError {
    let detail = e.to_string();
    if e.is_connect() {
        PublishError::new(ErrorClass::Retryable, Reason::Network, detail)
    } else if e.is_timeout() {
        PublishError::new(ErrorClass::Unknown, Reason::Timeout, detail)
    } else if e.is_decode() || e.is_body() {
        PublishError::new(ErrorClass::Unknown, Reason::MalformedResponse, detail)
    } else {
        PublishError::new(ErrorClass::Unknown, Reason::Network, detail)
    }
}

/// The `Retry-After` header as a duration (seconds form; HTTP dates are rare on APIs and
/// fall back to the engine's backoff).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// The class of a non-success HTTP status when the body says nothing more specific.
pub fn status_error(
    status: reqwest::StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &str,
) -> PublishError {
    let detail = format!("HTTP {}: {}", status.as_u16(), snippet(body));
    match status.as_u16() {
        429 => PublishError::new(ErrorClass::RateLimited, Reason::RateLimited, detail)
            .with_retry_after(retry_after(headers)),
        401 => PublishError::new(ErrorClass::Auth, Reason::CredentialsRejected, detail),
        403 => PublishError::new(ErrorClass::Auth, Reason::PermissionDenied, detail),
        413 => PublishError::new(ErrorClass::Rejected, Reason::MediaRejected, detail),
        400 | 404 | 409 | 410 | 422 => {
            PublishError::new(ErrorClass::Rejected, Reason::ContentRejected, detail)
        }
        502..=504 => PublishError::new(ErrorClass::Unknown, Reason::PlatformBusy, detail),
        500..=599 => PublishError::new(ErrorClass::Retryable, Reason::PlatformBusy, detail)
            .with_retry_after(retry_after(headers)),
        _ => PublishError::new(ErrorClass::Unknown, Reason::Other, detail),
    }
}

/// A body answering where JSON was expected but unreadable: the call may have worked.
pub fn malformed(what: &str, body: &str) -> PublishError {
    PublishError::new(
        ErrorClass::Unknown,
        Reason::MalformedResponse,
        format!("{what}: {}", snippet(body)),
    )
}

/// The first 300 characters of a body, for error details.
pub fn snippet(body: &str) -> String {
    let mut s: String = body.chars().take(300).collect();
    if s.len() < body.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    #[test]
    fn statuses_map_onto_classes() {
        let none = HeaderMap::new();
        let class = |code| status_error(StatusCode::from_u16(code).unwrap(), &none, "").class;
        assert_eq!(class(401), ErrorClass::Auth);
        assert_eq!(class(422), ErrorClass::Rejected);
        assert_eq!(class(500), ErrorClass::Retryable);
        assert_eq!(class(504), ErrorClass::Unknown);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        let e = status_error(StatusCode::TOO_MANY_REQUESTS, &h, "slow down");
        assert_eq!(e.class, ErrorClass::RateLimited);
        assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
    }

    #[test]
    fn snippets_are_bounded() {
        assert_eq!(snippet("短"), "短");
        assert_eq!(snippet(&"字".repeat(400)).chars().count(), 301);
    }
}
