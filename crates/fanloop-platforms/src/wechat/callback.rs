//! WeChat's push callback (the server URL configured in the WeChat console), as pure
//! functions for the web layer's `/hooks/wechat/{channel_id}` endpoint: verify the URL
//! (`GET`), open a pushed message or event (`POST`, plain or `encrypt_type=aes`), and
//! build replies. No IO and no clock: the caller passes `now_secs` and, for encrypted
//! replies, 16 random bytes and a nonce.
//!
//! Security decisions, each because of how WeChat signs:
//! - The plain-mode signature covers only token, timestamp and nonce — not the body. A
//!   captured signature could carry any body, so signed requests are accepted only within
//!   [`MAX_SKEW_SECS`] of `now_secs` (replay window), and a channel that has an
//!   EncodingAESKey accepts encrypted messages only (no downgrade to plain mode).
//! - In safe mode the `msg_signature` covers the ciphertext and is checked before
//!   decrypting, so decryption errors cannot be used as an oracle.
//! - WeChat retries a push 3 times if it gets no answer in 5 s: [`Inbound::dedup_key`]
//!   names the message so the caller can process it once.

use super::crypto::{self, CryptoError};
use super::xml;
use crate::connector::ChannelConfig;
use crate::error::PublishError;
use fanloop_domain::Locale;
use serde::Deserialize;

/// How far a callback's `timestamp` may be from our clock, either way, in seconds.
pub const MAX_SKEW_SECS: i64 = 300;

/// Pushed messages are a few kilobytes; anything far larger is not WeChat.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A channel's callback secrets, as configured in the WeChat console.
#[derive(Debug, Clone, Copy)]
pub struct CallbackKeys<'a> {
    pub token: &'a str,
    /// Set when the account uses safe mode (or compatible mode).
    pub encoding_aes_key: Option<&'a str>,
    pub app_id: &'a str,
}

impl<'a> CallbackKeys<'a> {
    /// The keys from a WeChat channel's settings (`token`, `app_id`, optional
    /// `encoding_aes_key`).
    pub fn from_config(config: &'a ChannelConfig) -> Result<Self, PublishError> {
        Ok(CallbackKeys {
            token: config.require("token")?,
            encoding_aes_key: config.optional("encoding_aes_key"),
            app_id: config.require("app_id")?,
        })
    }
}

/// The callback URL's query parameters, ready for a `Query<CallbackQuery>` extractor.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackQuery {
    pub signature: Option<String>,
    pub timestamp: Option<String>,
    pub nonce: Option<String>,
    pub echostr: Option<String>,
    pub encrypt_type: Option<String>,
    pub msg_signature: Option<String>,
    pub openid: Option<String>,
}

/// A message or event pushed by WeChat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The account's original id (`gh_…`).
    pub to_user: String,
    /// The fan's OpenID (or the system's, for job events).
    pub from_user: String,
    pub create_time: i64,
    pub msg_type: String,
    pub event: Option<String>,
    pub content: Option<String>,
    pub msg_id: Option<String>,
    /// `MsgId` for messages; `FromUserName:CreateTime:Event` for events, which have none.
    pub dedup_key: String,
    /// Set for `PUBLISHJOBFINISH`, `FREEPUBLISHJOBFINISH` and `MASSSENDJOBFINISH`.
    pub publish: Option<PublishJobFinish>,
    /// Whether it arrived encrypted: replies to it must then be sealed.
    pub encrypted: bool,
    /// The (decrypted) message XML, for storing or for fields not parsed here.
    pub raw_xml: String,
}

/// The outcome of a publish or mass-send job, pushed when it finishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishJobFinish {
    /// The pending publication's remote id: `publish_id` for publish jobs, `mass:<MsgID>`
    /// for mass sends ([`super::RemoteId`]).
    pub publish_id: String,
    /// `publish_status` for publish jobs (`"0"` success, see `freepublish/get`); the
    /// `Status` text for mass sends (`"send success"`, `"send fail"`, `"err(…)"`).
    pub status: String,
    pub article_id: Option<String>,
    /// Article URLs, in article order.
    pub urls: Vec<String>,
}

impl PublishJobFinish {
    pub fn succeeded(&self) -> bool {
        self.status == "0" || self.status == "send success"
    }
}

/// Why a callback request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("query parameter {0} is missing")]
    MissingParameter(&'static str),
    #[error("the timestamp is not a number")]
    BadTimestamp,
    #[error("the timestamp is {skew_secs} s away from now (more than {MAX_SKEW_SECS} s)")]
    Stale { skew_secs: i64 },
    #[error("the signature does not match")]
    BadSignature,
    #[error("this channel has an EncodingAESKey, so only encrypted messages are accepted")]
    EncryptionRequired,
    #[error("the message is encrypted but the channel has no EncodingAESKey")]
    KeyMissing,
    #[error("unsupported encrypt_type {0:?}")]
    UnsupportedEncryption(String),
    #[error("the body is {0} bytes, more than a WeChat message can be")]
    TooLarge(usize),
    #[error("the body is not WeChat's XML: {0}")]
    MalformedXml(String),
    #[error("the message has no {0}")]
    MissingField(&'static str),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl CallbackError {
    /// What the operator reads (in the channel's health log), in their language.
    pub fn message(&self, locale: Locale) -> &'static str {
        let (zh, en) = match self {
            CallbackError::MissingParameter(_) | CallbackError::BadTimestamp => (
                "回调请求缺少微信的签名参数",
                "The callback request lacks WeChat's signature parameters",
            ),
            CallbackError::Stale { .. } => (
                "回调请求时间戳过期（可能是重放或服务器时钟不准）",
                "The callback's timestamp is too old (a replay, or the server clock is off)",
            ),
            CallbackError::BadSignature => (
                "回调签名校验失败：请核对 Token 是否与公众号后台一致",
                "The callback signature is wrong: check that the Token matches the WeChat console",
            ),
            CallbackError::EncryptionRequired => (
                "已配置 EncodingAESKey，但收到明文消息：请在公众号后台启用安全模式",
                "An EncodingAESKey is set but the message was plain: enable safe mode in the WeChat console",
            ),
            CallbackError::KeyMissing => (
                "收到加密消息，但渠道未填写 EncodingAESKey",
                "The message is encrypted but the channel has no EncodingAESKey",
            ),
            CallbackError::UnsupportedEncryption(_) => (
                "不支持的消息加密方式",
                "The message uses an unsupported encryption type",
            ),
            CallbackError::TooLarge(_) | CallbackError::MalformedXml(_) => (
                "回调内容不是微信消息格式",
                "The callback body is not a WeChat message",
            ),
            CallbackError::MissingField(_) => (
                "微信消息缺少必要字段",
                "The WeChat message lacks a required field",
            ),
            CallbackError::Crypto(e) => return e.message(locale),
        };
        match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }
}

/// Checks a signed request's timestamp against the replay window.
fn fresh_timestamp(query: &CallbackQuery, now_secs: i64) -> Result<&str, CallbackError> {
    let raw = query
        .timestamp
        .as_deref()
        .ok_or(CallbackError::MissingParameter("timestamp"))?;
    let ts: i64 = raw
        .trim()
        .parse()
        .map_err(|_| CallbackError::BadTimestamp)?;
    let skew_secs = now_secs.saturating_sub(ts);
    if skew_secs.abs() > MAX_SKEW_SECS {
        return Err(CallbackError::Stale { skew_secs });
    }
    Ok(raw)
}

fn param<'q>(value: &'q Option<String>, name: &'static str) -> Result<&'q str, CallbackError> {
    value
        .as_deref()
        .ok_or(CallbackError::MissingParameter(name))
}

/// Checks the plain-mode signature of token, timestamp and nonce.
fn check_plain_signature(
    keys: &CallbackKeys<'_>,
    query: &CallbackQuery,
    now_secs: i64,
) -> Result<(), CallbackError> {
    let timestamp = fresh_timestamp(query, now_secs)?;
    let nonce = param(&query.nonce, "nonce")?;
    let received = param(&query.signature, "signature")?;
    let expected = crypto::signature(keys.token, timestamp, nonce);
    if crypto::signatures_match(&expected, received) {
        Ok(())
    } else {
        Err(CallbackError::BadSignature)
    }
}

/// The URL verification WeChat sends when the server URL is saved: returns the `echostr`
/// to answer with. Official Accounts sign it in plain mode whatever the message mode.
pub fn verify_get(
    keys: &CallbackKeys<'_>,
    query: &CallbackQuery,
    now_secs: i64,
) -> Result<String, CallbackError> {
    check_plain_signature(keys, query, now_secs)?;
    Ok(param(&query.echostr, "echostr")?.to_owned())
}

/// Authenticates, decrypts (in safe mode) and parses a pushed message.
pub fn open(
    keys: &CallbackKeys<'_>,
    query: &CallbackQuery,
    body: &str,
    now_secs: i64,
) -> Result<Inbound, CallbackError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(CallbackError::TooLarge(body.len()));
    }
    let mode = query.encrypt_type.as_deref().map(str::trim).unwrap_or("");
    match mode {
        "" | "raw" => {
            if keys.encoding_aes_key.is_some() {
                return Err(CallbackError::EncryptionRequired);
            }
            check_plain_signature(keys, query, now_secs)?;
            parse_message(body.to_owned(), false)
        }
        "aes" => {
            let key = keys.encoding_aes_key.ok_or(CallbackError::KeyMissing)?;
            let timestamp = fresh_timestamp(query, now_secs)?;
            let nonce = param(&query.nonce, "nonce")?;
            let received = param(&query.msg_signature, "msg_signature")?;
            let doc = xml::parse(body).map_err(CallbackError::MalformedXml)?;
            let encrypt = xml::child_text(doc.root_element(), "Encrypt")
                .ok_or(CallbackError::MissingField("Encrypt"))?;
            let expected = crypto::msg_signature(keys.token, timestamp, nonce, &encrypt);
            if !crypto::signatures_match(&expected, received) {
                return Err(CallbackError::BadSignature);
            }
            let inner = crypto::decrypt(key, keys.app_id, &encrypt)?;
            parse_message(inner, true)
        }
        other => Err(CallbackError::UnsupportedEncryption(other.to_owned())),
    }
}

fn required(root: roxmltree::Node<'_, '_>, name: &'static str) -> Result<String, CallbackError> {
    xml::child_text(root, name).ok_or(CallbackError::MissingField(name))
}

fn parse_message(raw_xml: String, encrypted: bool) -> Result<Inbound, CallbackError> {
    let doc = xml::parse(&raw_xml).map_err(CallbackError::MalformedXml)?;
    let root = doc.root_element();
    let to_user = required(root, "ToUserName")?.trim().to_owned();
    let from_user = required(root, "FromUserName")?.trim().to_owned();
    let create_time = required(root, "CreateTime")?
        .trim()
        .parse::<i64>()
        .map_err(|_| CallbackError::MalformedXml("CreateTime is not a number".into()))?;
    let msg_type = required(root, "MsgType")?.trim().to_owned();
    let event = xml::child_text(root, "Event").map(|e| e.trim().to_owned());
    let msg_id = xml::child_text(root, "MsgId").map(|m| m.trim().to_owned());
    let content = xml::child_text(root, "Content");
    let dedup_key = match &msg_id {
        Some(id) if !id.is_empty() => id.clone(),
        _ => format!(
            "{from_user}:{create_time}:{}",
            event.as_deref().unwrap_or("")
        ),
    };
    let publish = match event.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("PUBLISHJOBFINISH" | "FREEPUBLISHJOBFINISH") => Some(publish_job(root)?),
        Some("MASSSENDJOBFINISH") => Some(mass_send_job(root)?),
        _ => None,
    };
    Ok(Inbound {
        to_user,
        from_user,
        create_time,
        msg_type,
        event,
        content,
        msg_id,
        dedup_key,
        publish,
        encrypted,
        raw_xml,
    })
}

/// `<PublishEventInfo>` of a publish job event.
fn publish_job(root: roxmltree::Node<'_, '_>) -> Result<PublishJobFinish, CallbackError> {
    let info = xml::child(root, "PublishEventInfo")
        .ok_or(CallbackError::MissingField("PublishEventInfo"))?;
    let urls = xml::child(info, "article_detail")
        .map(|detail| {
            xml::children(detail, "item")
                .filter_map(|item| xml::child_text(item, "article_url"))
                .map(|u| u.trim().to_owned())
                .collect()
        })
        .unwrap_or_default();
    Ok(PublishJobFinish {
        publish_id: required(info, "publish_id")?.trim().to_owned(),
        status: required(info, "publish_status")?.trim().to_owned(),
        article_id: xml::child_text(info, "article_id")
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        urls,
    })
}

/// The fields of a `MASSSENDJOBFINISH` event.
fn mass_send_job(root: roxmltree::Node<'_, '_>) -> Result<PublishJobFinish, CallbackError> {
    let urls = xml::child(root, "ArticleUrlResult")
        .and_then(|r| xml::child(r, "ResultList"))
        .map(|list| {
            xml::children(list, "item")
                .filter_map(|item| xml::child_text(item, "ArticleUrl"))
                .map(|u| u.trim().to_owned())
                .collect()
        })
        .unwrap_or_default();
    Ok(PublishJobFinish {
        publish_id: super::RemoteId::MassSend(required(root, "MsgID")?.trim()).to_string(),
        status: required(root, "Status")?.trim().to_owned(),
        article_id: None,
        urls,
    })
}

/// The body that acknowledges a push without replying to the fan.
pub fn reply_success() -> &'static str {
    "success"
}

/// A passive text reply to a fan's message: the envelope with From and To swapped.
/// Seal it with [`seal_reply`] when `inbound.encrypted`.
pub fn text_reply(inbound: &Inbound, content: &str, now_secs: i64) -> String {
    let mut out = String::from("<xml>");
    xml::push_cdata(&mut out, "ToUserName", &inbound.from_user);
    xml::push_cdata(&mut out, "FromUserName", &inbound.to_user);
    xml::push_number(&mut out, "CreateTime", now_secs);
    xml::push_cdata(&mut out, "MsgType", "text");
    xml::push_cdata(&mut out, "Content", content);
    out.push_str("</xml>");
    out
}

/// Encrypts a reply for safe mode: `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/>
/// </xml>`. `random16` must come from a CSPRNG and `nonce` should be fresh per reply.
pub fn seal_reply(
    keys: &CallbackKeys<'_>,
    reply_xml: &str,
    timestamp: i64,
    nonce: &str,
    random16: &[u8; 16],
) -> Result<String, CallbackError> {
    let key = keys.encoding_aes_key.ok_or(CallbackError::KeyMissing)?;
    let encrypt = crypto::encrypt(key, keys.app_id, random16, reply_xml)?;
    let signature = crypto::msg_signature(keys.token, &timestamp.to_string(), nonce, &encrypt);
    let mut out = String::from("<xml>");
    xml::push_cdata(&mut out, "Encrypt", &encrypt);
    xml::push_cdata(&mut out, "MsgSignature", &signature);
    xml::push_number(&mut out, "TimeStamp", timestamp);
    xml::push_cdata(&mut out, "Nonce", nonce);
    out.push_str("</xml>");
    Ok(out)
}

#[cfg(test)]
#[path = "callback_tests.rs"]
mod tests;
