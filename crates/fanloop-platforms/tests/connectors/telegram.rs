//! The Telegram connector against the real npm emulator `telegram-test-api` (text
//! messages, which is what it emulates) and against `FakeTelegram` (photos, media groups,
//! flood limits and faults).

use fanloop_domain::Platform;
use fanloop_fakes::Fault;
use fanloop_fakes::telegram::{FakeTelegram, TelegramOptions};
use fanloop_platforms::telegram::Telegram;
use fanloop_platforms::{
    ChannelConfig, Connector, ErrorClass, MediaFile, Outgoing, Reason, Receipt, Reconciled,
    Session, connector,
};
use fanloop_render::{Options, Target, render};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

const TOKEN: &str = "123456:TEST-TOKEN";

fn config(base: &str, token: &str, chat: &str) -> ChannelConfig {
    ChannelConfig {
        channel_id: 7,
        platform: Platform::Telegram,
        settings: [
            ("chat_id".to_owned(), chat.to_owned()),
            ("api_base_url".to_owned(), base.to_owned()),
        ]
        .into(),
        secrets: [("bot_token".to_owned(), token.to_owned())].into(),
    }
}

fn telegram(fake: &FakeTelegram) -> Telegram {
    Telegram::new(&config(&fake.url(), TOKEN, "@fanloop"))
        .unwrap()
        .with_call_timeout(Duration::from_millis(500))
}

fn post(markdown: &str) -> Outgoing {
    Outgoing {
        key: "tg-1".to_owned(),
        rendered: render(markdown, Target::Telegram, &Options::default()),
        cover: None,
        images: Vec::new(),
        first_attempt_ms: 1,
    }
}

fn photo(name: &str) -> MediaFile {
    MediaFile {
        file_name: name.to_owned(),
        content_type: "image/jpeg".to_owned(),
        bytes: vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3],
        alt: String::new(),
    }
}

#[tokio::test]
async fn fake_sends_html_and_links_the_channel_message() {
    let fake = FakeTelegram::start(TelegramOptions::default()).await;
    let receipt = telegram(&fake)
        .publish(&mut Session::default(), &post("Hello **world**"))
        .await
        .unwrap();
    assert_eq!(
        receipt,
        Receipt::Published {
            remote_id: "1".to_owned(),
            url: Some("https://t.me/fanloop/1".to_owned()),
        }
    );
    let sent = fake.messages();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].text.contains("<b>world</b>"), "{}", sent[0].text);
    assert_eq!(sent[0].parse_mode.as_deref(), Some("HTML"));
}

#[tokio::test]
async fn fake_one_image_is_a_photo_with_the_text_as_caption() {
    let fake = FakeTelegram::start(TelegramOptions::default()).await;
    let mut p = post("A *caption*");
    p.images = vec![photo("a.jpg")];
    telegram(&fake)
        .publish(&mut Session::default(), &p)
        .await
        .unwrap();
    let sent = fake.messages();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].has_photo);
    assert!(sent[0].text.contains("<i>caption</i>"), "{}", sent[0].text);
}

#[tokio::test]
async fn fake_several_images_are_one_media_group() {
    let fake = FakeTelegram::start(TelegramOptions::default()).await;
    let mut p = post("Album");
    p.images = vec![photo("a.jpg"), photo("b.jpg"), photo("c.jpg")];
    let receipt = telegram(&fake)
        .publish(&mut Session::default(), &p)
        .await
        .unwrap();
    let Receipt::Published { remote_id, .. } = receipt else {
        panic!("expected a published receipt");
    };
    assert_eq!(
        remote_id, "1",
        "the group is identified by its first message"
    );
    let sent = fake.messages();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|m| m.has_photo));
    assert_eq!(sent[0].text, "Album");
}

#[tokio::test]
async fn fake_over_long_texts_are_refused_before_sending() {
    let fake = FakeTelegram::start(TelegramOptions::default()).await;
    let c = telegram(&fake);
    let e = c
        .publish(&mut Session::default(), &post(&"字".repeat(4097)))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::TextTooLong)
    );

    let mut p = post(&"a".repeat(1025));
    p.images = vec![photo("a.jpg")];
    let e = c.publish(&mut Session::default(), &p).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Rejected, Reason::TextTooLong)
    );
    assert_eq!(fake.requests(), 0);
}

#[tokio::test]
async fn fake_faults_map_onto_error_classes() {
    let fake = FakeTelegram::start(TelegramOptions {
        per_chat_per_minute: 100,
        ..TelegramOptions::default()
    })
    .await;
    let c = telegram(&fake);
    let cases = [
        (
            Fault::ServerError,
            ErrorClass::Retryable,
            Reason::PlatformBusy,
            0,
        ),
        (
            Fault::RateLimited(9),
            ErrorClass::RateLimited,
            Reason::RateLimited,
            0,
        ),
        (
            Fault::ExpiredToken,
            ErrorClass::Auth,
            Reason::CredentialsRejected,
            0,
        ),
        (
            Fault::RejectContent,
            ErrorClass::Rejected,
            Reason::ContentRejected,
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
    for (fault, class, reason, posted) in cases {
        let before = fake.messages_sent();
        fake.faults().push([fault.clone()]);
        let e = c
            .publish(&mut Session::default(), &post("Faulty"))
            .await
            .unwrap_err();
        assert_eq!((e.class, e.reason), (class, reason), "{fault:?}: {e}");
        assert_eq!(fake.messages_sent() - before, posted, "{fault:?}");
        if fault == Fault::RateLimited(9) {
            assert_eq!(e.retry_after, Some(Duration::from_secs(9)));
        }
        assert!(
            !e.detail.contains(TOKEN),
            "the bot token must not leak: {}",
            e.detail
        );
    }
}

#[tokio::test]
async fn fake_flood_limit_and_unknown_chats() {
    let fake = FakeTelegram::start(TelegramOptions {
        per_chat_per_minute: 1,
        ..TelegramOptions::default()
    })
    .await;
    let c = telegram(&fake);
    c.publish(&mut Session::default(), &post("one"))
        .await
        .unwrap();
    let e = c
        .publish(&mut Session::default(), &post("two"))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    assert!(e.retry_after.is_some_and(|w| w > Duration::from_secs(50)));

    let elsewhere = Telegram::new(&config(&fake.url(), TOKEN, "@nowhere")).unwrap();
    let e = elsewhere
        .publish(&mut Session::default(), &post("lost"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::MissingSetting)
    );
}

#[tokio::test]
async fn fake_verify_and_reconcile() {
    let fake = FakeTelegram::start(TelegramOptions::default()).await;
    let c = connector(&config(&fake.url(), TOKEN, "@fanloop")).unwrap();
    let mut s = Session::default();
    assert_eq!(c.verify(&mut s).await.unwrap(), "@fanloop_test_bot");
    // Telegram cannot say whether an interrupted send went out.
    assert_eq!(
        c.reconcile(&mut s, &post("x")).await.unwrap(),
        Reconciled::Unknown
    );

    let wrong = connector(&config(&fake.url(), "999:WRONG", "@fanloop")).unwrap();
    let e = wrong.verify(&mut s).await.unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::CredentialsRejected)
    );
}

/// The npm emulator, started with `node` on a free loopback port for one test.
struct Peer {
    _child: tokio::process::Child,
    url: String,
}

impl Peer {
    /// `None` (after saying "skipped") when the peer is not installed, unless
    /// `FANLOOP_REQUIRE_PEERS=1` makes that a failure.
    async fn start() -> Option<Peer> {
        let dir = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../peers/telegram-test-api"
        ));
        if !dir.join("node_modules/telegram-test-api").is_dir() {
            let hint = "install it with `npm ci --prefix peers/telegram-test-api`";
            if std::env::var("FANLOOP_REQUIRE_PEERS").as_deref() == Ok("1") {
                panic!("telegram-test-api is required but not installed: {hint}");
            }
            eprintln!("skipped: telegram-test-api is not installed ({hint})");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut child = tokio::process::Command::new("node")
            .arg("start.js")
            .arg(port.to_string())
            .arg("--exit-with-stdin")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("run node (needed for the telegram-test-api peer)");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
        let line = ready
            .expect("the peer starts within 30 s")
            .expect("read the peer's output");
        let url = line
            .and_then(|l| l.strip_prefix("ready ").map(str::to_owned))
            .expect("the peer announces `ready <url>`");
        Some(Peer { _child: child, url })
    }
}

#[tokio::test]
async fn telegram_test_api_peer_receives_the_message() {
    let Some(peer) = Peer::start().await else {
        return;
    };
    let c = Telegram::new(&config(&peer.url, TOKEN, "@fanloop_peer")).unwrap();
    let mut s = Session::default();
    assert_eq!(c.verify(&mut s).await.unwrap(), "@TestNameBot");

    let p = post("Hello from **Fanloop** & friends");
    let receipt = c.publish(&mut s, &p).await.unwrap();
    let Receipt::Published { remote_id, url } = receipt else {
        panic!("expected a published receipt");
    };
    assert_eq!(url, Some(format!("https://t.me/fanloop_peer/{remote_id}")));

    // The emulator's client API lists what the bot sent.
    let history: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/getUpdatesHistory", peer.url))
        .json(&serde_json::json!({"token": TOKEN}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent = history["result"].as_array().expect("a history list");
    assert_eq!(sent.len(), 1, "{history}");
    let message = &sent[0]["message"];
    assert_eq!(message["chat_id"], "@fanloop_peer");
    assert_eq!(message["parse_mode"], "HTML");
    assert_eq!(message["text"], p.rendered.body.as_str());
    assert!(
        p.rendered
            .body
            .as_str()
            .contains("<b>Fanloop</b> &amp; friends")
    );
    assert_eq!(sent[0]["messageId"].to_string(), remote_id);
}
