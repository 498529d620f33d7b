//! Publishing benchmark: N posts due in the same minute across C channels against a fake
//! Mastodon (from its documentation) answering every call after a fixed latency. Prints
//! lateness percentiles, throughput and its ratio to the bound set by the configured
//! concurrency and latency, exact once-only counts, and the scheduler's idle CPU next
//! to a polling baseline measured in the same process.
//!
//!   cargo run --release -p fanloop --example bench_publish -- [posts] [channels] [concurrency]

use fanloop_domain::publish::PublicationStatus;
use fanloop_domain::{
    Actor, ApprovalRules, ChannelDraft, ChannelId, DisplayName, Email, Locale, ReviewAction,
    ReviewState, Role, WorkspaceProfile, decide,
};
use fanloop_engine::{Engine, EngineConfig, PublisherConfig};
use fanloop_fakes::mastodon::{FakeMastodon, MastodonOptions};
use fanloop_store::publishing::{PublicationFilter, Slot};
use fanloop_store::{NewPost, Store, Vault};
use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

const LATENCY: Duration = Duration::from_millis(50);

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let posts = args.first().copied().unwrap_or(10_000);
    let channels = args.get(1).copied().unwrap_or(200);
    let concurrency = args.get(2).copied().unwrap_or(256);
    // 0: every post due at the same instant (the worst case); 60: due times spread
    // evenly over one minute, as when many operators pick "20:00" to the minute.
    let spread_ms = args.get(3).copied().unwrap_or(0) as i64 * 1000;
    let dir = std::env::temp_dir().join(format!("fanloop-bench-publish-{}", std::process::id()));
    // FANLOOP_BENCH_POSTGRES=postgres://user@host:port runs on a fresh PostgreSQL
    // database (dropped afterwards) instead of the embedded SQLite file.
    let postgres = match std::env::var("FANLOOP_BENCH_POSTGRES") {
        Ok(base) => Some(create_database(&base).await),
        Err(_) => None,
    };
    let store = Store::open(
        &dir,
        postgres.as_ref().map(|(_, url)| url.as_str()),
        Vault::from_key([7; 32]),
    )
    .await
    .expect("store");
    println!("store: {}", store.backend_name());

    let tokens: Vec<String> = (0..channels).map(|i| format!("token{i}")).collect();
    let fake = FakeMastodon::start(MastodonOptions {
        tokens: tokens.clone(),
        latency: LATENCY,
        rate_limit: 1_000_000,
        ..MastodonOptions::default()
    })
    .await;

    let setup = Instant::now();
    let email = Email::parse("bench@example.com").unwrap();
    let name = DisplayName::parse("压测").unwrap();
    let user = store
        .create_user(&email, &name, "x", Locale::ZhCn)
        .await
        .unwrap();
    let profile = WorkspaceProfile::parse("压测", "Asia/Shanghai", "zh-CN", "").unwrap();
    let ws = store
        .create_workspace(user.id, &profile)
        .await
        .unwrap()
        .id();
    let mut channel_ids = Vec::new();
    for token in &tokens {
        let settings = serde_json::json!({
            "instance_url": fake.url(), "access_token": token, "rate_limit_per_5min": "1000000"
        });
        let draft = ChannelDraft::parse("mastodon", token, Some(&settings)).unwrap();
        let ch = store
            .create_channel(ws, user.id, draft.platform, &draft.name, &draft.settings)
            .await
            .unwrap();
        channel_ids.push(ch.id);
    }
    let rules = ApprovalRules::parse(0, true, false, &["owner".into()]).unwrap();
    let actor = Actor {
        user: user.id,
        role: Role::Owner,
    };
    let submit = ReviewAction::Submit {
        lint_errors: 0,
        override_reason: None,
    };
    let mut planned = Vec::with_capacity(posts);
    for i in 0..posts {
        let channel = channel_ids[i % channels];
        let new = NewPost {
            title: format!("快讯 {i}"),
            body: format!(
                "第 {i} 条：今晚八点直播间上新，点击链接预约 https://example.com/live/{i}"
            ),
            tags: vec!["上新".into()],
            topic_id: None,
            channels: vec![ChannelId(channel)],
        };
        let id = store.create_post(ws, user.id, &new).await.unwrap();
        let post = store.post(ws, id).await.unwrap().unwrap();
        let state = ReviewState {
            status: post.status,
            author: user.id,
            approvals: BTreeSet::new(),
        };
        let decision = decide(&rules, &state, actor, &submit).unwrap();
        store
            .apply_review(ws, &post, user.id, "submit", &decision, "")
            .await
            .unwrap();
        planned.push((id, post.version, channel));
    }
    // Due a few seconds after set-up ends (scheduling takes about a millisecond a post;
    // the margin is checked below): at one instant, or spread over the window.
    let due = jiff::Timestamp::now().as_millisecond() + 3_000 + 2 * posts as i64;
    for (i, (id, version, channel)) in planned.iter().enumerate() {
        let slot = Slot {
            channel_id: *channel,
            at_ms: due + spread_ms * i as i64 / posts as i64,
        };
        store
            .schedule(ws, *id, *version, &[slot], user.id)
            .await
            .unwrap();
    }
    println!(
        "set-up: {posts} posts on {channels} channels in {:.1} s; fake latency {} ms; concurrency {concurrency}; {}",
        setup.elapsed().as_secs_f64(),
        LATENCY.as_millis(),
        if spread_ms == 0 {
            "all due at one instant".to_owned()
        } else {
            format!("due times spread over {} s", spread_ms / 1000)
        }
    );

    let config = EngineConfig {
        publisher: PublisherConfig {
            instance: "bench".into(),
            concurrency,
            ..PublisherConfig::default()
        },
        ..EngineConfig::default()
    };
    let margin = due - jiff::Timestamp::now().as_millisecond();
    assert!(
        margin > 0,
        "set-up overran the first due time by {} ms; lateness would include it",
        -margin
    );
    println!("engine starts {margin} ms before the first due time");
    let burst_cpu = cpu_ms();
    let engine = Engine::start(store.clone(), config);
    // Waits for the queue to empty (one cheap query), so the benchmark's own reads do
    // not compete with the engine; then reads every publication once.
    while store.next_job_at().await.unwrap().is_some() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = loop {
        let all = store
            .publications(
                ws,
                &PublicationFilter {
                    limit: 100_000,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let open = all.iter().filter(|p| {
            matches!(
                p.status,
                PublicationStatus::Scheduled | PublicationStatus::Publishing
            )
        });
        if open.count() == 0 {
            break all;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let burst_cpu = cpu_ms() - burst_cpu;
    let mut states = std::collections::BTreeMap::new();
    for p in &all {
        *states.entry(p.status.code()).or_insert(0) += 1;
        if p.status != PublicationStatus::Published && states[p.status.code()] <= 2 {
            println!("  e.g. {:?}: {:?} {:?}", p.status, p.reason, p.last_error);
        }
    }
    println!("states: {states:?}");
    let published: Vec<_> = all
        .iter()
        .filter(|p| p.status == PublicationStatus::Published)
        .collect();
    let mut lateness: Vec<i64> = published
        .iter()
        .map(|p| p.published_at.unwrap() - p.scheduled_at)
        .collect();
    let mut start_lateness: Vec<i64> = published
        .iter()
        .map(|p| p.first_attempt_at.unwrap() - p.scheduled_at)
        .collect();
    lateness.sort_unstable();
    start_lateness.sort_unstable();
    let pct = |v: &[i64], q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    // From the first due time to the last publication.
    let first_due = published.iter().map(|p| p.scheduled_at).min().unwrap();
    let last_done = published
        .iter()
        .filter_map(|p| p.published_at)
        .max()
        .unwrap();
    let span_s = (last_done - first_due) as f64 / 1000.0;
    let throughput = published.len() as f64 / span_s;
    let bound = concurrency as f64 / LATENCY.as_secs_f64();
    let keys: HashSet<_> = fake
        .records()
        .iter()
        .map(|r| r.idempotency_key.clone())
        .collect();
    println!(
        "published {}/{posts}; fake created {} statuses, {} distinct keys",
        published.len(),
        fake.statuses_created(),
        keys.len()
    );
    println!(
        "lateness (published − due): p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
        pct(&lateness, 0.5),
        pct(&lateness, 0.9),
        pct(&lateness, 0.99),
        lateness.last().unwrap()
    );
    println!(
        "start lateness (first attempt − due): p50 {} ms, p99 {} ms",
        pct(&start_lateness, 0.5),
        pct(&start_lateness, 0.99)
    );
    if spread_ms == 0 {
        println!(
            "throughput {throughput:.0} posts/s; bound concurrency/latency = {bound:.0} posts/s; ratio {:.2}",
            throughput / bound
        );
        // The last of n posts due together cannot go out before n/bound, nor before the
        // CPU the burst needs is spent on this machine's cores.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        println!(
            "floors for the last post: concurrency/latency {:.2} s; CPU {:.2} s on {cores} cores",
            posts as f64 / bound,
            burst_cpu / 1000.0 / cores
        );
    } else {
        // Spread over a window, the arrival rate caps throughput, not the engine.
        let arrival = posts as f64 * 1000.0 / spread_ms as f64;
        println!(
            "throughput {throughput:.0} posts/s against an arrival rate of {arrival:.0} posts/s; bound concurrency/latency = {bound:.0} posts/s"
        );
    }

    println!(
        "CPU during the burst (engine, store and the in-process fake together): {:.2} s, {:.2} ms per post",
        burst_cpu / 1000.0,
        burst_cpu / posts as f64
    );

    // Idle: nothing due. Our scheduler sleeps until the next due job; the baseline polls
    // the queue every 100 ms as a naive scheduler would.
    let ours = idle_cpu(Duration::from_secs(5)).await;
    engine.stop().await;
    let polling = {
        let store = store.clone();
        let task = tokio::spawn(async move {
            loop {
                let _ = store
                    .claim_jobs(
                        "poller",
                        jiff::Timestamp::now().as_millisecond(),
                        30_000,
                        32,
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let cpu = idle_cpu(Duration::from_secs(5)).await;
        task.abort();
        cpu
    };
    println!(
        "idle CPU over 5 s: scheduler {ours:.1} ms, 100 ms polling baseline {polling:.1} ms (ratio {:.2})",
        ours / polling.max(0.001)
    );
    if spread_ms == 0 {
        // After the idle measurement, whose quiet its open connections would disturb:
        // the same statuses posted straight to a fresh fake — no scheduler, no store —
        // at the same concurrency: what HTTP and the platform side alone reach here.
        let (direct_rate, direct_cpu) = direct_baseline(posts, concurrency).await;
        println!(
            "direct baseline (same client, fake, latency and concurrency; no engine or store): {direct_rate:.0} posts/s, {direct_cpu:.2} ms CPU per post; engine/direct throughput ratio {:.2}",
            throughput / direct_rate
        );
    }

    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some((base, url)) = postgres {
        drop_database(&base, &url).await;
    }
}

/// A fresh database on the server at `base`: (base, its URL).
async fn create_database(base: &str) -> (String, String) {
    use sqlx::Connection;
    let base = base.trim_end_matches('/').to_owned();
    let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
        .await
        .expect("PostgreSQL at FANLOOP_BENCH_POSTGRES");
    let name = format!("fanloop_bench_{}", std::process::id());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create the benchmark database");
    let url = format!("{base}/{name}");
    (base, url)
}

async fn drop_database(base: &str, url: &str) {
    use sqlx::Connection;
    let name = url.rsplit('/').next().unwrap_or_default();
    if let Ok(mut admin) = sqlx::PgConnection::connect(&format!("{base}/postgres")).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}

/// Posts `posts` statuses directly to a new fake Mastodon with the benchmark's latency,
/// `concurrency` at a time, through the client the connectors use. Returns posts/s and
/// CPU ms per post.
async fn direct_baseline(posts: usize, concurrency: usize) -> (f64, f64) {
    use std::sync::Arc;
    let fake = FakeMastodon::start(MastodonOptions {
        tokens: vec!["direct".into()],
        latency: LATENCY,
        rate_limit: 1_000_000,
        ..MastodonOptions::default()
    })
    .await;
    let url = format!("{}/api/v1/statuses", fake.url());
    let client = fanloop_platforms::http::new_client();
    let slots = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let (cpu, start) = (cpu_ms(), Instant::now());
    let mut sent = tokio::task::JoinSet::new();
    for i in 0..posts {
        let permit = Arc::clone(&slots).acquire_owned().await.expect("open");
        let request = client
            .post(&url)
            .bearer_auth("direct")
            .header("Idempotency-Key", format!("direct-{i}"))
            .json(&serde_json::json!({"status": format!("第 {i} 条快讯"), "visibility": "public"}));
        sent.spawn(async move {
            let ok = request.send().await.is_ok_and(|r| r.status().is_success());
            drop(permit);
            ok
        });
    }
    let mut ok = 0;
    while let Some(done) = sent.join_next().await {
        ok += usize::from(done.unwrap_or(false));
    }
    let (secs, cpu) = (start.elapsed().as_secs_f64(), cpu_ms() - cpu);
    assert_eq!(ok, posts, "the direct baseline must post every status");
    assert_eq!(fake.statuses_created(), posts);
    (posts as f64 / secs, cpu / posts as f64)
}

/// CPU time (user + system, ms) this process spends over `window`.
async fn idle_cpu(window: Duration) -> f64 {
    let before = cpu_ms();
    tokio::time::sleep(window).await;
    cpu_ms() - before
}

fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the stat line (11 and 12 after the name).
    (ticks(11) + ticks(12)) * 10.0
}
