//! Telegram Bot API: a post is one `sendMessage` (HTML, ≤ 4096 characters), or one
//! `sendPhoto` (one image, caption ≤ 1024), or one `sendMediaGroup` (2–10 images, the
//! caption on the first). Always exactly one call, so an attempt either posted or not.
//!
//! Telegram has no idempotency key and a bot cannot read back its channel's history, so
//! after an interrupted attempt nothing can tell whether the message went out:
//! [`Connector::reconcile`] answers `Unknown` and the engine asks a person.
//!
//! The bot token is part of every URL (`/bot<token>/<method>`), so transport errors
//! are stripped of their URL before they reach a log or the operator.

use crate::connector::{
    BoxFuture, ChannelConfig, Connector, MediaFile, Outgoing, Receipt, Reconciled, Session,
};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Telegram's limits, in UTF-16 code units of the text after HTML entities are parsed.
pub const MESSAGE_MAX: usize = 4096;
pub const CAPTION_MAX: usize = 1024;
/// `sendMediaGroup` takes 2–10 items.
pub const MEDIA_GROUP_MAX: usize = 10;

/// A Telegram channel: `bot_token` (secret), `chat_id` (`@channel` or `-100…`), and an
/// optional `api_base_url` (a local Bot API server, or a test emulator).
pub struct Telegram {
    client: reqwest::Client,
    base: String,
    token: String,
    chat_id: String,
    call_timeout: Duration,
}

impl Telegram {
    pub fn new(config: &ChannelConfig) -> Result<Self, PublishError> {
        Ok(Telegram {
            client: http::client(),
            base: http::base_url(config, "api_base_url", "https://api.telegram.org"),
            token: config.require("bot_token")?.to_owned(),
            chat_id: config.require("chat_id")?.trim().to_owned(),
            call_timeout: http::CALL_TIMEOUT,
        })
    }

    /// How long one request may take before its outcome counts as unknown.
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    fn request(&self, method: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/bot{}/{method}", self.base, self.token))
            .timeout(self.call_timeout)
    }

    /// Sends a request and unwraps Telegram's `{ok, result}` envelope.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, PublishError> {
        let resp = request
            .send()
            .await
            .map_err(|e| http::transport(e.without_url()))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .text()
            .await
            .map_err(|e| http::transport(e.without_url()))?;
        let envelope: Envelope<T> = match serde_json::from_str(&body) {
            Ok(envelope) => envelope,
            Err(_) if status.is_success() => {
                return Err(http::malformed("unreadable answer", &body));
            }
            Err(_) => return Err(http::status_error(status, &headers, &body)),
        };
        match envelope.result {
            Some(result) if envelope.ok => Ok(result),
            _ if envelope.ok => Err(http::malformed("answer without a result", &body)),
            _ => Err(classify(status.as_u16(), &envelope)),
        }
    }

    /// The public link of a message: by the chat's username when it has one, or the
    /// members-only `t.me/c/…` form for numeric channel ids.
    fn message_url(&self, message: &Message) -> Option<String> {
        let username = message
            .chat
            .as_ref()
            .and_then(|c| c.username.clone())
            .or_else(|| self.chat_id.strip_prefix('@').map(str::to_owned));
        if let Some(name) = username {
            return Some(format!("https://t.me/{name}/{}", message.message_id));
        }
        let internal = self.chat_id.strip_prefix("-100")?;
        internal
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| format!("https://t.me/c/{internal}/{}", message.message_id))
    }

    async fn send(&self, post: &Outgoing) -> Result<Message, PublishError> {
        let html = post.rendered.body.as_str();
        let length = visible_length(html);
        let files = attachments(post);
        let limit = if files.is_empty() {
            MESSAGE_MAX
        } else {
            CAPTION_MAX
        };
        if length > limit {
            let what = if files.is_empty() {
                "message"
            } else {
                "caption (posts with images)"
            };
            return Err(PublishError::new(
                ErrorClass::Rejected,
                Reason::TextTooLong,
                format!("{length} characters; a Telegram {what} takes at most {limit}"),
            ));
        }
        if files.len() > MEDIA_GROUP_MAX {
            return Err(PublishError::new(
                ErrorClass::Rejected,
                Reason::MediaRejected,
                format!(
                    "{} images; Telegram takes at most {MEDIA_GROUP_MAX}",
                    files.len()
                ),
            ));
        }
        match files.as_slice() {
            [] => {
                let payload = json!({
                    "chat_id": self.chat_id,
                    "text": html,
                    "parse_mode": "HTML",
                });
                self.call(self.request("sendMessage").json(&payload)).await
            }
            [photo] => {
                let mut form = Form::new()
                    .text("chat_id", self.chat_id.clone())
                    .part("photo", part(photo)?);
                if !html.is_empty() {
                    form = form
                        .text("caption", html.to_owned())
                        .text("parse_mode", "HTML");
                }
                self.call(self.request("sendPhoto").multipart(form)).await
            }
            photos => {
                let mut media = Vec::with_capacity(photos.len());
                let mut form = Form::new().text("chat_id", self.chat_id.clone());
                for (i, photo) in photos.iter().enumerate() {
                    let mut item = json!({"type": "photo", "media": format!("attach://photo{i}")});
                    if i == 0 && !html.is_empty() {
                        item["caption"] = json!(html);
                        item["parse_mode"] = json!("HTML");
                    }
                    media.push(item);
                    form = form.part(format!("photo{i}"), part(photo)?);
                }
                let form = form.text("media", serde_json::Value::Array(media).to_string());
                let messages: Vec<Message> = self
                    .call(self.request("sendMediaGroup").multipart(form))
                    .await?;
                messages
                    .into_iter()
                    .next()
                    .ok_or_else(|| http::malformed("empty media group", "[]"))
            }
        }
    }
}

impl Connector for Telegram {
    fn publish<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        let _ = session;
        Box::pin(async move {
            let message = self.send(post).await?;
            Ok(Receipt::Published {
                remote_id: message.message_id.to_string(),
                url: self.message_url(&message),
            })
        })
    }

    /// No idempotency and no way for a bot to list what its channel shows: a person must
    /// look before anything is sent again.
    fn reconcile<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Reconciled, PublishError>> {
        let _ = (session, post);
        Box::pin(async { Ok(Reconciled::Unknown) })
    }

    fn verify<'a>(
        &'a self,
        session: &'a mut Session,
    ) -> BoxFuture<'a, Result<String, PublishError>> {
        let _ = session;
        Box::pin(async move {
            let me: Bot = self.call(self.request("getMe")).await.map_err(|mut e| {
                // Reading who we are cannot have posted anything.
                if e.class == ErrorClass::Unknown {
                    e.class = ErrorClass::Retryable;
                }
                e
            })?;
            Ok(format!("@{}", me.username))
        })
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    ok: bool,
    result: Option<T>,
    error_code: Option<u16>,
    #[serde(default)]
    description: String,
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
    migrate_to_chat_id: Option<i64>,
}

#[derive(Deserialize)]
struct Message {
    message_id: i64,
    chat: Option<Chat>,
}

#[derive(Deserialize)]
struct Chat {
    username: Option<String>,
}

#[derive(Deserialize)]
struct Bot {
    username: String,
}

/// Telegram's error answers: `{ok: false, error_code, description, parameters}`.
fn classify<T>(status: u16, envelope: &Envelope<T>) -> PublishError {
    let code = envelope.error_code.unwrap_or(status);
    let description = &envelope.description;
    let detail = format!("{code}: {description}");
    let lower = description.to_lowercase();
    let params = envelope.parameters.as_ref();
    match code {
        429 => PublishError::new(ErrorClass::RateLimited, Reason::RateLimited, detail)
            .with_retry_after(params.and_then(|p| p.retry_after).map(Duration::from_secs)),
        401 => PublishError::new(ErrorClass::Auth, Reason::CredentialsRejected, detail),
        // The bot was removed from the channel or lost the right to post.
        403 => PublishError::new(ErrorClass::Auth, Reason::PermissionDenied, detail),
        400 if params.and_then(|p| p.migrate_to_chat_id).is_some() => {
            let to = params
                .and_then(|p| p.migrate_to_chat_id)
                .unwrap_or_default();
            let detail = format!("{detail} (the chat moved to {to}: update the chat id)");
            PublishError::new(ErrorClass::Auth, Reason::MissingSetting, detail)
        }
        400 if lower.contains("chat not found") => {
            PublishError::new(ErrorClass::Auth, Reason::MissingSetting, detail)
        }
        400 if lower.contains("too long") => {
            PublishError::new(ErrorClass::Rejected, Reason::TextTooLong, detail)
        }
        400 if ["photo", "image", "file"].iter().any(|w| lower.contains(w)) => {
            PublishError::new(ErrorClass::Rejected, Reason::MediaRejected, detail)
        }
        400..=499 => PublishError::new(ErrorClass::Rejected, Reason::ContentRejected, detail),
        // As for any API: a gateway error may hide a request that went through.
        502..=504 => PublishError::new(ErrorClass::Unknown, Reason::PlatformBusy, detail),
        500..=599 => PublishError::new(ErrorClass::Retryable, Reason::PlatformBusy, detail),
        _ => PublishError::new(ErrorClass::Unknown, Reason::Other, detail),
    }
}

/// The images to send: the post's images, or its cover when that is all it has.
fn attachments(post: &Outgoing) -> Vec<&MediaFile> {
    if post.images.is_empty() {
        post.cover.iter().collect()
    } else {
        post.images.iter().collect()
    }
}

fn part(file: &MediaFile) -> Result<Part, PublishError> {
    Part::bytes(file.bytes.clone())
        .file_name(file.file_name.clone())
        .mime_str(&file.content_type)
        .map_err(|e| {
            let detail = format!(
                "{}: content type {:?}: {e}",
                file.file_name, file.content_type
            );
            PublishError::new(ErrorClass::Rejected, Reason::MediaRejected, detail)
        })
}

/// The length Telegram checks: UTF-16 code units of the text once tags are removed and
/// entities decoded (the renderer emits only Telegram's tag subset and these entities).
pub fn visible_length(html: &str) -> usize {
    let mut count = 0;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            match rest.find('>') {
                Some(end) => rest = &rest[end + 1..],
                None => break,
            }
            continue;
        }
        if c == '&'
            && let Some(end) = rest.find(';').filter(|&end| end <= 10)
        {
            count += entity_units(&rest[1..end]);
            rest = &rest[end + 1..];
            continue;
        }
        count += c.len_utf16();
        rest = &rest[c.len_utf8()..];
    }
    count
}

/// UTF-16 units of one decoded entity (`amp`, `#8212`, `#x1F600`, …).
fn entity_units(name: &str) -> usize {
    let code = match name.strip_prefix('#') {
        Some(hex) if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16).ok(),
        Some(dec) => dec.parse().ok(),
        None => None,
    };
    code.and_then(char::from_u32).map_or(1, char::len_utf16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_length_counts_what_telegram_counts() {
        let cases = [
            ("<b>hi</b>", 2),
            ("a &amp; b", 5),
            ("&lt;tag&gt;", 5),
            ("<a href=\"https://x.y\">link</a>", 4),
            ("😀", 2),
            ("&#x1F600;", 2),
            ("你好", 2),
            ("broken <b", 7),
        ];
        for (html, expected) in cases {
            assert_eq!(visible_length(html), expected, "{html}");
        }
    }

    #[test]
    fn errors_are_classified() {
        let envelope = |code: u16, description: &str, parameters: Option<Parameters>| Envelope::<()> {
            ok: false,
            result: None,
            error_code: Some(code),
            description: description.to_owned(),
            parameters,
        };
        let c = |e: Envelope<()>| {
            let e = classify(e.error_code.unwrap_or(0), &e);
            (e.class, e.reason, e.retry_after)
        };
        let slow = Parameters {
            retry_after: Some(7),
            migrate_to_chat_id: None,
        };
        assert_eq!(
            c(envelope(
                429,
                "Too Many Requests: retry after 7",
                Some(slow)
            )),
            (
                ErrorClass::RateLimited,
                Reason::RateLimited,
                Some(Duration::from_secs(7))
            )
        );
        let bad = |d: &str| c(envelope(400, d, None)).1;
        assert_eq!(bad("Bad Request: message is too long"), Reason::TextTooLong);
        assert_eq!(bad("Bad Request: chat not found"), Reason::MissingSetting);
        assert_eq!(
            bad("Bad Request: IMAGE_PROCESS_FAILED"),
            Reason::MediaRejected
        );
        assert_eq!(
            bad("Bad Request: can't parse entities"),
            Reason::ContentRejected
        );
        assert_eq!(c(envelope(401, "Unauthorized", None)).0, ErrorClass::Auth);
        assert_eq!(
            c(envelope(500, "Internal Server Error", None)).0,
            ErrorClass::Retryable
        );
        assert_eq!(c(envelope(502, "Bad Gateway", None)).0, ErrorClass::Unknown);
    }
}
