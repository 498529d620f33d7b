//! The WeChat connector against `FakeWechat`: the article flow with body images rewritten,
//! token refresh, every injected fault, "a retry after a lost answer publishes once",
//! mass-send de-duplication; and the callback crypto against the npm `wechat-crypto`
//! peer (WXBizMsgCrypt), when it is installed.

use fanloop_domain::Platform;
use fanloop_fakes::Fault;
use fanloop_fakes::wechat::FakeWechat;
use fanloop_platforms::wechat::{WechatOa, crypto};
use fanloop_platforms::{
    ChannelConfig, Connector, ErrorClass, MediaFile, Outgoing, Reason, Receipt, Reconciled,
    Session, connector,
};
use fanloop_render::{Options, Target, render};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

pub(crate) const APP_ID: &str = "wx5f1a0c3e9b7d2468";
pub(crate) const SECRET: &str = "fake-app-secret";

pub(crate) fn config(url: &str, secret: &str) -> ChannelConfig {
    ChannelConfig {
        channel_id: 7,
        platform: Platform::WechatOa,
        settings: [
            ("app_id".to_owned(), APP_ID.to_owned()),
            ("api_base_url".to_owned(), url.to_owned()),
        ]
        .into(),
        secrets: [
            ("app_secret".to_owned(), secret.to_owned()),
            ("token".to_owned(), "callback-token".to_owned()),
        ]
        .into(),
    }
}

/// A connector whose calls time out quickly, so the "did it go out?" cases are fast.
fn wechat(fake: &FakeWechat) -> WechatOa {
    WechatOa::new(&config(&fake.url(), SECRET))
        .unwrap()
        .with_call_timeout(Duration::from_millis(500))
}

pub(crate) fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    since.map_or(0, |d| d.as_millis() as i64)
}

pub(crate) fn session() -> Session {
    Session {
        now_ms: now_ms(),
        ..Session::default()
    }
}

fn png(name: &str) -> MediaFile {
    MediaFile {
        file_name: name.to_owned(),
        content_type: "image/png".to_owned(),
        bytes: [b"\x89PNG\r\n\x1a\n".as_slice(), name.as_bytes()].concat(),
        alt: name.to_owned(),
    }
}

const ARTICLE: &str = "# 新品发布\n\n今天我们发布了新版本，欢迎大家试用并反馈意见。这一段文字足够长，\
    用来检验摘要只取正文的前五十四个字符，而不会把整段都放进去。\n\n\
    ![第一张](https://cdn.example.com/a.png)\n\n中间的文字。\n\n\
    ![第二张](https://cdn.example.com/b.png?w=600&h=400)\n";

/// The article with a cover and both body images.
pub(crate) fn post(key: &str) -> Outgoing {
    let rendered = render(ARTICLE, Target::Wechat, &Options::default());
    assert_eq!(rendered.images.len(), 2, "the fixture has two body images");
    Outgoing {
        key: key.to_owned(),
        rendered,
        cover: Some(png("cover")),
        images: vec![png("a"), png("b")],
        first_attempt_ms: now_ms(),
    }
}

pub(crate) fn pending_id(receipt: Receipt) -> String {
    match receipt {
        Receipt::Pending { remote_id } => remote_id,
        other => panic!("expected a pending job, got {other:?}"),
    }
}

#[tokio::test]
async fn fake_article_publishes_with_body_images_rewritten() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_publish_delay(Duration::from_millis(300));
    let conn = connector(&config(&fake.url(), SECRET)).unwrap();
    let mut s = session();

    let publish_id = pending_id(conn.publish(&mut s, &post("p-1")).await.unwrap());
    assert!(s.changed, "the token and the job id are kept");
    assert_eq!(
        conn.check(&mut s, &publish_id).await.unwrap(),
        Receipt::Pending {
            remote_id: publish_id.clone()
        }
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    let Receipt::Published { remote_id, url } = conn.check(&mut s, &publish_id).await.unwrap()
    else {
        panic!("the job should have finished");
    };
    assert!(remote_id.starts_with("ARTICLE_"));
    assert!(url.unwrap().starts_with("https://mp.weixin.qq.com/s/"));

    assert_eq!(fake.published_count(), 1);
    assert_eq!(fake.image_upload_count(), 2);
    let article = &fake.published()[0];
    assert_eq!(article.title, "新品发布");
    assert_eq!(
        article
            .content
            .matches("<img src=\"http://mmbiz.qpic.cn/")
            .count(),
        2
    );
    assert!(!article.content.contains("cdn.example.com"));
    assert!(article.digest.starts_with("今天我们发布了新版本"));
    assert_eq!(article.digest.chars().count(), 54);
    // One token served every call.
    assert_eq!(fake.token_requests(), 1);
    // Publishing the same post again answers with the same job: nothing is sent twice.
    let again = pending_id(conn.publish(&mut s, &post("p-1")).await.unwrap());
    assert_eq!((again, fake.published_count()), (publish_id, 1));
}

#[tokio::test]
async fn fake_token_is_cached_refreshed_early_and_replaced_on_42001() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    let conn = wechat(&fake);
    let mut s = session();
    assert_eq!(conn.verify(&mut s).await.unwrap(), APP_ID);
    assert_eq!(fake.token_requests(), 1);
    let expires = s.expires_at_ms.unwrap();
    assert!(expires > s.now_ms + 7_000_000);

    // Token rotated behind our back: 42001, a new token, the call retried, all in one.
    fake.expire_tokens();
    pending_id(conn.publish(&mut s, &post("t-1")).await.unwrap());
    assert_eq!((fake.tokens_issued(), fake.token_requests()), (2, 2));

    // The same through an injected 42001.
    fake.set_fault_paths(&["draft/add"]);
    fake.faults().push([Fault::ExpiredToken]);
    pending_id(conn.publish(&mut s, &post("t-2")).await.unwrap());
    assert_eq!(fake.token_requests(), 3);

    // Less than five minutes left on our clock: fetched again before use.
    let before = fake.token_requests();
    s.now_ms = s.expires_at_ms.unwrap() - 4 * 60 * 1000;
    pending_id(conn.publish(&mut s, &post("t-3")).await.unwrap());
    assert_eq!(fake.token_requests(), before + 1);

    // Refused twice: the retry is spent, the channel needs attention.
    fake.faults()
        .push([Fault::ExpiredToken, Fault::ExpiredToken]);
    let e = conn.publish(&mut s, &post("t-4")).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::TokenExpired)
    );
    assert_eq!(fake.published_count(), 3);
}

#[tokio::test]
async fn fake_refresh_renews_in_the_last_five_minutes_and_reports_a_reset_secret() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_token_lifetime(Duration::from_secs(400));
    let conn = wechat(&fake);
    let mut s = session();
    conn.refresh(&mut s).await.unwrap();
    let (first, expires) = (s.get("access_token").unwrap().to_owned(), s.expires_at_ms);

    // Early: WeChat hands back the token it has.
    conn.refresh(&mut s).await.unwrap();
    assert_eq!(s.get("access_token"), Some(first.as_str()));
    assert_eq!(fake.tokens_issued(), 1);

    // In its last five minutes: a new token, and the old one still works.
    fake.set_renewal_window(Duration::from_secs(400));
    conn.refresh(&mut s).await.unwrap();
    assert_ne!(s.get("access_token"), Some(first.as_str()));
    assert!(s.expires_at_ms >= expires);
    assert_eq!(fake.tokens_issued(), 2);
    let mut old = session();
    old.set("access_token", first);
    old.expires_at_ms = Some(old.now_ms + 60 * 60 * 1000);
    pending_id(conn.publish(&mut old, &post("r-1")).await.unwrap());

    // The AppSecret was reset: only reconnecting the channel helps.
    fake.set_secret("another-secret");
    let e = conn.refresh(&mut s).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::CredentialsRejected)
    );
}

#[tokio::test]
async fn fake_faults_map_to_error_classes() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_fault_paths(&["draft/add"]);
    let conn = wechat(&fake);
    let cases: Vec<(Vec<Fault>, ErrorClass, Reason)> = vec![
        (
            vec![Fault::ServerError],
            ErrorClass::Retryable,
            Reason::PlatformBusy,
        ),
        (
            vec![Fault::TimeoutBeforeWork],
            ErrorClass::Unknown,
            Reason::Timeout,
        ),
        (
            vec![Fault::TimeoutAfterWork],
            ErrorClass::Unknown,
            Reason::Timeout,
        ),
        (
            vec![Fault::RateLimited(30)],
            ErrorClass::RateLimited,
            Reason::QuotaExhausted,
        ),
        (
            vec![Fault::Malformed],
            ErrorClass::Unknown,
            Reason::MalformedResponse,
        ),
        (
            vec![Fault::RejectContent],
            ErrorClass::Rejected,
            Reason::ContentRejected,
        ),
        (
            vec![Fault::ExpiredToken; 2],
            ErrorClass::Auth,
            Reason::TokenExpired,
        ),
    ];
    for (i, (faults, class, reason)) in cases.into_iter().enumerate() {
        fake.faults().push(faults.clone());
        let e = conn
            .publish(&mut session(), &post(&format!("f-{i}")))
            .await
            .unwrap_err();
        assert_eq!((e.class, e.reason), (class, reason), "{faults:?}: {e}");
        if class == ErrorClass::RateLimited {
            assert_eq!(
                e.retry_after, None,
                "the engine reschedules quota exhaustion"
            );
        }
        assert!(
            !e.detail.contains("access_token="),
            "no token in details: {}",
            e.detail
        );
    }
    assert_eq!(fake.published_count(), 0);
}

#[tokio::test]
async fn fake_refusals_are_named() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    let conn = wechat(&fake);

    let wrong = WechatOa::new(&config(&fake.url(), "not-the-secret")).unwrap();
    let e = wrong.verify(&mut session()).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::CredentialsRejected)
    );

    let mut no_cover = post("r-1");
    no_cover.cover = None;
    let e = conn.publish(&mut session(), &no_cover).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::MediaRejected)
    );
    assert!(e.detail.contains("cover"), "{}", e.detail);

    let mut missing_image = post("r-2");
    missing_image.images.pop();
    let e = conn
        .publish(&mut session(), &missing_image)
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::MediaRejected)
    );
    assert!(e.detail.contains("image 2"), "{}", e.detail);

    let mut long_title = post("r-3");
    long_title.rendered.title = Some("长".repeat(65));
    let e = conn.publish(&mut session(), &long_title).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::TextTooLong)
    );

    fake.set_publish_outcome(4);
    let mut s = session();
    let id = pending_id(conn.publish(&mut s, &post("r-4")).await.unwrap());
    let e = conn.check(&mut s, &id).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::ContentRejected)
    );
    assert!(e.detail.contains("publish_status 4"), "{}", e.detail);
    assert_eq!(fake.published_count(), 0);

    fake.set_minute_limit(1);
    let e = conn
        .publish(&mut session(), &post("r-5"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::RateLimited, Reason::RateLimited)
    );
    assert_eq!(e.retry_after, Some(Duration::from_secs(60)));

    let mut bad = config(&fake.url(), SECRET);
    bad.secrets.remove("app_secret");
    let e = connector(&bad).err().unwrap();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::MissingSetting)
    );
}

#[tokio::test]
async fn fake_lost_submit_answer_is_reconciled_not_resent() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_fault_paths(&["freepublish/submit"]);
    let conn = wechat(&fake);
    let mut s = session();
    let p = post("lost-1");

    fake.faults().push([Fault::TimeoutAfterWork]);
    let e = conn.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Unknown);
    assert_eq!(
        fake.published_count(),
        1,
        "the job was created before the answer was lost"
    );
    let Reconciled::Found(Receipt::Published { remote_id, url }) =
        conn.reconcile(&mut s, &p).await.unwrap()
    else {
        panic!("the finished job should be found among the publications");
    };
    assert!(remote_id.starts_with("ARTICLE_") && url.is_some());

    // While the job still runs it is not listed yet: a person must look.
    fake.set_publish_delay(Duration::from_secs(600));
    let p2 = post("lost-2");
    fake.faults().push([Fault::Malformed]);
    let e = conn.publish(&mut s, &p2).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Unknown, Reason::MalformedResponse)
    );
    assert_eq!(
        conn.reconcile(&mut s, &p2).await.unwrap(),
        Reconciled::Unknown
    );
    assert_eq!(fake.published_count(), 2);
}

#[tokio::test]
async fn fake_retry_after_lost_draft_answer_publishes_once() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_fault_paths(&["draft/add"]);
    let conn = wechat(&fake);
    let mut s = session();
    let p = post("d-1");

    fake.faults().push([Fault::TimeoutAfterWork]);
    assert_eq!(
        conn.publish(&mut s, &p).await.unwrap_err().class,
        ErrorClass::Unknown
    );
    assert_eq!(
        conn.reconcile(&mut s, &p).await.unwrap(),
        Reconciled::SafeToRetry
    );
    let id = pending_id(conn.publish(&mut s, &p).await.unwrap());
    assert!(matches!(
        conn.check(&mut s, &id).await.unwrap(),
        Receipt::Published { .. }
    ));
    assert_eq!(fake.published_count(), 1);
    // The orphan draft from the lost answer is invisible to readers.
    assert_eq!(fake.draft_count(), 1);

    // A submit refused with a 500 re-uses the stored draft and images on retry.
    fake.set_fault_paths(&["freepublish/submit"]);
    fake.faults().push([Fault::ServerError]);
    let p2 = post("d-2");
    assert_eq!(
        conn.publish(&mut s, &p2).await.unwrap_err().class,
        ErrorClass::Retryable
    );
    let uploads = fake.image_upload_count();
    assert_eq!(
        conn.reconcile(&mut s, &p2).await.unwrap(),
        Reconciled::SafeToRetry
    );
    pending_id(conn.publish(&mut s, &p2).await.unwrap());
    assert_eq!(fake.image_upload_count(), uploads);
    assert_eq!(fake.published_count(), 2);
}

#[tokio::test]
async fn fake_mass_send_is_deduplicated_by_clientmsgid() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    let conn = wechat(&fake);
    let mut s = session();
    let p = post("mass-1");
    let media_id = conn.prepare_draft(&mut s, &p).await.unwrap();
    assert_eq!(
        conn.prepare_draft(&mut s, &p).await.unwrap(),
        media_id,
        "the draft is kept"
    );

    let first = conn
        .mass_send(&mut s, &p.key, &media_id, Some(2))
        .await
        .unwrap();
    assert!(!first.already_sent);
    let again = conn
        .mass_send(&mut s, &p.key, &media_id, Some(2))
        .await
        .unwrap();
    assert!(again.already_sent);
    assert_eq!(again.msg_id, first.msg_id);
    assert_eq!(fake.mass_send_count(), 1);

    let other = post("mass-2");
    let e = conn
        .mass_send(&mut s, &other.key, &media_id, None)
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::RateLimited, Reason::QuotaExhausted)
    );
    assert_eq!(e.retry_after, None);

    fake.new_day();
    let next = conn
        .mass_send(&mut s, &other.key, &media_id, None)
        .await
        .unwrap();
    assert_ne!(next.msg_id, first.msg_id);
    assert_eq!(fake.mass_send_count(), 2);
}

/// Runs WXBizMsgCrypt from npm over our ciphertexts and its own: decrypts ours, encrypts
/// each message, and signs both.
const PEER_SCRIPT: &str = r#"
const Crypt = require(process.env.PEER);
const input = JSON.parse(process.env.INPUT);
const c = new Crypt(input.token, input.key, input.appid);
const out = input.cases.map((k) => {
  const js = c.encrypt(k.msg);
  const mine = c.decrypt(k.ours);
  return {
    js,
    js_sig: c.getSignature(input.timestamp, input.nonce, js),
    ours_sig: c.getSignature(input.timestamp, input.nonce, k.ours),
    ours_msg: mine.message,
    ours_id: mine.id,
  };
});
process.stdout.write(JSON.stringify(out));
"#;

#[test]
fn crypto_interoperates_with_npm_wechat_crypto() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let peer = root.join("peers/wechat-crypto/node_modules/wechat-crypto");
    if !peer.exists() {
        let hint = "install it with `npm ci --prefix peers/wechat-crypto`";
        if std::env::var("FANLOOP_REQUIRE_PEERS").as_deref() == Ok("1") {
            panic!(
                "FANLOOP_REQUIRE_PEERS=1 but {} is missing: {hint}",
                peer.display()
            );
        }
        eprintln!(
            "skipped crypto_interoperates_with_npm_wechat_crypto: {} is missing; {hint}",
            peer.display()
        );
        return;
    }
    // Not the official vector's key: one whose last character carries trailing bits.
    let (token, key, appid) = (
        "interopToken",
        "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
        APP_ID,
    );
    let (timestamp, nonce) = ("1700000000", "1320562132");
    let messages = [
        "我是中文abcd123".to_owned(),
        String::new(),
        "<xml><Content><![CDATA[a]]]]><![CDATA[>b 😀]]></Content></xml>".to_owned(),
        // 16 + 4 + 18 + 26 = 64 bytes: a full 32-byte pad block.
        "x".repeat(26),
        "长".repeat(3000),
    ];
    let cases: Vec<serde_json::Value> = messages
        .iter()
        .enumerate()
        .map(|(i, msg)| {
            let ours = crypto::encrypt(key, appid, &[i as u8 + 1; 16], msg).unwrap();
            serde_json::json!({ "msg": msg, "ours": ours })
        })
        .collect();
    let input = serde_json::json!({
        "token": token, "key": key, "appid": appid,
        "timestamp": timestamp, "nonce": nonce, "cases": cases,
    });
    let output = std::process::Command::new("node")
        .args(["--no-deprecation", "-e", PEER_SCRIPT])
        .env("PEER", &peer)
        .env("INPUT", input.to_string())
        .output()
        .expect("run node");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(results.len(), messages.len());
    for ((msg, case), r) in messages.iter().zip(&cases).zip(&results) {
        let ours = case["ours"].as_str().unwrap();
        let js = r["js"].as_str().unwrap();
        assert_eq!(
            r["ours_msg"].as_str(),
            Some(msg.as_str()),
            "the peer reads ours"
        );
        assert_eq!(r["ours_id"].as_str(), Some(appid));
        assert_eq!(
            crypto::decrypt(key, appid, js).unwrap(),
            *msg,
            "we read the peer's"
        );
        assert_eq!(
            r["ours_sig"].as_str().unwrap(),
            crypto::msg_signature(token, timestamp, nonce, ours)
        );
        assert_eq!(
            r["js_sig"].as_str().unwrap(),
            crypto::msg_signature(token, timestamp, nonce, js)
        );
    }
}
