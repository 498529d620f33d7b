//! The engine against fakes: schedule through the API, publish through the real
//! connectors, and check every outcome class ends in a clear, stored state.

use super::support::{approved_post, channel, settled, start_engine};
use crate::helpers::TestApp;
use fanloop_domain::publish::PublicationStatus;
use fanloop_fakes::Fault;
use fanloop_fakes::mastodon::{FakeMastodon, MastodonOptions};
use serde_json::{Value, json};
use std::time::Duration;

async fn fake_mastodon() -> FakeMastodon {
    FakeMastodon::start(MastodonOptions::default()).await
}

fn mastodon_settings(fake: &FakeMastodon) -> Value {
    json!({"instance_url": fake.url(), "access_token": "token"})
}

#[tokio::test]
async fn schedule_now_publishes_once_to_fake_mastodon_and_reports_it() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "发布").await;
    let fake = fake_mastodon().await;
    let created: Value = app
        .post_json(
            &format!("/api/v1/workspaces/{}/channels", ws.id),
            &token,
            &json!({"platform": "mastodon", "name": "长毛象", "settings": mastodon_settings(&fake)}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        created
            .get("settings")
            .unwrap()
            .get("access_token")
            .is_none(),
        "{created}"
    );
    let ch = created["id"].as_i64().unwrap();
    let post = approved_post(
        &app.store,
        ws.id(),
        owner.id,
        &[ch],
        "上新",
        "今晚八点上新 #咖啡",
    )
    .await;
    let engine = start_engine(&app.store, "t1");

    let r = app
        .post_json(
            &format!("/api/v1/workspaces/{}/posts/{post}/schedule", ws.id),
            &token,
            &json!({"now": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["publications"][0]["status"], "scheduled");

    let all = settled(&app.store, ws.id(), Duration::from_secs(20)).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, PublicationStatus::Published, "{:?}", all[0]);
    assert_eq!(fake.statuses_created(), 1);
    let (key, text) = fake.statuses().pop().unwrap();
    assert_eq!(key, all[0].idem_key);
    assert!(text.contains("今晚八点上新"), "{text}");

    let listed: Value = app
        .get(
            &format!(
                "/api/v1/workspaces/{}/publications?status=published&channel_id={ch}",
                ws.id
            ),
            &token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert!(
        listed[0]["remote_url"]
            .as_str()
            .unwrap()
            .starts_with("http"),
        "{listed}"
    );
    let health: Value = app
        .get(
            &format!("/api/v1/workspaces/{}/channels/{ch}/health", ws.id),
            &token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    engine.stop().await;
}

/// One post through a fault sequence; returns its final publication.
async fn publish_through(
    faults: Vec<Fault>,
    options: MastodonOptions,
    body: &str,
) -> (
    TestApp,
    FakeMastodon,
    fanloop_store::publishing::Publication,
) {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "故障").await;
    let fake = FakeMastodon::start(options).await;
    let ch = channel(
        &app.store,
        ws.id(),
        owner.id,
        "mastodon",
        mastodon_settings(&fake),
    )
    .await;
    let post = approved_post(&app.store, ws.id(), owner.id, &[ch.id], "标题", body).await;
    // Limits are read before the first attempt; faults start at the publish call.
    fake.faults().push(faults);
    let engine = start_engine(&app.store, "faults");
    let version = app
        .store
        .post(ws.id(), post)
        .await
        .unwrap()
        .unwrap()
        .version;
    app.store
        .schedule(
            ws.id(),
            post,
            version,
            &[fanloop_store::publishing::Slot {
                channel_id: ch.id,
                at_ms: now(),
            }],
            owner.id,
        )
        .await
        .unwrap();
    let mut all = settled(&app.store, ws.id(), Duration::from_secs(30)).await;
    engine.stop().await;
    let p = all.pop().unwrap();
    (app, fake, p)
}

fn now() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[tokio::test]
async fn fake_mastodon_transient_faults_are_retried_until_published_once() {
    let faults = vec![
        Fault::ServerError,
        Fault::RateLimited(1),
        Fault::ServerError,
    ];
    let (_app, fake, p) = publish_through(faults, MastodonOptions::default(), "重试之后发出").await;
    assert_eq!(p.status, PublicationStatus::Published, "{p:?}");
    assert!(p.attempts >= 3, "{p:?}");
    assert_eq!(fake.statuses_created(), 1);
}

#[tokio::test]
async fn fake_mastodon_lost_answers_are_reconciled_without_duplicates() {
    for fault in [Fault::TimeoutAfterWork, Fault::Malformed] {
        let (_app, fake, p) =
            publish_through(vec![fault.clone()], MastodonOptions::default(), "只发一次").await;
        assert_eq!(p.status, PublicationStatus::Published, "{fault:?}: {p:?}");
        assert_eq!(fake.statuses_created(), 1, "{fault:?}");
    }
}

#[tokio::test]
async fn fake_mastodon_rejection_fails_with_the_reason_in_the_users_language() {
    let long = "字".repeat(600);
    let (app, fake, p) = publish_through(vec![], MastodonOptions::default(), &long).await;
    assert_eq!(p.status, PublicationStatus::Failed, "{p:?}");
    assert_eq!(p.reason.as_deref(), Some("text_too_long"));
    assert_eq!(fake.statuses_created(), 0);
    let ws = fanloop_domain::WorkspaceId(p.workspace_id);
    let notes = app.store.notifications(ws, 10).await.unwrap();
    assert_eq!(notes[0].kind, "publish_failed");
    let (_, _, p) = publish_through(
        vec![Fault::RejectContent],
        MastodonOptions::default(),
        "被拒",
    )
    .await;
    assert_eq!(p.status, PublicationStatus::Failed, "{p:?}");
}

#[tokio::test]
async fn fake_mastodon_expired_token_holds_the_post_until_reconnected() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "授权").await;
    let fake = FakeMastodon::start(MastodonOptions {
        tokens: vec!["token".into(), "token2".into()],
        ..MastodonOptions::default()
    })
    .await;
    let ch = channel(
        &app.store,
        ws.id(),
        owner.id,
        "mastodon",
        mastodon_settings(&fake),
    )
    .await;
    let post = approved_post(&app.store, ws.id(), owner.id, &[ch.id], "标题", "授权过期").await;
    fake.revoke_token("token");
    let engine = start_engine(&app.store, "auth");
    let version = app
        .store
        .post(ws.id(), post)
        .await
        .unwrap()
        .unwrap()
        .version;
    app.store
        .schedule(
            ws.id(),
            post,
            version,
            &[fanloop_store::publishing::Slot {
                channel_id: ch.id,
                at_ms: now(),
            }],
            owner.id,
        )
        .await
        .unwrap();
    let all = settled(&app.store, ws.id(), Duration::from_secs(20)).await;
    assert_eq!(all[0].status, PublicationStatus::Held, "{:?}", all[0]);
    let health: Value = app
        .get(
            &format!("/api/v1/workspaces/{}/channels/{}/health", ws.id, ch.id),
            &token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "needs_reconnect", "{health}");
    assert_eq!(health["held"], 1);
    let notes = app.store.notifications(ws.id(), 10).await.unwrap();
    assert!(
        notes.iter().any(|n| n.kind == "reconnect_needed"),
        "{notes:?}"
    );
    assert_eq!(fake.statuses_created(), 0);

    // The operator reconnects the channel with a token the platform accepts; the held
    // post goes out.
    let r = app
        .http
        .put(format!("{}/api/v1/workspaces/{}/channels/{}", app.url, ws.id, ch.id))
        .bearer_auth(&token)
        .json(&json!({"name": "长毛象", "settings": {"instance_url": fake.url(), "access_token": "token2"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let all = settled(&app.store, ws.id(), Duration::from_secs(20)).await;
    assert_eq!(all[0].status, PublicationStatus::Published, "{:?}", all[0]);
    assert_eq!(fake.statuses_created(), 1);
    engine.stop().await;
}

#[tokio::test]
async fn editing_a_scheduled_post_cancels_its_publication() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "编辑").await;
    let sandbox = channel(&app.store, ws.id(), owner.id, "sandbox", json!({})).await;
    let post = approved_post(
        &app.store,
        ws.id(),
        owner.id,
        &[sandbox.id],
        "原稿",
        "旧内容",
    )
    .await;
    let at = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2);
    let r = app
        .post_json(
            &format!("/api/v1/workspaces/{}/posts/{post}/schedule", ws.id),
            &token,
            &json!({"at": at.to_string()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = app
        .http
        .put(format!(
            "{}/api/v1/workspaces/{}/posts/{post}",
            app.url, ws.id
        ))
        .bearer_auth(&token)
        .json(&json!({"title": "改稿", "body": "新内容"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let all = app
        .store
        .publications(ws.id(), &Default::default())
        .await
        .unwrap();
    assert_eq!(all[0].status, PublicationStatus::Cancelled);
    assert_eq!(all[0].reason.as_deref(), Some("edited"));
    // And scheduling it again needs a new approval.
    let r = app
        .post_json(
            &format!("/api/v1/workspaces/{}/posts/{post}/schedule", ws.id),
            &token,
            &json!({"now": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn missed_posts_are_never_sent_and_late_ones_are_marked() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "错过").await;
    let sandbox = channel(&app.store, ws.id(), owner.id, "sandbox", json!({})).await;
    let missed = approved_post(
        &app.store,
        ws.id(),
        owner.id,
        &[sandbox.id],
        "错过",
        "停机期间",
    )
    .await;
    let late = approved_post(
        &app.store,
        ws.id(),
        owner.id,
        &[sandbox.id],
        "迟到",
        "宽限之内",
    )
    .await;
    for (post, minutes_ago) in [(missed, 120), (late, 30)] {
        let version = app
            .store
            .post(ws.id(), post)
            .await
            .unwrap()
            .unwrap()
            .version;
        let at = now() - minutes_ago * 60_000;
        app.store
            .schedule(
                ws.id(),
                post,
                version,
                &[fanloop_store::publishing::Slot {
                    channel_id: sandbox.id,
                    at_ms: at,
                }],
                owner.id,
            )
            .await
            .unwrap();
    }
    let engine = start_engine(&app.store, "missed");
    let all = settled(&app.store, ws.id(), Duration::from_secs(20)).await;
    engine.stop().await;
    let by_post = |id| all.iter().find(|p| p.post_id == id).unwrap();
    assert_eq!(by_post(missed).status, PublicationStatus::Missed);
    assert_eq!(by_post(missed).attempts, 0);
    assert_eq!(by_post(late).status, PublicationStatus::Published);
    assert!(by_post(late).late);
    let notes = app.store.notifications(ws.id(), 10).await.unwrap();
    assert!(
        notes.iter().any(|n| n.kind == "publish_missed"),
        "{notes:?}"
    );
}

#[tokio::test]
async fn sandbox_publishes_with_engagement_that_feeds_golden_time() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "沙盒").await;
    let sandbox = channel(&app.store, ws.id(), owner.id, "sandbox", json!({})).await;
    let post = approved_post(&app.store, ws.id(), owner.id, &[sandbox.id], "沙盒", "演示").await;
    let engine = start_engine(&app.store, "sandbox");
    let r = app
        .post_json(
            &format!("/api/v1/workspaces/{}/posts/{post}/schedule", ws.id),
            &token,
            &json!({"now": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let all = settled(&app.store, ws.id(), Duration::from_secs(20)).await;
    engine.stop().await;
    assert_eq!(all[0].status, PublicationStatus::Published);
    let e = app
        .store
        .engagement(all[0].id)
        .await
        .unwrap()
        .expect("simulated engagement");
    assert!(e.reads > 0);
    let golden: Value = app
        .get(
            &format!(
                "/api/v1/workspaces/{}/channels/{}/golden-time",
                ws.id, sandbox.id
            ),
            &token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(golden["based_on"], 1, "{golden}");
    assert_eq!(golden["from_history"], false);
    assert_eq!(golden["slots"].as_array().unwrap().len(), 5);
    assert!(
        golden["explanation"]
            .as_str()
            .unwrap()
            .contains("历史数据不足"),
        "{golden}"
    );
}

#[tokio::test]
async fn scheduling_is_checked_before_anything_is_queued() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "校验").await;
    let sandbox = channel(&app.store, ws.id(), owner.id, "sandbox", json!({})).await;
    let wechat = channel(
        &app.store,
        ws.id(),
        owner.id,
        "wechat_oa",
        json!({"app_id": "wx1", "app_secret": "s", "token": "t", "delivery": "mass_all"}),
    )
    .await;
    let publish_only = channel(
        &app.store,
        ws.id(),
        owner.id,
        "wechat_oa",
        json!({"app_id": "wx2", "app_secret": "s", "token": "t"}),
    )
    .await;
    let path = |post: i64| format!("/api/v1/workspaces/{}/posts/{post}/schedule", ws.id);
    let send = |post: i64, body: Value| app.post_json(&path(post), &token, &body).send();

    // Not approved yet.
    let draft = app
        .store
        .create_post(
            ws.id(),
            owner.id,
            &fanloop_store::NewPost {
                title: "草稿".into(),
                body: "未审".into(),
                tags: vec![],
                topic_id: None,
                channels: vec![fanloop_domain::ChannelId(sandbox.id)],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        send(draft, json!({"now": true})).await.unwrap().status(),
        409
    );

    let post = approved_post(&app.store, ws.id(), owner.id, &[sandbox.id], "已审", "正文").await;
    // Bad bodies: nothing chosen, two chosen, a time without offset, a past time.
    for bad in [
        json!({}),
        json!({"now": true, "queue": true}),
        json!({"at": "2026-12-01 20:00"}),
        json!({"at": "2020-01-01T00:00:00Z"}),
    ] {
        let r = send(post, bad.clone()).await.unwrap();
        assert_eq!(r.status(), 422, "{bad}");
        let problem: Value = r.json().await.unwrap();
        assert!(!problem["errors"][0]["message"].as_str().unwrap().is_empty());
    }
    // A channel the post has no variant for.
    let r = send(post, json!({"now": true, "channel_ids": [wechat.id]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // The queue needs slots; with slots it takes the next free one.
    assert_eq!(
        send(post, json!({"queue": true})).await.unwrap().status(),
        422
    );
    let r = app
        .http
        .put(format!(
            "{}/api/v1/workspaces/{}/channels/{}/slots",
            app.url, ws.id, sandbox.id
        ))
        .bearer_auth(&token)
        .json(&json!({"slots": ["周二 20:00", "fri 08:30"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .http
        .put(format!(
            "{}/api/v1/workspaces/{}/channels/{}/slots",
            app.url, ws.id, sandbox.id
        ))
        .bearer_auth(&token)
        .json(&json!({"slots": ["someday"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = send(post, json!({"queue": true})).await.unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let at: jiff::Timestamp = body["publications"][0]["scheduled_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let local = at.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    assert!(
        (local.weekday() == jiff::civil::Weekday::Tuesday && local.hour() == 20)
            || (local.weekday() == jiff::civil::Weekday::Friday
                && local.hour() == 8
                && local.minute() == 30),
        "{local}"
    );
    // Unschedule cancels it.
    let r = app
        .post_json(
            &format!("/api/v1/workspaces/{}/posts/{post}/unschedule", ws.id),
            &token,
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["cancelled"], 1);

    // WeChat mass sends: one a day on a subscription account; the second on the same
    // day names the next day.
    let a = approved_post(&app.store, ws.id(), owner.id, &[wechat.id], "一", "一").await;
    let b = approved_post(&app.store, ws.id(), owner.id, &[wechat.id], "二", "二").await;
    let tomorrow = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(30);
    assert_eq!(
        send(a, json!({"at": tomorrow.to_string()}))
            .await
            .unwrap()
            .status(),
        201
    );
    let r = send(b, json!({"at": tomorrow.to_string()})).await.unwrap();
    assert_eq!(r.status(), 409);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("最早"),
        "{problem}"
    );
    // Publishing without a mass send has no daily limit.
    for title in ["三", "四"] {
        let p = approved_post(
            &app.store,
            ws.id(),
            owner.id,
            &[publish_only.id],
            title,
            title,
        )
        .await;
        let r = send(p, json!({"at": tomorrow.to_string()})).await.unwrap();
        assert_eq!(r.status(), 201, "{title}");
    }

    // A viewer may not schedule.
    let (_, viewer) = app.member(&ws, &owner, fanloop_domain::Role::Viewer).await;
    let r = app
        .post_json(&path(post), &viewer, &json!({"now": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
