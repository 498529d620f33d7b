//! Sending a stored file, its thumbnail or a crop (page routes under
//! `/w/{id}/media/{media_id}/…`, with the access of viewing the workspace).

use super::{crop, media_id, objects};
use crate::AppState;
use crate::error::ApiError;
use crate::gate::WorkspaceCtx;
use crate::i18n::Tr;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fanloop_store::media::MediaKind;

/// What to send: the original, its thumbnail, or a crop.
pub(crate) enum Variant<'a> {
    Original,
    Thumb,
    Crop(&'a str),
}

pub(crate) async fn serve(
    state: &AppState,
    tr: &Tr,
    ctx: &WorkspaceCtx,
    id: &str,
    variant: Variant<'_>,
) -> Result<Response, ApiError> {
    let media = state
        .store
        .media(ctx.id(), media_id(tr, id)?)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    let files = objects::open(&state.config.media_dir).map_err(|e| ApiError::internal(tr, &e))?;
    let image = media.kind == MediaKind::Image;
    let whole = |b: Option<axum::body::Bytes>| b.map(|b| (Some(b.len() as u64), Body::from(b)));
    let (body, mime) = match variant {
        // Originals (videos among them) are streamed, never read whole into memory.
        Variant::Original => (
            objects::get_stream(&files, &objects::original(&media.storage_key))
                .await
                .map_err(|e| ApiError::internal(tr, &e))?
                .map(|(size, body)| (Some(size), body)),
            media.mime.as_str(),
        ),
        Variant::Thumb if image => (
            whole(
                objects::get(&files, &objects::thumb(&media.storage_key))
                    .await
                    .map_err(|e| ApiError::internal(tr, &e))?,
            ),
            "image/jpeg",
        ),
        Variant::Crop(slug) if image => {
            let spec = crop::by_slug(slug).ok_or_else(|| ApiError::not_found(tr))?;
            (
                whole(
                    objects::crop(&files, &media, &spec)
                        .await
                        .map_err(|e| ApiError::internal(tr, &e))?,
                ),
                "image/jpeg",
            )
        }
        Variant::Thumb | Variant::Crop(_) => (None, ""),
    };
    let (size, body) = body.ok_or_else(|| ApiError::not_found(tr))?;
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    if let Some(size) = size {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // The stored type was sniffed, but a browser must not second-guess it either, and
    // a file opened directly gets no powers.
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    if !image && matches!(variant, Variant::Original) {
        headers.insert(
            header::CONTENT_DISPOSITION,
            attachment(&media.original_name),
        );
    }
    Ok(response)
}

/// `attachment` with an ASCII fallback name and the real one percent-encoded (RFC 6266).
fn attachment(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let value = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::form::encode(name)
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("attachment"))
}
