//! The box parser against files built here box by box: valid layouts, then every way a
//! file can lie about its sizes.

use super::*;
use std::io::Cursor;

fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(body.len() + 8)
        .expect("test box fits in 32 bits")
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn large(kind: &[u8; 4], declared: u64, body: &[u8]) -> Vec<u8> {
    let mut out = 1u32.to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(&declared.to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn mvhd(timescale: u32, duration: u32) -> Vec<u8> {
    let mut body = vec![0u8; 100];
    body[12..16].copy_from_slice(&timescale.to_be_bytes());
    body[16..20].copy_from_slice(&duration.to_be_bytes());
    bx(b"mvhd", &body)
}

fn mvhd_v1(timescale: u32, duration: u64) -> Vec<u8> {
    let mut body = vec![0u8; 112];
    body[0] = 1;
    body[20..24].copy_from_slice(&timescale.to_be_bytes());
    body[24..32].copy_from_slice(&duration.to_be_bytes());
    bx(b"mvhd", &body)
}

const IDENTITY: [u32; 9] = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x4000_0000];
const QUARTER: [u32; 9] = [0, 0x10000, 0, 0xFFFF_0000, 0, 0, 0, 0, 0x4000_0000];

fn tkhd(version: u8, width: u32, height: u32, matrix: [u32; 9]) -> Vec<u8> {
    let at = if version == 1 { 52 } else { 40 };
    let mut body = vec![0u8; at + 44];
    body[0] = version;
    for (i, m) in matrix.iter().enumerate() {
        body[at + 4 * i..at + 4 * i + 4].copy_from_slice(&m.to_be_bytes());
    }
    body[at + 36..at + 40].copy_from_slice(&(width << 16).to_be_bytes());
    body[at + 40..at + 44].copy_from_slice(&(height << 16).to_be_bytes());
    bx(b"tkhd", &body)
}

fn trak(header: Vec<u8>, handler: &[u8; 4]) -> Vec<u8> {
    let mut hdlr = vec![0u8; 24];
    hdlr[8..12].copy_from_slice(handler);
    let mdia = bx(b"mdia", &bx(b"hdlr", &hdlr));
    bx(b"trak", &[header, mdia].concat())
}

fn ftyp() -> Vec<u8> {
    bx(b"ftyp", b"isom\0\0\0\0isommp42")
}

/// A portrait 15-second clip with a sound track listed first.
fn clip() -> Vec<u8> {
    let moov = bx(
        b"moov",
        &[
            mvhd(1000, 15_000),
            trak(tkhd(0, 0, 0, IDENTITY), b"soun"),
            trak(tkhd(0, 1080, 1920, IDENTITY), b"vide"),
        ]
        .concat(),
    );
    [ftyp(), moov, bx(b"mdat", &[0; 64])].concat()
}

fn probe_bytes(file: &[u8]) -> Result<VideoInfo, BoxError> {
    probe(&mut Cursor::new(file), file.len() as u64)
}

fn info(ms: u64, width: u32, height: u32) -> Result<VideoInfo, BoxError> {
    Ok(VideoInfo {
        duration_ms: Some(ms),
        width: Some(width),
        height: Some(height),
    })
}

#[test]
fn valid_files_yield_duration_and_picture_size() {
    let moov_last = {
        let moov = bx(
            b"moov",
            &[mvhd(600, 900), trak(tkhd(0, 1920, 1080, IDENTITY), b"vide")].concat(),
        );
        [ftyp(), large(b"mdat", 16 + 32, &[0; 32]), moov].concat()
    };
    let rotated = {
        let moov = bx(
            b"moov",
            &[
                mvhd_v1(90_000, 90_000 * 61 + 45_000),
                trak(tkhd(1, 1920, 1080, QUARTER), b"vide"),
            ]
            .concat(),
        );
        [ftyp(), moov].concat()
    };
    let no_handler = {
        let moov = bx(
            b"moov",
            &[
                mvhd(1000, u32::MAX),
                bx(b"trak", &tkhd(0, 720, 720, IDENTITY)),
            ]
            .concat(),
        );
        [ftyp(), moov].concat()
    };
    let fragmented = {
        let mehd = bx(b"mehd", &[0, 0, 0, 0, 0, 0, 0x75, 0x30]);
        let moov = bx(
            b"moov",
            &[
                mvhd(1000, 0),
                bx(b"mvex", &mehd),
                trak(tkhd(0, 1080, 1350, IDENTITY), b"vide"),
            ]
            .concat(),
        );
        [ftyp(), moov, bx(b"moof", &[]), bx(b"mdat", &[1; 8])].concat()
    };
    let to_the_end = [
        clip(),
        0u32.to_be_bytes().to_vec(),
        b"mdat".to_vec(),
        vec![0; 40],
    ]
    .concat();
    let cases: [(&str, Vec<u8>, Result<VideoInfo, BoxError>); 6] = [
        ("portrait clip", clip(), info(15_000, 1080, 1920)),
        (
            "movie after a 64-bit mdat",
            moov_last,
            info(1_500, 1920, 1080),
        ),
        (
            "rotated phone video, version 1",
            rotated,
            info(61_500, 1080, 1920),
        ),
        (
            "no handler, unknown duration",
            no_handler,
            Ok(VideoInfo {
                duration_ms: None,
                width: Some(720),
                height: Some(720),
            }),
        ),
        ("fragmented", fragmented, info(30_000, 1080, 1350)),
        (
            "last box runs to the end",
            to_the_end,
            info(15_000, 1080, 1920),
        ),
    ];
    for (name, file, want) in cases {
        assert_eq!(probe_bytes(&file), want, "{name}");
    }
}

#[test]
fn lying_sizes_are_clear_errors() {
    let clip = clip();
    let moov_at = ftyp().len() as u64;
    let huge_moov = [ftyp(), {
        let mut b = bx(b"moov", &mvhd(1000, 1));
        b[..4].copy_from_slice(&u32::MAX.to_be_bytes());
        b
    }]
    .concat();
    let huge_large = [ftyp(), large(b"mdat", u64::MAX, &[0; 8])].concat();
    let tiny = [
        ftyp(),
        bx(b"free", &[]),
        vec![0, 0, 0, 4, b'f', b'r', b'e', b'e'],
    ]
    .concat();
    let tiny_large = [ftyp(), large(b"mdat", 8, &[0; 8])].concat();
    let zero_inside = [
        ftyp(),
        bx(
            b"moov",
            &[mvhd(1000, 1), vec![0, 0, 0, 0, b't', b'r', b'a', b'k']].concat(),
        ),
    ]
    .concat();
    let short_mvhd = [ftyp(), bx(b"moov", &bx(b"mvhd", &[0; 10]))].concat();
    let no_scale = [ftyp(), bx(b"moov", &mvhd(0, 100))].concat();
    let no_movie = [ftyp(), bx(b"mdat", &[0; 32])].concat();
    let zeros = [ftyp(), vec![0; 256]].concat();
    let cases: [(&str, &[u8], BoxError); 11] = [
        (
            "cut inside the movie",
            &clip[..moov_at as usize + 40],
            BoxError::Overlong {
                kind: "moov".into(),
                at: moov_at,
                declared: (clip.len() - 72 - moov_at as usize) as u64,
                available: 40,
            },
        ),
        (
            "cut inside a header",
            &clip[..moov_at as usize + 5],
            BoxError::TruncatedHeader { at: moov_at },
        ),
        (
            "4 GB movie in a small file",
            &huge_moov,
            BoxError::Overlong {
                kind: "moov".into(),
                at: moov_at,
                declared: u64::from(u32::MAX),
                available: 8 + 108,
            },
        ),
        (
            "64-bit size of 16 EB",
            &huge_large,
            BoxError::Overlong {
                kind: "mdat".into(),
                at: moov_at,
                declared: u64::MAX,
                available: 24,
            },
        ),
        (
            "size smaller than a header",
            &tiny,
            BoxError::Undersized {
                kind: "free".into(),
                at: moov_at + 8,
                declared: 4,
            },
        ),
        (
            "64-bit size smaller than its header",
            &tiny_large,
            BoxError::Undersized {
                kind: "mdat".into(),
                at: moov_at,
                declared: 8,
            },
        ),
        (
            "zero size inside the movie",
            &zero_inside,
            BoxError::ZeroSize {
                kind: "trak".into(),
                at: moov_at + 8 + 108,
            },
        ),
        (
            "movie header too short",
            &short_mvhd,
            BoxError::ShortFields { kind: "mvhd" },
        ),
        ("time scale 0", &no_scale, BoxError::NoTimescale),
        ("no movie box", &no_movie, BoxError::NoMovie),
        ("zeros after the type box", &zeros, BoxError::NoMovie),
    ];
    for (name, file, want) in cases {
        assert_eq!(probe_bytes(file), Err(want), "{name}");
    }
}

/// Reads as `len` bytes: `data`, then zeros, without holding them.
struct Sparse {
    data: Vec<u8>,
    len: u64,
    pos: u64,
}

impl Read for Sparse {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.len.saturating_sub(self.pos)) as usize;
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = self
                .data
                .get((self.pos + i as u64) as usize)
                .copied()
                .unwrap_or(0);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Sparse {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        if let SeekFrom::Start(p) = to {
            self.pos = p;
        }
        Ok(self.pos)
    }
}

#[test]
fn a_huge_movie_box_is_refused_before_it_is_read() {
    let declared = 3 * MAX_MOVIE;
    let data = [ftyp(), large(b"moov", declared, &[])].concat();
    let len = ftyp().len() as u64 + declared;
    let mut file = Sparse { data, len, pos: 0 };
    assert_eq!(
        probe(&mut file, len),
        Err(BoxError::MovieTooLarge(declared - 16))
    );
}

#[test]
fn deep_nesting_costs_no_stack() {
    // 100 000 boxes inside one another, in the movie and in a track: only the fixed
    // path is opened, so this is one linear walk.
    let depth = 100_000u32;
    let nested: Vec<u8> = (0..depth)
        .flat_map(|level| {
            let mut header = (8 * (depth - level)).to_be_bytes().to_vec();
            header.extend_from_slice(b"udta");
            header
        })
        .collect();
    let video = bx(
        b"trak",
        &[tkhd(0, 1080, 1920, IDENTITY), nested.clone()].concat(),
    );
    let moov = bx(b"moov", &[nested, mvhd(1000, 15_000), video].concat());
    assert_eq!(
        probe_bytes(&[ftyp(), moov].concat()),
        info(15_000, 1080, 1920)
    );
}

#[test]
fn too_many_top_level_boxes_stop_the_scan() {
    let file: Vec<u8> = (0..=MAX_TOP_BOXES).flat_map(|_| bx(b"free", &[])).collect();
    assert_eq!(probe_bytes(&file), Err(BoxError::TooManyBoxes));
}

#[test]
fn every_cut_and_every_corrupted_byte_is_an_answer_not_a_panic() {
    let clip = clip();
    for end in 0..clip.len() {
        let _ = probe_bytes(&clip[..end]);
    }
    for at in 0..clip.len() {
        for value in [0x00, 0x01, 0x7F, 0xFF] {
            let mut bad = clip.clone();
            bad[at] = value;
            let _ = probe_bytes(&bad);
        }
    }
}
