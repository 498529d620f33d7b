//! The engine's two sweeps: assisted packages nobody confirmed escalate once after their
//! workspace's window, and saved tokens are refreshed before they expire (a refusal
//! holds the channel and tells the workspace). The engine runs on a clock the tests
//! move forward instead of sleeping; platforms are fakes, and the store-level rules run
//! on SQLite and on PostgreSQL.

use super::support::{channel, owner_and_workspace, schedule_at, test_engine_config};
use crate::helpers::{TempDir, TestApp, sqlite_store};
use crate::store::on_postgres;
use fanloop_domain::publish::PublicationStatus;
use fanloop_domain::{Platform, WorkspaceId};
use fanloop_engine::{Clock, Engine, EngineConfig};
use fanloop_fakes::bluesky::{self as fake_bsky, FakeBluesky};
use fanloop_fakes::wechat::FakeWechat;
use fanloop_platforms::{ChannelConfig, Session};
use fanloop_store::Store;
use fanloop_store::notifications::Notification;
use fanloop_store::publishing::refresh::Refreshed;
use fanloop_store::publishing::{Outcome, PublishingSettings};
use serde_json::{Value, json};
use std::future::Future;
use std::time::Duration;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// An engine on `clock` whose sweeps wake every few tens of milliseconds.
fn engine(store: &Store, instance: &str, clock: &Clock) -> Engine {
    let mut config: EngineConfig = test_engine_config(instance);
    config.escalation.idle_wake = Duration::from_millis(50);
    config.refresher.idle_wake = Duration::from_millis(50);
    config.refresher.pause = Duration::from_millis(200);
    config.refresher.call_timeout = Duration::from_secs(2);
    config.clock = clock.clone();
    Engine::start(store.clone(), config)
}

fn put_json(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::RequestBuilder {
    app.http
        .put(format!("{}{path}", app.url))
        .bearer_auth(token)
        .json(body)
}

/// Waits until `probe` answers `Some`, or fails naming `what`.
async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Several sweeps' worth of time, for "and nothing more happens".
async fn a_few_sweeps() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

async fn notices(store: &Store, ws: WorkspaceId, kind: &str) -> Vec<Notification> {
    let all = store.notifications(ws, 500).await.expect("notifications");
    all.into_iter().filter(|n| n.kind == kind).collect()
}

async fn status_of(store: &Store, ws: WorkspaceId, id: i64) -> PublicationStatus {
    store.publication(ws, id).await.expect("publication").status
}

#[tokio::test]
async fn an_unconfirmed_assisted_post_escalates_once_after_its_window() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "小红书运营").await;
    let path = format!("/api/v1/workspaces/{}/publishing-settings", ws.id);

    // The window through the API: 120 by default, kept when a client sends only grace.
    let got: Value = app
        .get(&path, &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["assisted_escalate_minutes"], 120, "{got}");
    let r = put_json(
        &app,
        &path,
        &token,
        &json!({"grace_minutes": 60, "assisted_escalate_minutes": 30}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let r = put_json(&app, &path, &token, &json!({"grace_minutes": 45}))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"grace_minutes": 45, "assisted_escalate_minutes": 30})
    );
    let r = put_json(
        &app,
        &path,
        &token,
        &json!({"grace_minutes": 45, "assisted_escalate_minutes": -1}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 422);

    let by_hand = channel(&app.store, ws.id(), owner.id, "xiaohongshu", json!({})).await;
    let id = schedule_at(&app.store, ws.id(), owner.id, by_hand.id, now_ms()).await;
    let clock = Clock::default();
    let first = engine(&app.store, "esc-1", &clock);
    eventually("the package goes to the operator", || async {
        (status_of(&app.store, ws.id(), id).await == PublicationStatus::Assisted).then_some(())
    })
    .await;
    assert_eq!(
        notices(&app.store, ws.id(), "assisted_ready").await.len(),
        1
    );

    // Before the window: nothing.
    clock.advance(Duration::from_secs(29 * 60));
    a_few_sweeps().await;
    assert!(
        notices(&app.store, ws.id(), "assisted_overdue")
            .await
            .is_empty()
    );

    // After it: one notification about this publication, however many instances look.
    clock.advance(Duration::from_secs(2 * 60));
    let overdue = eventually("the escalation", || async {
        let found = notices(&app.store, ws.id(), "assisted_overdue").await;
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].publication_id, Some(id));
    assert_eq!(overdue[0].channel_id, Some(by_hand.id));
    let second = engine(&app.store, "esc-2", &clock);
    clock.advance(Duration::from_secs(24 * 3600));
    a_few_sweeps().await;
    assert_eq!(
        notices(&app.store, ws.id(), "assisted_overdue").await.len(),
        1
    );
    // Still waiting for the operator, who can confirm it as before.
    assert_eq!(
        status_of(&app.store, ws.id(), id).await,
        PublicationStatus::Assisted
    );
    app.store
        .confirm_publication(
            ws.id(),
            id,
            owner.id,
            "https://www.xiaohongshu.com/explore/1",
        )
        .await
        .expect("confirm");
    first.stop().await;
    second.stop().await;
}

#[tokio::test]
async fn confirmed_in_time_or_with_escalation_off_nothing_escalates() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let prompt = app.workspace(&owner, "及时确认").await;
    let off = app.workspace(&owner, "不升级").await;
    let never = PublishingSettings {
        assisted_escalate_minutes: 0,
        ..PublishingSettings::default()
    };
    app.store
        .set_publishing_settings(off.id(), owner.id, never)
        .await
        .unwrap();
    let a = channel(&app.store, prompt.id(), owner.id, "douyin", json!({})).await;
    let b = channel(&app.store, off.id(), owner.id, "zhihu", json!({})).await;
    let confirmed = schedule_at(&app.store, prompt.id(), owner.id, a.id, now_ms()).await;
    let ignored = schedule_at(&app.store, off.id(), owner.id, b.id, now_ms()).await;
    let clock = Clock::default();
    let engine = engine(&app.store, "esc-3", &clock);
    eventually("both packages go out", || async {
        let both = status_of(&app.store, prompt.id(), confirmed).await
            == PublicationStatus::Assisted
            && status_of(&app.store, off.id(), ignored).await == PublicationStatus::Assisted;
        both.then_some(())
    })
    .await;

    clock.advance(Duration::from_secs(100 * 60));
    app.store
        .confirm_publication(
            prompt.id(),
            confirmed,
            owner.id,
            "https://www.douyin.com/video/1",
        )
        .await
        .expect("confirm");
    clock.advance(Duration::from_secs(30 * 24 * 3600));
    a_few_sweeps().await;
    assert!(
        notices(&app.store, prompt.id(), "assisted_overdue")
            .await
            .is_empty()
    );
    assert!(
        notices(&app.store, off.id(), "assisted_overdue")
            .await
            .is_empty()
    );
    assert_eq!(
        status_of(&app.store, off.id(), ignored).await,
        PublicationStatus::Assisted
    );
    assert_eq!(app.store.next_escalation_at().await.unwrap(), None);
    engine.stop().await;
}

fn wechat_settings(fake: &FakeWechat) -> Value {
    json!({"app_id": "wx5f1a0c3e9b7d2468", "app_secret": "fake-app-secret", "token": "t", "api_base_url": fake.url()})
}

/// Saves a WeChat session whose token expires at `expires_at`, as a publish would have.
async fn seed_session(store: &Store, channel: i64, expires_at: i64) {
    let mut session = Session {
        expires_at_ms: Some(expires_at),
        ..Session::default()
    };
    session.set("access_token", "EARLIER_TOKEN");
    let plain = serde_json::to_vec(&session).unwrap();
    store
        .save_channel_session(channel, &plain, Some(expires_at), None)
        .await
        .unwrap();
}

async fn health(app: &TestApp, token: &str, ws: i64, channel: i64) -> Value {
    let path = format!("/api/v1/workspaces/{ws}/channels/{channel}/health");
    app.get(&path, token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn rfc3339_ms(v: &Value) -> Option<i64> {
    let t: jiff::Timestamp = v.as_str()?.parse().ok()?;
    Some(t.as_millisecond())
}

#[tokio::test]
async fn fake_wechat_token_is_refreshed_before_expiry_once_by_two_instances() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "公众号").await;
    let fake = FakeWechat::start("wx5f1a0c3e9b7d2468", "fake-app-secret").await;
    let ch = channel(
        &app.store,
        ws.id(),
        owner.id,
        "wechat_oa",
        wechat_settings(&fake),
    )
    .await;
    let expires = now_ms() + 5 * MINUTE;
    seed_session(&app.store, ch.id, expires).await;

    let clock = Clock::default();
    let (a, b) = (
        engine(&app.store, "ref-1", &clock),
        engine(&app.store, "ref-2", &clock),
    );
    let refreshed = eventually("the token is renewed", || async {
        let h = health(&app, &token, ws.id, ch.id).await;
        rfc3339_ms(&h["token_expires_at"])
            .filter(|at| *at > now_ms() + HOUR)
            .map(|_| h)
    })
    .await;
    assert!(
        rfc3339_ms(&refreshed["token_refreshed_at"]).is_some(),
        "{refreshed}"
    );
    assert_eq!(refreshed["needs_reconnect"], false, "{refreshed}");
    a_few_sweeps().await;
    // One call between two instances, and the new token is the one kept.
    assert_eq!((fake.token_requests(), fake.tokens_issued()), (1, 1));
    let saved: Session =
        serde_json::from_slice(&app.store.channel_session(ch.id).await.unwrap().unwrap()).unwrap();
    assert_ne!(saved.get("access_token"), Some("EARLIER_TOKEN"));
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn fake_wechat_refusing_the_secret_holds_the_channel_and_notifies_once() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "公众号").await;
    let fake = FakeWechat::start("wx5f1a0c3e9b7d2468", "fake-app-secret").await;
    let ch = channel(
        &app.store,
        ws.id(),
        owner.id,
        "wechat_oa",
        wechat_settings(&fake),
    )
    .await;
    seed_session(&app.store, ch.id, now_ms() + 3 * MINUTE).await;
    let queued = schedule_at(&app.store, ws.id(), owner.id, ch.id, now_ms() + HOUR).await;
    // Someone reset the AppSecret in the WeChat backend.
    fake.set_secret("a-new-secret");

    let clock = Clock::default();
    let engine = engine(&app.store, "ref-3", &clock);
    let held = eventually("the queued post is held", || async {
        let p = app.store.publication(ws.id(), queued).await.unwrap();
        (p.status == PublicationStatus::Held).then_some(p)
    })
    .await;
    assert_eq!(
        held.reason.as_deref(),
        Some("credentials_rejected"),
        "{held:?}"
    );
    let h = health(&app, &token, ws.id, ch.id).await;
    assert_eq!(
        (&h["status"], &h["needs_reconnect"]),
        (&json!("needs_reconnect"), &json!(true)),
        "{h}"
    );
    a_few_sweeps().await;
    let told = notices(&app.store, ws.id(), "reconnect_needed").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(
        (told[0].channel_id, told[0].publication_id),
        (Some(ch.id), None)
    );
    assert_eq!(told[0].detail, "credentials_rejected");
    assert_eq!(fake.published_count(), 0);

    // Reconnected: the post is queued for its time again.
    assert_eq!(app.store.release_held(ws.id(), ch.id).await.unwrap(), 1);
    let p = app.store.publication(ws.id(), queued).await.unwrap();
    assert_eq!(p.status, PublicationStatus::Scheduled);
    engine.stop().await;
}

fn bluesky_config(fake: &FakeBluesky, channel_id: i64) -> ChannelConfig {
    ChannelConfig {
        channel_id,
        platform: Platform::Bluesky,
        settings: [
            ("service_url".to_owned(), fake.url()),
            ("identifier".to_owned(), fake_bsky::HANDLE.to_owned()),
        ]
        .into(),
        secrets: [("app_password".to_owned(), fake_bsky::PASSWORD.to_owned())].into(),
    }
}

#[tokio::test]
async fn fake_bluesky_session_is_refreshed_on_the_engines_clock_until_the_password_is_revoked() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "Bluesky").await;
    let fake = FakeBluesky::start().await;
    let settings = json!({"service_url": fake.url(), "identifier": fake_bsky::HANDLE, "app_password": fake_bsky::PASSWORD});
    let ch = channel(&app.store, ws.id(), owner.id, "bluesky", settings).await;
    // A session as the first publication leaves it: logged in, expiring in two hours.
    let connector = fanloop_platforms::connector(&bluesky_config(&fake, ch.id)).unwrap();
    let mut session = Session {
        now_ms: now_ms(),
        ..Session::default()
    };
    connector.verify(&mut session).await.expect("log in");
    let first_expiry = session.expires_at_ms.unwrap();
    let plain = serde_json::to_vec(&session).unwrap();
    app.store
        .save_channel_session(ch.id, &plain, Some(first_expiry), Some(fake_bsky::HANDLE))
        .await
        .unwrap();

    let clock = Clock::default();
    let engine = engine(&app.store, "ref-4", &clock);
    a_few_sweeps().await;
    assert_eq!(fake.refreshes(), 0, "not due yet");

    // Five minutes before it lapses on the engine's clock: refreshed with the refresh JWT.
    clock.advance(Duration::from_millis(
        (first_expiry - now_ms() - 5 * MINUTE) as u64,
    ));
    let renewed = eventually("the session is refreshed", || async {
        let h = app.store.channel_health(ws.id(), ch.id).await.unwrap();
        h.token_expires_at
            .filter(|at| *at > first_expiry)
            .map(|_| h)
    })
    .await;
    assert_eq!((fake.refreshes(), fake.logins()), (1, 1));
    assert!(renewed.token_expires_at.unwrap() >= clock.now_ms() + HOUR);
    assert!(!renewed.needs_reconnect);

    // The app password is revoked: the refresh and the fallback login are refused.
    fake.revoke_app_password();
    clock.advance(Duration::from_secs(2 * 3600));
    let held = eventually("the channel is flagged", || async {
        let h = app.store.channel_health(ws.id(), ch.id).await.unwrap();
        h.needs_reconnect.then_some(h)
    })
    .await;
    assert!(held.last_error.is_some(), "{held:?}");
    a_few_sweeps().await;
    assert_eq!(
        notices(&app.store, ws.id(), "reconnect_needed").await.len(),
        1
    );
    assert_eq!(fake.refreshes(), 1);
    engine.stop().await;
}

/// The store's rules under the sweeps, on one backend: the escalation window and its
/// once-only mark (also when two instances sweep at the same moment), and the refresh
/// claim with its compare-and-set save.
async fn sweeps_store_suite(store: &Store) {
    let (owner, ws) = owner_and_workspace(store, "sweeps@example.com", "扫描").await;
    let by_hand = channel(store, ws, owner, "bilibili", json!({})).await;

    // An assisted package handed over now.
    let id = schedule_at(store, ws, owner, by_hand.id, now_ms()).await;
    let jobs = store
        .claim_jobs("suite", now_ms(), 60_000, 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(
        jobs[0].started.is_some(),
        "the claim starts an on-time attempt"
    );
    store
        .finish_job(&jobs[0], "suite", &Outcome::Assisted)
        .await
        .unwrap();
    let handed = store.publication(ws, id).await.unwrap().updated_at;
    let due = store.next_escalation_at().await.unwrap();
    assert_eq!(due, Some(handed + 120 * MINUTE));

    assert!(
        store
            .escalate_overdue_assisted(handed + 119 * MINUTE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let at = handed + 121 * MINUTE;
    let (x, y) = tokio::join!(
        store.escalate_overdue_assisted(at, 10),
        store.escalate_overdue_assisted(at, 10)
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x.len() + y.len(), 1, "{x:?} {y:?}");
    assert_eq!(x.iter().chain(&y).next().unwrap().publication_id, id);
    assert!(
        store
            .escalate_overdue_assisted(at + HOUR, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(notices(store, ws, "assisted_overdue").await.len(), 1);
    assert_eq!(store.next_escalation_at().await.unwrap(), None);

    // A token expiring in a minute: one of two simultaneous claims wins.
    let api = channel(
        store,
        ws,
        owner,
        "bluesky",
        json!({"service_url": "https://bsky.social", "identifier": "a.test", "app_password": "p"}),
    )
    .await;
    let now = now_ms();
    store
        .save_channel_session(api.id, b"{}", Some(now + MINUTE), None)
        .await
        .unwrap();
    assert_eq!(
        store.next_token_refresh_at(10 * MINUTE).await.unwrap(),
        Some(now + MINUTE - 10 * MINUTE)
    );
    assert!(
        store
            .claim_token_refreshes("a", now, 30_000, 30_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "not within the margin"
    );
    let (a, b) = tokio::join!(
        store.claim_token_refreshes("a", now, 10 * MINUTE, 30_000, 10),
        store.claim_token_refreshes("b", now, 10 * MINUTE, 30_000, 10)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 1, "{a:?} {b:?}");
    let (winner, loser, due) = if a.is_empty() {
        ("b", "a", b[0])
    } else {
        ("a", "b", a[0])
    };
    assert_eq!(
        (due.channel_id, due.workspace_id, due.token_expires_at),
        (api.id, ws.0, now + MINUTE)
    );
    assert!(
        store
            .claim_token_refreshes(loser, now + 1_000, 10 * MINUTE, 30_000, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let renewed = Refreshed::Renewed {
        session: br#"{"values":{"accessJwt":"new"}}"#.to_vec(),
        expires_at: Some(now + 2 * HOUR),
    };
    // Only the claim's owner saves; and it keeps others off for the pause it names.
    assert!(
        !store
            .finish_token_refresh(&due, loser, now, &renewed, now + MINUTE)
            .await
            .unwrap()
    );
    assert!(
        store
            .finish_token_refresh(&due, winner, now, &renewed, now + MINUTE)
            .await
            .unwrap()
    );
    let h = store.channel_health(ws, api.id).await.unwrap();
    assert_eq!(
        (h.token_expires_at, h.token_refreshed_at),
        (Some(now + 2 * HOUR), Some(now))
    );
    assert_eq!(
        store.channel_session(api.id).await.unwrap().unwrap(),
        br#"{"values":{"accessJwt":"new"}}"#
    );
    assert!(
        store
            .claim_token_refreshes("a", now + 2 * MINUTE, 10 * MINUTE, 30_000, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A session a publish attempt saved meanwhile wins over the refresher's.
    let late = now + 2 * HOUR - 5 * MINUTE;
    let due = store
        .claim_token_refreshes("a", late, 10 * MINUTE, 30_000, 10)
        .await
        .unwrap()[0];
    store
        .save_channel_session(api.id, b"{\"values\":{}}", Some(late + 2 * HOUR), None)
        .await
        .unwrap();
    assert!(
        !store
            .finish_token_refresh(&due, "a", late, &renewed, late + MINUTE)
            .await
            .unwrap()
    );
    let h = store.channel_health(ws, api.id).await.unwrap();
    assert_eq!(h.token_expires_at, Some(late + 2 * HOUR));

    // Refused: flagged, its queued post held, one notification; the claim released.
    let later = late + 2 * HOUR - MINUTE;
    let queued = schedule_at(store, ws, owner, api.id, later + HOUR).await;
    let due = store
        .claim_token_refreshes("a", later, 10 * MINUTE, 30_000, 10)
        .await
        .unwrap()[0];
    let held = store
        .token_refresh_refused(&due, "a", later, "credentials_rejected", "refused")
        .await
        .unwrap();
    assert_eq!(held, Some(1));
    assert_eq!(status_of(store, ws, queued).await, PublicationStatus::Held);
    assert!(
        store
            .channel_health(ws, api.id)
            .await
            .unwrap()
            .needs_reconnect
    );
    assert_eq!(notices(store, ws, "reconnect_needed").await.len(), 1);
    // A channel waiting for reconnection is not refreshed.
    assert!(
        store
            .claim_token_refreshes("a", later + HOUR, 10 * MINUTE, 30_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .token_refresh_refused(&due, "a", later, "x", "y")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn sweeps_store_rules_on_sqlite() {
    let dir = TempDir::new("sweeps");
    let store = sqlite_store(&dir).await;
    sweeps_store_suite(&store).await;
}

#[tokio::test]
async fn sweeps_store_rules_on_postgres() {
    on_postgres(sweeps_store_suite).await;
}
