//! The one error type of the HTTP layer. The API renders it as RFC 9457
//! `application/problem+json`; pages render the same facts as a friendly error page.

use crate::i18n::Tr;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fanloop_store::StoreError;
use serde::Serialize;

/// One refused field: which, and why, in the caller's language.
#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable machine-readable kind, the last segment of the problem `type`.
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    pub errors: Vec<FieldProblem>,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, tr: &Tr, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            title: tr.t(&format!("problem.{kind}")).to_owned(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn bad_request(tr: &Tr, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed", tr, detail)
    }

    pub fn unauthorized(tr: &Tr) -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            tr,
            tr.t("error.unauthenticated"),
        )
    }

    pub fn forbidden(tr: &Tr, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", tr, detail)
    }

    pub fn not_found(tr: &Tr) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            tr,
            tr.t("error.not_found"),
        )
    }

    pub fn conflict(tr: &Tr, field: &str, detail: impl Into<String>) -> ApiError {
        let detail = detail.into();
        let mut e = ApiError::new(StatusCode::CONFLICT, "conflict", tr, detail.clone());
        e.errors.push(FieldProblem {
            field: field.to_owned(),
            message: detail,
        });
        e
    }

    pub fn too_large(tr: &Tr) -> ApiError {
        let detail = tr.t1("error.too_large", crate::MAX_BODY_BYTES / 1024);
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", tr, detail)
    }

    pub fn unsupported_media(tr: &Tr) -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            tr,
            tr.t("error.json_expected"),
        )
    }

    pub fn fields(tr: &Tr, errors: Vec<FieldProblem>) -> ApiError {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", tr, detail);
        e.errors = errors;
        e
    }

    /// Logs the cause and tells the caller only that something failed on our side.
    pub fn internal(tr: &Tr, cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            tr,
            tr.t("error.internal"),
        )
    }

    pub fn store(tr: &Tr, error: StoreError) -> ApiError {
        match error {
            StoreError::NotFound => ApiError::not_found(tr),
            StoreError::Conflict(what) => {
                ApiError::conflict(tr, what, tr.t(&format!("conflict.{what}")))
            }
            other => ApiError::internal(tr, &other),
        }
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldProblem],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("/problems/{}", self.kind),
            title: &self.title,
            status: self.status.as_u16(),
            detail: &self.detail,
            errors: &self.errors,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            json,
        )
            .into_response()
    }
}
