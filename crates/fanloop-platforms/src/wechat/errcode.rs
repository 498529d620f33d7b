//! WeChat's `errcode`s and what the engine does about each. WeChat answers HTTP 200 with
//! `{"errcode": N, "errmsg": "…"}` for almost every failure, so this table, not the HTTP
//! status, is where failures get their class. Codes from PLATFORMS.md unless noted.

use crate::error::{ErrorClass, PublishError, Reason};
use std::time::Duration;

/// The system is busy: retry.
pub const BUSY: i64 = -1;
/// Token invalid / not the latest / expired: refresh the token and retry once.
pub const TOKEN_INVALID: i64 = 40001;
pub const TOKEN_NOT_LATEST: i64 = 40014;
pub const TOKEN_EXPIRED: i64 = 42001;
/// Invalid AppID / AppSecret (WeChat's global code table).
pub const BAD_APPID: i64 = 40013;
pub const BAD_SECRET: i64 = 40125;
pub const IP_NOT_WHITELISTED: i64 = 40164;
pub const API_UNAUTHORIZED: i64 = 48001;
/// The API's daily call quota is used up.
pub const DAILY_QUOTA: i64 = 45009;
/// The API's per-minute quota (global code table: "retry next minute").
pub const MINUTE_QUOTA: i64 = 45011;
/// No mass-send quota left (1 a day for subscription accounts).
pub const NO_MASS_QUOTA: i64 = 45028;
/// A mass send with this `clientmsgid` already exists; the answer carries its `msg_id`.
pub const CLIENTMSGID_EXISTS: i64 = 45065;
/// Size limits (global code table): content, title, digest.
pub const CONTENT_TOO_LONG: i64 = 45002;
pub const TITLE_TOO_LONG: i64 = 45003;
pub const DIGEST_TOO_LONG: i64 = 45004;
/// Media refused (global code table): file type, file size, media id, image size.
pub const BAD_MEDIA_TYPE: i64 = 40005;
pub const BAD_MEDIA_SIZE: i64 = 40006;
pub const BAD_MEDIA_ID: i64 = 40007;
pub const BAD_IMAGE_SIZE: i64 = 40009;

/// Whether a fresh token may fix it.
pub fn is_token_error(code: i64) -> bool {
    matches!(code, TOKEN_INVALID | TOKEN_NOT_LATEST | TOKEN_EXPIRED)
}

/// The class and reason of a nonzero errcode. For token errors this is the verdict after
/// the one refresh-and-retry has failed too.
pub fn classify(code: i64, errmsg: &str) -> PublishError {
    let detail = format!("errcode {code} {errmsg}");
    let (class, reason) = match code {
        BUSY => (ErrorClass::Retryable, Reason::PlatformBusy),
        TOKEN_INVALID | TOKEN_NOT_LATEST | TOKEN_EXPIRED => {
            (ErrorClass::Auth, Reason::TokenExpired)
        }
        BAD_APPID | BAD_SECRET => (ErrorClass::Auth, Reason::CredentialsRejected),
        IP_NOT_WHITELISTED => (ErrorClass::Auth, Reason::IpNotWhitelisted),
        API_UNAUTHORIZED => (ErrorClass::Auth, Reason::PermissionDenied),
        // No retry_after: the quota resets at a time only the engine's quota table knows,
        // so the engine reschedules instead of sleeping.
        DAILY_QUOTA | NO_MASS_QUOTA => (ErrorClass::RateLimited, Reason::QuotaExhausted),
        MINUTE_QUOTA => {
            return PublishError::new(ErrorClass::RateLimited, Reason::RateLimited, detail)
                .with_retry_after(Some(Duration::from_secs(60)));
        }
        CONTENT_TOO_LONG | TITLE_TOO_LONG | DIGEST_TOO_LONG => {
            (ErrorClass::Rejected, Reason::TextTooLong)
        }
        BAD_MEDIA_TYPE | BAD_MEDIA_SIZE | BAD_MEDIA_ID | BAD_IMAGE_SIZE => {
            (ErrorClass::Rejected, Reason::MediaRejected)
        }
        CLIENTMSGID_EXISTS => (ErrorClass::Rejected, Reason::Duplicate),
        _ => (ErrorClass::Rejected, Reason::ContentRejected),
    };
    PublishError::new(class, reason, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        let cases = [
            (-1, ErrorClass::Retryable, Reason::PlatformBusy),
            (40001, ErrorClass::Auth, Reason::TokenExpired),
            (40014, ErrorClass::Auth, Reason::TokenExpired),
            (42001, ErrorClass::Auth, Reason::TokenExpired),
            (40013, ErrorClass::Auth, Reason::CredentialsRejected),
            (40125, ErrorClass::Auth, Reason::CredentialsRejected),
            (40164, ErrorClass::Auth, Reason::IpNotWhitelisted),
            (48001, ErrorClass::Auth, Reason::PermissionDenied),
            (45009, ErrorClass::RateLimited, Reason::QuotaExhausted),
            (45028, ErrorClass::RateLimited, Reason::QuotaExhausted),
            (45011, ErrorClass::RateLimited, Reason::RateLimited),
            (45003, ErrorClass::Rejected, Reason::TextTooLong),
            (40007, ErrorClass::Rejected, Reason::MediaRejected),
            (45166, ErrorClass::Rejected, Reason::ContentRejected),
            (53503, ErrorClass::Rejected, Reason::ContentRejected),
        ];
        for (code, class, reason) in cases {
            let e = classify(code, "msg");
            assert_eq!((e.class, e.reason), (class, reason), "errcode {code}");
            assert_eq!(e.detail, format!("errcode {code} msg"));
        }
        assert_eq!(classify(45009, "").retry_after, None);
        assert_eq!(
            classify(45011, "").retry_after,
            Some(Duration::from_secs(60))
        );
        assert!(is_token_error(42001) && !is_token_error(40013));
    }
}
