//! How a failed call is classified, and the reason shown to the operator.

use fanloop_domain::Locale;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What the engine does about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Transient (5xx, connection refused before sending, platform busy): retry with
    /// backoff.
    Retryable,
    /// Too many requests: retry after the platform's `Retry-After` (or backoff).
    RateLimited,
    /// Credentials rejected or expired beyond refresh: the channel needs reconnecting;
    /// its queued posts are held, not failed.
    Auth,
    /// The platform refused this content (too long, duplicate, banned): fail with the
    /// platform's reason; retrying cannot help.
    Rejected,
    /// The request may have reached the platform (timeout after sending, malformed
    /// answer): the post is unconfirmed until reconciled.
    Unknown,
}

/// The operator-facing reason, in their language. The platform's own code and text are
/// kept next to it in `PublishError::detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    PlatformBusy,
    Network,
    Timeout,
    RateLimited,
    QuotaExhausted,
    TokenExpired,
    CredentialsRejected,
    PermissionDenied,
    MissingSetting,
    TextTooLong,
    Duplicate,
    ContentRejected,
    MediaRejected,
    MalformedResponse,
    NotConnectable,
    IpNotWhitelisted,
    Other,
}

impl Reason {
    pub fn message(self, locale: Locale) -> &'static str {
        let (zh, en) = match self {
            Reason::PlatformBusy => (
                "平台繁忙，稍后自动重试",
                "The platform is busy; retrying shortly",
            ),
            Reason::Network => ("无法连接平台", "Could not reach the platform"),
            Reason::Timeout => (
                "平台响应超时，是否已发出待核实",
                "The platform timed out; whether it posted is being checked",
            ),
            Reason::RateLimited => (
                "请求过于频繁，已按平台要求延后",
                "Too many requests; waiting as the platform asked",
            ),
            Reason::QuotaExhausted => (
                "发布额度已用完，将在下一个额度周期自动发布",
                "The publishing quota is used up; it goes out when the next window opens",
            ),
            Reason::TokenExpired => (
                "授权已过期，请重新连接账号",
                "The authorisation expired; reconnect the channel",
            ),
            Reason::CredentialsRejected => (
                "账号凭据被平台拒绝，请重新连接",
                "The platform rejected the channel's credentials; reconnect it",
            ),
            Reason::PermissionDenied => (
                "账号没有该接口权限",
                "The account lacks permission for this API",
            ),
            Reason::MissingSetting => ("渠道设置不完整", "The channel's settings are incomplete"),
            Reason::TextTooLong => (
                "内容超出平台字数限制",
                "The text is longer than the platform allows",
            ),
            Reason::Duplicate => (
                "平台判定为重复内容",
                "The platform rejected it as a duplicate",
            ),
            Reason::ContentRejected => ("内容被平台拒绝", "The platform rejected the content"),
            Reason::MediaRejected => (
                "图片或视频被平台拒绝",
                "The platform rejected an image or video",
            ),
            Reason::MalformedResponse => (
                "平台返回了无法识别的结果，是否已发出待核实",
                "The platform's answer was unreadable; whether it posted is being checked",
            ),
            Reason::NotConnectable => ("该平台需人工发布", "This platform is published by hand"),
            Reason::IpNotWhitelisted => (
                "服务器 IP 不在平台白名单中",
                "The server's IP is not on the platform's allow-list",
            ),
            Reason::Other => ("平台返回错误", "The platform returned an error"),
        };
        match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }
}

/// One failed attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{class:?}: {detail}")]
pub struct PublishError {
    pub class: ErrorClass,
    pub reason: Reason,
    /// The platform's own code and message (or the transport error), for the log and
    /// the detail line under the reason.
    pub detail: String,
    /// How long the platform asked us to wait.
    pub retry_after: Option<Duration>,
}

impl PublishError {
    pub fn new(class: ErrorClass, reason: Reason, detail: impl Into<String>) -> Self {
        PublishError {
            class,
            reason,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn with_retry_after(mut self, wait: Option<Duration>) -> Self {
        self.retry_after = wait;
        self
    }
}
