//! One claimed job, start to finish: decide whether it may still go out, take quota,
//! call the platform with the lease kept alive, and record what happened. Every branch
//! ends in exactly one `finish_job` (or leaves the job for its lease to expire, when the
//! store itself is unreachable — the next claimant reconciles).

use super::PublisherConfig;
use super::recorder::Recorder;
use super::{outgoing, quota, sandbox};
use crate::{jitter, now_ms};
use fanloop_domain::PlatformTier;
use fanloop_domain::publish::{DueCheck, MAX_ATTEMPTS, due_check};
use fanloop_platforms::{
    ChannelConfig, Connector, ErrorClass, PublishError, Reason, Receipt, Reconciled, Session,
};
use fanloop_store::publishing::{Begin, Claimed, JobContext, JobKind, Outcome, Publication};
use fanloop_store::{Store, StoreError};
use std::future::Future;

/// Why an attempt stopped without an outcome: the job stays leased until it expires.
type Abort = StoreError;

/// Runs one job; true when its outcome raised a notification (the notifier should look).
pub async fn run(
    store: &Store,
    config: &PublisherConfig,
    rec: &Recorder,
    job: Claimed,
    context: Option<JobContext>,
) -> bool {
    let id = job.publication_id;
    match attempt(store, config, rec, &job, context).await {
        Ok(notified) => return notified,
        Err(StoreError::Conflict("lease_lost")) => {
            tracing::warn!(
                publication = id,
                "lease lost to another instance; it will finish the job"
            )
        }
        Err(e) => {
            tracing::error!(publication = id, error = %e, "attempt aborted; the job will be retried when its lease expires")
        }
    }
    false
}

async fn attempt(
    store: &Store,
    config: &PublisherConfig,
    rec: &Recorder,
    job: &Claimed,
    prefetched: Option<JobContext>,
) -> Result<bool, Abort> {
    let owner = config.instance.as_str();
    let context = match prefetched {
        Some(context) => context,
        None => match store.job_context(job.publication_id).await {
            Ok(context) => context,
            Err(StoreError::NotFound) => return store.drop_job(job, owner).await.map(|()| false),
            Err(e) => return Err(e),
        },
    };
    let publication = &context.publication;
    let workspace = fanloop_domain::WorkspaceId(publication.workspace_id);
    let platform = context.connection.platform;

    if job.kind() == JobKind::Check {
        return check(store, config, rec, job, &context).await;
    }

    // Lateness is judged before anything is marked: a missed post is never sent.
    if publication.attempts == 0 {
        let grace = context.grace_minutes * 60_000;
        if due_check(publication.scheduled_at, now_ms(), grace) == DueCheck::Missed {
            return finish(rec, job, Outcome::Missed).await;
        }
    }
    let late = publication.first_attempt_at.unwrap_or(now_ms()) - publication.scheduled_at > 60_000;

    // The claim starts on-time attempts itself; the rest ask the store.
    let begin = match job.started {
        Some((attempt, first_attempt_at)) => Begin::Started {
            attempt,
            first_attempt_at,
        },
        None => store.begin_attempt(job, owner).await?,
    };
    let (attempt_no, interrupted) = match begin {
        Begin::Gone => return store.drop_job(job, owner).await.map(|()| false),
        Begin::Stale => {
            let outcome = Outcome::Cancelled {
                reason: "edited".into(),
            };
            return finish(rec, job, outcome).await;
        }
        Begin::ChannelHeld => {
            let outcome = Outcome::Held {
                reason: code(Reason::CredentialsRejected),
                error: "the channel is waiting to be reconnected".into(),
            };
            return finish(rec, job, outcome).await;
        }
        Begin::Started { attempt, .. } => (attempt, false),
        Begin::Interrupted { attempt, .. } => (attempt, true),
    };

    match platform.tier() {
        PlatformTier::Sandbox => {
            let outcome = sandbox::publish(store, publication, late).await?;
            return finish(rec, job, outcome).await;
        }
        PlatformTier::Assisted => return finish(rec, job, Outcome::Assisted).await,
        PlatformTier::Api => {}
    }

    let (connector, mut session) = match connect(&context) {
        Ok(pair) => pair,
        Err(e) => return finish(rec, job, failure(&e, attempt_no, config)).await,
    };
    let settings = &context.connection.settings;
    let post = match outgoing::build(store, config, workspace, &context).await? {
        Ok(post) => post,
        Err(e) => return finish(rec, job, failure(&e, attempt_no, config)).await,
    };

    if interrupted {
        // An earlier attempt stopped mid-call (a crash, a lost lease): find out before
        // anything is sent again.
        let reconciled = keep_lease(store, config, job, async {
            connector.reconcile(&mut session, &post).await
        })
        .await;
        save_session(store, publication, &session).await;
        match reconciled {
            Ok(Reconciled::Found(receipt)) => {
                return finish(rec, job, received(receipt, late, config)).await;
            }
            Ok(Reconciled::SafeToRetry) => {}
            Ok(Reconciled::Unknown) => {
                let outcome = Outcome::Unconfirmed {
                    reason: code(Reason::Timeout),
                    error:
                        "an attempt was interrupted and the platform cannot say whether it posted"
                            .into(),
                };
                return finish(rec, job, outcome).await;
            }
            Err(e) => return finish(rec, job, failure(&e, attempt_no, config)).await,
        }
    }

    // Quota is taken once per attempt that will reach the platform, and given back when
    // the attempt did not.
    let taken =
        match quota::take(store, publication.channel_id, platform, settings, now_ms()).await? {
            Ok(taken) => taken,
            Err(next_window) => {
                return finish(
                    rec,
                    job,
                    Outcome::WaitQuota {
                        run_at: next_window,
                        error: quota_wait_note(next_window),
                    },
                )
                .await;
            }
        };

    let sent = keep_lease(store, config, job, async {
        connector.publish(&mut session, &post).await
    })
    .await;
    save_session(store, publication, &session).await;
    let outcome = match sent {
        Ok(receipt) => received(receipt, late, config),
        Err(e) if e.class == ErrorClass::Unknown => {
            // It may have gone out. Ask before deciding anything.
            let reconciled = keep_lease(store, config, job, async {
                connector.reconcile(&mut session, &post).await
            })
            .await;
            save_session(store, publication, &session).await;
            match reconciled {
                Ok(Reconciled::Found(receipt)) => received(receipt, late, config),
                Ok(Reconciled::SafeToRetry) => retry(&e, attempt_no, config),
                _ => Outcome::Unconfirmed {
                    reason: code(e.reason),
                    error: e.detail.clone(),
                },
            }
        }
        Err(e) => {
            if e.class != ErrorClass::Unknown {
                quota::give_back(store, publication.channel_id, &taken).await;
            }
            failure(&e, attempt_no, config)
        }
    };
    finish(rec, job, outcome).await
}

/// A pending publication (accepted, processing on the platform): ask how it went.
async fn check(
    store: &Store,
    config: &PublisherConfig,
    rec: &Recorder,
    job: &Claimed,
    context: &JobContext,
) -> Result<bool, Abort> {
    let owner = config.instance.as_str();
    let publication = &context.publication;
    let Some(remote_id) = publication.remote_id.clone() else {
        return store.drop_job(job, owner).await.map(|()| false);
    };
    if publication.status != fanloop_domain::publish::PublicationStatus::Pending {
        return store.drop_job(job, owner).await.map(|()| false);
    }
    let (connector, mut session) = match connect(context) {
        Ok(pair) => pair,
        Err(e) => return finish(rec, job, failure(&e, job.claims, config)).await,
    };
    let answer = keep_lease(store, config, job, async {
        connector.check(&mut session, &remote_id).await
    })
    .await;
    save_session(store, publication, &session).await;
    // A platform job that stays "processing" for a day is handed to a person.
    let overdue = now_ms() - publication.first_attempt_at.unwrap_or(now_ms()) > 86_400_000;
    let outcome = match answer {
        Ok(receipt @ Receipt::Published { .. }) => received(receipt, publication.late, config),
        Ok(Receipt::Pending { .. })
        | Err(PublishError {
            class: ErrorClass::Retryable | ErrorClass::RateLimited | ErrorClass::Unknown,
            ..
        }) if !overdue => Outcome::Pending {
            remote_id,
            check_at: now_ms() + config.check_every.as_millis() as i64,
        },
        Ok(Receipt::Pending { .. }) => Outcome::Unconfirmed {
            reason: code(Reason::Timeout),
            error: "the platform has been processing it for over a day".into(),
        },
        Err(e) => failure(&e, i64::from(MAX_ATTEMPTS), config),
    };
    finish(rec, job, outcome).await
}

/// Records the outcome; true when it raised a notification for a person.
async fn finish(rec: &Recorder, job: &Claimed, outcome: Outcome) -> Result<bool, Abort> {
    tracing::info!(publication = job.publication_id, outcome = ?outcome, "publication");
    let notifies = outcome.notifies();
    rec.finish(job, outcome).await?;
    Ok(notifies)
}

fn received(receipt: Receipt, late: bool, config: &PublisherConfig) -> Outcome {
    match receipt {
        Receipt::Published { remote_id, url } => Outcome::Published {
            remote_id,
            url,
            late,
        },
        Receipt::Pending { remote_id } => Outcome::Pending {
            remote_id,
            check_at: now_ms() + config.check_every.as_millis() as i64,
        },
    }
}

/// The outcome of a failed attempt, by class.
fn failure(e: &PublishError, attempt: i64, config: &PublisherConfig) -> Outcome {
    match e.class {
        ErrorClass::Retryable | ErrorClass::RateLimited => retry(e, attempt, config),
        ErrorClass::Auth => Outcome::Held {
            reason: code(e.reason),
            error: e.detail.clone(),
        },
        ErrorClass::Rejected => Outcome::Failed {
            reason: code(e.reason),
            error: e.detail.clone(),
        },
        ErrorClass::Unknown => Outcome::Unconfirmed {
            reason: code(e.reason),
            error: e.detail.clone(),
        },
    }
}

fn retry(e: &PublishError, attempt: i64, config: &PublisherConfig) -> Outcome {
    if attempt >= i64::from(MAX_ATTEMPTS) {
        return Outcome::Failed {
            reason: code(e.reason),
            error: format!("gave up after {attempt} attempts: {}", e.detail),
        };
    }
    let backoff = fanloop_domain::publish::backoff_ms(attempt.max(1) as u32, jitter(), None);
    let scaled = (backoff as f64 * config.backoff_scale) as i64;
    let wait = scaled.max(e.retry_after.map_or(0, |d| d.as_millis() as i64));
    Outcome::Retry {
        run_at: now_ms() + wait,
        reason: code(e.reason),
        error: e.detail.clone(),
    }
}

/// The platform's quota is full until `next_window`: said with the time in China
/// Standard Time, where the platforms' quotas reset.
fn quota_wait_note(next_window: i64) -> String {
    let at = jiff::Timestamp::from_millisecond(next_window)
        .map(|t| {
            let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
            t.to_zoned(tz)
                .strftime("%Y-%m-%d %H:%M (UTC+8)")
                .to_string()
        })
        .unwrap_or_default();
    format!("the channel's publishing quota is used up; waiting until {at}")
}

fn code(reason: Reason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "other".into())
}

/// Builds the connector from the channel's settings and secrets, with its saved session.
fn connect(context: &JobContext) -> Result<(Box<dyn Connector>, Session), PublishError> {
    let publication = &context.publication;
    let config = ChannelConfig {
        channel_id: publication.channel_id,
        platform: context.connection.platform,
        settings: context.connection.settings.clone(),
        secrets: context.connection.secrets.clone(),
    };
    let mut session: Session = context
        .session
        .as_deref()
        .and_then(|plain| serde_json::from_slice(plain).ok())
        .unwrap_or_default();
    session.now_ms = now_ms();
    session.changed = false;
    fanloop_platforms::connector(&config).map(|c| (c, session))
}

async fn save_session(store: &Store, publication: &Publication, session: &Session) {
    if !session.changed {
        return;
    }
    let plain = serde_json::to_vec(session).unwrap_or_default();
    if let Err(e) = store
        .save_channel_session(publication.channel_id, &plain, session.expires_at_ms, None)
        .await
    {
        tracing::warn!(channel = publication.channel_id, error = %e, "saving the channel session failed");
    }
}

/// Runs a platform call with a deadline while renewing the job's lease, so a slow
/// platform never lets another instance take the job over mid-call.
async fn keep_lease<T>(
    store: &Store,
    config: &PublisherConfig,
    job: &Claimed,
    call: impl Future<Output = Result<T, PublishError>>,
) -> Result<T, PublishError> {
    let owner = config.instance.clone();
    let lease = config.lease;
    let (store2, job_id) = (store.clone(), job.job_id);
    let heartbeat = tokio::spawn(async move {
        loop {
            tokio::time::sleep(lease / 3).await;
            let until = now_ms() + lease.as_millis() as i64;
            match store2.renew_lease(job_id, &owner, until).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(error = %e, "renewing a lease failed"),
            }
        }
    });
    let result = tokio::time::timeout(config.call_timeout, call).await;
    heartbeat.abort();
    result.unwrap_or_else(|_| {
        Err(PublishError::new(
            ErrorClass::Unknown,
            Reason::Timeout,
            format!("no answer within {:?}", config.call_timeout),
        ))
    })
}
