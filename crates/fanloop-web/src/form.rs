//! HTML form bodies, read strictly: a field whose bytes are not valid UTF-8 is refused
//! with its name, never silently replaced with U+FFFD and stored.

use crate::error::ApiError;
use crate::gate::Principal;
use crate::i18n::Tr;
use crate::pages;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode, utf8_percent_encode};
use serde::de::DeserializeOwned;

/// Percent-encodes text for a query string.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// Decodes one `application/x-www-form-urlencoded` component, refusing invalid UTF-8.
fn decode(raw: &[u8]) -> Result<String, ()> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(bytes).map_err(|_| ())
}

/// Every pair of a form body, or the name (as far as it decodes) of the first bad field.
pub fn pairs(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    body.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut halves = part.splitn(2, |&b| b == b'=');
            let key = halves.next().unwrap_or_default();
            let value = halves.next().unwrap_or_default();
            let name = decode(key).map_err(|_| String::from_utf8_lossy(key).into_owned())?;
            let value = decode(value).map_err(|_| name.clone())?;
            Ok((name, value))
        })
        .collect()
}

/// The value of one field, if present and valid, whatever the other fields hold (the
/// CSRF check must not depend on them; the handler refuses bad ones itself).
pub fn field(body: &[u8], name: &str) -> Option<String> {
    body.split(|&b| b == b'&').find_map(|part| {
        let mut halves = part.splitn(2, |&b| b == b'=');
        let key = decode(halves.next().unwrap_or_default()).ok()?;
        if key != name {
            return None;
        }
        decode(halves.next().unwrap_or_default()).ok()
    })
}

/// A form body deserialised into `T` (whose fields should default, so a missing field
/// becomes an inline validation message rather than a failed request).
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let principal = req.extensions().get::<Principal>().cloned();
        let tr = Tr::negotiate(
            req.headers(),
            principal.as_ref().map(|p| p.user.locale),
            false,
        );
        let refuse = |status: StatusCode, detail: String| {
            pages::error_page(&tr, principal.as_ref(), status, &detail)
        };
        let bytes = match Bytes::from_request(req, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ApiError::too_large(&tr).detail,
                ));
            }
            Err(rejection) => return Err(refuse(StatusCode::BAD_REQUEST, rejection.body_text())),
        };
        let pairs = pairs(&bytes)
            .map_err(|name| refuse(StatusCode::BAD_REQUEST, tr.t1("error.form_utf8", name)))?;
        let encoded = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        serde_urlencoded::from_str(&encoded).map(Form).map_err(|e| {
            refuse(
                StatusCode::BAD_REQUEST,
                format!("{} ({e})", tr.t("error.form_malformed")),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_pairs() {
        assert_eq!(
            pairs(b"name=%E5%93%81%E7%89%8C&voice=a+b&_csrf=x").unwrap(),
            vec![
                ("name".into(), "品牌".into()),
                ("voice".into(), "a b".into()),
                ("_csrf".into(), "x".into())
            ]
        );
        assert_eq!(pairs(b"name=%FF%FE").unwrap_err(), "name");
        assert_eq!(field(b"a=1&_csrf=tok", "_csrf").as_deref(), Some("tok"));
        assert_eq!(encode("/w/1?x=y"), "%2Fw%2F1%3Fx%3Dy");
    }
}
