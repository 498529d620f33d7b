//! Callback tests: requests as WeChat signs them, built with the crypto module (itself
//! pinned to the official vector and to the npm peer in the connector tests).

use super::*;

const TOKEN: &str = "fanloopToken";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APPID: &str = "wxb11529c136998cb6";
const NOW: i64 = 1_700_000_000;

fn plain_keys() -> CallbackKeys<'static> {
    CallbackKeys {
        token: TOKEN,
        encoding_aes_key: None,
        app_id: APPID,
    }
}

fn aes_keys() -> CallbackKeys<'static> {
    CallbackKeys {
        encoding_aes_key: Some(KEY),
        ..plain_keys()
    }
}

/// A query signed in plain mode at `ts`.
fn plain_query(ts: i64) -> CallbackQuery {
    let (timestamp, nonce) = (ts.to_string(), "493827".to_owned());
    CallbackQuery {
        signature: Some(crypto::signature(TOKEN, &timestamp, &nonce)),
        timestamp: Some(timestamp),
        nonce: Some(nonce),
        echostr: Some("echo-5831".into()),
        ..CallbackQuery::default()
    }
}

/// A safe-mode request: the query and the outer envelope carrying `inner` encrypted.
fn aes_request(inner: &str, appid: &str) -> (CallbackQuery, String) {
    let encrypt = crypto::encrypt(KEY, appid, b"0123456789abcdef", inner).unwrap();
    let mut q = plain_query(NOW);
    let ts = q.timestamp.clone().unwrap();
    let nonce = q.nonce.clone().unwrap();
    q.encrypt_type = Some("aes".into());
    q.msg_signature = Some(crypto::msg_signature(TOKEN, &ts, &nonce, &encrypt));
    let body = format!(
        "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    );
    (q, body)
}

const TEXT: &str = "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName>\
    <FromUserName><![CDATA[oFan1]]></FromUserName><CreateTime>1699999990</CreateTime>\
    <MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好 <b>]]></Content>\
    <MsgId>23456789012345678</MsgId></xml>";

const SUBSCRIBE: &str = "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName>\
    <FromUserName><![CDATA[oFan2]]></FromUserName><CreateTime>1699999991</CreateTime>\
    <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>";

const PUBLISHED: &str = "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName>\
    <FromUserName><![CDATA[oSys]]></FromUserName><CreateTime>1699999992</CreateTime>\
    <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event>\
    <PublishEventInfo><publish_id>2247503051</publish_id><publish_status>0</publish_status>\
    <article_id><![CDATA[b5O2OUs25HBxRceL7hfReg]]></article_id><article_detail><count>2</count>\
    <item><idx>1</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/one]]></article_url></item>\
    <item><idx>2</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/two]]></article_url></item>\
    </article_detail></PublishEventInfo></xml>";

const MASS_SENT: &str = "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName>\
    <FromUserName><![CDATA[oSys]]></FromUserName><CreateTime>1699999993</CreateTime>\
    <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event>\
    <MsgID>1000001625</MsgID><Status><![CDATA[err(30003)]]></Status><TotalCount>5</TotalCount>\
    <ArticleUrlResult><Count>1</Count><ResultList><item><ArticleIdx>1</ArticleIdx>\
    <ArticleUrl><![CDATA[https://mp.weixin.qq.com/s/m]]></ArticleUrl></item></ResultList>\
    </ArticleUrlResult></xml>";

#[test]
fn url_verification() {
    let keys = plain_keys();
    assert_eq!(
        verify_get(&keys, &plain_query(NOW), NOW).unwrap(),
        "echo-5831"
    );
    // Safe-mode accounts verify the URL in plain mode too.
    assert_eq!(
        verify_get(&aes_keys(), &plain_query(NOW), NOW).unwrap(),
        "echo-5831"
    );
    let mut forged = plain_query(NOW);
    forged.nonce = Some("other".into());
    assert_eq!(
        verify_get(&keys, &forged, NOW),
        Err(CallbackError::BadSignature)
    );
    let mut missing = plain_query(NOW);
    missing.echostr = None;
    assert_eq!(
        verify_get(&keys, &missing, NOW),
        Err(CallbackError::MissingParameter("echostr"))
    );
}

#[test]
fn replays_outside_the_window_are_refused() {
    let keys = plain_keys();
    for (ts, ok) in [
        (NOW - 300, true),
        (NOW + 300, true),
        (NOW - 301, false),
        (NOW + 301, false),
    ] {
        let r = verify_get(&keys, &plain_query(ts), NOW);
        assert_eq!(r.is_ok(), ok, "timestamp {ts}: {r:?}");
    }
    assert_eq!(
        open(&keys, &plain_query(NOW - 3600), TEXT, NOW),
        Err(CallbackError::Stale { skew_secs: 3600 })
    );
    let mut q = plain_query(NOW);
    q.timestamp = Some("soon".into());
    assert_eq!(open(&keys, &q, TEXT, NOW), Err(CallbackError::BadTimestamp));
}

#[test]
fn plain_messages_and_events() {
    let keys = plain_keys();
    let m = open(&keys, &plain_query(NOW), TEXT, NOW).unwrap();
    assert_eq!(
        (
            m.to_user.as_str(),
            m.from_user.as_str(),
            m.create_time,
            m.msg_type.as_str()
        ),
        ("gh_abc", "oFan1", 1_699_999_990, "text")
    );
    assert_eq!(m.content.as_deref(), Some("你好 <b>"));
    assert_eq!(m.dedup_key, "23456789012345678");
    assert!(!m.encrypted && m.publish.is_none() && m.raw_xml == TEXT);

    let e = open(&keys, &plain_query(NOW), SUBSCRIBE, NOW).unwrap();
    assert_eq!(e.event.as_deref(), Some("subscribe"));
    assert_eq!(e.dedup_key, "oFan2:1699999991:subscribe");
}

#[test]
fn job_events() {
    let keys = plain_keys();
    let p = open(&keys, &plain_query(NOW), PUBLISHED, NOW).unwrap();
    let job = p.publish.unwrap();
    assert_eq!(job.publish_id, "2247503051");
    assert_eq!(job.article_id.as_deref(), Some("b5O2OUs25HBxRceL7hfReg"));
    assert_eq!(
        job.urls,
        [
            "https://mp.weixin.qq.com/s/one",
            "https://mp.weixin.qq.com/s/two"
        ]
    );
    assert!(job.succeeded());

    let free = PUBLISHED.replace("PUBLISHJOBFINISH", "FREEPUBLISHJOBFINISH");
    let f = open(&keys, &plain_query(NOW), &free, NOW).unwrap();
    assert_eq!(f.publish.unwrap().publish_id, "2247503051");

    let m = open(&keys, &plain_query(NOW), MASS_SENT, NOW).unwrap();
    let job = m.publish.unwrap();
    assert_eq!(
        (job.publish_id.as_str(), job.status.as_str()),
        ("mass:1000001625", "err(30003)"),
        "a mass send's id is the remote id its publication keeps"
    );
    assert_eq!(job.urls, ["https://mp.weixin.qq.com/s/m"]);
    assert!(!job.succeeded());

    let broken = PUBLISHED.replace("PublishEventInfo", "Other");
    assert_eq!(
        open(&keys, &plain_query(NOW), &broken, NOW),
        Err(CallbackError::MissingField("PublishEventInfo"))
    );
}

#[test]
fn safe_mode_messages() {
    let (q, body) = aes_request(TEXT, APPID);
    let m = open(&aes_keys(), &q, &body, NOW).unwrap();
    assert!(m.encrypted);
    assert_eq!(m.content.as_deref(), Some("你好 <b>"));
    assert_eq!(m.raw_xml, TEXT);

    let mut forged = q.clone();
    forged.msg_signature = Some(crypto::signature(TOKEN, "1", "2"));
    assert_eq!(
        open(&aes_keys(), &forged, &body, NOW),
        Err(CallbackError::BadSignature)
    );

    let (q2, body2) = aes_request(TEXT, "wx_someone_else");
    assert!(matches!(
        open(&aes_keys(), &q2, &body2, NOW),
        Err(CallbackError::Crypto(CryptoError::AppIdMismatch { .. }))
    ));
    assert_eq!(
        open(&plain_keys(), &q, &body, NOW),
        Err(CallbackError::KeyMissing)
    );
}

#[test]
fn modes_cannot_be_mixed_up() {
    // A plain message to a safe-mode channel would let a captured signature carry any
    // body: refused.
    assert_eq!(
        open(&aes_keys(), &plain_query(NOW), TEXT, NOW),
        Err(CallbackError::EncryptionRequired)
    );
    let mut q = plain_query(NOW);
    q.encrypt_type = Some("sm4".into());
    assert_eq!(
        open(&plain_keys(), &q, TEXT, NOW),
        Err(CallbackError::UnsupportedEncryption("sm4".into()))
    );
}

#[test]
fn malformed_bodies() {
    let keys = plain_keys();
    let q = plain_query(NOW);
    for body in ["", "not xml", "<xml><ToUserName>x</ToUserName>", "<json/>"] {
        assert!(matches!(
            open(&keys, &q, body, NOW),
            Err(CallbackError::MalformedXml(_))
        ));
    }
    let no_from = TEXT.replace("FromUserName", "Nobody");
    assert_eq!(
        open(&keys, &q, &no_from, NOW),
        Err(CallbackError::MissingField("FromUserName"))
    );
    let huge = format!("<xml>{}</xml>", " ".repeat(MAX_BODY_BYTES));
    assert!(matches!(
        open(&keys, &q, &huge, NOW),
        Err(CallbackError::TooLarge(_))
    ));
}

#[test]
fn sealed_replies_open_back() {
    let keys = aes_keys();
    let fan = open(&plain_keys(), &plain_query(NOW), TEXT, NOW).unwrap();
    let reply = text_reply(&fan, "收到 ]]> <script>", NOW);
    let sealed = seal_reply(&keys, &reply, NOW, "nonce-1", &[9; 16]).unwrap();

    let doc = xml::parse(&sealed).unwrap();
    let root = doc.root_element();
    let names: Vec<_> = root
        .children()
        .map(|n| n.tag_name().name().to_owned())
        .collect();
    assert_eq!(names, ["Encrypt", "MsgSignature", "TimeStamp", "Nonce"]);
    let encrypt = xml::child_text(root, "Encrypt").unwrap();
    let signature = xml::child_text(root, "MsgSignature").unwrap();
    assert_eq!(
        signature,
        crypto::msg_signature(TOKEN, &NOW.to_string(), "nonce-1", &encrypt)
    );
    let inner = crypto::decrypt(KEY, APPID, &encrypt).unwrap();
    assert_eq!(inner, reply);

    let back = xml::parse(&inner).unwrap();
    let root = back.root_element();
    assert_eq!(
        xml::child_text(root, "ToUserName").as_deref(),
        Some("oFan1")
    );
    assert_eq!(
        xml::child_text(root, "FromUserName").as_deref(),
        Some("gh_abc")
    );
    assert_eq!(
        xml::child_text(root, "Content").as_deref(),
        Some("收到 ]]> <script>")
    );
    assert_eq!(reply_success(), "success");
    assert_eq!(
        seal_reply(&plain_keys(), &reply, NOW, "n", &[0; 16]),
        Err(CallbackError::KeyMissing)
    );
}

#[test]
fn errors_speak_both_languages() {
    let all = [
        CallbackError::MissingParameter("nonce"),
        CallbackError::BadTimestamp,
        CallbackError::Stale { skew_secs: 999 },
        CallbackError::BadSignature,
        CallbackError::EncryptionRequired,
        CallbackError::KeyMissing,
        CallbackError::UnsupportedEncryption("x".into()),
        CallbackError::TooLarge(1),
        CallbackError::MalformedXml("x".into()),
        CallbackError::MissingField("MsgType"),
        CallbackError::Crypto(CryptoError::BadPadding),
    ];
    for e in all {
        let (zh, en) = (e.message(Locale::ZhCn), e.message(Locale::En));
        assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{e}");
        assert!(!e.to_string().is_empty());
    }
}
