//! The publishing scheduler: claims due jobs from the store under a lease and runs each
//! attempt as its own task, at most `concurrency` at once. Several instances sharing a
//! PostgreSQL database share the queue; a crashed instance's leases expire and its
//! work is reconciled and finished by whoever claims it next.

mod attempt;
mod outgoing;
mod quota;
mod recorder;
mod sandbox;

pub use sandbox::simulate as simulated_engagement;

use crate::{Wake, now_ms};
use fanloop_store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

/// How an instance publishes.
#[derive(Debug, Clone)]
pub struct PublisherConfig {
    /// This instance's name on leases; unique per process.
    pub instance: String,
    /// Platform calls in flight at once.
    pub concurrency: usize,
    /// How long a claim holds before another instance may take the job over; renewed
    /// every third of it while a call runs.
    pub lease: Duration,
    /// The longest sleep when nothing is due, so work scheduled by another instance is
    /// noticed within this time.
    pub idle_wake: Duration,
    /// How long one platform call may run before its outcome counts as unknown.
    pub call_timeout: Duration,
    /// How often a platform's processing job (WeChat) is asked about.
    pub check_every: Duration,
    /// Where the media library keeps its files (`<key>/original`).
    pub media_dir: PathBuf,
    /// Multiplies the retry backoff (1.0 in production; tests shrink it). A platform's
    /// own `Retry-After` is never shortened.
    pub backoff_scale: f64,
}

impl Default for PublisherConfig {
    fn default() -> Self {
        PublisherConfig {
            instance: instance_name(),
            concurrency: 32,
            lease: Duration::from_secs(30),
            idle_wake: Duration::from_secs(15),
            call_timeout: Duration::from_secs(45),
            check_every: Duration::from_secs(30),
            media_dir: PathBuf::from("fanloop-data/media"),
            backoff_scale: 1.0,
        }
    }
}

fn instance_name() -> String {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("the OS random source is available");
    format!("pid{}-{}", std::process::id(), hex::encode(b))
}

pub async fn run(
    store: Store,
    config: PublisherConfig,
    wake: Wake,
    notifier: Wake,
    mut stop: watch::Receiver<bool>,
) {
    let config = Arc::new(config);
    // One HTTP client for every attempt of this scheduler: pooled connections and TLS
    // roots loaded once.
    let http = fanloop_platforms::http::new_client();
    let (recorder, recording) = recorder::Recorder::spawn(store.clone(), config.instance.clone());
    let slots = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let freed = Arc::new(Notify::new());
    let mut running = JoinSet::new();
    loop {
        if *stop.borrow() {
            break;
        }
        while running.try_join_next().is_some() {}
        let free = slots.available_permits();
        let mut claimed_full = false;
        if free > 0 {
            let lease = config.lease.as_millis() as i64;
            match store
                .claim_jobs(&config.instance, now_ms(), lease, free as i64)
                .await
            {
                Ok(jobs) => {
                    claimed_full = jobs.len() == free;
                    // The claim's reads in one query; an attempt whose context is
                    // missing here reads its own.
                    let ids: Vec<i64> = jobs.iter().map(|j| j.publication_id).collect();
                    let mut contexts = store.job_contexts(&ids).await.unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "reading the claim's contexts failed");
                        Default::default()
                    });
                    for job in jobs {
                        let context = contexts.remove(&job.publication_id);
                        let permit = Arc::clone(&slots)
                            .acquire_owned()
                            .await
                            .expect("the semaphore is never closed");
                        let (store, config, freed, notifier, http, recorder) = (
                            store.clone(),
                            Arc::clone(&config),
                            Arc::clone(&freed),
                            notifier.clone(),
                            http.clone(),
                            recorder.clone(),
                        );
                        running.spawn(async move {
                            let attempt = attempt::run(&store, &config, &recorder, job, context);
                            let notified =
                                fanloop_platforms::http::sharing_client(http, attempt).await;
                            drop(permit);
                            freed.notify_one();
                            if notified {
                                notifier.wake();
                            }
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "claiming jobs failed; will retry"),
            }
        }
        if claimed_full {
            // More may be due right now; claim again as soon as a slot frees.
            if slots.available_permits() == 0 {
                tokio::select! {
                    _ = freed.notified() => {}
                    _ = stop.changed() => {}
                }
            }
            continue;
        }
        let sleep = match store.next_job_at().await {
            Ok(Some(at)) => Duration::from_millis((at - now_ms()).clamp(0, i64::MAX) as u64)
                .min(config.idle_wake),
            Ok(None) => config.idle_wake,
            Err(e) => {
                tracing::warn!(error = %e, "reading the queue failed; will retry");
                config.idle_wake
            }
        };
        if sleep.is_zero() && slots.available_permits() == 0 {
            tokio::select! {
                _ = freed.notified() => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        if sleep.is_zero() {
            // Due work that could not be claimed (leased elsewhere, not yet expired):
            // a short pause instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = wake.woken() => {}
            _ = freed.notified() => {}
            _ = stop.changed() => {}
        }
    }
    // Let in-flight attempts record their results before the process exits.
    while running.join_next().await.is_some() {}
    drop(recorder);
    let _ = recording.await;
}
