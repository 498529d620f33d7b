//! One WeChat API call: the access token from the session (fetched from `stable_token`
//! and refreshed early), the request, and the answer read as JSON with its `errcode`.
//!
//! The one retry a connector makes lives here: WeChat tokens can be invalidated at any
//! moment (another system refreshing the same AppID, the platform rotating them), so on
//! 40001/40014/42001 the call forgets the token, fetches one and retries once. That is
//! one logical attempt from the engine's point of view: nothing was done by the refused
//! call.

use super::errcode::{self, is_token_error};
use crate::connector::{MediaFile, Session};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http::{malformed, status_error, transport};
use serde_json::{Value, json};
use std::time::Duration;

/// Where the token lives in the session.
const TOKEN_KEY: &str = "access_token";
/// Refresh when less than this is left, so a token never expires mid-publication.
const REFRESH_MARGIN_MS: i64 = 5 * 60 * 1000;

/// The request body of a call.
pub(super) enum Payload<'a> {
    Json(Value),
    /// A multipart upload with the file in the field `media`.
    Media(&'a MediaFile),
}

/// A failed call: WeChat's own refusal (kept whole, since some answers carry data, like
/// the existing `msg_id` of a duplicate mass send) or a transport/HTTP failure.
#[derive(Debug)]
pub(super) enum CallError {
    Api { code: i64, msg: String, body: Value },
    Other(PublishError),
}

impl From<CallError> for PublishError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Api { code, msg, .. } => errcode::classify(code, &msg),
            CallError::Other(e) => e,
        }
    }
}

impl From<PublishError> for CallError {
    fn from(e: PublishError) -> Self {
        CallError::Other(e)
    }
}

/// The API endpoint and the credentials that obtain tokens.
pub(super) struct Api {
    pub client: reqwest::Client,
    pub call_timeout: Duration,
    pub base: String,
    pub app_id: String,
    pub app_secret: String,
}

impl Api {
    /// The cached token while it has more than [`REFRESH_MARGIN_MS`] left, else a new one.
    pub async fn token(&self, session: &mut Session) -> Result<String, PublishError> {
        let fresh = session
            .expires_at_ms
            .is_some_and(|expires| expires - session.now_ms > REFRESH_MARGIN_MS);
        if let (true, Some(token)) = (fresh, session.get(TOKEN_KEY)) {
            return Ok(token.to_owned());
        }
        self.fetch_token(session).await
    }

    /// Asks `stable_token` for the current token (never `force_refresh`: that is capped at
    /// 20 a day and invalidates the token of every other system using this AppID).
    pub async fn fetch_token(&self, session: &mut Session) -> Result<String, PublishError> {
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.app_id,
            "secret": self.app_secret,
            "force_refresh": false,
        });
        let url = format!("{}/cgi-bin/stable_token", self.base);
        let resp = self
            .client
            .post(url)
            .timeout(self.call_timeout)
            .json(&body)
            .send()
            .await;
        let answer = read(
            resp.map_err(|e| transport(e.without_url()))?,
            "stable_token",
        )
        .await;
        let v = answer.map_err(PublishError::from)?;
        let token = str_field(&v, "access_token", "stable_token")?;
        let expires_in = v
            .get("expires_in")
            .and_then(Value::as_i64)
            // The body holds the token: leave it out of the error.
            .ok_or_else(|| malformed("stable_token", "an answer without expires_in"))?;
        session.set(TOKEN_KEY, token.clone());
        session.expires_at_ms = Some(session.now_ms.saturating_add(expires_in * 1000));
        Ok(token)
    }

    fn forget_token(session: &mut Session) {
        if session.values.remove(TOKEN_KEY).is_some() || session.expires_at_ms.is_some() {
            session.expires_at_ms = None;
            session.changed = true;
        }
    }

    /// `POST /cgi-bin/{path}?access_token=…&{query}`, retried once with a fresh token if
    /// WeChat says the token is no good.
    pub async fn call(
        &self,
        session: &mut Session,
        path: &str,
        query: &[(&str, &str)],
        payload: &Payload<'_>,
    ) -> Result<Value, CallError> {
        let token = self.token(session).await?;
        match self.attempt(path, query, &token, payload).await {
            Err(CallError::Api { code, .. }) if is_token_error(code) => {
                tracing::debug!(code, path, "WeChat refused the token; fetching a new one");
                Self::forget_token(session);
                let token = self.fetch_token(session).await?;
                self.attempt(path, query, &token, payload).await
            }
            other => other,
        }
    }

    async fn attempt(
        &self,
        path: &str,
        query: &[(&str, &str)],
        token: &str,
        payload: &Payload<'_>,
    ) -> Result<Value, CallError> {
        let url = format!("{}/cgi-bin/{path}", self.base);
        let request = self
            .client
            .post(url)
            .timeout(self.call_timeout)
            .query(&[("access_token", token)])
            .query(query);
        let request = match payload {
            Payload::Json(body) => request.json(body),
            Payload::Media(file) => request.multipart(media_form(file)?),
        };
        // Without the URL: it carries the access token, and errors end up in logs and on
        // the operator's screen.
        let resp = request
            .send()
            .await
            .map_err(|e| transport(e.without_url()))?;
        read(resp, path).await
    }
}

fn media_form(file: &MediaFile) -> Result<reqwest::multipart::Form, PublishError> {
    let part = reqwest::multipart::Part::bytes(file.bytes.clone())
        .file_name(file.file_name.clone())
        .mime_str(&file.content_type)
        .map_err(|_| {
            PublishError::new(
                ErrorClass::Rejected,
                Reason::MediaRejected,
                format!(
                    "{}: {:?} is not a media type",
                    file.file_name, file.content_type
                ),
            )
        })?;
    Ok(reqwest::multipart::Form::new().part("media", part))
}

/// Reads an answer: HTTP errors by status, then the JSON and its `errcode`.
async fn read(resp: reqwest::Response, what: &str) -> Result<Value, CallError> {
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.text().await.map_err(|e| transport(e.without_url()))?;
    if !status.is_success() {
        return Err(status_error(status, &headers, &body).into());
    }
    let v: Value = serde_json::from_str(&body).map_err(|_| malformed(what, &body))?;
    if !v.is_object() {
        return Err(malformed(what, &body).into());
    }
    match v.get("errcode").and_then(Value::as_i64) {
        None | Some(0) => Ok(v),
        Some(code) => Err(CallError::Api {
            code,
            msg: v
                .get("errmsg")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            body: v,
        }),
    }
}

/// A field WeChat documents as a string but sometimes sends as a number (`publish_id`,
/// `msg_id`), as a string.
pub(super) fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A required id field of a successful answer. Its absence makes the outcome unknown: the
/// call may have done its work.
pub(super) fn str_field(v: &Value, name: &str, what: &str) -> Result<String, PublishError> {
    v.get(name)
        .and_then(id_of)
        .ok_or_else(|| malformed(&format!("{what} without {name}"), &v.to_string()))
}
