//! The Weibo connector against `FakeWeibo`: sharing with and without a picture, the
//! checks made before sending, Weibo's error codes and the hourly post limit.

use fanloop_domain::Platform;
use fanloop_fakes::Fault;
use fanloop_fakes::weibo::{FakeWeibo, WeiboOptions};
use fanloop_platforms::weibo::Weibo;
use fanloop_platforms::{
    ChannelConfig, Connector, ErrorClass, MediaFile, Outgoing, Reason, Receipt, Reconciled,
    Session, connector,
};
use fanloop_render::{Options, Target, render};
use std::time::Duration;

const LINK: &str = "https://fanloop.example/launch";

fn config(fake: &FakeWeibo, token: &str) -> ChannelConfig {
    ChannelConfig {
        channel_id: 9,
        platform: Platform::Weibo,
        settings: [("api_base_url".to_owned(), fake.url())].into(),
        secrets: [("access_token".to_owned(), token.to_owned())].into(),
    }
}

fn weibo(fake: &FakeWeibo) -> Weibo {
    Weibo::new(&config(fake, "weibo-token"))
        .unwrap()
        .with_call_timeout(Duration::from_millis(500))
}

fn post(markdown: &str) -> Outgoing {
    Outgoing {
        key: "wb".to_owned(),
        rendered: render(markdown, Target::Weibo, &Options::default()),
        cover: None,
        images: Vec::new(),
        first_attempt_ms: 1,
    }
}

fn pic(content_type: &str) -> MediaFile {
    MediaFile {
        file_name: "pic.jpg".to_owned(),
        content_type: content_type.to_owned(),
        bytes: vec![0xFF, 0xD8, 0xFF, 0xE0],
        alt: String::new(),
    }
}

#[tokio::test]
async fn fake_shares_a_status_with_its_link() {
    let fake = FakeWeibo::start(WeiboOptions::default()).await;
    let text = format!("新品上线，详情见 {LINK}");
    let receipt = weibo(&fake)
        .publish(&mut Session::default(), &post(&text))
        .await
        .unwrap();
    let posted = fake.posts();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].text, text);
    let id = posted[0].id.to_string();
    assert_eq!(
        receipt,
        Receipt::Published {
            url: Some(format!("https://m.weibo.cn/status/{id}")),
            remote_id: id,
        }
    );
}

#[tokio::test]
async fn fake_shares_one_picture_and_refuses_more() {
    let fake = FakeWeibo::start(WeiboOptions::default()).await;
    let c = weibo(&fake);
    let mut p = post(&format!("配图 {LINK}"));
    p.images = vec![pic("image/jpeg")];
    c.publish(&mut Session::default(), &p).await.unwrap();
    assert!(fake.posts()[0].has_pic);

    p.images.push(pic("image/jpeg"));
    let e = c.publish(&mut Session::default(), &p).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::MediaRejected)
    );

    let mut webp = post(&format!("另一张 {LINK}"));
    webp.images = vec![pic("image/webp")];
    let e = c.publish(&mut Session::default(), &webp).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::MediaRejected)
    );
    assert_eq!(fake.posts_created(), 1);
}

#[tokio::test]
async fn fake_never_receives_what_share_json_would_refuse() {
    let fake = FakeWeibo::start(WeiboOptions::default()).await;
    let c = weibo(&fake);
    let no_link = c
        .publish(&mut Session::default(), &post("没有链接的微博"))
        .await
        .unwrap_err();
    assert_eq!(no_link.class, ErrorClass::Rejected);
    assert!(no_link.detail.contains("安全域名"), "{}", no_link.detail);

    let long = format!("{} {LINK}", "字".repeat(129));
    let e = c
        .publish(&mut Session::default(), &post(&long))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::TextTooLong)
    );
    assert_eq!(fake.requests(), 0);

    // 127 汉字 + space (½) + a link (12) = 139.5 → 140: exactly at the limit.
    let fits = format!("{} {LINK}", "字".repeat(127));
    c.publish(&mut Session::default(), &post(&fits))
        .await
        .unwrap();
}

#[tokio::test]
async fn fake_error_codes_map_onto_classes() {
    let fake = FakeWeibo::start(WeiboOptions::default()).await;
    let c = weibo(&fake);
    let cases = [
        (
            Fault::ServerError,
            ErrorClass::Retryable,
            Reason::PlatformBusy,
            0,
        ),
        (
            Fault::RateLimited(60),
            ErrorClass::RateLimited,
            Reason::RateLimited,
            0,
        ),
        (
            Fault::ExpiredToken,
            ErrorClass::Auth,
            Reason::TokenExpired,
            0,
        ),
        (
            Fault::RejectContent,
            ErrorClass::Rejected,
            Reason::Duplicate,
            0,
        ),
        (
            Fault::TimeoutBeforeWork,
            ErrorClass::Unknown,
            Reason::Timeout,
            0,
        ),
        (
            Fault::TimeoutAfterWork,
            ErrorClass::Unknown,
            Reason::Timeout,
            1,
        ),
        (
            Fault::Malformed,
            ErrorClass::Unknown,
            Reason::MalformedResponse,
            1,
        ),
    ];
    for (i, (fault, class, reason, posted)) in cases.into_iter().enumerate() {
        let before = fake.posts_created();
        fake.faults().push([fault.clone()]);
        let p = post(&format!("第{i}条 {LINK}"));
        let e = c.publish(&mut Session::default(), &p).await.unwrap_err();
        assert_eq!((e.class, e.reason), (class, reason), "{fault:?}: {e}");
        assert_eq!(fake.posts_created() - before, posted, "{fault:?}");
        assert!(
            !e.detail.contains("weibo-token"),
            "the token must not leak: {}",
            e.detail
        );
    }
}

#[tokio::test]
async fn fake_duplicates_tokens_and_the_hourly_limit() {
    let fake = FakeWeibo::start(WeiboOptions {
        posts_per_hour: 2,
        ..WeiboOptions::default()
    })
    .await;
    let c = weibo(&fake);
    let mut s = Session::default();
    c.publish(&mut s, &post(&format!("一 {LINK}")))
        .await
        .unwrap();
    let e = c
        .publish(&mut s, &post(&format!("一 {LINK}")))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::Duplicate)
    );
    c.publish(&mut s, &post(&format!("二 {LINK}")))
        .await
        .unwrap();
    let e = c
        .publish(&mut s, &post(&format!("三 {LINK}")))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);

    let stranger = Weibo::new(&config(&fake, "not-a-token")).unwrap();
    let e = stranger
        .publish(&mut s, &post(&format!("四 {LINK}")))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::TokenExpired)
    );
}

#[tokio::test]
async fn fake_verify_and_reconcile() {
    let fake = FakeWeibo::start(WeiboOptions::default()).await;
    let c = connector(&config(&fake, "weibo-token")).unwrap();
    let mut s = Session::default();
    assert_eq!(c.verify(&mut s).await.unwrap(), "Fanloop测试号");
    assert_eq!(
        c.reconcile(&mut s, &post(LINK)).await.unwrap(),
        Reconciled::Unknown
    );
    fake.expire_token("weibo-token");
    let e = c.verify(&mut s).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::TokenExpired)
    );
}
