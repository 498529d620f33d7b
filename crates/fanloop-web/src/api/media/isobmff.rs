//! A video's duration and picture size, read from the boxes of its ISO base-media file
//! (MP4 and QuickTime share the structure) without decoding a frame.
//!
//! Nothing the file declares is trusted: every box must fit inside its parent, sizes
//! smaller than a header or larger than what remains are errors, and only the few boxes
//! on a fixed path are opened (`moov` → `mvhd`, `mvex/mehd`, `trak` → `tkhd`,
//! `mdia/hdlr`), so no nesting depth can exhaust the stack. The movie box is the only
//! part read into memory, and its size is capped; the media data is skipped by seeking.

use std::io::{Read, Seek, SeekFrom};

/// What the boxes say about a video. Any part may be unknown (a track without a
/// picture size, a movie with no stated duration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VideoInfo {
    pub duration_ms: Option<u64>,
    /// The picture as shown: a track rotated a quarter turn by its matrix (how phones
    /// store portrait video) has its width and height swapped.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Why a file's boxes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoxError {
    #[error("the file ends inside a box header at byte {at}")]
    TruncatedHeader { at: u64 },
    #[error("box `{kind}` at byte {at} declares {declared} bytes but only {available} remain")]
    Overlong {
        kind: String,
        at: u64,
        declared: u64,
        available: u64,
    },
    #[error("box `{kind}` at byte {at} declares {declared} bytes, less than its own header")]
    Undersized {
        kind: String,
        at: u64,
        declared: u64,
    },
    #[error("box `{kind}` at byte {at} has size 0 inside another box")]
    ZeroSize { kind: String, at: u64 },
    #[error("box `{kind}` is too short for its fields")]
    ShortFields { kind: &'static str },
    #[error("the movie's time scale is 0")]
    NoTimescale,
    #[error("the file has more than {MAX_TOP_BOXES} top-level boxes")]
    TooManyBoxes,
    #[error("the movie box is {0} bytes, over the {MAX_MOVIE} byte limit")]
    MovieTooLarge(u64),
    #[error("no movie box (`moov`): the file holds no playable video")]
    NoMovie,
    #[error("reading the file failed: {0}")]
    Io(String),
}

impl BoxError {
    /// Whether the file is cut short (an interrupted copy or upload) rather than
    /// malformed; people are told to export or copy it again.
    pub fn is_truncated(&self) -> bool {
        matches!(
            self,
            BoxError::TruncatedHeader { .. } | BoxError::Overlong { .. }
        )
    }
}

/// The largest movie box read. It holds the sample tables, a few megabytes even for an
/// hour of video; anything far larger is not a file we should hold in memory.
pub const MAX_MOVIE: u64 = 64 * 1024 * 1024;
/// Top-level boxes scanned before giving up: real files have a handful.
pub const MAX_TOP_BOXES: usize = 10_000;

const HEADER: usize = 8;
const LARGE_HEADER: usize = 16;

/// One box: its four-character type, where it starts, and its header and total length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    kind: [u8; 4],
    at: u64,
    header: u64,
    size: u64,
}

fn kind_text(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect()
}

/// Decodes the header in `head` (the bytes at `at`, up to 16) of a box with `available`
/// bytes left in its parent. A size of 0 means "to the end of the file" and is accepted
/// only at the top level, as the format allows; inside another box it is an error.
fn header(head: &[u8], at: u64, available: u64, top_level: bool) -> Result<Header, BoxError> {
    let truncated = BoxError::TruncatedHeader { at };
    let word = |from: usize| -> Option<u32> {
        let bytes = head.get(from..from + 4)?;
        Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    };
    if (head.len() as u64) < HEADER as u64 || available < HEADER as u64 {
        return Err(truncated);
    }
    let size32 = word(0).ok_or(truncated.clone())?;
    let kind = [head[4], head[5], head[6], head[7]];
    let (header, size) = match size32 {
        0 if top_level => (HEADER as u64, available),
        0 => {
            return Err(BoxError::ZeroSize {
                kind: kind_text(&kind),
                at,
            });
        }
        1 => {
            if available < LARGE_HEADER as u64 {
                return Err(truncated);
            }
            let high = word(8).ok_or(truncated.clone())?;
            let low = word(12).ok_or(truncated)?;
            (
                LARGE_HEADER as u64,
                (u64::from(high) << 32) | u64::from(low),
            )
        }
        n => (HEADER as u64, u64::from(n)),
    };
    if size < header {
        return Err(BoxError::Undersized {
            kind: kind_text(&kind),
            at,
            declared: size,
        });
    }
    if size > available {
        return Err(BoxError::Overlong {
            kind: kind_text(&kind),
            at,
            declared: size,
            available,
        });
    }
    Ok(Header {
        kind,
        at,
        header,
        size,
    })
}

/// The boxes directly inside `data` (a box's body starting at file offset `base`), each
/// as its header and body. The first malformed box ends the walk with its error.
fn children(data: &[u8], base: u64) -> impl Iterator<Item = Result<(Header, &[u8]), BoxError>> {
    let mut pos = 0usize;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || pos >= data.len() {
            return None;
        }
        let rest = &data[pos..];
        let at = base + pos as u64;
        let found = header(
            &rest[..rest.len().min(LARGE_HEADER)],
            at,
            rest.len() as u64,
            false,
        );
        match found {
            Ok(h) => {
                // Both fit in `rest`, which `header` checked.
                let body = &rest[h.header as usize..h.size as usize];
                pos += h.size as usize;
                Some(Ok((h, body)))
            }
            Err(e) => {
                failed = true;
                Some(Err(e))
            }
        }
    })
}

/// The first box of type `kind` directly inside `data`.
fn child<'a>(
    data: &'a [u8],
    base: u64,
    kind: &[u8; 4],
) -> Result<Option<(Header, &'a [u8])>, BoxError> {
    for found in children(data, base) {
        let (h, body) = found?;
        if &h.kind == kind {
            return Ok(Some((h, body)));
        }
    }
    Ok(None)
}

/// Reads the duration and picture size of the video in `file` (`len` bytes long).
/// Only the top-level headers and the movie box are read.
pub fn probe<R: Read + Seek>(file: &mut R, len: u64) -> Result<VideoInfo, BoxError> {
    let io = |e: std::io::Error| BoxError::Io(e.to_string());
    let mut pos = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        if pos >= len {
            return Err(BoxError::NoMovie);
        }
        let mut head = [0u8; LARGE_HEADER];
        let want = (len - pos).min(LARGE_HEADER as u64) as usize;
        file.seek(SeekFrom::Start(pos)).map_err(io)?;
        file.read_exact(&mut head[..want]).map_err(io)?;
        let h = header(&head[..want], pos, len - pos, true)?;
        if &h.kind == b"moov" {
            let body_len = h.size - h.header;
            if body_len > MAX_MOVIE {
                return Err(BoxError::MovieTooLarge(body_len));
            }
            let mut body = vec![0u8; body_len as usize];
            file.seek(SeekFrom::Start(pos + h.header)).map_err(io)?;
            file.read_exact(&mut body).map_err(io)?;
            return movie(&body, pos + h.header);
        }
        pos += h.size;
    }
    Err(BoxError::TooManyBoxes)
}

/// Reads the movie box's body.
fn movie(moov: &[u8], base: u64) -> Result<VideoInfo, BoxError> {
    let mut timescale = None;
    let (mut stated, mut fragmented) = (None, None);
    let (mut picture, mut fallback) = (None, None);
    for found in children(moov, base) {
        let (h, body) = found?;
        match &h.kind {
            b"mvhd" => {
                let (scale, duration) = movie_header(body)?;
                timescale = Some(scale);
                stated = duration;
            }
            // A fragmented file states its whole duration here instead.
            b"mvex" => {
                if let Some((_, mehd)) = child(body, h.at + h.header, b"mehd")? {
                    fragmented = fragment_duration(mehd)?;
                }
            }
            b"trak" => match track(body, h.at + h.header)? {
                Some(t) if t.video && picture.is_none() => picture = Some(t.size),
                Some(t) if !t.video && fallback.is_none() => fallback = Some(t.size),
                _ => {}
            },
            _ => {}
        }
    }
    let size = picture.or(fallback);
    Ok(VideoInfo {
        duration_ms: timescale.and_then(|s| stated.or(fragmented).map(|d| to_ms(d, s))),
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
    })
}

fn be32(data: &[u8], at: usize, kind: &'static str) -> Result<u32, BoxError> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(BoxError::ShortFields { kind })
}

fn be64(data: &[u8], at: usize, kind: &'static str) -> Result<u64, BoxError> {
    Ok((u64::from(be32(data, at, kind)?) << 32) | u64::from(be32(data, at + 4, kind)?))
}

/// The movie header's time scale and duration (version 0: 32-bit times; version 1:
/// 64-bit). A zero or all-ones duration means "not stated".
fn movie_header(mvhd: &[u8]) -> Result<(u32, Option<u64>), BoxError> {
    const KIND: &str = "mvhd";
    let version = *mvhd.first().ok_or(BoxError::ShortFields { kind: KIND })?;
    let (timescale, duration) = if version == 1 {
        (be32(mvhd, 20, KIND)?, be64(mvhd, 24, KIND)?)
    } else {
        let d = be32(mvhd, 16, KIND)?;
        let d = if d == u32::MAX {
            u64::MAX
        } else {
            u64::from(d)
        };
        (be32(mvhd, 12, KIND)?, d)
    };
    if timescale == 0 {
        return Err(BoxError::NoTimescale);
    }
    Ok((
        timescale,
        Some(duration).filter(|&d| d != 0 && d != u64::MAX),
    ))
}

fn fragment_duration(mehd: &[u8]) -> Result<Option<u64>, BoxError> {
    const KIND: &str = "mehd";
    let version = *mehd.first().ok_or(BoxError::ShortFields { kind: KIND })?;
    let duration = if version == 1 {
        be64(mehd, 4, KIND)?
    } else {
        u64::from(be32(mehd, 4, KIND)?)
    };
    Ok(Some(duration).filter(|&d| d != 0))
}

fn to_ms(duration: u64, timescale: u32) -> u64 {
    let ms = u128::from(duration) * 1000 / u128::from(timescale);
    u64::try_from(ms).unwrap_or(u64::MAX)
}

/// A track with a picture.
struct Track {
    /// Whether its handler says it is video (a picture may also be a still or text).
    video: bool,
    /// Width and height as shown.
    size: (u32, u32),
}

/// The track's picture, `None` for tracks without one (sound).
fn track(trak: &[u8], base: u64) -> Result<Option<Track>, BoxError> {
    let mut size = None;
    let mut video = false;
    for found in children(trak, base) {
        let (h, body) = found?;
        match &h.kind {
            b"tkhd" => size = track_header(body)?,
            b"mdia" => {
                if let Some((_, hdlr)) = child(body, h.at + h.header, b"hdlr")? {
                    video = hdlr.get(8..12) == Some(b"vide".as_slice());
                }
            }
            _ => {}
        }
    }
    Ok(size.map(|size| Track { video, size }))
}

/// The track header's width and height (16.16 fixed point, rounded), swapped when the
/// matrix turns the picture a quarter.
fn track_header(tkhd: &[u8]) -> Result<Option<(u32, u32)>, BoxError> {
    const KIND: &str = "tkhd";
    let version = *tkhd.first().ok_or(BoxError::ShortFields { kind: KIND })?;
    // Version, flags, times, track id and duration come first; then reserved words,
    // layer, group, volume; then the 3×3 matrix and the size.
    let matrix = if version == 1 { 52 } else { 40 };
    let a = be32(tkhd, matrix, KIND)?;
    let b = be32(tkhd, matrix + 4, KIND)?;
    let c = be32(tkhd, matrix + 12, KIND)?;
    let d = be32(tkhd, matrix + 16, KIND)?;
    let fixed = |v: u32| (v >> 16) + ((v >> 15) & 1);
    let width = fixed(be32(tkhd, matrix + 36, KIND)?);
    let height = fixed(be32(tkhd, matrix + 40, KIND)?);
    if width == 0 || height == 0 {
        return Ok(None);
    }
    let quarter_turn = a == 0 && d == 0 && b != 0 && c != 0;
    Ok(Some(if quarter_turn {
        (height, width)
    } else {
        (width, height)
    }))
}

#[cfg(test)]
#[path = "isobmff_tests.rs"]
mod tests;
