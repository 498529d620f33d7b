//! Recording how attempts ended. Each outcome proves the lease first, then updates the
//! job, the publication, the channel's health and (for outcomes a person must see) the
//! notification centre — all in the transaction that proved the lease, so a crash never
//! leaves half an outcome.
//!
//! `finish_jobs` records many outcomes in one transaction (group commit): when hundreds
//! of attempts end within milliseconds of each other, one `BEGIN`/`COMMIT` (one fsync on
//! PostgreSQL, one turn of SQLite's write lock) serves them all.

use super::jobs::{Claimed, JobKind, Outcome};
use crate::BeginWrite;
use crate::{Store, StoreError, now_ms, on_pool};
use std::collections::HashSet;

/// Records one outcome inside `$tx`. Evaluates to `Ok(Some(channel_id))` when recorded,
/// `Ok(None)` when the lease was lost (nothing written), or the database's error.
/// `$fresh_success` decides whether a success is written to the channel's health (a
/// batch writes it once per channel).
macro_rules! record {
    ($tx:expr, $job:expr, $owner:expr, $outcome:expr, $now:expr, $fresh_success:expr) => {
        async {
            let (job, owner, outcome, now): (&Claimed, &str, &Outcome, i64) =
                ($job, $owner, $outcome, $now);
            // The job row first: its lease condition is the proof of ownership.
            let keep_job = match outcome {
                Outcome::Pending { check_at, .. } => Some((JobKind::Check, *check_at)),
                Outcome::Retry { run_at, .. } | Outcome::WaitQuota { run_at, .. } => {
                    Some((JobKind::Publish, *run_at))
                }
                _ => None,
            };
            let proven = match keep_job {
                Some((kind, run_at)) => sqlx::query(
                    "UPDATE jobs SET kind = $1, run_at = $2, lease_owner = NULL, lease_until = NULL, last_error = $3 \
                     WHERE id = $4 AND lease_owner = $5",
                )
                .bind(kind.code())
                .bind(run_at)
                .bind(error_of(outcome))
                .bind(job.job_id)
                .bind(owner)
                .execute(&mut *$tx)
                .await?
                .rows_affected(),
                None => sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_owner = $2")
                    .bind(job.job_id)
                    .bind(owner)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected(),
            };
            if proven == 0 {
                return Ok::<Option<i64>, sqlx::Error>(None);
            }
            let (status, reason, error) = columns(outcome);
            let (remote_id, url, late) = match outcome {
                Outcome::Published { remote_id, url, late } => (Some(remote_id.as_str()), url.as_deref(), *late),
                Outcome::Pending { remote_id, .. } => (Some(remote_id.as_str()), None, false),
                _ => (None, None, false),
            };
            // A quota wait is not an attempt: undo the count begin_attempt made.
            let uncount = i64::from(matches!(outcome, Outcome::WaitQuota { .. }));
            let published_at = matches!(outcome, Outcome::Published { .. }).then_some(now);
            let (channel_id, workspace_id): (i64, i64) = sqlx::query_as(
                "UPDATE publications SET status = $1, reason = $2, last_error = COALESCE($3, last_error), \
                 remote_id = COALESCE($4, remote_id), remote_url = COALESCE($5, remote_url), \
                 late = CASE WHEN $6 = 1 THEN 1 ELSE late END, published_at = COALESCE($7, published_at), \
                 attempts = attempts - $8, updated_at = $9 WHERE id = $10 RETURNING channel_id, workspace_id",
            )
            .bind(status)
            .bind(reason)
            .bind(error)
            .bind(remote_id)
            .bind(url)
            .bind(i64::from(late))
            .bind(published_at)
            .bind(uncount)
            .bind(now)
            .bind(job.publication_id)
            .fetch_one(&mut *$tx)
            .await?;
            match outcome {
                Outcome::Published { .. } if $fresh_success(channel_id) => {
                    super::channel_state::record_success!($tx, channel_id, now)?;
                }
                Outcome::Held { error, .. } => {
                    super::channel_state::record_error!($tx, channel_id, now, error, 1)?;
                }
                Outcome::Retry { error, .. }
                | Outcome::Failed { error, .. }
                | Outcome::Unconfirmed { error, .. } => {
                    super::channel_state::record_error!($tx, channel_id, now, error, 0)?;
                }
                _ => {}
            }
            if let Some(kind) = outcome.notice() {
                crate::notifications::notify!($tx, workspace_id, kind, Some(job.publication_id), Some(channel_id), reason.unwrap_or(""), now)?;
            }
            Ok(Some(channel_id))
        }
    };
}

/// One outcome to record: the job, the lease owner that ran it, and how it ended.
pub type Finished<'a> = (&'a Claimed, &'a str, &'a Outcome);

impl Store {
    /// Records an outcome in its own transaction. `Conflict("lease_lost")` when another
    /// instance took the job over.
    pub async fn finish_job(
        &self,
        job: &Claimed,
        owner: &str,
        outcome: &Outcome,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let recorded = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let recorded = record!(tx, job, owner, outcome, now, |_| true).await?;
            tx.commit().await?;
            Ok::<Option<i64>, StoreError>(recorded)
        })?;
        recorded
            .map(|_| ())
            .ok_or(StoreError::Conflict("lease_lost"))
    }

    /// Records many outcomes in one transaction, answering for each in order: `Ok`, or
    /// `Conflict("lease_lost")` for a job another instance took over (nothing of it is
    /// written; the others still are). When the transaction itself fails, every outcome
    /// is tried again on its own, so one bad row cannot sink its neighbours.
    pub async fn finish_jobs(&self, batch: &[Finished<'_>]) -> Vec<Result<(), StoreError>> {
        let now = now_ms();
        let together = on_pool!(self, pool => {
            async {
                let mut tx = pool.begin_write().await?;
                let mut succeeded = HashSet::new();
                let mut answers = Vec::with_capacity(batch.len());
                for &(job, owner, outcome) in batch {
                    let mut fresh = |channel: i64| succeeded.insert(channel);
                    answers.push(record!(tx, job, owner, outcome, now, fresh).await?);
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(answers)
            }
            .await
        });
        match together {
            Ok(answers) => answers
                .into_iter()
                .map(|a| a.map(|_| ()).ok_or(StoreError::Conflict("lease_lost")))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, outcomes = batch.len(), "recording outcomes together failed; one by one");
                let mut answers = Vec::with_capacity(batch.len());
                for &(job, owner, outcome) in batch {
                    answers.push(self.finish_job(job, owner, outcome).await);
                }
                answers
            }
        }
    }
}

/// The publication's status, reason code and error text for an outcome.
fn columns(outcome: &Outcome) -> (&'static str, Option<&str>, Option<&str>) {
    match outcome {
        Outcome::Published { .. } => ("published", None, None),
        Outcome::Pending { .. } => ("pending", None, None),
        Outcome::Retry { reason, error, .. } => ("scheduled", Some(reason), Some(error)),
        Outcome::WaitQuota { error, .. } => ("scheduled", Some("quota_exhausted"), Some(error)),
        Outcome::Failed { reason, error } => ("failed", Some(reason), Some(error)),
        Outcome::Unconfirmed { reason, error } => ("unconfirmed", Some(reason), Some(error)),
        Outcome::Held { reason, error } => ("held", Some(reason), Some(error)),
        Outcome::Missed => ("missed", Some("missed"), None),
        Outcome::Cancelled { reason } => ("cancelled", Some(reason), None),
        Outcome::Assisted => ("assisted", None, None),
    }
}

fn error_of(outcome: &Outcome) -> Option<&str> {
    match outcome {
        Outcome::Retry { error, .. } | Outcome::WaitQuota { error, .. } => Some(error),
        _ => None,
    }
}
