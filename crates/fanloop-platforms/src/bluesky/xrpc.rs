//! XRPC, the AT Protocol's HTTP convention: `GET|POST {service}/xrpc/{nsid}`, JSON in and
//! out, and errors as `{"error": "Name", "message": "…"}` with an HTTP status. This is
//! where those names become error classes.

use crate::error::{ErrorClass, PublishError, Reason};
use crate::http;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// One PDS (or entryway) and the client that talks to it.
#[derive(Debug, Clone)]
pub(super) struct Xrpc {
    client: reqwest::Client,
    base: String,
}

/// A failed XRPC call: the class for the engine plus what callers branch on (the XRPC
/// error name, and whether the PDS answered at all).
#[derive(Debug, Clone)]
pub(super) struct XrpcError {
    pub error: PublishError,
    /// The XRPC `error` name, e.g. `ExpiredToken`, `RecordNotFound`.
    pub name: Option<String>,
    /// The HTTP status, when the PDS answered.
    pub status: Option<StatusCode>,
}

impl XrpcError {
    /// The access (or refresh) token was refused as expired or invalid: renewing the
    /// session may help, unlike every other failure.
    pub fn stale_token(&self) -> bool {
        matches!(self.name.as_deref(), Some("ExpiredToken" | "InvalidToken"))
            || self.status == Some(StatusCode::UNAUTHORIZED)
    }

    pub fn is(&self, name: &str) -> bool {
        self.name.as_deref() == Some(name)
    }
}

impl From<XrpcError> for PublishError {
    fn from(e: XrpcError) -> Self {
        e.error
    }
}

impl From<PublishError> for XrpcError {
    fn from(error: PublishError) -> Self {
        XrpcError {
            error,
            name: None,
            status: None,
        }
    }
}

impl Xrpc {
    pub fn new(client: reqwest::Client, base: String) -> Self {
        Xrpc { client, base }
    }

    pub fn get(&self, nsid: &str) -> RequestBuilder {
        self.client.get(self.url(nsid))
    }

    pub fn post(&self, nsid: &str) -> RequestBuilder {
        self.client.post(self.url(nsid))
    }

    fn url(&self, nsid: &str) -> String {
        format!("{}/xrpc/{nsid}", self.base)
    }

    /// Sends one request and reads its JSON answer. `now_ms` (the engine's clock) turns
    /// an absolute rate-limit reset time into a wait.
    pub async fn send<T: DeserializeOwned>(
        &self,
        nsid: &str,
        request: RequestBuilder,
        now_ms: i64,
    ) -> Result<T, XrpcError> {
        let response = request.send().await.map_err(http::transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(http::transport)?;
        if !status.is_success() {
            return Err(classify(nsid, status, &headers, &body, now_ms));
        }
        serde_json::from_str(&body)
            .map_err(|_| http::malformed(&format!("{nsid} answered"), &body).into())
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    message: Option<String>,
}

/// Maps an XRPC error answer onto a class. The error name decides where it is specific
/// (a PDS answers an expired token with 400, not 401); the status decides otherwise.
pub(super) fn classify(
    nsid: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    now_ms: i64,
) -> XrpcError {
    let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
    let name = parsed.as_ref().and_then(|b| b.error.clone());
    let message = parsed.as_ref().and_then(|b| b.message.clone());
    let detail = match (&name, &message) {
        (Some(n), Some(m)) => format!("{nsid}: {n}: {m} (HTTP {})", status.as_u16()),
        (Some(n), None) => format!("{nsid}: {n} (HTTP {})", status.as_u16()),
        _ => format!("{nsid}: HTTP {}: {}", status.as_u16(), http::snippet(body)),
    };
    let new = |class, reason| PublishError::new(class, reason, detail.clone());
    let error = match (name.as_deref(), status.as_u16()) {
        (Some("RateLimitExceeded"), _) | (_, 429) => {
            new(ErrorClass::RateLimited, Reason::RateLimited)
                .with_retry_after(wait(headers, now_ms))
        }
        (Some("ExpiredToken" | "InvalidToken"), _) => new(ErrorClass::Auth, Reason::TokenExpired),
        (Some("AuthenticationRequired" | "AuthMissing"), _) | (_, 401) => {
            new(ErrorClass::Auth, Reason::CredentialsRejected)
        }
        (Some("AccountTakedown" | "AccountDeactivated"), _) => {
            new(ErrorClass::Auth, Reason::PermissionDenied)
        }
        (Some("BlobTooLarge" | "InvalidMimeType"), _) | (_, 413) => {
            new(ErrorClass::Rejected, Reason::MediaRejected)
        }
        (Some("InvalidRequest"), _) if status.is_client_error() => {
            new(ErrorClass::Rejected, Reason::ContentRejected)
        }
        _ => PublishError {
            detail: detail.clone(),
            ..http::status_error(status, headers, body)
        },
    };
    XrpcError {
        error,
        name,
        status: Some(status),
    }
}

/// How long a rate limit lasts: `Retry-After` when sent, else the PDS's
/// `ratelimit-reset` (seconds since the epoch) measured from the engine's clock.
fn wait(headers: &HeaderMap, now_ms: i64) -> Option<Duration> {
    if let Some(wait) = http::retry_after(headers) {
        return Some(wait);
    }
    let reset_s: i64 = headers
        .get("ratelimit-reset")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    if now_ms <= 0 {
        // No clock to measure from; the engine's backoff decides.
        return None;
    }
    let wait_ms = reset_s.saturating_mul(1000).saturating_sub(now_ms).max(0);
    Some(Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn check(status: u16, body: &str) -> (ErrorClass, Reason, bool) {
        let e = classify(
            "com.atproto.repo.createRecord",
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            body,
            0,
        );
        (e.error.class, e.error.reason, e.stale_token())
    }

    #[test]
    fn error_names_map_onto_classes() {
        use ErrorClass::*;
        let table = [
            (
                400,
                r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
                (Auth, Reason::TokenExpired, true),
            ),
            (
                400,
                r#"{"error":"InvalidToken"}"#,
                (Auth, Reason::TokenExpired, true),
            ),
            (
                401,
                r#"{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"#,
                (Auth, Reason::CredentialsRejected, true),
            ),
            (
                400,
                r#"{"error":"AccountTakedown"}"#,
                (Auth, Reason::PermissionDenied, false),
            ),
            (
                400,
                r#"{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record"}"#,
                (Rejected, Reason::ContentRejected, false),
            ),
            (
                400,
                r#"{"error":"BlobTooLarge"}"#,
                (Rejected, Reason::MediaRejected, false),
            ),
            (
                429,
                r#"{"error":"RateLimitExceeded"}"#,
                (RateLimited, Reason::RateLimited, false),
            ),
            (
                500,
                r#"{"error":"InternalServerError","message":"Internal Server Error"}"#,
                (Retryable, Reason::PlatformBusy, false),
            ),
            (
                502,
                "<html>bad gateway</html>",
                (Unknown, Reason::PlatformBusy, false),
            ),
        ];
        for (status, body, expected) in table {
            assert_eq!(check(status, body), expected, "{status} {body}");
        }
    }

    #[test]
    fn the_platform_message_is_kept_in_the_detail() {
        let e = classify(
            "com.atproto.repo.createRecord",
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            r#"{"error":"InvalidRequest","message":"Record/text must not be longer than 300"}"#,
            0,
        );
        assert!(e.error.detail.contains("must not be longer than 300"));
        assert!(e.is("InvalidRequest"));
    }

    #[test]
    fn rate_limit_waits_until_the_reset() {
        let mut h = HeaderMap::new();
        h.insert("ratelimit-reset", HeaderValue::from_static("1700000090"));
        assert_eq!(wait(&h, 1_700_000_000_000), Some(Duration::from_secs(90)));
        // A reset already past means "now", not a negative wait.
        assert_eq!(wait(&h, 1_700_000_100_000), Some(Duration::ZERO));
        // Without the engine's clock the reset cannot be measured.
        assert_eq!(wait(&h, 0), None);
        h.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(wait(&h, 1_700_000_000_000), Some(Duration::from_secs(7)));
    }
}
