//! Reading, checking and resizing images. Everything here is CPU-bound and is called
//! through `spawn_blocking` by the handlers.

use super::crop::Rect;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// Images above this many pixels are refused before decoding: a small file can declare
/// huge dimensions, and decoding it would take gigabytes (a decompression bomb).
pub const MAX_PIXELS: u64 = 40_000_000;
/// No single side beyond this, whatever the area.
pub const MAX_SIDE: u32 = 20_000;
/// Width of the thumbnails in the library grid.
pub const THUMB_WIDTH: u32 = 320;
/// Crops are rendered no larger than this on their long side: enough for every
/// platform's cover, small enough to render on demand.
pub const CROP_MAX_SIDE: u32 = 1280;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageProblem {
    /// Declared dimensions beyond the limits.
    TooLarge { width: u32, height: u32 },
    /// The header or the data could not be read.
    Unreadable(String),
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Belt and braces: the decoder refuses on its own too, should a format report
    // different dimensions in its header and its data.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    reader
}

/// The dimensions from the header alone, refused when beyond the limits.
pub fn probe(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), ImageProblem> {
    let (width, height) = reader(bytes, format)
        .into_dimensions()
        .map_err(|e| ImageProblem::Unreadable(e.to_string()))?;
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        return Err(ImageProblem::Unreadable("empty image".into()));
    }
    if pixels > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageProblem::TooLarge { width, height });
    }
    Ok((width, height))
}

/// Decodes after `probe` has accepted the dimensions.
pub fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, ImageProblem> {
    probe(bytes, format)?;
    reader(bytes, format)
        .decode()
        .map_err(|e| ImageProblem::Unreadable(e.to_string()))
}

/// RGB on a white background: JPEG has no transparency, and black (what dropping the
/// alpha channel gives) would hide dark logos.
fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

fn jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, ImageProblem> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|e| ImageProblem::Unreadable(e.to_string()))?;
    Ok(out)
}

/// A JPEG `THUMB_WIDTH` wide (or the image's own width if narrower).
pub fn thumbnail(image: &DynamicImage) -> Result<Vec<u8>, ImageProblem> {
    let (w, h) = (image.width().max(1), image.height().max(1));
    let small = if w > THUMB_WIDTH {
        let th = ((u64::from(h) * u64::from(THUMB_WIDTH)) / u64::from(w)).max(1) as u32;
        image.thumbnail_exact(THUMB_WIDTH, th)
    } else {
        image.clone()
    };
    jpeg(&flatten(&small), 80)
}

/// The crop `rect` of the image as a JPEG, scaled down to `CROP_MAX_SIDE` if larger.
pub fn render_crop(image: &DynamicImage, rect: Rect) -> Result<Vec<u8>, ImageProblem> {
    let cut = image.crop_imm(rect.x, rect.y, rect.width, rect.height);
    let long = rect.width.max(rect.height);
    let scaled = if long > CROP_MAX_SIDE {
        let scale =
            |n: u32| ((u64::from(n) * u64::from(CROP_MAX_SIDE)) / u64::from(long)).max(1) as u32;
        cut.resize_exact(
            scale(rect.width),
            scale(rect.height),
            image::imageops::FilterType::Triangle,
        )
    } else {
        cut
    };
    jpeg(&flatten(&scaled), 85)
}
