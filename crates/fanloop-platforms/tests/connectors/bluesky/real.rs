//! The connector against a real PDS: what it writes is read back from the PDS itself.

use super::pds;
use super::{class_and_reason, config, now_ms, outgoing, plain, png, session};
use fanloop_platforms::bluesky::Bluesky;
use fanloop_platforms::{Connector, ErrorClass, Reason, Receipt, Reconciled};
use serde_json::Value;

/// Each facet of a stored record as (the text it covers, its feature's type and value).
fn facets(record: &Value) -> Vec<(String, String, String)> {
    let text = record["text"].as_str().expect("text");
    let Some(facets) = record["facets"].as_array() else {
        return Vec::new();
    };
    facets
        .iter()
        .map(|f| {
            let start = f["index"]["byteStart"].as_u64().expect("byteStart") as usize;
            let end = f["index"]["byteEnd"].as_u64().expect("byteEnd") as usize;
            let feature = &f["features"][0];
            let kind = feature["$type"].as_str().expect("$type");
            let value = ["uri", "tag", "did"]
                .iter()
                .find_map(|k| feature[k].as_str())
                .expect("a feature value");
            (
                text[start..end].to_owned(),
                kind.to_owned(),
                value.to_owned(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[tokio::test]
async fn pds_publishes_facets_mentions_and_an_image() {
    let Some(pds) = pds::shared("pds_publishes_facets_mentions_and_an_image").await else {
        return;
    };
    let alice = pds.account("alice").await;
    let bob = pds.account("bob").await;
    let bluesky = Bluesky::new(&config(&pds.url, &alice.handle, &alice.app_password)).unwrap();
    let mut session = session();
    let mut post = outgoing(
        "publication-1",
        "新版上线：读一读[指南](https://example.com/guide)，@bob.test 也在用 #运营 \
         (cc @ghost.test)",
    );
    post.images = vec![png("一张测试图")];

    let receipt = bluesky
        .publish(&mut session, &post)
        .await
        .expect("published");
    let Receipt::Published { remote_id, url } = &receipt else {
        panic!("not published: {receipt:?}");
    };
    let rkey = remote_id.rsplit('/').next().unwrap();
    assert!(remote_id.starts_with(&format!("at://{}/app.bsky.feed.post/", alice.did)));
    assert_eq!(
        url.as_deref(),
        Some(format!("https://bsky.app/profile/alice.test/post/{rkey}").as_str())
    );

    let record = pds.post(remote_id).await;
    // Byte offsets over Chinese text, the mention resolved to bob's DID, the unknown
    // handle left as plain text.
    assert_eq!(
        facets(&record),
        owned(&[
            (
                "指南",
                "app.bsky.richtext.facet#link",
                "https://example.com/guide"
            ),
            ("@bob.test", "app.bsky.richtext.facet#mention", &bob.did),
            ("#运营", "app.bsky.richtext.facet#tag", "运营"),
        ])
    );
    assert!(record["text"].as_str().unwrap().contains("@ghost.test"));
    assert_eq!(record["langs"], serde_json::json!(["zh"]));
    let image = &record["embed"]["images"][0];
    assert_eq!(record["embed"]["$type"], "app.bsky.embed.images");
    assert_eq!(image["alt"], "一张测试图");
    assert_eq!(image["image"]["mimeType"], "image/png");
    assert_eq!(image["image"]["size"], super::PNG.len());

    let found = bluesky
        .reconcile(&mut session, &post)
        .await
        .expect("reconciled");
    assert_eq!(found, Reconciled::Found(receipt));
    assert_eq!(bluesky.verify(&mut session).await.unwrap(), "alice.test");
}

#[tokio::test]
async fn pds_retries_with_the_same_key_write_one_record() {
    let Some(pds) = pds::shared("pds_retries_with_the_same_key_write_one_record").await else {
        return;
    };
    let carol = pds.account("carol").await;
    let bluesky = Bluesky::new(&config(&pds.url, &carol.did, &carol.app_password)).unwrap();
    let post = outgoing("publication-7", "Launch day! https://example.com #launch");

    let mut first_session = session();
    let before = bluesky.reconcile(&mut first_session, &post).await.unwrap();
    assert_eq!(before, Reconciled::SafeToRetry, "nothing written yet");
    let first = bluesky.publish(&mut first_session, &post).await.unwrap();
    // A retry after a crash that lost both the answer and the session.
    let mut second_session = session();
    let second = bluesky.publish(&mut second_session, &post).await.unwrap();
    assert_eq!(
        first, second,
        "the retry reports the record the first attempt wrote"
    );
    assert_eq!(pds.posts(&carol.did).await.len(), 1);

    let other = outgoing("publication-8", "Launch day! https://example.com #launch");
    bluesky.publish(&mut second_session, &other).await.unwrap();
    assert_eq!(
        pds.posts(&carol.did).await.len(),
        2,
        "another publication is another post"
    );
}

#[tokio::test]
async fn pds_text_is_limited_to_300_graphemes() {
    let Some(pds) = pds::shared("pds_text_is_limited_to_300_graphemes").await else {
        return;
    };
    let dave = pds.account("dave").await;
    let bluesky = Bluesky::new(&config(&pds.url, &dave.handle, &dave.app_password)).unwrap();
    let mut session = session();

    // 300 graphemes of two chars each: within the limit, which counts graphemes.
    let longest = "e\u{301}".repeat(300);
    let receipt = bluesky
        .publish(&mut session, &plain("k300", &longest))
        .await
        .unwrap();
    let Receipt::Published { remote_id, .. } = receipt else {
        panic!("not published");
    };
    assert_eq!(pds.post(&remote_id).await["text"], longest.as_str());

    let too_long = format!("{longest}!");
    let refused = bluesky
        .publish(&mut session, &plain("k301", &too_long))
        .await
        .unwrap_err();
    assert_eq!(
        class_and_reason(&refused),
        (ErrorClass::Rejected, Reason::TextTooLong)
    );
    assert!(
        refused.detail.contains("301 graphemes"),
        "{}",
        refused.detail
    );
    assert_eq!(pds.posts(&dave.did).await.len(), 1);
}

#[tokio::test]
async fn pds_wrong_password_needs_reconnecting() {
    let Some(pds) = pds::shared("pds_wrong_password_needs_reconnecting").await else {
        return;
    };
    let erin = pds.account("erin").await;
    let bluesky = Bluesky::new(&config(&pds.url, &erin.handle, "wrong-pass-word-1234")).unwrap();
    let mut session = session();
    let refused = bluesky
        .publish(&mut session, &plain("k", "hello"))
        .await
        .unwrap_err();
    assert_eq!(
        class_and_reason(&refused),
        (ErrorClass::Auth, Reason::CredentialsRejected)
    );
    assert!(
        refused.detail.contains("AuthenticationRequired"),
        "{}",
        refused.detail
    );
    let refused = bluesky.verify(&mut session).await.unwrap_err();
    assert_eq!(refused.class, ErrorClass::Auth);
    assert!(pds.posts(&erin.did).await.is_empty());
}

#[tokio::test]
async fn pds_sessions_are_refreshed_and_renewed() {
    let Some(pds) = pds::shared("pds_sessions_are_refreshed_and_renewed").await else {
        return;
    };
    let frank = pds.account("frank").await;
    let bluesky = Bluesky::new(&config(&pds.url, &frank.handle, &frank.app_password)).unwrap();
    let mut session = session();
    assert_eq!(bluesky.verify(&mut session).await.unwrap(), "frank.test");
    assert!(session.changed, "a new session is handed back to be stored");
    // The expiry is read from the access JWT: about two hours away.
    let expires = session.expires_at_ms.expect("an expiry");
    assert!(expires > now_ms() + 3_600_000 && expires <= now_ms() + 3 * 3_600_000);

    // Close to expiry: refreshed before the call.
    let refresh_before = session.get("refreshJwt").unwrap().to_owned();
    session.changed = false;
    session.expires_at_ms = Some(session.now_ms + 60_000);
    bluesky.verify(&mut session).await.unwrap();
    assert!(session.changed);
    assert_ne!(
        session.get("refreshJwt").unwrap(),
        refresh_before,
        "refreshed"
    );

    // An access token the PDS refuses: refreshed on the refusal, and the post goes out.
    session.set("accessJwt", "not-a-token");
    bluesky
        .publish(&mut session, &plain("k1", "after a refresh"))
        .await
        .unwrap();
    assert_ne!(session.get("accessJwt").unwrap(), "not-a-token");

    // Both tokens refused: a new session from the app password.
    session.set("accessJwt", "not-a-token");
    session.set("refreshJwt", "not-a-token-either");
    bluesky
        .publish(&mut session, &plain("k2", "after a new login"))
        .await
        .unwrap();
    assert_eq!(pds.posts(&frank.did).await.len(), 2);
}

#[tokio::test]
async fn pds_refresh_renews_ahead_of_expiry_and_a_revoked_login_needs_reconnecting() {
    let Some(pds) = pds::shared("pds_refresh_renews_ahead_of_expiry").await else {
        return;
    };
    let grace = pds.account("grace").await;
    let bluesky = Bluesky::new(&config(&pds.url, &grace.handle, &grace.app_password)).unwrap();
    let mut session = session();
    bluesky.verify(&mut session).await.unwrap();
    let (refresh, expires) = (
        session.get("refreshJwt").unwrap().to_owned(),
        session.expires_at_ms.unwrap(),
    );
    // JWT times have whole seconds: a refresh in the same second would carry the same
    // expiry.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;

    // The engine's refresher: a new pair from refreshSession with a later expiry, and
    // the new access token works.
    session.changed = false;
    session.now_ms = now_ms();
    bluesky.refresh(&mut session).await.unwrap();
    assert!(session.changed);
    assert_ne!(session.get("refreshJwt").unwrap(), refresh);
    assert!(session.expires_at_ms.unwrap() > expires);
    assert_eq!(bluesky.verify(&mut session).await.unwrap(), "grace.test");

    // A refresh token the PDS no longer takes: renewed by logging in again.
    session.set("refreshJwt", "not-a-token");
    bluesky.refresh(&mut session).await.unwrap();
    assert_ne!(session.get("refreshJwt").unwrap(), "not-a-token");

    // Neither the refresh token nor the password: the channel needs reconnecting.
    let wrong = Bluesky::new(&config(&pds.url, &grace.handle, "wrong-pass-word")).unwrap();
    session.set("refreshJwt", "not-a-token");
    let e = wrong.refresh(&mut session).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Auth, "{e:?}");
}
