//! Failures injected by the fake PDS, and how the connector classifies each.

use super::{class_and_reason, config, outgoing, session};
use fanloop_fakes::Fault;
use fanloop_fakes::bluesky::{self as fake, FakeBluesky};
use fanloop_platforms::bluesky::Bluesky;
use fanloop_platforms::{Connector, ErrorClass, Reason, Receipt, Reconciled};
use std::time::Duration;

/// The connector for the fake's account, with a short timeout so the stall faults end
/// quickly.
fn connector(fake: &FakeBluesky) -> Bluesky {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    Bluesky::with_client(&config(&fake.url(), fake::HANDLE, fake::PASSWORD), client).unwrap()
}

#[tokio::test]
async fn fake_server_error_is_retryable() {
    let fake = FakeBluesky::start().await;
    fake.faults.push([Fault::ServerError]);
    let bluesky = connector(&fake);
    let post = outgoing("p1", "hello");
    let e = bluesky.publish(&mut session(), &post).await.unwrap_err();
    assert_eq!(
        class_and_reason(&e),
        (ErrorClass::Retryable, Reason::PlatformBusy)
    );
    assert!(fake.posts().is_empty());
    // Nothing was written, so the retry goes through.
    assert!(bluesky.publish(&mut session(), &post).await.is_ok());
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test]
async fn fake_timeout_is_unknown_until_reconciled() {
    let fake = FakeBluesky::start().await;
    let bluesky = connector(&fake);
    let mut session = session();

    fake.faults.push([Fault::TimeoutBeforeWork]);
    let stalled = outgoing("p-before", "stalled before writing");
    let e = bluesky.publish(&mut session, &stalled).await.unwrap_err();
    assert_eq!(class_and_reason(&e), (ErrorClass::Unknown, Reason::Timeout));
    let reconciled = bluesky.reconcile(&mut session, &stalled).await.unwrap();
    assert_eq!(reconciled, Reconciled::SafeToRetry);

    fake.faults.push([Fault::TimeoutAfterWork]);
    let written = outgoing("p-after", "stalled after writing");
    let e = bluesky.publish(&mut session, &written).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Unknown);
    let Reconciled::Found(found) = bluesky.reconcile(&mut session, &written).await.unwrap() else {
        panic!("the written post was not found");
    };
    // Publishing again (the engine would not, but a person might) finds the same post.
    assert_eq!(
        bluesky.publish(&mut session, &written).await.unwrap(),
        found
    );
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test]
async fn fake_rate_limit_waits_until_the_reset() {
    let fake = FakeBluesky::start().await;
    fake.faults.push([Fault::RateLimited(42)]);
    let e = connector(&fake)
        .publish(&mut session(), &outgoing("p", "hello"))
        .await
        .unwrap_err();
    assert_eq!(
        class_and_reason(&e),
        (ErrorClass::RateLimited, Reason::RateLimited)
    );
    // `ratelimit-reset` is whole seconds since the epoch, so the wait is a little short
    // of 42 s, measured from the session's clock.
    let wait = e.retry_after.expect("a wait");
    assert!(
        wait > Duration::from_secs(40) && wait <= Duration::from_secs(42),
        "{wait:?}"
    );
    assert!(fake.posts().is_empty());
}

#[tokio::test]
async fn fake_expired_token_is_refreshed_transparently() {
    let fake = FakeBluesky::start().await;
    fake.faults.push([Fault::ExpiredToken]);
    let bluesky = connector(&fake);
    let mut session = session();
    let receipt = bluesky
        .publish(&mut session, &outgoing("p", "hello"))
        .await
        .unwrap();
    assert!(matches!(receipt, Receipt::Published { .. }));
    assert_eq!((fake.logins(), fake.refreshes()), (1, 1));
    assert_eq!(session.get("accessJwt"), Some("access-2"));
    // The fake's tokens are not JWTs: the connector assumed the PDS's two hours.
    assert_eq!(session.expires_at_ms, Some(session.now_ms + 2 * 3_600_000));
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test]
async fn fake_malformed_answer_is_unknown() {
    let fake = FakeBluesky::start().await;
    fake.faults.push([Fault::Malformed]);
    let bluesky = connector(&fake);
    let mut session = session();
    let post = outgoing("p", "hello");
    let e = bluesky.publish(&mut session, &post).await.unwrap_err();
    assert_eq!(
        class_and_reason(&e),
        (ErrorClass::Unknown, Reason::MalformedResponse)
    );
    let reconciled = bluesky.reconcile(&mut session, &post).await.unwrap();
    assert!(matches!(reconciled, Reconciled::Found(_)), "{reconciled:?}");
}

#[tokio::test]
async fn fake_rejected_content_keeps_the_platforms_message() {
    let fake = FakeBluesky::start().await;
    fake.faults.push([Fault::RejectContent]);
    let e = connector(&fake)
        .publish(&mut session(), &outgoing("p", "hello"))
        .await
        .unwrap_err();
    assert_eq!(
        class_and_reason(&e),
        (ErrorClass::Rejected, Reason::ContentRejected)
    );
    assert!(
        e.detail.contains("InvalidRequest") && e.detail.contains("300 graphemes"),
        "{}",
        e.detail
    );
}

#[tokio::test]
async fn fake_mentions_resolve_or_stay_plain() {
    let fake = FakeBluesky::start().await;
    let post = outgoing("p", "hi @friend.test and @nobody.test");
    connector(&fake)
        .publish(&mut session(), &post)
        .await
        .unwrap();
    let record = fake.posts().into_values().next().expect("a post");
    let facets = record["facets"].as_array().expect("facets");
    assert_eq!(facets.len(), 1, "{facets:?}");
    assert_eq!(facets[0]["features"][0]["did"], fake::FRIEND_DID);
    let text = record["text"].as_str().unwrap();
    let start = facets[0]["index"]["byteStart"].as_u64().unwrap() as usize;
    let end = facets[0]["index"]["byteEnd"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..end], "@friend.test");
}
