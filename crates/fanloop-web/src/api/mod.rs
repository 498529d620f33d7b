//! The JSON API under `/api/v1`: the same store calls and domain rules as the pages,
//! answered as JSON, with errors as `application/problem+json`.

pub mod channels;
pub mod media;
pub mod members;
pub mod notifications;
pub mod openapi;
pub mod posts;
pub mod publishing;
pub mod scripts;
pub mod theme;
pub mod topics;
pub mod words;
pub mod workspaces;

use crate::error::{ApiError, FieldProblem};
use crate::gate::Principal;
use crate::i18n::Tr;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use fanloop_domain::Invalid;
use serde::de::DeserializeOwned;

/// The translator for an API request: `Accept-Language` first, then the account's.
pub struct ApiTr(pub Tr);

impl<S: Send + Sync> FromRequestParts<S> for ApiTr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let account = parts.extensions.get::<Principal>().map(|p| p.user.locale);
        Ok(ApiTr(Tr::negotiate(&parts.headers, account, true)))
    }
}

/// A JSON body, strictly: `application/json` only, at most `MAX_BODY_BYTES`, syntax
/// errors are 400, and wrong types, missing or unknown fields are 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let account = req.extensions().get::<Principal>().map(|p| p.user.locale);
        let tr = Tr::negotiate(req.headers(), account, true);
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::unsupported_media(&tr));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large(&tr)
            } else {
                ApiError::bad_request(&tr, rejection.body_text())
            }
        })?;
        parse_json(&tr, &bytes).map(ApiJson)
    }
}

/// A JSON body that may be left out entirely (for actions such as "approve" that need
/// nothing); when present it is read as strictly as `ApiJson`.
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let empty = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v == "0")
            || (req.headers().get(header::CONTENT_TYPE).is_none()
                && req.headers().get(header::TRANSFER_ENCODING).is_none());
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        ApiJson::<T>::from_request(req, state)
            .await
            .map(|ApiJson(value)| OptionalJson(value))
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(tr: &Tr, bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| json_error(tr, e))?;
    deserializer
        .end()
        .map_err(|e| ApiError::bad_request(tr, tr.t1("error.json_syntax", e)))?;
    Ok(value)
}

fn json_error(tr: &Tr, e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if !inner.is_data() {
        return ApiError::bad_request(tr, tr.t1("error.json_syntax", inner));
    }
    let message = inner.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    // serde names a missing or unknown field inside backticks; point at that field.
    let named = message.split('`').nth(1).unwrap_or("");
    // serde_path_to_error ends the path at an unknown field but at its parent for a
    // missing one.
    let join = |name: &str| {
        if path == "." {
            name.to_owned()
        } else if path == name || path.ends_with(&format!(".{name}")) {
            path.clone()
        } else {
            format!("{path}.{name}")
        }
    };
    let (field, text) = if message.starts_with("missing field") {
        (join(named), tr.t("invalid.required").to_owned())
    } else if message.starts_with("unknown field") {
        (join(named), tr.t("invalid.unknown_field").to_owned())
    } else {
        (path.clone(), tr.t1("invalid.wrong_type", &message))
    };
    ApiError::fields(
        tr,
        vec![FieldProblem {
            field,
            message: text,
        }],
    )
}

/// Domain refusals as a 422 listing every field.
pub(crate) fn invalid(tr: &Tr, errors: Vec<Invalid>) -> ApiError {
    ApiError::fields(
        tr,
        errors
            .iter()
            .map(|e| FieldProblem {
                field: e.field.clone(),
                message: tr.invalid(e),
            })
            .collect(),
    )
}

/// Unix milliseconds as RFC 3339 (UTC), the API's time format.
pub(crate) fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanloop_domain::Locale;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        n: Option<u32>,
    }

    #[test]
    fn json_errors_name_the_field() {
        let tr = Tr::new(Locale::En);
        let cases: [(&[u8], u16, &str); 5] = [
            (br#"{"name":"a""#, 400, ""),
            (br#"{"name":5}"#, 422, "name"),
            (br#"{"n":1}"#, 422, "name"),
            (br#"{"name":"a","zzz":1}"#, 422, "zzz"),
            (b"{\"name\":\"\xff\"}", 400, ""),
        ];
        for (body, status, field) in cases {
            let e = parse_json::<Body>(&tr, body).unwrap_err();
            assert_eq!(
                e.status.as_u16(),
                status,
                "{}",
                String::from_utf8_lossy(body)
            );
            assert_eq!(
                e.errors.first().map(|p| p.field.as_str()).unwrap_or(""),
                field
            );
        }
        assert!(parse_json::<Body>(&tr, br#"{"name":"ok"}"#).is_ok());
    }
}
