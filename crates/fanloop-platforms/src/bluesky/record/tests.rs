use super::*;
use fanloop_render::{Body, Options, Target};

fn image(name: &str, size: usize) -> MediaFile {
    MediaFile {
        file_name: name.to_owned(),
        content_type: "image/png".to_owned(),
        bytes: vec![0; size],
        alt: String::new(),
    }
}

/// Decodes a TID back into (microseconds, clock id).
fn decode_tid(tid: &str) -> (u64, u64) {
    let value = tid.bytes().fold(0u64, |acc, c| {
        let digit = TID_ALPHABET
            .iter()
            .position(|&a| a == c)
            .expect("TID character") as u64;
        (acc << 5) | digit
    });
    (value >> 10, value & 0x3ff)
}

#[test]
fn record_keys_are_stable_tids_of_the_first_attempt() {
    let ms = 1_717_243_200_123;
    let key = record_key("publication-42", ms);
    assert_eq!(
        key,
        record_key("publication-42", ms),
        "stable across attempts"
    );
    assert_eq!(key.len(), 13);
    assert!(
        matches!(key.as_bytes()[0], b'2'..=b'7' | b'a'..=b'j'),
        "{key}"
    );
    assert!(key.bytes().all(|c| TID_ALPHABET.contains(&c)), "{key}");
    let (micros, _) = decode_tid(&key);
    assert_eq!(
        micros / 1000,
        ms as u64,
        "the timestamp is the first attempt's"
    );

    // Publications started in the same millisecond get different keys.
    assert_ne!(key, record_key("publication-43", ms));
    // Keys sort by time, as TIDs do.
    assert!(record_key("publication-42", ms + 1) > key);
    // Out-of-range clocks still give valid TIDs.
    assert!(record_key("k", -5).starts_with('2'));
    assert_eq!(record_key("k", i64::MAX).len(), 13);
}

#[test]
fn created_at_is_rfc3339_with_milliseconds() {
    let table = [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_717_243_200_123, "2024-06-01T12:00:00.123Z"),
        (1_717_243_200_000, "2024-06-01T12:00:00.000Z"),
    ];
    for (ms, expected) in table {
        assert_eq!(created_at(ms), expected);
    }
}

#[test]
fn language_is_guessed_from_the_script() {
    let table = [
        ("Hello, world", "en"),
        ("新品发布，欢迎试用 #运营", "zh"),
        ("Launch day! 今天上线", "zh"),
        ("今日はリリース日です", "ja"),
        ("오늘 출시합니다", "ko"),
        ("", "en"),
    ];
    for (text, expected) in table {
        assert_eq!(language(text), expected, "{text}");
    }
}

#[test]
fn text_is_measured_in_graphemes_and_bytes() {
    let reason = |text: &str| check_text(text).err().map(|e| (e.class, e.reason));
    let too_long = Some((ErrorClass::Rejected, Reason::TextTooLong));
    assert_eq!(reason(&"a".repeat(300)), None);
    assert_eq!(reason(&"a".repeat(301)), too_long);
    assert_eq!(reason(&"字".repeat(300)), None);
    // "e" + a combining accent is one grapheme of two chars.
    assert_eq!(reason(&"e\u{301}".repeat(300)), None);
    assert_eq!(reason(&"e\u{301}".repeat(301)), too_long);
    // 200 family emoji are 200 graphemes but 3,600 bytes.
    let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}".repeat(200);
    assert_eq!(reason(&family), too_long);
    assert!(check_text(&family).unwrap_err().detail.contains("bytes"));
}

#[test]
fn images_are_checked_before_upload() {
    assert!(check_images(&[image("a.png", IMAGE_MAX_BYTES)]).is_ok());
    let big =
        check_images(&[image("ok.png", 10), image("huge.png", IMAGE_MAX_BYTES + 1)]).unwrap_err();
    assert_eq!(
        (big.class, big.reason),
        (ErrorClass::Rejected, Reason::MediaRejected)
    );
    assert!(
        big.detail.contains("huge.png") && big.detail.contains("1000001"),
        "{}",
        big.detail
    );
    let five: Vec<_> = (0..5).map(|i| image(&format!("{i}.png"), 10)).collect();
    assert_eq!(
        check_images(&five).unwrap_err().reason,
        Reason::MediaRejected
    );
}

/// The rendered post of a Markdown source.
fn rendered(markdown: &str) -> BlueskyPost {
    match fanloop_render::render(markdown, Target::Bluesky, &Options::default()).body {
        Body::Bluesky(post) => post,
        other => panic!("not a Bluesky body: {other:?}"),
    }
}

/// Each facet as (the text it covers, its feature's type, the feature's value).
fn covered(text: &str, facets: &[Value]) -> Vec<(String, String, String)> {
    facets
        .iter()
        .map(|f| {
            let start = f["index"]["byteStart"].as_u64().unwrap() as usize;
            let end = f["index"]["byteEnd"].as_u64().unwrap() as usize;
            let feature = &f["features"][0];
            let kind = feature["$type"]
                .as_str()
                .unwrap()
                .rsplit('#')
                .next()
                .unwrap();
            let value = ["uri", "tag", "did"]
                .iter()
                .find_map(|k| feature[k].as_str())
                .unwrap();
            (
                text[start..end].to_owned(),
                kind.to_owned(),
                value.to_owned(),
            )
        })
        .collect()
}

#[test]
fn mentions_join_the_renderers_facets_in_text_order() {
    let post = rendered("@bob.test 看[指南](https://example.com/g) #运营 @ghost.test");
    let dids = BTreeMap::from([("bob.test".to_owned(), "did:plc:bob".to_owned())]);
    let facets = facets(&post, &dids);
    let expected = [
        ("@bob.test", "mention", "did:plc:bob"),
        ("指南", "link", "https://example.com/g"),
        ("#运营", "tag", "运营"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    // The unresolved @ghost.test stays plain text.
    assert_eq!(covered(&post.text, &facets), expected);
}

#[test]
fn the_record_carries_everything_the_post_needs() {
    let blob =
        json!({"$type": "blob", "ref": {"$link": "bafk"}, "mimeType": "image/png", "size": 3});
    let embed = images_embed(vec![(blob.clone(), "a cat")]);
    let record = post("你好", vec![], Some(embed), "2024-06-01T12:00:00.000Z");
    assert_eq!(
        record,
        json!({
            "$type": "app.bsky.feed.post",
            "text": "你好",
            "createdAt": "2024-06-01T12:00:00.000Z",
            "langs": ["zh"],
            "embed": {
                "$type": "app.bsky.embed.images",
                "images": [{"image": blob, "alt": "a cat"}],
            },
        })
    );
    assert!(same_post(&record, "你好", "2024-06-01T12:00:00.000Z"));
    assert!(!same_post(&record, "你好", "2024-06-01T12:00:00.001Z"));
}
