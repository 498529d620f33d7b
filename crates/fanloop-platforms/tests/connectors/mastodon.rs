//! The Mastodon connector against `FakeMastodon`: publishing, media processing, the
//! instance's limit, every injected fault, and "a retry after a timeout posts once".

use fanloop_domain::Platform;
use fanloop_fakes::Fault;
use fanloop_fakes::mastodon::{FakeMastodon, MastodonOptions};
use fanloop_platforms::mastodon::Mastodon;
use fanloop_platforms::{
    ChannelConfig, Connector, ErrorClass, MediaFile, Outgoing, Reason, Receipt, Reconciled,
    Session, connector,
};
use fanloop_render::{Options, Target, render};
use std::time::{Duration, SystemTime};

fn config(url: &str, token: &str) -> ChannelConfig {
    ChannelConfig {
        channel_id: 1,
        platform: Platform::Mastodon,
        settings: [("instance_url".to_owned(), url.to_owned())].into(),
        secrets: [("access_token".to_owned(), token.to_owned())].into(),
    }
}

/// A connector with short waits, so timeouts and processing limits are quick to hit.
fn mastodon(fake: &FakeMastodon) -> Mastodon {
    Mastodon::new(&config(&fake.url(), "token"))
        .unwrap()
        .with_call_timeout(Duration::from_millis(500))
        .with_media_wait(Duration::from_millis(400))
}

fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    since.map_or(0, |d| d.as_millis() as i64)
}

fn session() -> Session {
    Session {
        now_ms: now_ms(),
        ..Session::default()
    }
}

fn post(key: &str, markdown: &str) -> Outgoing {
    Outgoing {
        key: key.to_owned(),
        rendered: render(markdown, Target::Mastodon, &Options::default()),
        cover: None,
        images: Vec::new(),
        first_attempt_ms: now_ms(),
    }
}

fn image(name: &str) -> MediaFile {
    MediaFile {
        file_name: name.to_owned(),
        content_type: "image/png".to_owned(),
        bytes: vec![0x89, b'P', b'N', b'G', 1, 2, 3],
        alt: format!("alt for {name}"),
    }
}

#[tokio::test]
async fn fake_publishes_a_status_with_its_idempotency_key() {
    let fake = FakeMastodon::start(MastodonOptions::default()).await;
    let c = mastodon(&fake);
    let mut s = session();
    let receipt = c
        .publish(&mut s, &post("k1", "Hello **fediverse**"))
        .await
        .unwrap();
    let Receipt::Published { remote_id, url } = receipt else {
        panic!("expected a published receipt");
    };
    assert_eq!(url, Some(format!("{}/@user1/{remote_id}", fake.url())));
    assert_eq!(
        fake.statuses(),
        vec![("k1".to_owned(), "Hello fediverse".to_owned())]
    );
    // The instance's limits are cached: a second post does not fetch them again.
    let before = fake.requests();
    c.publish(&mut s, &post("k2", "Again")).await.unwrap();
    assert_eq!(fake.requests() - before, 1);
}

#[tokio::test]
async fn fake_retry_after_timeout_after_work_yields_exactly_one_status() {
    let fake = FakeMastodon::start(MastodonOptions::default()).await;
    let c = mastodon(&fake);
    let mut s = session();
    let p = post("pub-42", "Only once");
    fake.faults().push([Fault::TimeoutAfterWork]);
    let e = c.publish(&mut s, &p).await.unwrap_err();
    assert_eq!((e.class, e.reason), (ErrorClass::Unknown, Reason::Timeout));
    assert_eq!(
        fake.statuses_created(),
        1,
        "the fake did the work before hanging"
    );

    assert_eq!(
        c.reconcile(&mut s, &p).await.unwrap(),
        Reconciled::SafeToRetry
    );
    let Receipt::Published { remote_id, .. } = c.publish(&mut s, &p).await.unwrap() else {
        panic!("expected a published receipt");
    };
    assert_eq!(fake.statuses_created(), 1);
    assert_eq!(fake.records()[0].id, remote_id);
    assert_eq!(
        fake.statuses(),
        vec![("pub-42".to_owned(), "Only once".to_owned())]
    );
}

#[tokio::test]
async fn fake_malformed_answer_is_unknown_and_the_retry_finds_the_same_status() {
    let fake = FakeMastodon::start(MastodonOptions::default()).await;
    let c = mastodon(&fake);
    let mut s = session();
    let p = post("m-1", "Unreadable answer");
    fake.faults().push([Fault::Malformed]);
    let e = c.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Unknown, Reason::MalformedResponse)
    );
    c.publish(&mut s, &p).await.unwrap();
    assert_eq!(fake.statuses_created(), 1);
}

#[tokio::test]
async fn fake_faults_map_onto_error_classes() {
    let fake = FakeMastodon::start(MastodonOptions::default()).await;
    let c = mastodon(&fake);
    let cases = [
        (
            Fault::ServerError,
            ErrorClass::Retryable,
            Reason::PlatformBusy,
        ),
        (
            Fault::TimeoutBeforeWork,
            ErrorClass::Unknown,
            Reason::Timeout,
        ),
        (
            Fault::RateLimited(30),
            ErrorClass::RateLimited,
            Reason::RateLimited,
        ),
        (
            Fault::ExpiredToken,
            ErrorClass::Auth,
            Reason::CredentialsRejected,
        ),
        (
            Fault::RejectContent,
            ErrorClass::Rejected,
            Reason::ContentRejected,
        ),
    ];
    for (i, (fault, class, reason)) in cases.into_iter().enumerate() {
        let mut s = session();
        fake.faults().push([fault.clone()]);
        let e = c
            .publish(&mut s, &post(&format!("f{i}"), "Faulty"))
            .await
            .unwrap_err();
        assert_eq!((e.class, e.reason), (class, reason), "{fault:?}: {e}");
        if let Fault::RateLimited(secs) = fault {
            // Measured from the session's clock, read just before the call.
            let wait = e.retry_after.expect("a wait from X-RateLimit-Reset");
            let (low, high) = (Duration::from_secs(secs - 2), Duration::from_secs(secs + 1));
            assert!(wait >= low && wait <= high, "{wait:?}");
        }
    }
    assert_eq!(fake.statuses_created(), 0, "no fault above does the work");
}

#[tokio::test]
async fn fake_rate_limit_window_answers_429_with_the_reset_time() {
    let options = MastodonOptions {
        rate_limit: 2,
        rate_window: Duration::from_secs(120),
        ..MastodonOptions::default()
    };
    let fake = FakeMastodon::start(options).await;
    let c = mastodon(&fake);
    let mut s = session();
    c.publish(&mut s, &post("a", "one")).await.unwrap();
    c.publish(&mut s, &post("b", "two")).await.unwrap();
    let e = c.publish(&mut s, &post("c", "three")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    let wait = e.retry_after.expect("X-RateLimit-Reset gives the wait");
    assert!(
        wait > Duration::from_secs(100) && wait <= Duration::from_secs(121),
        "{wait:?}"
    );
    assert_eq!(fake.statuses_created(), 2);
}

#[tokio::test]
async fn fake_text_over_the_instance_limit_is_refused_before_sending() {
    let options = MastodonOptions {
        max_characters: 50,
        ..MastodonOptions::default()
    };
    let fake = FakeMastodon::start(options).await;
    let c = mastodon(&fake);
    let mut s = session();
    let long = "字".repeat(51);
    let e = c.publish(&mut s, &post("long", &long)).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::TextTooLong)
    );
    assert!(e.detail.contains("allows 50"), "{}", e.detail);
    assert_eq!(fake.requests(), 1, "only the instance's limits were read");

    // A long link counts 23, so this fits although it has more than 50 characters.
    let linked = format!("see https://example.com/{}", "p".repeat(80));
    c.publish(&mut s, &post("link", &linked)).await.unwrap();
    assert_eq!(fake.statuses_created(), 1);
}

#[tokio::test]
async fn fake_images_are_uploaded_and_waited_for() {
    let options = MastodonOptions {
        media_polls: 2,
        ..MastodonOptions::default()
    };
    let fake = FakeMastodon::start(options).await;
    let c = mastodon(&fake).with_media_wait(Duration::from_secs(5));
    let mut s = session();
    let mut p = post("img", "With pictures");
    p.images = vec![image("a.png"), image("b.png")];
    c.publish(&mut s, &p).await.unwrap();
    let records = fake.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].media_ids.len(), 2);
    assert_eq!(fake.media_uploaded(), 2);
    assert!(
        s.values.keys().all(|k| !k.starts_with("media:")),
        "settled posts forget media"
    );
}

#[tokio::test]
async fn fake_media_still_processing_is_retryable_and_never_uploaded_twice() {
    let options = MastodonOptions {
        media_polls: 1000,
        ..MastodonOptions::default()
    };
    let fake = FakeMastodon::start(options).await;
    let c = mastodon(&fake);
    let mut s = session();
    let mut p = post("slow", "Slow media");
    p.images = vec![image("a.png")];
    let e = c.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Retryable, Reason::PlatformBusy)
    );
    assert!(s.get("media:slow:0").is_some(), "the upload is remembered");
    c.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(fake.media_uploaded(), 1);
    assert_eq!(fake.statuses_created(), 0);
}

#[tokio::test]
async fn fake_too_many_images_or_a_bad_type_are_rejected() {
    let fake = FakeMastodon::start(MastodonOptions::default()).await;
    let c = mastodon(&fake);
    let mut s = session();
    let mut p = post("many", "Many");
    p.images = (0..5).map(|i| image(&format!("{i}.png"))).collect();
    let e = c.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::MediaRejected)
    );

    let mut p = post("pdf", "Not an image");
    p.images = vec![MediaFile {
        content_type: "application/pdf".to_owned(),
        ..image("doc.pdf")
    }];
    let e = c.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::MediaRejected)
    );
    assert_eq!(fake.statuses_created(), 0);
}

#[tokio::test]
async fn fake_verify_names_the_account_and_detects_revoked_tokens() {
    let fake = FakeMastodon::start(MastodonOptions::default()).await;
    let c = connector(&config(&fake.url(), "token")).unwrap();
    let mut s = session();
    assert_eq!(c.verify(&mut s).await.unwrap(), "user1");
    fake.revoke_token("token");
    let e = c.verify(&mut s).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::CredentialsRejected)
    );
    let e = c.publish(&mut s, &post("x", "hi")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Auth);
}

#[tokio::test]
async fn reconcile_trusts_the_key_only_within_the_hour() {
    let c = Mastodon::new(&config("http://127.0.0.1:9", "token")).unwrap();
    let p = post("k", "text");
    let mut s = Session {
        now_ms: p.first_attempt_ms + 54 * 60 * 1000,
        ..Session::default()
    };
    assert_eq!(
        c.reconcile(&mut s, &p).await.unwrap(),
        Reconciled::SafeToRetry
    );
    s.now_ms = p.first_attempt_ms + 56 * 60 * 1000;
    assert_eq!(c.reconcile(&mut s, &p).await.unwrap(), Reconciled::Unknown);
}

#[tokio::test]
async fn unreachable_instance_is_retryable_and_missing_settings_need_reconnecting() {
    let c = Mastodon::new(&config("http://127.0.0.1:9", "token")).unwrap();
    let e = c
        .publish(&mut session(), &post("k", "text"))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Retryable);

    let mut incomplete = config("http://127.0.0.1:9", "");
    incomplete.secrets.clear();
    let e = connector(&incomplete)
        .err()
        .expect("no token, no connector");
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::MissingSetting)
    );
}
