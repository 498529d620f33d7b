//! The files behind the library, through `object_store` (a local directory today; the
//! same calls reach S3-compatible storage should a deployment need it). Every key starts
//! with the workspace id, so one tenant's files are one prefix.
//!
//! Per item: `w{workspace}/{random}/original`, `…/thumb.jpg`, and crops rendered on
//! demand and kept as `…/crop-{ratio}-{focal x}-{focal y}.jpg` (permille), so moving the
//! focal point never serves a stale crop.

use super::crop::{self, CropSpec};
use super::imaging;
use super::spool::Spool;
use axum::body::Bytes;
use fanloop_domain::WorkspaceId;
use fanloop_store::media::Media;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};

pub fn open(dir: &std::path::Path) -> Result<LocalFileSystem, object_store::Error> {
    std::fs::create_dir_all(dir).map_err(|e| object_store::Error::Generic {
        store: "media",
        source: Box::new(e),
    })?;
    Ok(LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true))
}

/// A fresh prefix for one item; random so that names are never guessed or reused.
pub fn new_key(workspace: WorkspaceId) -> String {
    format!("w{}/{}", workspace.0, &fanloop_store::new_token("")[..24])
}

pub fn original(key: &str) -> Path {
    Path::from(format!("{key}/original"))
}

pub fn thumb(key: &str) -> Path {
    Path::from(format!("{key}/thumb.jpg"))
}

fn permille(f: f64) -> u32 {
    (f.clamp(0.0, 1.0) * 1000.0).round() as u32
}

pub fn crop_key(key: &str, spec: &CropSpec, focal: (f64, f64)) -> Path {
    Path::from(format!(
        "{key}/crop-{}-{}-{}.jpg",
        spec.slug(),
        permille(focal.0),
        permille(focal.1)
    ))
}

pub async fn put(
    files: &LocalFileSystem,
    path: &Path,
    bytes: Bytes,
) -> Result<(), object_store::Error> {
    files.put(path, PutPayload::from(bytes)).await.map(|_| ())
}

/// Moves a received file into the store at `path`. On the local disk this is a rename
/// (the spool lives in the same directory tree); a remote store would stream the file
/// up in parts instead.
pub async fn put_file(
    files: &LocalFileSystem,
    path: &Path,
    file: Spool,
) -> Result<(), object_store::Error> {
    let target = files.path_to_filesystem(path)?;
    file.persist(target)
        .await
        .map_err(|e| object_store::Error::Generic {
            store: "media",
            source: Box::new(e),
        })
}

/// The object's bytes, `None` if it does not exist.
pub async fn get(
    files: &LocalFileSystem,
    path: &Path,
) -> Result<Option<Bytes>, object_store::Error> {
    match files.get(path).await {
        Ok(found) => found.bytes().await.map(Some),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The object's size and a stream of its bytes, `None` if it does not exist: an
/// original can be a large video, and is sent in chunks rather than read whole.
pub async fn get_stream(
    files: &LocalFileSystem,
    path: &Path,
) -> Result<Option<(u64, axum::body::Body)>, object_store::Error> {
    match files.get(path).await {
        Ok(found) => Ok(Some((
            found.meta.size,
            axum::body::Body::from_stream(found.into_stream()),
        ))),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Removes the crops rendered for `focal`. Best effort, like every removal here: a
/// leftover file is logged, never an error for the person deleting.
pub async fn remove_crops(files: &LocalFileSystem, key: &str, focal: (f64, f64)) {
    for spec in crop::specs() {
        remove(files, &crop_key(key, &spec, focal)).await;
    }
}

/// Removes the original, the thumbnail and the crops for `focal` when given.
pub async fn remove_all(files: &LocalFileSystem, key: &str, focal: Option<(f64, f64)>) {
    remove(files, &original(key)).await;
    remove(files, &thumb(key)).await;
    if let Some(focal) = focal {
        remove_crops(files, key, focal).await;
    }
}

async fn remove(files: &LocalFileSystem, path: &Path) {
    match files.delete(path).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => tracing::warn!(error = %e, %path, "media file left behind"),
    }
}

/// The crop as a JPEG, from the cache or rendered now (and cached).
pub async fn crop(
    files: &LocalFileSystem,
    media: &Media,
    spec: &CropSpec,
) -> Result<Option<Bytes>, String> {
    let focal = (media.focal_x, media.focal_y);
    let cached = crop_key(&media.storage_key, spec, focal);
    if let Some(bytes) = get(files, &cached).await.map_err(|e| e.to_string())? {
        return Ok(Some(bytes));
    }
    let Some(format) = format_of(&media.mime) else {
        return Ok(None);
    };
    let Some(source) = get(files, &original(&media.storage_key))
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let ratio = spec.ratio;
    let rendered = tokio::task::spawn_blocking(move || {
        let image = imaging::decode(&source, format).map_err(|e| format!("{e:?}"))?;
        let rect = crop::crop_rect(image.width(), image.height(), ratio, focal);
        imaging::render_crop(&image, rect).map_err(|e| format!("{e:?}"))
    })
    .await
    .map_err(|e| e.to_string())??;
    let bytes = Bytes::from(rendered);
    if let Err(e) = put(files, &cached, bytes.clone()).await {
        tracing::warn!(error = %e, "crop not cached");
    }
    Ok(Some(bytes))
}

/// The decoder for a stored MIME type; only images have one.
fn format_of(mime: &str) -> Option<image::ImageFormat> {
    match mime {
        "image/jpeg" => Some(image::ImageFormat::Jpeg),
        "image/png" => Some(image::ImageFormat::Png),
        "image/webp" => Some(image::ImageFormat::WebP),
        "image/gif" => Some(image::ImageFormat::Gif),
        _ => None,
    }
}
