//! What a file is, from its first bytes. The name and the declared Content-Type are
//! chosen by the sender and so are never trusted.

use fanloop_store::media::MediaKind;

/// A format the library accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Mp4,
    Mov,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Mp4 => "video/mp4",
            Format::Mov => "video/quicktime",
        }
    }

    pub fn kind(self) -> MediaKind {
        match self {
            Format::Mp4 | Format::Mov => MediaKind::Video,
            _ => MediaKind::Image,
        }
    }

    /// The decoder to use; `None` for video, which is stored but not decoded.
    pub fn image_format(self) -> Option<image::ImageFormat> {
        match self {
            Format::Jpeg => Some(image::ImageFormat::Jpeg),
            Format::Png => Some(image::ImageFormat::Png),
            Format::Webp => Some(image::ImageFormat::WebP),
            Format::Gif => Some(image::ImageFormat::Gif),
            Format::Mp4 | Format::Mov => None,
        }
    }
}

/// How many leading bytes `sniff` needs to decide.
pub const SNIFF_LEN: usize = 16;

/// ISO base-media brands of ordinary MP4 video. HEIC and AVIF share the container but
/// are still images the thumbnailer cannot read, so they are not on this list.
const MP4_BRANDS: &[&[u8; 4]] = &[
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
    b"M4VH", b"M4VP", b"dash", b"mmp4", b"MSNV", b"3gp4", b"3gp5", b"3gp6",
];

pub fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(Format::Gif);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(Format::Webp);
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        if brand == b"qt  " {
            return Some(Format::Mov);
        }
        if MP4_BRANDS.iter().any(|b| b.as_slice() == brand) {
            return Some(Format::Mp4);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_known_by_their_bytes() {
        let cases: [(&[u8], Option<Format>); 11] = [
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF\0", Some(Format::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(Format::Png)),
            (b"GIF89a\x01\0\x01\0", Some(Format::Gif)),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Some(Format::Webp)),
            (b"\0\0\0\x18ftypmp42\0\0\0\0", Some(Format::Mp4)),
            (b"\0\0\0\x14ftypqt  \0\0\0\0", Some(Format::Mov)),
            (b"\0\0\0\x18ftypheic\0\0\0\0", None),
            (b"RIFF\x24\0\0\0WAVEfmt ", None),
            (b"hello, I am a png", None),
            (b"<svg xmlns=", None),
            (b"", None),
        ];
        for (head, want) in cases {
            assert_eq!(sniff(head), want, "{}", String::from_utf8_lossy(head));
        }
    }
}
