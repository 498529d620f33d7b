//! The store's attempt path on both backends: the claim that starts on-time attempts
//! next to the careful path for the rest, and outcomes recorded together in one
//! transaction where one job's lost lease spoils none of the others.

use super::support::{channel, owner_and_workspace, schedule_at};
use crate::helpers::{TempDir, sqlite_store};
use crate::store::on_postgres;
use fanloop_domain::publish::PublicationStatus;
use fanloop_store::publishing::{Begin, Outcome};
use fanloop_store::{Store, StoreError};
use serde_json::json;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

async fn outcomes_store_suite(store: &Store) {
    let (owner, ws) = owner_and_workspace(store, "batch@example.com", "批量").await;
    let settings = json!({"instance_url": "http://127.0.0.1:9", "access_token": "t"});
    let ch = channel(store, ws, owner, "mastodon", settings).await;

    let t0 = now_ms() - 1_000;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(schedule_at(store, ws, owner, ch.id, t0 + i).await);
    }
    // "a" claims all four with a short lease; "b" takes the first over once it lapses.
    // The claim starts the on-time attempts itself.
    let jobs = store.claim_jobs("a", t0 + 10, 50, 10).await.unwrap();
    assert_eq!(jobs.len(), 4);
    for job in &jobs {
        assert!(matches!(job.started, Some((1, _))), "{job:?}");
    }
    // A claim's contexts are read together; a vanished publication is just absent.
    let contexts = store
        .job_contexts(&[ids[1], ids[2], i64::MAX])
        .await
        .unwrap();
    assert_eq!(contexts.len(), 2);
    let one = &contexts[&ids[1]];
    assert_eq!(one.content.body, "小红书笔记正文");
    assert_eq!(
        one.connection
            .secrets
            .get("access_token")
            .map(String::as_str),
        Some("t")
    );
    assert_eq!(
        one.publication.status,
        store.job_context(ids[1]).await.unwrap().publication.status
    );
    let stolen = store.claim_jobs("b", t0 + 100, 60_000, 1).await.unwrap();
    assert_eq!(stolen[0].job_id, jobs[0].job_id);
    // Taken over mid-attempt: the new holder must reconcile before sending again.
    assert_eq!(stolen[0].started, None);
    assert!(matches!(
        store.begin_attempt(&stolen[0], "b").await.unwrap(),
        Begin::Interrupted { attempt: 1, .. }
    ));

    let published = |n: &str| Outcome::Published {
        remote_id: n.into(),
        url: None,
        late: false,
    };
    let failed = Outcome::Failed {
        reason: "content_rejected".into(),
        error: "too long".into(),
    };
    let (o0, o1, o2) = (published("r0"), published("r1"), published("r2"));
    let batch = [
        (&jobs[0], "a", &o0),
        (&jobs[1], "a", &o1),
        (&jobs[2], "a", &o2),
        (&jobs[3], "a", &failed),
    ];
    let answers = store.finish_jobs(&batch).await;
    assert!(matches!(
        answers[0],
        Err(StoreError::Conflict("lease_lost"))
    ));
    assert!(answers[1..].iter().all(Result::is_ok), "{answers:?}");

    let status = |id| async move { store.publication(ws, id).await.unwrap() };
    // Nothing of the lost job was written: it is still "b"'s to finish.
    assert_eq!(status(ids[0]).await.status, PublicationStatus::Publishing);
    assert_eq!(status(ids[0]).await.remote_id, None);
    assert_eq!(status(ids[1]).await.remote_id.as_deref(), Some("r1"));
    assert_eq!(status(ids[2]).await.status, PublicationStatus::Published);
    assert_eq!(status(ids[3]).await.status, PublicationStatus::Failed);
    let health = store.channel_health(ws, ch.id).await.unwrap();
    assert!(health.last_success_at.is_some() && health.last_error_at.is_some());
    let failures = store.notifications(ws, 50).await.unwrap();
    assert_eq!(
        failures
            .iter()
            .filter(|n| n.kind == "publish_failed")
            .map(|n| n.publication_id)
            .collect::<Vec<_>>(),
        vec![Some(ids[3])]
    );
    // "b" still holds its lease and finishes alone.
    store.finish_job(&stolen[0], "b", &o0).await.unwrap();
    assert_eq!(status(ids[0]).await.status, PublicationStatus::Published);
    assert!(
        store
            .claim_jobs("c", now_ms() + 120_000, 1_000, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A channel waiting to be reconnected stops the fast start; the careful path says so.
    // Due two minutes ago, they are claimed but not started: the careful path judges
    // lateness first.
    let (x, y) = (
        schedule_at(store, ws, owner, ch.id, t0 - 120_000).await,
        schedule_at(store, ws, owner, ch.id, t0 - 120_000).await,
    );
    let jobs = store.claim_jobs("a", now_ms(), 60_000, 2).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j.started.is_none()), "{jobs:?}");
    store.begin_attempt(&jobs[0], "a").await.unwrap();
    let held = Outcome::Held {
        reason: "credentials_rejected".into(),
        error: "token revoked".into(),
    };
    store.finish_job(&jobs[0], "a", &held).await.unwrap();
    assert_eq!(
        store.begin_attempt(&jobs[1], "a").await.unwrap(),
        Begin::ChannelHeld
    );
    let held_one = if jobs[0].publication_id == x { x } else { y };
    assert_eq!(status(held_one).await.status, PublicationStatus::Held);
}

#[tokio::test]
async fn outcomes_are_recorded_together_on_sqlite() {
    let dir = TempDir::new("group-commit");
    let store = sqlite_store(&dir).await;
    outcomes_store_suite(&store).await;
}

#[tokio::test]
async fn outcomes_are_recorded_together_on_postgres() {
    on_postgres(outcomes_store_suite).await;
}
