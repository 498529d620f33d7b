//! Receiving an upload: the multipart body read with our own limits (the app-wide 1 MiB
//! body cap is for JSON and forms; this reader stops at the limit for the file's kind),
//! the type sniffed from the bytes, images checked and thumbnailed, then the files put
//! in the object store and the row recorded. A refused upload leaves nothing behind.

use super::imaging::{self, ImageProblem};
use super::objects;
use super::sniff::{Format, SNIFF_LEN, sniff};
use crate::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, header};
use fanloop_domain::{Invalid, Reason, UserId, WorkspaceId};
use fanloop_store::media::{Media, MediaKind, NewMedia};

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
    Tags(Vec<Invalid>),
    /// Our side failed (object store or database).
    Internal(String),
}

/// A file received whole, its type known.
pub struct Received {
    pub name: String,
    pub format: Format,
    pub bytes: Vec<u8>,
    pub tags: Vec<String>,
}

/// Reads the `file` field (and an optional `tags` field, comma-separated).
pub async fn receive(headers: &HeaderMap, body: Body) -> Result<Received, Refusal> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(content_type).map_err(|_| Refusal::NotMultipart)?;
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(STREAM_MAX_BYTES));
    let mut multipart =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let outcome = read_fields(&mut multipart).await;
    if outcome.is_err() {
        // Read what the client is still sending (up to the stream limit) so that it
        // gets our answer instead of a reset connection halfway through its upload.
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
    }
    outcome
}

async fn read_fields(multipart: &mut multer::Multipart<'_>) -> Result<Received, Refusal> {
    let malformed = |e: multer::Error| match e {
        multer::Error::StreamSizeExceeded { .. } => Refusal::TooLarge {
            limit: VIDEO_MAX_BYTES,
        },
        other => Refusal::Malformed(other.to_string()),
    };
    let mut file: Option<(String, Format, Vec<u8>)> = None;
    let mut tags = String::new();
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        match field.name() {
            Some("file") if file.is_none() => {
                let name = sanitise_name(field.file_name().unwrap_or(""));
                let mut bytes: Vec<u8> = Vec::new();
                let mut format = None;
                while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                    bytes.extend_from_slice(&chunk);
                    if format.is_none() && bytes.len() >= SNIFF_LEN {
                        format = Some(sniff(&bytes).ok_or(Refusal::Unsupported)?);
                    }
                    let limit = limit_for(format);
                    if bytes.len() > limit {
                        return Err(Refusal::TooLarge { limit });
                    }
                }
                let format = match format {
                    Some(format) => format,
                    None => sniff(&bytes).ok_or(Refusal::Unsupported)?,
                };
                file = Some((name, format, bytes));
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
    let (name, format, bytes) = file.ok_or(Refusal::NoFile)?;
    let tags = parse_tags(&split_tags(&tags)).map_err(Refusal::Tags)?;
    Ok(Received {
        name,
        format,
        bytes,
        tags,
    })
}

/// Until the type is known the smaller (image) limit applies, which is far above the
/// bytes needed to sniff.
fn limit_for(format: Option<Format>) -> usize {
    match format.map(Format::kind) {
        Some(MediaKind::Video) => VIDEO_MAX_BYTES,
        _ => IMAGE_MAX_BYTES,
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

/// Checks, thumbnails, stores and records a received file.
pub async fn accept(
    state: &AppState,
    workspace: WorkspaceId,
    actor: UserId,
    received: Received,
) -> Result<Media, Refusal> {
    let Received {
        name,
        format,
        bytes,
        tags,
    } = received;
    let size = bytes.len();
    let bytes = axum::body::Bytes::from(bytes);
    let (dimensions, thumb) = match format.image_format() {
        Some(image_format) => {
            let data = bytes.clone();
            let processed = tokio::task::spawn_blocking(move || {
                let image = imaging::decode(&data, image_format)?;
                let thumb = imaging::thumbnail(&image)?;
                Ok::<_, ImageProblem>(((image.width(), image.height()), thumb))
            })
            .await
            .map_err(|e| Refusal::Internal(e.to_string()))?
            .map_err(Refusal::Image)?;
            (Some(processed.0), Some(processed.1))
        }
        None => (None, None),
    };
    let key = objects::new_key(workspace);
    let files =
        objects::open(&state.config.media_dir).map_err(|e| Refusal::Internal(e.to_string()))?;
    let stored = async {
        objects::put(&files, &objects::original(&key), bytes).await?;
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
