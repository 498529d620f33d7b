//! The `app.bsky.feed.post` record made from a rendered post, and the checks that run
//! before anything is sent. Pure, so its rules are tested as tables.

use crate::connector::MediaFile;
use crate::error::{ErrorClass, PublishError, Reason};
use fanloop_domain::Platform;
use fanloop_render::{BlueskyPost, FacetFeature, Span};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use unicode_segmentation::UnicodeSegmentation;

pub(super) const COLLECTION: &str = "app.bsky.feed.post";
/// The post lexicon's byte limit on `text`, besides the 300 graphemes in the domain's
/// limits table: long emoji sequences reach it first.
const TEXT_MAX_BYTES: usize = 3000;
/// The image embed lexicon's limit on each blob.
pub(super) const IMAGE_MAX_BYTES: usize = 1_000_000;

/// The characters of a TID ("base32-sortable"), in sort order.
const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
/// A TID's timestamp has 53 bits of microseconds.
const TID_MAX_MS: i64 = ((1_i64 << 53) - 1) / 1000 - 1;

/// Refuses text the PDS would refuse, so an over-long post fails with our reason and
/// costs no request.
pub(super) fn check_text(text: &str) -> Result<(), PublishError> {
    let graphemes = text.graphemes(true).count();
    if let Some(max) = Platform::Bluesky.limits().body_max
        && graphemes > max
    {
        return Err(too_long(format!(
            "the text has {graphemes} graphemes; Bluesky allows at most {max}"
        )));
    }
    if text.len() > TEXT_MAX_BYTES {
        return Err(too_long(format!(
            "the text is {} bytes of UTF-8; Bluesky allows at most {TEXT_MAX_BYTES}",
            text.len()
        )));
    }
    Ok(())
}

fn too_long(detail: String) -> PublishError {
    PublishError::new(ErrorClass::Rejected, Reason::TextTooLong, detail)
}

/// Refuses images the PDS would accept as blobs but refuse in the post (too many, too
/// big), before any is uploaded.
pub(super) fn check_images(images: &[MediaFile]) -> Result<(), PublishError> {
    let rejected = |detail| PublishError::new(ErrorClass::Rejected, Reason::MediaRejected, detail);
    if let Some(max) = Platform::Bluesky.limits().images_max
        && images.len() > max
    {
        return Err(rejected(format!(
            "the post has {} images; Bluesky takes at most {max}",
            images.len()
        )));
    }
    for image in images {
        if image.bytes.len() > IMAGE_MAX_BYTES {
            return Err(rejected(format!(
                "image {} is {} bytes; Bluesky takes at most {IMAGE_MAX_BYTES} bytes per \
                 image (compress or resize it)",
                image.file_name,
                image.bytes.len()
            )));
        }
    }
    Ok(())
}

/// The record key for a publication: a TID (the post lexicon requires one) whose
/// timestamp is the first attempt's time and whose remaining bits come from a hash of
/// the publication key. Both inputs are the same on every attempt, so a retry writes to
/// the same key and cannot create a second post; the hash keeps publications started in
/// the same millisecond apart.
pub(super) fn record_key(key: &str, first_attempt_ms: i64) -> String {
    let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    let mut seed = [0u8; 8];
    seed.copy_from_slice(&digest[..8]);
    let hash = u64::from_be_bytes(seed);
    // Clamped into the TID's range, so the shift below cannot overflow.
    let ms = first_attempt_ms.clamp(0, TID_MAX_MS) as u64;
    let micros = ms * 1000 + hash % 1000;
    let clock_id = (hash >> 32) & 0x3ff;
    let tid = (micros << 10) | clock_id;
    (0..13)
        .map(|i| char::from(TID_ALPHABET[((tid >> (60 - 5 * i)) & 0x1f) as usize]))
        .collect()
}

/// `createdAt` in RFC 3339 with milliseconds, from the first attempt so every attempt
/// writes the same record.
pub(super) fn created_at(first_attempt_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(first_attempt_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A guess at the post's language for `langs`, which feeds and translation use: kana
/// means Japanese, Hangul Korean, other CJK ideographs Chinese; anything else English.
pub(super) fn language(text: &str) -> &'static str {
    let mut han = false;
    for c in text.chars() {
        match c {
            '\u{3040}'..='\u{30ff}' => return "ja",
            '\u{1100}'..='\u{11ff}' | '\u{ac00}'..='\u{d7af}' => return "ko",
            '\u{3400}'..='\u{4dbf}'
            | '\u{4e00}'..='\u{9fff}'
            | '\u{f900}'..='\u{faff}'
            | '\u{20000}'..='\u{3134f}' => han = true,
            _ => {}
        }
    }
    if han { "zh" } else { "en" }
}

/// The renderer's link and tag facets plus a mention facet for every mention whose
/// handle resolved (`dids`: handle → DID), ordered by position as clients expect.
/// Mentions that did not resolve stay plain text.
pub(super) fn facets(post: &BlueskyPost, dids: &BTreeMap<String, String>) -> Vec<Value> {
    let mut facets: Vec<(usize, Value)> = Vec::new();
    for facet in &post.facets {
        let features: Vec<Value> = facet
            .features
            .iter()
            .map(|feature| match feature {
                FacetFeature::Link { uri } => {
                    json!({"$type": "app.bsky.richtext.facet#link", "uri": uri})
                }
                FacetFeature::Tag { tag } => {
                    json!({"$type": "app.bsky.richtext.facet#tag", "tag": tag})
                }
            })
            .collect();
        facets.push((facet.index.byte_start, facet_json(facet.index, features)));
    }
    for mention in &post.mentions {
        if let Some(did) = dids.get(&mention.handle) {
            let feature = json!({"$type": "app.bsky.richtext.facet#mention", "did": did});
            facets.push((
                mention.index.byte_start,
                facet_json(mention.index, vec![feature]),
            ));
        }
    }
    facets.sort_by_key(|(start, _)| *start);
    facets.into_iter().map(|(_, facet)| facet).collect()
}

fn facet_json(index: Span, features: Vec<Value>) -> Value {
    json!({
        "index": {"byteStart": index.byte_start, "byteEnd": index.byte_end},
        "features": features,
    })
}

/// An `app.bsky.embed.images` embed of uploaded blobs, each with its alt text.
pub(super) fn images_embed(images: Vec<(Value, &str)>) -> Value {
    let images: Vec<Value> = images
        .into_iter()
        .map(|(blob, alt)| json!({"image": blob, "alt": alt}))
        .collect();
    json!({"$type": "app.bsky.embed.images", "images": images})
}

/// The record itself.
pub(super) fn post(
    text: &str,
    facets: Vec<Value>,
    embed: Option<Value>,
    created_at: &str,
) -> Value {
    let mut record = json!({
        "$type": COLLECTION,
        "text": text,
        "createdAt": created_at,
        "langs": [language(text)],
    });
    if !facets.is_empty() {
        record["facets"] = Value::Array(facets);
    }
    if let Some(embed) = embed {
        record["embed"] = embed;
    }
    record
}

/// Whether a stored record is the one we meant to write. Text and `createdAt` identify
/// it: a different record under our key would mean two publications share a key.
pub(super) fn same_post(stored: &Value, text: &str, created_at: &str) -> bool {
    stored["text"].as_str() == Some(text) && stored["createdAt"].as_str() == Some(created_at)
}

#[cfg(test)]
mod tests;
