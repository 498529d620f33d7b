//! WeChat's push callback through the real server: URL verification, messages stored
//! once however often WeChat retries, safe mode with the official test key, publish-job
//! events settling pending publications, and every refusal leaving nothing behind.

use crate::helpers::TestApp;
use fanloop_domain::ChannelDraft;
use fanloop_domain::publish::PublicationStatus;
use fanloop_platforms::wechat::crypto;
use fanloop_store::publishing::{Claimed, Outcome, Slot};
use fanloop_store::{Channel, User, Workspace};
use serde_json::{Value, json};

pub const TOKEN: &str = "fanloop-callback-token";
/// The key and app id of WeChat's published encryption test vector (PLATFORMS.md).
pub const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
pub const APP_ID: &str = "wxb11529c136998cb6";

/// A WeChat Official Account channel whose callback Token is `TOKEN`, in safe mode when
/// `aes_key` is given.
pub async fn wechat_channel(
    app: &TestApp,
    ws: &Workspace,
    owner: &User,
    aes_key: Option<&str>,
) -> Channel {
    let mut settings = json!({"app_id": APP_ID, "app_secret": "app-secret", "token": TOKEN});
    if let Some(key) = aes_key {
        settings["encoding_aes_key"] = json!(key);
    }
    let draft = ChannelDraft::parse("wechat_oa", "小满咖啡公众号", Some(&settings)).unwrap();
    app.store
        .create_channel(
            ws.id(),
            owner.id,
            draft.platform,
            &draft.name,
            &draft.settings,
        )
        .await
        .unwrap()
}

/// An approved post scheduled now on `channel`, its job claimed and its attempt begun:
/// the state a publisher holds just before it records the platform's answer.
pub async fn started_publication(
    app: &TestApp,
    ws: &Workspace,
    owner: &User,
    channel_id: i64,
    title: &str,
) -> (Claimed, i64) {
    let token = app.token(owner).await;
    let base = format!("/api/v1/workspaces/{}", ws.id);
    // No reviewers needed, so submitting approves at once.
    let rules = json!({"required_approvals": 0, "author_may_approve": true,
        "lint_errors_block": false, "approver_roles": ["owner"]});
    let r = app
        .http
        .put(format!("{}{base}/approval-rules", app.url))
        .bearer_auth(&token)
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let post: Value = app
        .post_json(
            &format!("{base}/posts"),
            &token,
            &json!({"title": title, "body": "秋天的第一杯，留给桂花。", "channel_ids": [channel_id]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post_id = post["id"].as_i64().expect("post id");
    let submitted: Value = app
        .post_json(
            &format!("{base}/posts/{post_id}/submit"),
            &token,
            &json!({}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(submitted["status"], "approved", "{submitted}");
    let version = submitted["version"].as_i64().unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    let slot = Slot {
        channel_id,
        at_ms: now,
    };
    let ids = app
        .store
        .schedule(ws.id(), post_id, version, &[slot], owner.id)
        .await
        .unwrap();
    let claimed = app
        .store
        .claim_jobs("it", now + 1_000, 60_000, 10)
        .await
        .unwrap();
    let job = claimed
        .into_iter()
        .find(|j| j.publication_id == ids[0])
        .expect("the job is due");
    // Due now, the claim started the attempt.
    assert!(job.started.is_some(), "{job:?}");
    (job, ids[0])
}

/// A publication accepted by WeChat as job `publish_id`, waiting for its outcome.
async fn pending_publication(
    app: &TestApp,
    ws: &Workspace,
    owner: &User,
    channel: &Channel,
    publish_id: &str,
) -> i64 {
    let (job, id) = started_publication(app, ws, owner, channel.id, "桂花拿铁回来了").await;
    let check_at = jiff::Timestamp::now().as_millisecond() + 600_000;
    let outcome = Outcome::Pending {
        remote_id: publish_id.to_owned(),
        check_at,
    };
    app.store.finish_job(&job, "it", &outcome).await.unwrap();
    let p = app.store.publication(ws.id(), id).await.unwrap();
    assert_eq!(p.status, PublicationStatus::Pending);
    id
}

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Query string of a plain-mode request signed with `token` at `timestamp`.
fn signed(token: &str, timestamp: i64, nonce: &str) -> String {
    let ts = timestamp.to_string();
    let signature = crypto::signature(token, &ts, nonce);
    format!("signature={signature}&timestamp={ts}&nonce={nonce}")
}

fn text_message(msg_id: &str, content: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><FromUserName><![CDATA[oFan1]]></FromUserName>\
         <CreateTime>{}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>\
         <MsgId>{msg_id}</MsgId></xml>",
        now_secs()
    )
}

fn job_finished(publish_id: &str, status: u8) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><FromUserName><![CDATA[oSys]]></FromUserName>\
         <CreateTime>{}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event>\
         <PublishEventInfo><publish_id>{publish_id}</publish_id><publish_status>{status}</publish_status>\
         <article_id><![CDATA[art_b5O2OUs25HBxRceL7hfReg]]></article_id><article_detail><count>1</count>\
         <item><idx>1</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/guihua]]></article_url></item>\
         </article_detail></PublishEventInfo></xml>",
        now_secs()
    )
}

/// `MASSSENDJOBFINISH` as WeChat pushes it, with the article's URL.
fn mass_finished(msg_id: &str, status: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><FromUserName><![CDATA[oSys]]></FromUserName>\
         <CreateTime>{}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event>\
         <MsgID>{msg_id}</MsgID><Status><![CDATA[{status}]]></Status><TotalCount>5</TotalCount><FilterCount>5</FilterCount>\
         <SentCount>5</SentCount><ErrorCount>0</ErrorCount><ArticleUrlResult><Count>1</Count><ResultList><item>\
         <ArticleIdx>1</ArticleIdx><ArticleUrl><![CDATA[https://mp.weixin.qq.com/s/mass]]></ArticleUrl></item></ResultList></ArticleUrlResult></xml>",
        now_secs()
    )
}

async fn push(
    app: &TestApp,
    channel_id: impl std::fmt::Display,
    query: &str,
    body: &str,
) -> (u16, String) {
    let r = app
        .http
        .post(format!("{}/hooks/wechat/{channel_id}?{query}", app.url))
        .header("content-type", "text/xml")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let is_text = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(
        is_text && !text.contains("<html"),
        "{status}: answers are plain text: {text}"
    );
    (status, text)
}

async fn setup() -> (TestApp, User, Workspace) {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    (app, owner, ws)
}

#[tokio::test]
async fn url_verification_echoes_only_when_signed() {
    let (app, owner, ws) = setup().await;
    let channel = wechat_channel(&app, &ws, &owner, None).await;
    let get = |query: String| {
        let request = app
            .http
            .get(format!("{}/hooks/wechat/{}?{query}", app.url, channel.id));
        async move {
            let r = request.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let good = format!("{}&echostr=e1234567", signed(TOKEN, now_secs(), "n1"));
    assert_eq!(get(good).await, (200, "e1234567".to_owned()));

    let forged = format!(
        "{}&echostr=e1234567",
        signed("wrong-token", now_secs(), "n1")
    );
    let (status, body) = get(forged).await;
    assert_eq!(status, 401);
    assert!(!body.contains("e1234567"), "a refusal never echoes: {body}");

    let stale = format!("{}&echostr=e1", signed(TOKEN, now_secs() - 3_600, "n1"));
    assert_eq!(get(stale).await.0, 401);
}

#[tokio::test]
async fn a_message_is_stored_once_however_often_wechat_retries() {
    let (app, owner, ws) = setup().await;
    stores_messages_once(&app, &owner, &ws).await;
}

async fn stores_messages_once(app: &TestApp, owner: &User, ws: &Workspace) {
    let channel = wechat_channel(app, ws, owner, None).await;
    let body = text_message("24290000000000001", "你们几点开门？");
    for nonce in ["a", "b"] {
        let reply = push(app, channel.id, &signed(TOKEN, now_secs(), nonce), &body).await;
        assert_eq!(reply, (200, "success".to_owned()));
    }
    let counts = app.store.inbound_counts(channel.id).await.unwrap();
    assert_eq!(counts, vec![("text".to_owned(), 1)]);

    // Refusals leave nothing: a forged signature, a stale one, a foreign body.
    let other = text_message("24290000000000002", "forged");
    let forged = push(app, channel.id, &signed("wrong", now_secs(), "c"), &other).await;
    assert_eq!(forged.0, 401);
    let stale = push(
        app,
        channel.id,
        &signed(TOKEN, now_secs() - 600, "d"),
        &other,
    )
    .await;
    assert_eq!(stale.0, 401);
    let junk = push(app, channel.id, &signed(TOKEN, now_secs(), "e"), "not xml").await;
    assert_eq!(junk.0, 400);
    assert_eq!(app.store.inbound_counts(channel.id).await.unwrap(), counts);
}

#[tokio::test]
async fn safe_mode_decrypts_with_the_official_test_key() {
    let (app, owner, ws) = setup().await;
    let channel = wechat_channel(&app, &ws, &owner, Some(AES_KEY)).await;
    let inner = text_message("24290000000000003", "我是中文abcd123");
    let encrypt = crypto::encrypt(AES_KEY, APP_ID, b"aaaabbbbccccdddd", &inner).unwrap();
    let ts = now_secs().to_string();
    let msg_signature = crypto::msg_signature(TOKEN, &ts, "n9", &encrypt);
    let envelope = format!(
        "<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    );
    // WeChat sends the plain signature too; safe mode is decided by encrypt_type.
    let query = format!(
        "{}&encrypt_type=aes&msg_signature={msg_signature}",
        signed(TOKEN, now_secs(), "n9")
    );
    assert_eq!(
        push(&app, channel.id, &query, &envelope).await,
        (200, "success".into())
    );
    assert_eq!(
        app.store.inbound_counts(channel.id).await.unwrap(),
        vec![("text".to_owned(), 1)]
    );

    // A ciphertext signed with another token is refused before it is decrypted.
    let forged_sig = crypto::msg_signature("wrong", &ts, "n9", &encrypt);
    let forged = format!(
        "{}&encrypt_type=aes&msg_signature={forged_sig}",
        signed(TOKEN, now_secs(), "n9")
    );
    assert_eq!(push(&app, channel.id, &forged, &envelope).await.0, 401);
    // A safe-mode channel takes no plain messages: no downgrade around the encryption.
    let plain = text_message("24290000000000004", "plain");
    let downgraded = push(&app, channel.id, &signed(TOKEN, now_secs(), "p"), &plain).await;
    assert_eq!(downgraded.0, 403);
    assert_eq!(app.store.inbound_counts(channel.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_finished_publish_job_publishes_the_pending_publication() {
    let (app, owner, ws) = setup().await;
    publishes_on_success(&app, &owner, &ws).await;
}

async fn publishes_on_success(app: &TestApp, owner: &User, ws: &Workspace) {
    let channel = wechat_channel(app, ws, owner, None).await;
    let id = pending_publication(app, ws, owner, &channel, "2247503051").await;
    let event = job_finished("2247503051", 0);
    for nonce in ["x", "y"] {
        let reply = push(app, channel.id, &signed(TOKEN, now_secs(), nonce), &event).await;
        assert_eq!(reply, (200, "success".to_owned()));
    }
    let p = app.store.publication(ws.id(), id).await.unwrap();
    assert_eq!(p.status, PublicationStatus::Published);
    assert_eq!(
        p.remote_url.as_deref(),
        Some("https://mp.weixin.qq.com/s/guihua")
    );
    assert_eq!(p.remote_id.as_deref(), Some("art_b5O2OUs25HBxRceL7hfReg"));
    assert!(p.published_at.is_some());
    // The check job that would have polled WeChat is gone.
    assert_eq!(app.store.next_job_at().await.unwrap(), None);
    assert!(
        app.store
            .notifications(ws.id(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.store.inbound_counts(channel.id).await.unwrap(),
        vec![("event:PUBLISHJOBFINISH".to_owned(), 1)]
    );
}

#[tokio::test]
async fn a_rejected_publish_job_fails_the_publication_and_notifies() {
    let (app, owner, ws) = setup().await;
    fails_and_notifies_on_rejection(&app, &owner, &ws).await;
}

async fn fails_and_notifies_on_rejection(app: &TestApp, owner: &User, ws: &Workspace) {
    let channel = wechat_channel(app, ws, owner, None).await;
    let id = pending_publication(app, ws, owner, &channel, "2247503099").await;
    let event = job_finished("2247503099", 4);
    for nonce in ["x", "y"] {
        let reply = push(app, channel.id, &signed(TOKEN, now_secs(), nonce), &event).await;
        assert_eq!(reply, (200, "success".to_owned()));
    }
    let p = app.store.publication(ws.id(), id).await.unwrap();
    assert_eq!(p.status, PublicationStatus::Failed);
    assert_eq!(p.reason.as_deref(), Some("content_rejected"));
    assert!(
        p.last_error
            .as_deref()
            .unwrap_or("")
            .contains("publish_status 4"),
        "{:?}",
        p.last_error
    );
    assert_eq!(app.store.next_job_at().await.unwrap(), None);
    // One notification, though WeChat pushed twice.
    let notes = app.store.notifications(ws.id(), 10).await.unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].kind, "publish_failed");
    assert_eq!(notes[0].publication_id, Some(id));
    assert_eq!(notes[0].detail, "content_rejected");
}

#[tokio::test]
async fn a_finished_mass_send_publishes_its_publication_by_msg_id() {
    let (app, owner, ws) = setup().await;
    let channel = wechat_channel(&app, &ws, &owner, None).await;
    let mass = pending_publication(&app, &ws, &owner, &channel, "mass:1000001625").await;
    // A publish job that happens to share the number is another publication.
    let job = pending_publication(&app, &ws, &owner, &channel, "1000001625").await;
    let event = mass_finished("1000001625", "send success");
    let reply = push(&app, channel.id, &signed(TOKEN, now_secs(), "m"), &event).await;
    assert_eq!(reply, (200, "success".to_owned()));
    let p = app.store.publication(ws.id(), mass).await.unwrap();
    assert_eq!(p.status, PublicationStatus::Published);
    assert_eq!(p.remote_id.as_deref(), Some("mass:1000001625"));
    assert_eq!(
        p.remote_url.as_deref(),
        Some("https://mp.weixin.qq.com/s/mass")
    );
    let other = app.store.publication(ws.id(), job).await.unwrap();
    assert_eq!(other.status, PublicationStatus::Pending);
}

#[tokio::test]
async fn a_job_of_another_channel_or_unknown_id_changes_nothing() {
    let (app, owner, ws) = setup().await;
    let channel = wechat_channel(&app, &ws, &owner, None).await;
    let id = pending_publication(&app, &ws, &owner, &channel, "2247503051").await;
    // Another WeChat account reporting a job with the same id must not touch ours.
    let other = wechat_channel(&app, &ws, &owner, None).await;
    let event = job_finished("2247503051", 0);
    let reply = push(&app, other.id, &signed(TOKEN, now_secs(), "o"), &event).await;
    assert_eq!(reply.0, 200);
    let unknown = job_finished("1", 0);
    assert_eq!(
        push(&app, channel.id, &signed(TOKEN, now_secs(), "u"), &unknown)
            .await
            .0,
        200
    );
    let p = app.store.publication(ws.id(), id).await.unwrap();
    assert_eq!(p.status, PublicationStatus::Pending);
}

#[tokio::test]
async fn unknown_and_foreign_channels_are_not_found() {
    let (app, owner, ws) = setup().await;
    let body = text_message("24290000000000005", "hi");
    let query = signed(TOKEN, now_secs(), "z");
    for id in ["999999", "abc", "-1"] {
        assert_eq!(push(&app, id, &query, &body).await.0, 404, "{id}");
    }
    // A channel of another platform, even one whose settings hold a "token".
    let draft = ChannelDraft::parse(
        "telegram",
        "频道",
        Some(&json!({"bot_token": TOKEN, "chat_id": "@xm"})),
    )
    .unwrap();
    let telegram = app
        .store
        .create_channel(
            ws.id(),
            owner.id,
            draft.platform,
            &draft.name,
            &draft.settings,
        )
        .await
        .unwrap();
    assert_eq!(push(&app, telegram.id, &query, &body).await.0, 404);
    let r = app
        .http
        .get(format!(
            "{}/hooks/wechat/{}?{query}&echostr=x",
            app.url, telegram.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        app.store
            .inbound_counts(telegram.id)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The same callbacks on PostgreSQL, where `ON CONFLICT … RETURNING` and the
/// transaction run on another engine (skipped when no server is reachable).
#[tokio::test]
async fn callbacks_on_postgres() {
    let Some(db) = crate::store::PgDatabase::create().await else {
        return;
    };
    let store = fanloop_store::Store::open(
        std::path::Path::new("."),
        Some(&db.url),
        crate::helpers::test_vault(),
    )
    .await
    .expect("open postgres store");
    let app = TestApp::serve(store, crate::helpers::TempDir::new("pg-hooks")).await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "消息").await;
    stores_messages_once(&app, &owner, &ws).await;
    let ws = app.workspace(&owner, "发布成功").await;
    publishes_on_success(&app, &owner, &ws).await;
    let ws = app.workspace(&owner, "发布失败").await;
    fails_and_notifies_on_rejection(&app, &owner, &ws).await;
    app.store.close().await;
    db.drop().await;
}
