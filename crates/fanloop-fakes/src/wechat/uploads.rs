//! The fake's uploads: body images (`media/uploadimg`, which issues the only URLs an
//! article may show) and permanent material (`material/add_material`, the cover).

use super::*;

/// The `media` field of a multipart upload: (content type, bytes).
async fn media_field(mut multipart: Multipart) -> Option<(String, Bytes)> {
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("media") {
            let kind = field.content_type().unwrap_or_default().to_owned();
            return field.bytes().await.ok().map(|b| (kind, b));
        }
    }
    None
}

pub(super) async fn upload_image(
    State(app): State<App>,
    Query(params): Params,
    multipart: Multipart,
) -> Response {
    let fault = match gate(&app, "media/uploadimg", &params).await {
        Ok(f) => f,
        Err(r) => return r.into_response(),
    };
    let Some((kind, bytes)) = media_field(multipart).await else {
        return error(41005, "media data missing");
    };
    if !matches!(kind.as_str(), "image/jpeg" | "image/jpg" | "image/png") {
        return error(40005, "invalid file type");
    }
    if bytes.len() >= 1024 * 1024 {
        return error(40009, "invalid image size");
    }
    let url = {
        let mut w = lock(&app);
        let url = format!("http://mmbiz.qpic.cn/mmbiz_png/fake{}/0", w.next_id());
        w.image_urls.insert(url.clone());
        url
    };
    finish(fault, json!({ "url": url })).await
}

pub(super) async fn add_material(
    State(app): State<App>,
    Query(params): Params,
    multipart: Multipart,
) -> Response {
    let fault = match gate(&app, "material/add_material", &params).await {
        Ok(f) => f,
        Err(r) => return r.into_response(),
    };
    if !matches!(
        params.get("type").map(String::as_str),
        Some("image" | "thumb")
    ) {
        return error(40004, "invalid media type");
    }
    let Some((kind, bytes)) = media_field(multipart).await else {
        return error(41005, "media data missing");
    };
    if !kind.starts_with("image/") || bytes.is_empty() {
        return error(40005, "invalid file type");
    }
    let (media_id, url) = {
        let mut w = lock(&app);
        let n = w.next_id();
        let media_id = format!("MATERIAL_{n}");
        w.materials.insert(media_id.clone());
        (
            media_id,
            format!("http://mmbiz.qpic.cn/mmbiz_png/cover{n}/0"),
        )
    };
    finish(fault, json!({ "media_id": media_id, "url": url })).await
}
