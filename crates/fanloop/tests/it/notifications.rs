//! The notification centre through the real server: delivery targets (validation,
//! secrets never returned, who may manage them), the list in the caller's language, and
//! delivery end to end to local receivers speaking each service's message shape. Email
//! targets, with their real SMTP peer, are in `email.rs`.

mod centre;
mod centre_ui;
mod email;
mod store_suite;

use crate::helpers::TestApp;
use crate::hooks::started_publication;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use fanloop_domain::{ChannelDraft, Role};
use fanloop_store::publishing::Outcome;
use fanloop_store::{User, Workspace};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

async fn setup() -> (TestApp, User, Workspace, String) {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    let token = app.token(&owner).await;
    (app, owner, ws, token)
}

/// A sandbox publication that failed with `content_rejected`: one notification, and a
/// pending delivery to each target subscribed to `publish_failed`.
async fn failed_publication(app: &TestApp, ws: &Workspace, owner: &User) -> i64 {
    let draft = ChannelDraft::parse("sandbox", "沙盒号", None).unwrap();
    let channel = app
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
    let (job, id) = started_publication(app, ws, owner, channel.id, "桂花拿铁回来了").await;
    let outcome = Outcome::Failed {
        reason: "content_rejected".into(),
        error: "errcode 53503: the content is under review".into(),
    };
    app.store.finish_job(&job, "it", &outcome).await.unwrap();
    id
}

async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn targets_are_validated_sealed_and_owner_only() {
    let (app, owner, ws, token) = setup().await;
    let path = format!("/api/v1/workspaces/{}/notification-targets", ws.id);
    let secret = "whsec-0123456789-SECRET";
    let (status, created) = call(app.post_json(
        &path,
        &token,
        &json!({"kind": "webhook", "name": "值班 Webhook", "url": "https://hooks.example.com/in?key=ROBOTKEY",
                "secret": secret, "events": "publish_missed, publish_failed"}),
    ))
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["events"], "publish_failed,publish_missed");
    let (status, listed) = call(app.get(&path, &token)).await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    for body in [&created, &listed] {
        let text = body.to_string();
        assert!(
            !text.contains("SECRET") && !text.contains("ROBOTKEY") && !text.contains("\"url\""),
            "secrets never come back: {text}"
        );
    }

    // Every refused field is named, with words that say what to do.
    let english = |body: Value| {
        app.post_json(&path, &token, &body)
            .header("accept-language", "en")
    };
    let (status, refused) = call(english(
        json!({"kind": "teams", "name": " ", "url": "http://example.com/x",
        "events": "publish_failed,everything"}),
    ))
    .await;
    assert_eq!(status, 422);
    let fields: HashMap<String, String> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(fields["kind"].contains("wecom"), "{fields:?}");
    assert!(fields["url"].contains("https"), "{fields:?}");
    assert!(fields["events"].contains("publish_failed"), "{fields:?}");
    assert!(fields.contains_key("name"), "{fields:?}");
    let cases = [
        (
            json!({"kind": "slack", "name": "s", "url": "https://hooks.slack.com/x", "secret": "s"}),
            "secret",
        ),
        (
            json!({"kind": "webhook", "name": "w", "url": "https://x.example/h"}),
            "secret",
        ),
        (
            json!({"kind": "webhook", "name": "w", "url": "https://x.example/h", "secret": "short"}),
            "secret",
        ),
        (
            json!({"kind": "wecom", "name": "w", "url": "qyapi.weixin.qq.com"}),
            "url",
        ),
        (
            json!({"kind": "wecom", "name": "w", "url": "https://x.example", "extra": 1}),
            "extra",
        ),
    ];
    for (body, field) in cases {
        let (status, refused) = call(english(body.clone())).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(refused["errors"][0]["field"], field, "{body}: {refused}");
    }
    assert_eq!(
        call(app.get(&path, &token))
            .await
            .1
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Viewers see notifications but not where they are sent.
    let (_, viewer) = app.member(&ws, &owner, Role::Viewer).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(call(app.get(&path, &viewer)).await.0, 403);
    let wecom = json!({"kind": "wecom", "name": "x", "url": "https://x.example"});
    assert_eq!(call(app.post_json(&path, &viewer, &wecom)).await.0, 403);
    let delete = |token: &str| {
        app.http
            .delete(format!("{}{path}/{id}", app.url))
            .bearer_auth(token)
    };
    assert_eq!(call(delete(&viewer)).await.0, 403);
    let notifications = format!("/api/v1/workspaces/{}/notifications", ws.id);
    assert_eq!(call(app.get(&notifications, &viewer)).await.0, 200);

    assert_eq!(call(delete(&token)).await.0, 204);
    assert_eq!(call(delete(&token)).await.0, 404);
    assert_eq!(call(app.get(&path, &token)).await.1, json!([]));
}

#[tokio::test]
async fn the_settings_form_keeps_what_was_typed() {
    let (app, owner, ws, _) = setup().await;
    let (cookie, csrf) = app.session(&owner).await;
    let page = format!("{}/w/{}/settings/notifications", app.url, ws.id);
    let form = |body: String| {
        app.http
            .post(&page)
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={csrf}&{body}"))
            .send()
    };
    let r = form("kind=dingtalk&name=%E8%BF%90%E8%90%A5%E7%BE%A4&url=http%3A%2F%2Foapi.example.com%2Frobot&events=publish_failed".into())
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"运营群\""), "the name stays");
    assert!(
        html.contains("http://oapi.example.com/robot"),
        "the URL stays"
    );
    assert!(html.contains("必须使用 https"), "and says why");
    let r = form("kind=dingtalk&name=%E8%BF%90%E8%90%A5%E7%BE%A4&url=https%3A%2F%2Foapi.example.com%2Frobot%3Faccess_token%3Dt&events=publish_failed&events=reconnect_needed".into())
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let targets = app.store.notification_targets(ws.id()).await.unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].events, "publish_failed,reconnect_needed");
    let shown = app
        .http
        .get(&page)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("运营群") && !shown.contains("oapi.example.com"),
        "listed, URL sealed"
    );
}

#[tokio::test]
async fn notifications_read_in_the_callers_language() {
    let (app, owner, ws, token) = setup().await;
    let publication = failed_publication(&app, &ws, &owner).await;
    let path = format!("/api/v1/workspaces/{}/notifications", ws.id);
    let (status, en) = call(app.get(&path, &token).header("accept-language", "en")).await;
    assert_eq!(status, 200, "{en}");
    assert_eq!(en["unread"], 1);
    let n = &en["notifications"][0];
    assert_eq!(n["kind"], "publish_failed");
    assert_eq!(n["kind_text"], "Publishing failed");
    assert_eq!(n["reason"], "content_rejected");
    assert_eq!(n["reason_text"], "The platform rejected the content");
    assert_eq!(n["post_title"], "桂花拿铁回来了");
    assert_eq!(n["publication_id"], publication);
    assert_eq!(n["read"], false);
    let (_, zh) = call(app.get(&path, &token).header("accept-language", "zh-CN")).await;
    assert_eq!(zh["notifications"][0]["kind_text"], "发布失败");

    // The page shows it unread, with the bell counting it.
    let (cookie, csrf) = app.session(&owner).await;
    let page = |url: String| app.http.get(url).header("cookie", &cookie).send();
    let html = page(format!("{}/w/{}/notifications", app.url, ws.id))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("class=\"unread\"") && html.contains("bell-count"),
        "{html}"
    );
    assert!(
        html.contains(&format!("/w/{}/content/", ws.id)),
        "links to the post"
    );
    let r = app
        .http
        .post(format!("{}/w/{}/notifications/read", app.url, ws.id))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, after) = call(app.get(&path, &token)).await;
    assert_eq!(after["unread"], 0);
    assert_eq!(after["notifications"][0]["read"], true);
    let (status, marked) = call(app.post_json(&format!("{path}/read"), &token, &json!({}))).await;
    assert_eq!((status, &marked["marked"]), (200, &json!(0)));
}

/// What a receiver saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Receiver {
    fn on(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

/// Records every request; `/flaky` fails its first request with 500, as a robot under
/// maintenance would.
async fn receive(
    State(r): State<Receiver>,
    uri: axum::http::Uri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let path = uri.path().to_owned();
    let first = r.on(&path).is_empty();
    r.seen.lock().unwrap().push(Seen {
        path: path.clone(),
        query,
        headers,
        body,
    });
    if path == "/flaky" && first {
        return (StatusCode::INTERNAL_SERVER_ERROR, "maintenance".into());
    }
    (StatusCode::OK, r#"{"errcode":0,"errmsg":"ok"}"#.into())
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[tokio::test]
async fn deliveries_reach_each_service_signed_and_are_retried() {
    let (app, owner, ws, token) = setup().await;
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .fallback(receive)
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let (webhook_secret, feishu_secret, dingtalk_secret) =
        ("whsec-0123456789abcdef", "feishu-sec", "SECdingtalk");
    let targets = [
        json!({"kind": "webhook", "name": "hook", "url": format!("{base}/webhook"), "secret": webhook_secret}),
        json!({"kind": "wecom", "name": "wecom", "url": format!("{base}/wecom?key=k1")}),
        json!({"kind": "feishu", "name": "feishu", "url": format!("{base}/feishu"), "secret": feishu_secret}),
        json!({"kind": "dingtalk", "name": "dingtalk", "url": format!("{base}/dingtalk?access_token=t1"), "secret": dingtalk_secret}),
        json!({"kind": "wecom", "name": "flaky", "url": format!("{base}/flaky")}),
        json!({"kind": "slack", "name": "assisted only", "url": format!("{base}/slack"), "events": "assisted_ready"}),
    ];
    let path = format!("/api/v1/workspaces/{}/notification-targets", ws.id);
    for t in &targets {
        let (status, body) = call(app.post_json(&path, &token, t)).await;
        assert_eq!(status, 201, "{t}: {body}");
    }
    failed_publication(&app, &ws, &owner).await;

    let client = reqwest::Client::new();
    let now = jiff::Timestamp::now().as_millisecond();
    let reports = fanloop_engine::deliver_due(&app.store, &client, now)
        .await
        .unwrap();
    assert_eq!(
        reports.len(),
        5,
        "the slack target takes assisted_ready only: {reports:?}"
    );
    let sent = reports.iter().filter(|r| r.status == "sent").count();
    let retrying: Vec<_> = reports.iter().filter(|r| r.status == "pending").collect();
    assert_eq!((sent, retrying.len()), (4, 1), "{reports:?}");
    assert_eq!(retrying[0].attempts, 1);
    assert!(retrying[0].error.as_deref().unwrap_or("").contains("500"));
    assert!(receiver.on("/slack").is_empty());

    // Each message is in the workspace's language, naming what failed and why.
    let says_it = |text: &str| {
        assert!(
            text.contains("发布失败")
                && text.contains("桂花拿铁回来了")
                && text.contains("内容被平台拒绝"),
            "{text}"
        );
    };
    let hook = &receiver.on("/webhook")[0];
    let ts = hook.headers["x-fanloop-timestamp"].to_str().unwrap();
    let expected = hex::encode(hmac_sha256(
        webhook_secret.as_bytes(),
        format!("{ts}.{}", hook.body).as_bytes(),
    ));
    assert_eq!(
        hook.headers["x-fanloop-signature"].to_str().unwrap(),
        format!("sha256={expected}")
    );
    let body: Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(
        (&body["kind"], &body["reason"]),
        (&json!("publish_failed"), &json!("content_rejected"))
    );
    says_it(body["text"].as_str().unwrap());

    let wecom = &receiver.on("/wecom")[0];
    assert_eq!(wecom.query["key"], "k1");
    let body: Value = serde_json::from_str(&wecom.body).unwrap();
    assert_eq!(body["msgtype"], "text");
    says_it(body["text"]["content"].as_str().unwrap());

    let feishu: Value = serde_json::from_str(&receiver.on("/feishu")[0].body).unwrap();
    assert_eq!(feishu["msg_type"], "text");
    says_it(feishu["content"]["text"].as_str().unwrap());
    let ts = feishu["timestamp"].as_str().expect("feishu timestamp");
    let key = format!("{ts}\n{feishu_secret}");
    let sign = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(key.as_bytes(), b""));
    assert_eq!(feishu["sign"], sign);

    let dingtalk = &receiver.on("/dingtalk")[0];
    assert_eq!(dingtalk.query["access_token"], "t1");
    let ts = &dingtalk.query["timestamp"];
    let signed = format!("{ts}\n{dingtalk_secret}");
    let sign = base64::engine::general_purpose::STANDARD
        .encode(hmac_sha256(dingtalk_secret.as_bytes(), signed.as_bytes()));
    assert_eq!(
        dingtalk.query["sign"], sign,
        "the sign is URL-encoded base64"
    );
    let body: Value = serde_json::from_str(&dingtalk.body).unwrap();
    says_it(body["text"]["content"].as_str().unwrap());

    // The failed delivery waits for its backoff, then goes out again.
    assert!(app.store.due_deliveries(now, 50).await.unwrap().is_empty());
    let later = now + 31_000;
    let due = app.store.due_deliveries(later, 50).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1, "the first attempt is recorded");
    let reports = fanloop_engine::deliver_due(&app.store, &client, later)
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!((reports[0].status, reports[0].attempts), ("sent", 2));
    assert_eq!(receiver.on("/flaky").len(), 2);
    assert!(
        fanloop_engine::deliver_due(&app.store, &client, later + 3_600_000)
            .await
            .unwrap()
            .is_empty()
    );
}
