//! Per-platform crops around a focal point. The ratios come from the platform table in
//! `fanloop_domain` (cover ratios and the ratio images should have), so a platform whose
//! rules change needs no edit here.

use fanloop_domain::{Platform, Ratio};

/// One crop the library offers, with the platforms that want it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CropSpec {
    pub ratio: Ratio,
    pub platforms: Vec<Platform>,
}

impl CropSpec {
    /// "2.35:1", "3:4": how operators name ratios.
    pub fn label(&self) -> String {
        let Ratio(w, h) = reduced(self.ratio);
        if h <= 16 {
            format!("{w}:{h}")
        } else {
            // Ratios such as 235:100 read as a decimal against 1.
            let value = f64::from(w) / f64::from(h);
            format!("{}:1", format!("{value:.2}").trim_end_matches('0'))
        }
    }

    /// The label as it appears in URLs: "2.35x1", "3x4".
    pub fn slug(&self) -> String {
        self.label().replace(':', "x")
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

fn reduced(Ratio(w, h): Ratio) -> Ratio {
    let g = gcd(w, h);
    Ratio(w / g, h / g)
}

/// Every distinct ratio any platform asks for, in platform order.
pub fn specs() -> Vec<CropSpec> {
    let mut specs: Vec<CropSpec> = Vec::new();
    for platform in Platform::ALL {
        let limits = platform.limits();
        let wanted = limits
            .cover_ratios
            .iter()
            .copied()
            .chain(limits.image_ratio);
        for ratio in wanted.filter(|r| r.0 > 0 && r.1 > 0) {
            match specs
                .iter_mut()
                .find(|s| reduced(s.ratio) == reduced(ratio))
            {
                Some(spec) if !spec.platforms.contains(&platform) => spec.platforms.push(platform),
                Some(_) => {}
                None => specs.push(CropSpec {
                    ratio,
                    platforms: vec![platform],
                }),
            }
        }
    }
    specs
}

pub fn by_slug(slug: &str) -> Option<CropSpec> {
    specs().into_iter().find(|s| s.slug() == slug)
}

/// A rectangle inside an image, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The largest rectangle of `ratio` inside a `width` × `height` image, centred on the
/// focal point (fractions 0..=1 of width and height) as far as the image edges allow.
pub fn crop_rect(width: u32, height: u32, ratio: Ratio, focal: (f64, f64)) -> Rect {
    let (w, h) = (u64::from(width.max(1)), u64::from(height.max(1)));
    let (rw, rh) = (u64::from(ratio.0.max(1)), u64::from(ratio.1.max(1)));
    // Compare w/h with rw/rh without division: the image is wider than the ratio when
    // w·rh > h·rw, and then the crop keeps the full height.
    let (cw, ch) = if w * rh > h * rw {
        (((h * rw + rh / 2) / rh).clamp(1, w), h)
    } else {
        (w, ((w * rh + rw / 2) / rw).clamp(1, h))
    };
    let place = |size: u64, crop: u64, at: f64| -> u64 {
        let at = if at.is_finite() {
            at.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let centre = at * size as f64;
        let start = (centre - crop as f64 / 2.0).round().max(0.0) as u64;
        start.min(size - crop)
    };
    Rect {
        x: place(w, cw, focal.0) as u32,
        y: place(h, ch, focal.1) as u32,
        width: cw as u32,
        height: ch as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_table_yields_the_expected_crops() {
        let slugs: Vec<String> = specs().iter().map(CropSpec::slug).collect();
        for want in ["2.35x1", "1x1", "3x4", "9x16", "16x9"] {
            assert!(
                slugs.iter().any(|s| s == want),
                "{want} missing from {slugs:?}"
            );
        }
        let douyin = by_slug("9x16").map(|s| s.platforms).unwrap_or_default();
        assert!(douyin.contains(&Platform::Douyin));
        assert_eq!(
            by_slug("2.35x1").map(|s| s.label()).as_deref(),
            Some("2.35:1")
        );
        assert!(by_slug("7x5").is_none());
    }

    #[test]
    fn crops_fit_the_image_and_centre_on_the_focal_point() {
        let r = |w, h| Ratio(w, h);
        #[rustfmt::skip]
        let cases = [
            // image      ratio        focal         → x, y, width, height
            ((1000, 1000), r(1, 1),    (0.5, 0.5),   (0, 0, 1000, 1000)),
            ((2000, 1000), r(1, 1),    (0.5, 0.5),   (500, 0, 1000, 1000)),
            ((2000, 1000), r(1, 1),    (0.0, 0.5),   (0, 0, 1000, 1000)),
            ((2000, 1000), r(1, 1),    (1.0, 0.5),   (1000, 0, 1000, 1000)),
            ((2000, 1000), r(1, 1),    (0.3, 0.9),   (100, 0, 1000, 1000)),
            ((1000, 1000), r(235, 100),(0.5, 0.5),   (0, 287, 1000, 426)),
            ((1000, 1000), r(235, 100),(0.5, 0.0),   (0, 0, 1000, 426)),
            ((1000, 1000), r(235, 100),(0.5, 1.0),   (0, 574, 1000, 426)),
            ((1920, 1080), r(9, 16),   (0.75, 0.5),  (1136, 0, 608, 1080)),
            ((1920, 1080), r(3, 4),    (0.1, 0.5),   (0, 0, 810, 1080)),
            ((1080, 1920), r(16, 9),   (0.5, 0.25),  (0, 176, 1080, 608)),
            ((1, 1),       r(235, 100),(0.5, 0.5),   (0, 0, 1, 1)),
            ((3, 1000),    r(16, 9),   (0.5, 0.5),   (0, 499, 3, 2)),
            ((800, 600),   r(1, 1),    (f64::NAN, 2.0), (100, 0, 600, 600)),
        ];
        for ((w, h), ratio, focal, (x, y, cw, ch)) in cases {
            let got = crop_rect(w, h, ratio, focal);
            assert_eq!(
                got,
                Rect {
                    x,
                    y,
                    width: cw,
                    height: ch
                },
                "{w}x{h} {ratio:?} {focal:?}"
            );
            assert!(got.x + got.width <= w && got.y + got.height <= h);
        }
    }
}
