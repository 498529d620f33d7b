//! The X connector against `FakeX`: posting, the weighted limit, images, OAuth 2.0
//! refresh with rotating refresh tokens, duplicates, faults and reconciliation.

use fanloop_domain::Platform;
use fanloop_fakes::Fault;
use fanloop_fakes::x::{FakeX, XOptions};
use fanloop_platforms::x::X;
use fanloop_platforms::{
    ChannelConfig, Connector, ErrorClass, MediaFile, Outgoing, Reason, Receipt, Reconciled,
    Session, connector,
};
use fanloop_render::{Options, Target, render};
use std::time::{Duration, SystemTime};

fn config(fake: &FakeX, refresh_token: Option<&str>) -> ChannelConfig {
    let mut secrets = vec![("access_token".to_owned(), "x-access-0".to_owned())];
    if let Some(r) = refresh_token {
        secrets.push(("refresh_token".to_owned(), r.to_owned()));
    }
    ChannelConfig {
        channel_id: 3,
        platform: Platform::X,
        settings: [("api_base_url".to_owned(), fake.url())].into(),
        secrets: secrets.into_iter().collect(),
    }
}

fn x(fake: &FakeX) -> X {
    X::new(&config(fake, Some("x-refresh-0")))
        .unwrap()
        .with_call_timeout(Duration::from_millis(500))
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
        rendered: render(markdown, Target::X, &Options::default()),
        cover: None,
        images: Vec::new(),
        first_attempt_ms: now_ms(),
    }
}

fn image(name: &str) -> MediaFile {
    MediaFile {
        file_name: name.to_owned(),
        content_type: "image/png".to_owned(),
        bytes: vec![0x89, b'P', b'N', b'G'],
        alt: String::new(),
    }
}

#[tokio::test]
async fn fake_posts_text_and_links_the_post() {
    let fake = FakeX::start(XOptions::default()).await;
    let receipt = x(&fake)
        .publish(&mut session(), &post("a", "Hello X"))
        .await
        .unwrap();
    let id = fake.tweets()[0].id.clone();
    assert_eq!(
        receipt,
        Receipt::Published {
            url: Some(format!("https://x.com/i/web/status/{id}")),
            remote_id: id,
        }
    );
    assert_eq!(fake.tweets()[0].text, "Hello X");
}

#[tokio::test]
async fn fake_weighted_limit_is_checked_before_sending() {
    let fake = FakeX::start(XOptions::default()).await;
    let c = x(&fake);
    // 141 CJK characters weigh 282.
    let e = c
        .publish(&mut session(), &post("cjk", &"字".repeat(141)))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::TextTooLong)
    );
    assert_eq!(fake.requests(), 0);
    c.publish(&mut session(), &post("fits", &"字".repeat(140)))
        .await
        .unwrap();
    assert_eq!(fake.tweets_created(), 1);
}

#[tokio::test]
async fn fake_images_are_uploaded_then_attached() {
    let fake = FakeX::start(XOptions::default()).await;
    let c = x(&fake);
    let mut s = session();
    let mut p = post("img", "Pictures");
    p.images = vec![image("a.png"), image("b.png")];
    c.publish(&mut s, &p).await.unwrap();
    assert_eq!(fake.tweets()[0].media_ids.len(), 2);
    assert!(s.values.keys().all(|k| !k.starts_with("media:")));

    p.key = "five".to_owned();
    p.images = (0..5).map(|i| image(&format!("{i}.png"))).collect();
    let e = c.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::MediaRejected)
    );
}

#[tokio::test]
async fn fake_expired_token_is_refreshed_and_the_rotated_pair_is_kept() {
    let fake = FakeX::start(XOptions::default()).await;
    let c = x(&fake);
    let mut s = session();
    fake.faults().push([Fault::ExpiredToken]);
    c.publish(&mut s, &post("one", "First")).await.unwrap();
    assert_eq!(fake.refreshes(), 1);
    assert!(s.changed, "new tokens must be persisted");
    assert_eq!(s.get("x:access_token"), Some("x-access-1"));
    assert_eq!(s.get("x:refresh_token"), Some("x-refresh-1"));
    assert!(s.expires_at_ms.is_some_and(|at| at > s.now_ms));

    // The original refresh token is dead now; the next refresh must use the rotated one.
    fake.expire_access_token();
    c.publish(&mut s, &post("two", "Second")).await.unwrap();
    assert_eq!(fake.refreshes(), 2);
    assert_eq!(fake.tweets_created(), 2);

    // Reconnected with other secrets, the channel stops using the refreshed pair (which
    // still works at the fake) and uses what it was given.
    let mut reconnected = config(&fake, None);
    reconnected
        .secrets
        .insert("access_token".into(), "x-access-new".into());
    let c = X::new(&reconnected).unwrap();
    let e = c
        .publish(&mut s, &post("three", "Third"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::CredentialsRejected)
    );
}

#[tokio::test]
async fn fake_token_about_to_expire_is_refreshed_before_the_call() {
    let fake = FakeX::start(XOptions::default()).await;
    let mut s = session();
    s.expires_at_ms = Some(s.now_ms + 10_000);
    x(&fake)
        .publish(&mut s, &post("early", "Early"))
        .await
        .unwrap();
    assert_eq!(fake.refreshes(), 1);
    assert_eq!(s.get("x:access_token"), Some("x-access-1"));
}

#[tokio::test]
async fn fake_refresh_rotates_the_pair_and_needs_a_refresh_token() {
    let fake = FakeX::start(XOptions::default()).await;
    let mut s = session();
    x(&fake).refresh(&mut s).await.unwrap();
    assert!(s.changed && s.expires_at_ms.is_some());
    assert_eq!(fake.refreshes(), 1);
    assert_eq!(s.get("x:access_token"), Some("x-access-1"));

    // Without a refresh token there is nothing to renew, and nothing is asked.
    let without = X::new(&config(&fake, None)).unwrap();
    let mut s = session();
    without.refresh(&mut s).await.unwrap();
    assert!(!s.changed);
    assert_eq!(fake.refreshes(), 1);

    let stale = X::new(&config(&fake, Some("x-refresh-stale"))).unwrap();
    let e = stale.refresh(&mut session()).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Auth);
}

#[tokio::test]
async fn fake_unrefreshable_tokens_need_reconnecting() {
    let fake = FakeX::start(XOptions::default()).await;
    fake.expire_access_token();
    let without = X::new(&config(&fake, None)).unwrap();
    let e = without
        .publish(&mut session(), &post("a", "No refresh"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::CredentialsRejected)
    );

    let stale = X::new(&config(&fake, Some("x-refresh-stale"))).unwrap();
    let e = stale
        .publish(&mut session(), &post("b", "Stale refresh"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::TokenExpired)
    );
    assert_eq!(fake.tweets_created(), 0);
}

#[tokio::test]
async fn fake_duplicate_content_is_rejected() {
    let fake = FakeX::start(XOptions::default()).await;
    let c = x(&fake);
    c.publish(&mut session(), &post("a", "Same words"))
        .await
        .unwrap();
    let e = c
        .publish(&mut session(), &post("b", "Same words"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::Duplicate)
    );
}

#[tokio::test]
async fn fake_faults_map_onto_error_classes() {
    let fake = FakeX::start(XOptions::default()).await;
    let c = x(&fake);
    let cases = [
        (
            Fault::ServerError,
            ErrorClass::Retryable,
            Reason::PlatformBusy,
        ),
        (
            Fault::RateLimited(30),
            ErrorClass::RateLimited,
            Reason::RateLimited,
        ),
        (
            Fault::RejectContent,
            ErrorClass::Rejected,
            Reason::ContentRejected,
        ),
        (
            Fault::TimeoutBeforeWork,
            ErrorClass::Unknown,
            Reason::Timeout,
        ),
        (
            Fault::Malformed,
            ErrorClass::Unknown,
            Reason::MalformedResponse,
        ),
    ];
    for (i, (fault, class, reason)) in cases.into_iter().enumerate() {
        fake.faults().push([fault.clone()]);
        let p = post(&format!("f{i}"), &format!("Faulty {i}"));
        let e = c.publish(&mut session(), &p).await.unwrap_err();
        assert_eq!((e.class, e.reason), (class, reason), "{fault:?}: {e}");
        if fault == Fault::RateLimited(30) {
            let wait = e.retry_after.expect("x-rate-limit-reset gives the wait");
            assert!(wait > Duration::from_secs(27) && wait <= Duration::from_secs(31));
        }
    }
    assert_eq!(
        fake.tweets_created(),
        1,
        "only the malformed answer did the work"
    );
}

#[tokio::test]
async fn fake_rate_window_answers_429_until_it_resets() {
    let fake = FakeX::start(XOptions {
        rate_limit: 1,
        rate_window: Duration::from_secs(600),
        ..XOptions::default()
    })
    .await;
    let c = x(&fake);
    c.publish(&mut session(), &post("a", "one")).await.unwrap();
    let e = c
        .publish(&mut session(), &post("b", "two"))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    assert!(e.retry_after.is_some_and(|w| w > Duration::from_secs(590)));
}

#[tokio::test]
async fn fake_reconcile_finds_a_post_that_went_out_despite_link_rewriting() {
    let fake = FakeX::start(XOptions::default()).await;
    let c = x(&fake);
    let mut s = session();
    let p = post("lost", "Read https://example.com/launch & share");
    fake.faults().push([Fault::TimeoutAfterWork]);
    let e = c.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Unknown);
    let id = fake.tweets()[0].id.clone();
    let Reconciled::Found(Receipt::Published { remote_id, .. }) =
        c.reconcile(&mut s, &p).await.unwrap()
    else {
        panic!("the post that went out should be found");
    };
    assert_eq!(remote_id, id);

    let never = post("never", "This one never left");
    assert_eq!(
        c.reconcile(&mut s, &never).await.unwrap(),
        Reconciled::Unknown
    );
}

#[tokio::test]
async fn fake_verify_names_the_account() {
    let fake = FakeX::start(XOptions::default()).await;
    let c = connector(&config(&fake, Some("x-refresh-0"))).unwrap();
    assert_eq!(c.verify(&mut session()).await.unwrap(), "@fanloop");
}
