//! WeChat mass send (群发) end to end: a channel whose `delivery` is a mass send, the
//! real engine and connector, and the WeChat fake counting what reached followers. The
//! post is scheduled, sent with its publication key as `clientmsgid`, checked through
//! `message/mass/get` until it is published; a lost answer is reconciled through
//! WeChat's de-duplication; a subscription account's second send of the day waits for
//! the next day's quota.

use super::support::{approved_post_with, channel, settled, test_engine_config};
use crate::helpers::TestApp;
use fanloop_domain::publish::PublicationStatus;
use fanloop_domain::{UserId, WorkspaceId};
use fanloop_engine::Engine;
use fanloop_fakes::Fault;
use fanloop_fakes::wechat::FakeWechat;
use fanloop_store::Store;
use fanloop_store::media::{MediaKind, NewMedia};
use fanloop_store::post_extras::PostMeta;
use fanloop_store::publishing::{Publication, Slot};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const APP_ID: &str = "wx5f1a0c3e9b7d2468";
const SECRET: &str = "fake-app-secret";

fn settings(fake: &FakeWechat, delivery: &[(&str, &str)]) -> Value {
    let mut s =
        json!({"app_id": APP_ID, "app_secret": SECRET, "token": "t", "api_base_url": fake.url()});
    for (k, v) in delivery {
        s[*k] = json!(v);
    }
    s
}

/// An engine reading media from `media_dir`, where the tests put the covers.
fn engine(store: &Store, media_dir: &Path) -> Engine {
    let mut config = test_engine_config("mass");
    config.publisher.media_dir = media_dir.to_path_buf();
    Engine::start(store.clone(), config)
}

/// A cover in the media library: a WeChat article cannot go out without one.
async fn cover(store: &Store, ws: WorkspaceId, owner: UserId, media_dir: &Path) -> i64 {
    let key = format!("w{}/cover", ws.0);
    let dir = media_dir.join(&key);
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = b"\x89PNG\r\n\x1a\ncover".to_vec();
    std::fs::write(dir.join("original"), &bytes).unwrap();
    let new = NewMedia {
        kind: MediaKind::Image,
        mime: "image/png".into(),
        bytes: bytes.len() as i64,
        width: Some(900),
        height: Some(383),
        duration_ms: None,
        original_name: "cover.png".into(),
        storage_key: key,
        tags: vec![],
    };
    store.create_media(ws, owner, &new).await.unwrap().id
}

/// Schedules an approved article with a cover on the channel, due now.
async fn schedule_now(
    store: &Store,
    ws: WorkspaceId,
    owner: UserId,
    channel: i64,
    cover: i64,
    title: &str,
) -> i64 {
    let meta = PostMeta {
        cover_media_id: Some(cover),
        ..PostMeta::default()
    };
    let body = "新品上市，欢迎到店品尝。";
    let post = approved_post_with(store, ws, owner, &meta, &[channel], title, body).await;
    let version = store.post(ws, post).await.unwrap().unwrap().version;
    let slot = Slot {
        channel_id: channel,
        at_ms: jiff::Timestamp::now().as_millisecond(),
    };
    store
        .schedule(ws, post, version, &[slot], owner)
        .await
        .expect("schedule")[0]
}

fn assert_mass_published(p: &Publication) {
    assert_eq!(p.status, PublicationStatus::Published, "{p:?}");
    let remote = p.remote_id.as_deref().unwrap_or_default();
    assert!(remote.starts_with("mass:3147"), "{remote}");
}

#[tokio::test]
async fn fake_wechat_mass_send_is_published_after_its_check_once() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    let media = app.dir.0.join("media");
    let cover = cover(&app.store, ws.id(), owner.id, &media).await;

    // To all followers, the answer of the first send lost after it went out.
    let all = FakeWechat::start(APP_ID, SECRET).await;
    all.set_mass_delay(Duration::from_millis(300));
    all.set_fault_paths(&["message/mass/sendall"]);
    all.faults().push([Fault::TimeoutAfterWork]);
    let all_ch = channel(
        &app.store,
        ws.id(),
        owner.id,
        "wechat_oa",
        settings(&all, &[("delivery", "mass_all")]),
    )
    .await;
    // To one tag, on a service account.
    let tag = FakeWechat::start(APP_ID, SECRET).await;
    let tag_settings = [
        ("delivery", "mass_tag"),
        ("mass_tag_id", "134"),
        ("account_type", "service"),
    ];
    let tag_ch = channel(
        &app.store,
        ws.id(),
        owner.id,
        "wechat_oa",
        settings(&tag, &tag_settings),
    )
    .await;

    let a = schedule_now(&app.store, ws.id(), owner.id, all_ch.id, cover, "冬季新品").await;
    let t = schedule_now(&app.store, ws.id(), owner.id, tag_ch.id, cover, "会员专享").await;
    let engine = engine(&app.store, &media);
    let done = settled(&app.store, ws.id(), Duration::from_secs(30)).await;
    engine.stop().await;

    let by_id = |id: i64| done.iter().find(|p| p.id == id).expect("publication");
    let (pa, pt) = (by_id(a), by_id(t));
    assert_mass_published(pa);
    assert_mass_published(pt);
    // The lost answer was reconciled by re-sending the same clientmsgid (45065): the
    // followers got one message, and it carries the publication's key.
    assert_eq!(all.mass_send_count(), 1);
    let sent = &all.mass_sends()[0];
    assert_eq!(sent.client_msg_id, pa.idem_key);
    assert!(sent.is_to_all && sent.tag_id.is_none());
    assert_eq!(all.published_count(), 0, "nothing went through freepublish");

    assert_eq!(tag.mass_send_count(), 1);
    let sent = &tag.mass_sends()[0];
    assert_eq!((sent.is_to_all, sent.tag_id), (false, Some(134)));
}

#[tokio::test]
async fn fake_wechat_second_mass_send_of_the_day_waits_for_the_next_day() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    let media = app.dir.0.join("media");
    let cover = cover(&app.store, ws.id(), owner.id, &media).await;
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    let ch = channel(
        &app.store,
        ws.id(),
        owner.id,
        "wechat_oa",
        settings(&fake, &[("delivery", "mass_all")]),
    )
    .await;

    let first = schedule_now(&app.store, ws.id(), owner.id, ch.id, cover, "早安").await;
    let second = schedule_now(&app.store, ws.id(), owner.id, ch.id, cover, "晚安").await;
    let engine = engine(&app.store, &media);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let (published, waiting) = loop {
        let x = app.store.publication(ws.id(), first).await.unwrap();
        let y = app.store.publication(ws.id(), second).await.unwrap();
        let quota_wait = |p: &Publication| {
            p.status == PublicationStatus::Scheduled
                && p.reason.as_deref() == Some("quota_exhausted")
        };
        match (x.status, y.status) {
            (PublicationStatus::Published, _) if quota_wait(&y) => break (x, y),
            (_, PublicationStatus::Published) if quota_wait(&x) => break (y, x),
            _ => {}
        }
        assert!(tokio::time::Instant::now() < deadline, "{x:?}\n{y:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Several more scheduler rounds: the waiting one neither fails nor sends.
    tokio::time::sleep(Duration::from_millis(600)).await;
    engine.stop().await;
    assert_mass_published(&published);
    let waiting = app.store.publication(ws.id(), waiting.id).await.unwrap();
    assert_eq!(waiting.status, PublicationStatus::Scheduled, "{waiting:?}");
    assert_eq!(waiting.attempts, 0, "a quota wait is not an attempt");
    // The next window is named: Beijing's next midnight.
    let next = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
        .tomorrow()
        .unwrap();
    let note = waiting.last_error.clone().unwrap_or_default();
    assert!(note.contains(&format!("{next} 00:00")), "{note}");
    assert_eq!(fake.mass_send_count(), 1);
}

#[tokio::test]
async fn wechat_delivery_settings_are_checked_in_the_users_language() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    let path = format!("/api/v1/workspaces/{}/channels", ws.id);
    let base = json!({"app_id": "wx1", "app_secret": "s", "token": "t"});
    let with = |extra: Value| {
        let mut s = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            s[k] = v.clone();
        }
        json!({"platform": "wechat_oa", "name": "公众号", "settings": s})
    };
    let cases = [
        (
            json!({"delivery": "mass_tag"}),
            "settings.mass_tag_id",
            "标签 ID",
            "tag's ID",
        ),
        (
            json!({"delivery": "mass_tag", "mass_tag_id": "星标"}),
            "settings.mass_tag_id",
            "须为数字",
            "must be a number",
        ),
        (
            json!({"delivery": "broadcast"}),
            "settings.delivery",
            "mass_all",
            "mass_all",
        ),
        (
            json!({"delivery": "mass_all", "mass_tag_id": "3"}),
            "settings.mass_tag_id",
            "清空",
            "clear it",
        ),
        (
            json!({"account_type": "enterprise"}),
            "settings.account_type",
            "订阅号",
            "subscription",
        ),
    ];
    for (extra, field, zh, en) in cases {
        for (lang, words) in [("zh-CN", zh), ("en", en)] {
            let r = app
                .post_json(&path, &token, &with(extra.clone()))
                .header("Accept-Language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{extra}");
            let problem: Value = r.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
            let message = problem["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(words), "{lang} {extra}: {message}");
        }
    }
    let r = app
        .post_json(
            &path,
            &token,
            &with(json!({"delivery": "mass_tag", "mass_tag_id": "134"})),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["settings"]["delivery"], "mass_tag");
    assert_eq!(created["settings"]["mass_tag_id"], "134");
}
