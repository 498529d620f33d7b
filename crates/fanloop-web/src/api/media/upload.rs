//! Receiving an upload: the multipart body read with our own limits (the app-wide 1 MiB
//! body cap is for JSON and forms; this reader stops at the limit for the file's kind),
//! streamed to a spool file once the first bytes have told its type, images checked and
//! thumbnailed, videos' boxes read for duration and size, then the file moved into the
//! object store and the row recorded. A refused upload leaves nothing behind, and memory
//! holds at most a buffer of it (or the whole of an image, to decode it).

use super::imaging::{self, ImageProblem};
use super::isobmff::{self, BoxError, VideoInfo};
use super::objects;
use super::sniff::{Format, SNIFF_LEN, sniff};
use super::spool::Spool;
use crate::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, header};
use fanloop_domain::{Invalid, Reason, UserId, WorkspaceId};
use fanloop_store::media::{Media, MediaKind, NewMedia};
use std::path::Path;

pub const IMAGE_MAX_BYTES: usize = 20 * 1024 * 1024;
pub const VIDEO_MAX_BYTES: usize = 200 * 1024 * 1024;
/// The whole body may carry a little more than the largest file: boundaries, headers,
/// the tags field.
const STREAM_MAX_BYTES: u64 = VIDEO_MAX_BYTES as u64 + 256 * 1024;
const TAGS_FIELD_MAX: usize = 2048;
const NAME_MAX: usize = 120;
pub const TAG_MAX: usize = 30;
pub const TAGS_MAX: usize = 30;

/// Why an upload was refused.
#[derive(Debug)]
pub enum Refusal {
    NotMultipart,
    Malformed(String),
    NoFile,
    Unsupported,
    TooLarge {
        limit: usize,
    },
    Image(ImageProblem),
    /// A video whose boxes cannot be read: cut short or malformed.
    Video(BoxError),
    Tags(Vec<Invalid>),
    /// Our side failed (object store or database).
    Internal(String),
}

/// A file received whole into its spool, its type known.
pub struct Received {
    pub name: String,
    pub format: Format,
    pub file: Spool,
    pub tags: Vec<String>,
}

/// Reads the `file` field (and an optional `tags` field, comma-separated), spooling the
/// file under `media_dir`.
pub async fn receive(
    headers: &HeaderMap,
    body: Body,
    media_dir: &Path,
) -> Result<Received, Refusal> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(content_type).map_err(|_| Refusal::NotMultipart)?;
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(STREAM_MAX_BYTES));
    let mut multipart =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let outcome = read_fields(&mut multipart, media_dir).await;
    if outcome.is_err() {
        // Read what the client is still sending (up to the stream limit, writing none of
        // it) so that it gets our answer instead of a reset connection halfway through.
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
    }
    outcome
}

fn malformed(e: multer::Error) -> Refusal {
    match e {
        multer::Error::StreamSizeExceeded { .. } => Refusal::TooLarge {
            limit: VIDEO_MAX_BYTES,
        },
        other => Refusal::Malformed(other.to_string()),
    }
}

fn internal(e: std::io::Error) -> Refusal {
    Refusal::Internal(e.to_string())
}

async fn read_fields(
    multipart: &mut multer::Multipart<'_>,
    media_dir: &Path,
) -> Result<Received, Refusal> {
    let mut file: Option<(String, Format, Spool)> = None;
    let mut tags = String::new();
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        match field.name() {
            Some("file") if file.is_none() => {
                let name = sanitise_name(field.file_name().unwrap_or(""));
                let (format, spool) = spool_field(&mut field, media_dir).await?;
                file = Some((name, format, spool));
            }
            Some("file") => return Err(Refusal::Malformed("more than one file".into())),
            Some("tags") => {
                while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                    if tags.len() + chunk.len() > TAGS_FIELD_MAX {
                        return Err(Refusal::Tags(vec![Invalid::new(
                            "tags",
                            Reason::TooLong {
                                max: TAGS_FIELD_MAX,
                            },
                        )]));
                    }
                    let text = std::str::from_utf8(&chunk)
                        .map_err(|_| Refusal::Tags(vec![Invalid::new("tags", Reason::NotText)]))?;
                    tags.push_str(text);
                }
            }
            // Other fields (a form's submit button, say) are read past.
            _ => while field.chunk().await.map_err(malformed)?.is_some() {},
        }
    }
    let (name, format, file) = file.ok_or(Refusal::NoFile)?;
    let tags = parse_tags(&split_tags(&tags)).map_err(Refusal::Tags)?;
    Ok(Received {
        name,
        format,
        file,
        tags,
    })
}

/// Streams one file field to a spool: nothing touches the disk until the first bytes
/// have told the type, and the chunk that would pass the type's limit is refused before
/// it is written (the spool, dropped with the error, is removed).
async fn spool_field(
    field: &mut multer::Field<'_>,
    media_dir: &Path,
) -> Result<(Format, Spool), Refusal> {
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
    let mut sink: Option<(Format, Spool)> = None;
    let mut size = 0usize;
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        size = size.saturating_add(chunk.len());
        if let Some((format, spool)) = &mut sink {
            let limit = limit_for(*format);
            if size > limit {
                return Err(Refusal::TooLarge { limit });
            }
            spool.write(&chunk).await.map_err(internal)?;
            continue;
        }
        head.extend_from_slice(&chunk);
        if head.len() >= SNIFF_LEN {
            let format = sniff(&head).ok_or(Refusal::Unsupported)?;
            sink = Some((format, start(format, &head, media_dir).await?));
            head = Vec::new();
        }
    }
    let (format, mut spool) = match sink {
        Some(found) => found,
        None => {
            let format = sniff(&head).ok_or(Refusal::Unsupported)?;
            (format, start(format, &head, media_dir).await?)
        }
    };
    spool.flush().await.map_err(internal)?;
    Ok((format, spool))
}

/// A spool holding `head`, the first bytes of a file of `format`.
async fn start(format: Format, head: &[u8], media_dir: &Path) -> Result<Spool, Refusal> {
    let limit = limit_for(format);
    if head.len() > limit {
        return Err(Refusal::TooLarge { limit });
    }
    let mut spool = Spool::create(media_dir).await.map_err(internal)?;
    spool.write(head).await.map_err(internal)?;
    Ok(spool)
}

fn limit_for(format: Format) -> usize {
    match format.kind() {
        MediaKind::Video => VIDEO_MAX_BYTES,
        MediaKind::Image => IMAGE_MAX_BYTES,
    }
}

/// The file name as shown to people and offered on download: the last path segment,
/// without control or quoting characters, at most `NAME_MAX` characters.
pub fn sanitise_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(NAME_MAX)
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        "upload".to_owned()
    } else {
        clean.to_owned()
    }
}

/// Tags as typed in one box: separated by commas (ASCII or full-width) or spaces.
pub fn split_tags(text: &str) -> Vec<String> {
    text.split([',', '，', '、'])
        .flat_map(str::split_whitespace)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Tags stored bare (no `#`), each one word of at most `TAG_MAX` characters, duplicates
/// dropped, sorted.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, Vec<Invalid>> {
    let mut errors = Vec::new();
    if raw.len() > TAGS_MAX {
        errors.push(Invalid::new("tags", Reason::TooLong { max: TAGS_MAX }));
    }
    let mut tags: Vec<String> = Vec::new();
    for (i, tag) in raw.iter().enumerate() {
        let bare = tag.trim().trim_matches('#');
        let field = format!("tags[{i}]");
        if bare.is_empty() {
            errors.push(Invalid::new(field, Reason::Required));
        } else if bare.chars().count() > TAG_MAX {
            errors.push(Invalid::new(field, Reason::TooLong { max: TAG_MAX }));
        } else if bare.chars().any(char::is_control) {
            errors.push(Invalid::new(field, Reason::ControlCharacters));
        } else if bare.contains(char::is_whitespace) {
            errors.push(Invalid::new(field, Reason::NotText));
        } else if !tags.iter().any(|t| t == bare) {
            tags.push(bare.to_owned());
        }
    }
    tags.sort();
    if errors.is_empty() {
        Ok(tags)
    } else {
        Err(errors)
    }
}

/// Checks, thumbnails (images) or reads the boxes of (videos), stores and records a
/// received file.
pub async fn accept(
    state: &AppState,
    workspace: WorkspaceId,
    actor: UserId,
    received: Received,
) -> Result<Media, Refusal> {
    let Received {
        name,
        format,
        file,
        tags,
    } = received;
    let size = file.written();
    let path = file.path().to_owned();
    let (dimensions, thumb, duration_ms) = match format.image_format() {
        Some(image_format) => {
            let processed = tokio::task::spawn_blocking(move || {
                // At most `IMAGE_MAX_BYTES`: the spool refused anything larger.
                let data = std::fs::read(&path).map_err(|e| Refusal::Internal(e.to_string()))?;
                let image = imaging::decode(&data, image_format).map_err(Refusal::Image)?;
                let thumb = imaging::thumbnail(&image).map_err(Refusal::Image)?;
                Ok::<_, Refusal>(((image.width(), image.height()), thumb))
            })
            .await
            .map_err(|e| Refusal::Internal(e.to_string()))??;
            (Some(processed.0), Some(processed.1), None)
        }
        None => {
            let info = tokio::task::spawn_blocking(move || {
                let mut opened =
                    std::fs::File::open(&path).map_err(|e| Refusal::Internal(e.to_string()))?;
                isobmff::probe(&mut opened, size).map_err(Refusal::Video)
            })
            .await
            .map_err(|e| Refusal::Internal(e.to_string()))??;
            let VideoInfo {
                duration_ms,
                width,
                height,
            } = info;
            (width.zip(height), None, duration_ms)
        }
    };
    let key = objects::new_key(workspace);
    let files =
        objects::open(&state.config.media_dir).map_err(|e| Refusal::Internal(e.to_string()))?;
    let stored = async {
        objects::put_file(&files, &objects::original(&key), file).await?;
        if let Some(thumb) = thumb {
            objects::put(&files, &objects::thumb(&key), thumb.into()).await?;
        }
        Ok::<(), object_store::Error>(())
    }
    .await;
    if let Err(e) = stored {
        objects::remove_all(&files, &key, None).await;
        return Err(Refusal::Internal(e.to_string()));
    }
    let new = NewMedia {
        kind: format.kind(),
        mime: format.mime().to_owned(),
        bytes: i64::try_from(size).unwrap_or(i64::MAX),
        width: dimensions.map(|d| i64::from(d.0)),
        height: dimensions.map(|d| i64::from(d.1)),
        duration_ms: duration_ms.map(|d| i64::try_from(d).unwrap_or(i64::MAX)),
        original_name: name,
        storage_key: key.clone(),
        tags,
    };
    match state.store.create_media(workspace, actor, &new).await {
        Ok(media) => Ok(media),
        Err(e) => {
            objects::remove_all(&files, &key, None).await;
            Err(Refusal::Internal(e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_quoting() {
        let cases = [
            ("photo.jpg", "photo.jpg"),
            ("C:\\Users\\me\\封面.png", "封面.png"),
            ("../../etc/passwd", "passwd"),
            ("a\"b\r\n.gif", "ab.gif"),
            ("   ", "upload"),
            (".hidden", "hidden"),
            ("", "upload"),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitise_name(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn tags_are_split_cleaned_and_checked() {
        assert_eq!(
            split_tags("秋季, 咖啡，#新品 a"),
            ["秋季", "咖啡", "#新品", "a"]
        );
        assert_eq!(
            parse_tags(&split_tags("b #a a")).ok(),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        let long = "长".repeat(TAG_MAX + 1);
        let fields: Vec<String> = parse_tags(&["ok".into(), long, "#".into()])
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["tags[1]", "tags[2]"]);
    }
}
