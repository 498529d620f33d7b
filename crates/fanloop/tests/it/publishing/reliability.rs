//! Crash safety of the publishing engine, with the real binary: kill it with SIGKILL at
//! random moments during a burst and restart it; run two instances on one PostgreSQL
//! and kill one. A fake Mastodon (from its documentation, with `Idempotency-Key`) counts
//! what was published: nothing may be lost, nothing published twice.

use super::support::{approved_post, channel, owner_and_workspace};
use crate::helpers::TempDir;
use crate::store::PgDatabase;
use fanloop_domain::WorkspaceId;
use fanloop_domain::publish::PublicationStatus;
use fanloop_fakes::mastodon::{FakeMastodon, MastodonOptions};
use fanloop_store::publishing::{PublicationFilter, Slot};
use fanloop_store::{Store, Vault};
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A burst of `n` approved posts on one Mastodon channel, all due shortly.
async fn burst(store: &Store, fake: &FakeMastodon, n: usize) -> WorkspaceId {
    let (user, ws) = owner_and_workspace(store, "ops@example.com", "突发").await;
    // A self-hosted instance whose admin raised the request limit.
    let settings = json!({
        "instance_url": fake.url(),
        "access_token": "token",
        "rate_limit_per_5min": "100000"
    });
    let ch = channel(store, ws, user, "mastodon", settings).await;
    let due = jiff::Timestamp::now().as_millisecond() + 1_000;
    for i in 0..n {
        let body = format!("第 {i} 条快讯");
        let post = approved_post(store, ws, user, &[ch.id], &format!("快讯 {i}"), &body).await;
        let version = store.post(ws, post).await.unwrap().unwrap().version;
        let slot = Slot {
            channel_id: ch.id,
            at_ms: due,
        };
        store
            .schedule(ws, post, version, &[slot], user)
            .await
            .unwrap();
    }
    ws
}

fn serve(data_dir: &Path, database_url: Option<&str>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fanloop"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--bind", "127.0.0.1:0", "--lease-secs", "2"])
        .args(["--publish-concurrency", "16"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if let Some(url) = database_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.spawn().expect("start fanloop serve")
}

/// Milliseconds in [lo, hi) from the clock's low bits: varied kill moments without a
/// random-number dependency.
fn moment(lo: u64, hi: u64) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    Duration::from_millis(lo + nanos % (hi - lo))
}

async fn counts(store: &Store, ws: WorkspaceId) -> (usize, usize, Vec<String>) {
    let all = store
        .publications(
            ws,
            &PublicationFilter {
                limit: 5000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let published = all
        .iter()
        .filter(|p| p.status == PublicationStatus::Published)
        .count();
    let odd: Vec<String> = all
        .iter()
        .filter(|p| {
            !matches!(
                p.status,
                PublicationStatus::Published
                    | PublicationStatus::Scheduled
                    | PublicationStatus::Publishing
            )
        })
        .map(|p| format!("{} {:?} {:?}", p.id, p.status, p.last_error))
        .collect();
    (all.len(), published, odd)
}

async fn wait_all_published(store: &Store, ws: WorkspaceId, n: usize, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let (total, published, odd) = counts(store, ws).await;
        assert_eq!(total, n);
        assert!(odd.is_empty(), "publications in a bad state: {odd:?}");
        if published == n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {published} of {n} published in time"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn assert_each_once(fake: &FakeMastodon, n: usize) {
    let records = fake.records();
    let keys: HashSet<_> = records.iter().map(|r| r.idempotency_key.clone()).collect();
    let texts: HashSet<_> = records.iter().map(|r| r.text.clone()).collect();
    assert_eq!(records.len(), n, "statuses created");
    assert_eq!(keys.len(), n, "distinct idempotency keys");
    assert_eq!(texts.len(), n, "distinct posts");
}

#[tokio::test]
async fn sigkill_during_a_burst_loses_nothing_and_publishes_nothing_twice() {
    const N: usize = 1000;
    let dir = TempDir::new("sigkill");
    let vault = Vault::load_or_create(&dir.0, None).unwrap();
    let store = Store::open(&dir.0, None, vault).await.unwrap();
    // 150 ms per call and 16 in flight: about 100 posts a second, so the kills land
    // mid-burst, often mid-call.
    let fake = FakeMastodon::start(MastodonOptions {
        latency: Duration::from_millis(150),
        rate_limit: 1_000_000,
        ..MastodonOptions::default()
    })
    .await;
    let ws = burst(&store, &fake, N).await;
    let mut kills = 0;
    for _ in 0..4 {
        let mut child = serve(&dir.0, None);
        tokio::time::sleep(moment(1_200, 3_000)).await;
        child.start_kill().expect("SIGKILL");
        let _ = child.wait().await;
        kills += 1;
        let (_, published, odd) = counts(&store, ws).await;
        assert!(odd.is_empty(), "after kill {kills}: {odd:?}");
        eprintln!("after kill {kills}: {published} of {N} published");
    }
    let mut last = serve(&dir.0, None);
    wait_all_published(&store, ws, N, Duration::from_secs(120)).await;
    last.start_kill().unwrap();
    let _ = last.wait().await;
    assert_each_once(&fake, N);
}

#[tokio::test]
async fn two_instances_on_postgres_share_a_burst_and_survive_losing_one() {
    const N: usize = 400;
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let dir = TempDir::new("pg-two");
    let vault = Vault::load_or_create(&dir.0, None).unwrap();
    let store = Store::open(&dir.0, Some(&db.url), vault).await.unwrap();
    let fake = FakeMastodon::start(MastodonOptions {
        latency: Duration::from_millis(150),
        rate_limit: 1_000_000,
        ..MastodonOptions::default()
    })
    .await;
    let ws = burst(&store, &fake, N).await;
    let mut a = serve(&dir.0, Some(&db.url));
    let mut b = serve(&dir.0, Some(&db.url));
    tokio::time::sleep(moment(1_500, 2_500)).await;
    a.start_kill().expect("SIGKILL instance a");
    let _ = a.wait().await;
    wait_all_published(&store, ws, N, Duration::from_secs(120)).await;
    b.start_kill().unwrap();
    let _ = b.wait().await;
    assert_each_once(&fake, N);
    store.close().await;
    db.drop().await;
}

/// Two instances on one PostgreSQL: a post queued through one is published by the
/// other at once, although that one sleeps ten minutes when idle — it hears the
/// queue's signal rather than waiting out its sleep.
#[tokio::test]
async fn postgres_instance_hears_a_job_queued_by_another() {
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let open = || Store::open(Path::new("."), Some(&db.url), crate::helpers::test_vault());
    let (quiet, other) = (open().await.unwrap(), open().await.unwrap());
    let mut config = super::support::test_engine_config("quiet");
    config.publisher.idle_wake = Duration::from_secs(600);
    let engine = fanloop_engine::Engine::start(quiet.clone(), config);
    // Long enough for the scheduler to find nothing due and go to sleep.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let (user, ws) = owner_and_workspace(&other, "signal@example.com", "信号").await;
    let ch = channel(&other, ws, user, "sandbox", json!({})).await;
    let post = approved_post(&other, ws, user, &[ch.id], "跨实例", "正文").await;
    let version = other.post(ws, post).await.unwrap().unwrap().version;
    let slot = Slot {
        channel_id: ch.id,
        at_ms: jiff::Timestamp::now().as_millisecond(),
    };
    let id = other
        .schedule(ws, post, version, &[slot], user)
        .await
        .unwrap()[0];

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let p = other.publication(ws, id).await.unwrap();
        if p.status == PublicationStatus::Published {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle instance did not hear the queued job: {:?}",
            p.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    engine.stop().await;
    quiet.close().await;
    other.close().await;
    db.drop().await;
}
