//! The Bluesky connector: against a real PDS (`real`, started once per run by `pds`)
//! and, for failures a real PDS will not produce on demand, against the fake (`fake`).

mod fake;
mod pds;
mod real;

use fanloop_domain::Platform;
use fanloop_platforms::{
    ChannelConfig, ErrorClass, MediaFile, Outgoing, PublishError, Reason, Session,
};
use fanloop_render::{BlueskyPost, Body, Options, Target};
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// The wall clock in ms: the PDS's tokens expire in real time, so the engine's clock
/// in these tests is the real one.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn config(service_url: &str, identifier: &str, app_password: &str) -> ChannelConfig {
    ChannelConfig {
        channel_id: 1,
        platform: Platform::Bluesky,
        settings: BTreeMap::from([
            ("service_url".to_owned(), service_url.to_owned()),
            ("identifier".to_owned(), identifier.to_owned()),
        ]),
        secrets: BTreeMap::from([("app_password".to_owned(), app_password.to_owned())]),
    }
}

fn session() -> Session {
    Session {
        now_ms: now_ms(),
        ..Session::default()
    }
}

/// A publication of Markdown rendered for Bluesky.
fn outgoing(key: &str, markdown: &str) -> Outgoing {
    Outgoing {
        key: key.to_owned(),
        rendered: fanloop_render::render(markdown, Target::Bluesky, &Options::default()),
        cover: None,
        images: Vec::new(),
        first_attempt_ms: now_ms(),
    }
}

/// A publication of exactly this text, with no facets.
fn plain(key: &str, text: &str) -> Outgoing {
    let mut post = outgoing(key, "placeholder");
    post.rendered.body = Body::Bluesky(BlueskyPost {
        text: text.to_owned(),
        facets: Vec::new(),
        mentions: Vec::new(),
    });
    post
}

/// A valid 1×1 PNG: the PDS sniffs uploaded blobs, so the bytes must be a real image.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0x9f, 0xc6, 0x00,
    0x00, 0x03, 0xcd, 0x01, 0x66, 0xc3, 0x6c, 0xff, 0x5a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

fn png(alt: &str) -> MediaFile {
    MediaFile {
        file_name: "pixel.png".to_owned(),
        content_type: "image/png".to_owned(),
        bytes: PNG.to_vec(),
        alt: alt.to_owned(),
    }
}

fn class_and_reason(e: &PublishError) -> (ErrorClass, Reason) {
    (e.class, e.reason)
}

#[test]
fn the_connector_needs_an_identifier_and_an_app_password() {
    let mut incomplete = config("https://bsky.social", "alice.bsky.social", "");
    let missing = fanloop_platforms::connector(&incomplete)
        .err()
        .expect("no connector");
    assert_eq!(
        class_and_reason(&missing),
        (ErrorClass::Auth, Reason::MissingSetting)
    );
    assert!(
        missing.detail.contains("app_password"),
        "{}",
        missing.detail
    );
    incomplete
        .secrets
        .insert("app_password".to_owned(), "abcd-efgh-ijkl-mnop".to_owned());
    assert!(fanloop_platforms::connector(&incomplete).is_ok());
}
