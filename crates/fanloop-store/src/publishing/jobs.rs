//! The durable job queue: claiming due jobs under a lease, renewing it while a platform
//! call runs, and recording each outcome together with the publication's new state in
//! one transaction that first proves the lease is still ours.
//!
//! PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so instances never wait on each
//! other's rows; SQLite runs the same single `UPDATE … RETURNING` under its database
//! write lock, which is atomic on its own. An expired lease is claimable again: that is
//! how a crashed instance's work is taken over.

use crate::BeginWrite;
use crate::{Backend, Store, StoreError, now_ms, on_pool};
use serde::Serialize;

/// Queues (or re-queues) the publish job of publication `$1` to run at `$2`, created
/// at `$3`: a publication has at most one job, and a re-queued one is free of any
/// lease and asks to publish again.
pub(crate) const QUEUE_PUBLISH: &str = "INSERT INTO jobs (kind, publication_id, run_at, attempts, created_at) \
     VALUES ('publish', $1, $2, 0, $3) ON CONFLICT (publication_id) DO UPDATE SET kind = 'publish', \
     run_at = excluded.run_at, lease_owner = NULL, lease_until = NULL";

/// What a job asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Send the publication (or reconcile first if an attempt was interrupted).
    Publish,
    /// Ask the platform how an accepted publication's processing went.
    Check,
}

impl JobKind {
    pub(super) fn code(self) -> &'static str {
        match self {
            JobKind::Publish => "publish",
            JobKind::Check => "check",
        }
    }
}

/// A job this instance holds the lease on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub job_id: i64,
    kind: String,
    pub publication_id: i64,
    /// How many times the job has been claimed, this claim included.
    pub claims: i64,
    pub run_at: i64,
    /// Set when the claim also started the attempt (see `claim_jobs`): the attempt
    /// number and the first attempt's time, as `Begin::Started` would report them.
    #[sqlx(skip)]
    pub started: Option<(i64, i64)>,
}

impl Claimed {
    pub fn kind(&self) -> JobKind {
        if self.kind == "check" {
            JobKind::Check
        } else {
            JobKind::Publish
        }
    }
}

/// How an attempt ended, recorded with the lease check in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Live on the platform; the job is done.
    Published {
        remote_id: String,
        url: Option<String>,
        late: bool,
    },
    /// Accepted, processing on the platform: ask again at `check_at`.
    Pending { remote_id: String, check_at: i64 },
    /// A transient failure: back to scheduled, the job runs again at `run_at`.
    Retry {
        run_at: i64,
        reason: String,
        error: String,
    },
    /// A quota is full: wait for the next window without counting an attempt. `error`
    /// names when that window opens, for the person reading the publication.
    WaitQuota { run_at: i64, error: String },
    /// The platform refused it, or retries ran out.
    Failed { reason: String, error: String },
    /// It may have gone out: stop and ask a person.
    Unconfirmed { reason: String, error: String },
    /// The channel's credentials need reconnecting; the publication waits.
    Held { reason: String, error: String },
    /// Its time passed beyond the grace window while no instance ran.
    Missed,
    /// The post changed (or left "approved") since it was scheduled.
    Cancelled { reason: String },
    /// An assisted platform: the package went to the assignee.
    Assisted,
}

impl Outcome {
    /// The notification this outcome raises for a person, if any.
    pub fn notice(&self) -> Option<&'static str> {
        match self {
            Outcome::Failed { .. } => Some("publish_failed"),
            Outcome::Unconfirmed { .. } => Some("publish_unconfirmed"),
            Outcome::Held { .. } => Some("reconnect_needed"),
            Outcome::Missed => Some("publish_missed"),
            Outcome::Assisted => Some("assisted_ready"),
            _ => None,
        }
    }

    pub fn notifies(&self) -> bool {
        self.notice().is_some()
    }
}

/// What `begin_attempt` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Marked publishing; go ahead. `first_attempt_at` is stable across attempts.
    Started { attempt: i64, first_attempt_at: i64 },
    /// A previous attempt was interrupted mid-call: reconcile before anything else.
    Interrupted { attempt: i64, first_attempt_at: i64 },
    /// Nothing to do: the publication is no longer scheduled (cancelled, done).
    Gone,
    /// The post was edited or left "approved" after scheduling.
    Stale,
    /// The channel is waiting for reconnection.
    ChannelHeld,
}

impl Store {
    /// Claims up to `limit` due jobs for `owner` until `now + lease_ms`.
    pub async fn claim_jobs(
        &self,
        owner: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let (claim, start) = match &self.backend {
            Backend::Postgres(_) => (CLAIM_POSTGRES, START_CLAIMED_POSTGRES),
            Backend::Sqlite(_) => (CLAIM_SQLITE, START_CLAIMED_SQLITE),
        };
        // Starting the on-time attempts here saves each of them a statement of its own:
        // under a burst, round trips to the database are what the engine waits on.
        let (mut rows, started): (Vec<Claimed>, Vec<(i64, i64, i64)>) = on_pool!(self, pool => {
            // On SQLite through the write gate, so a claim queues with the engine's
            // other writes rather than in SQLite's sleeping busy handler.
            let mut tx = pool.begin_write().await?;
            let rows: Vec<Claimed> = sqlx::query_as(claim)
                .bind(owner)
                .bind(now + lease_ms)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            let ids = to_start(&rows);
            let started = if ids.is_empty() {
                Vec::new()
            } else {
                let ids = serde_json::to_string(&ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query_as(start).bind(now_ms()).bind(ids).fetch_all(&mut *tx).await?
            };
            tx.commit().await?;
            Ok::<_, StoreError>((rows, started))
        })?;
        let started: std::collections::HashMap<i64, (i64, i64)> = started
            .into_iter()
            .map(|(id, attempt, first)| (id, (attempt, first)))
            .collect();
        for job in &mut rows {
            job.started = started.get(&job.publication_id).copied();
        }
        Ok(rows)
    }

    /// Extends a lease while its platform call runs. False when it was lost.
    pub async fn renew_lease(
        &self,
        job_id: i64,
        owner: &str,
        until: i64,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3")
                .bind(until)
                .bind(job_id)
                .bind(owner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok::<u64, StoreError>(n)
        })?;
        Ok(n == 1)
    }

    /// When the next job becomes claimable (a due time, or an expired lease), so the
    /// scheduler can sleep exactly until then.
    pub async fn next_job_at(&self) -> Result<Option<i64>, StoreError> {
        let at: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > run_at THEN lease_until ELSE run_at END) FROM jobs",
            )
            .fetch_one(pool)
            .await
        })?;
        Ok(at)
    }

    /// Moves a claimed publication to "publishing" before the platform is called, after
    /// checking that the post is still approved at the scheduled version and the channel
    /// is not waiting for reconnection. Returns the attempt number.
    pub async fn begin_attempt(&self, job: &Claimed, owner: &str) -> Result<Begin, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row: Option<AttemptRow> = sqlx::query_as(
                "SELECT p.status, p.post_version, po.version, po.status, p.attempts, p.first_attempt_at, \
                 COALESCE(cs.needs_reconnect, 0) \
                 FROM publications p JOIN posts po ON po.id = p.post_id \
                 LEFT JOIN channel_state cs ON cs.channel_id = p.channel_id WHERE p.id = $1",
            )
            .bind(job.publication_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((status, scheduled_version, version, post_status, attempts, first, held)) = row else {
                return Ok(Begin::Gone);
            };
            let begin = match status.as_str() {
                "publishing" => Begin::Interrupted {
                    attempt: attempts,
                    first_attempt_at: first.unwrap_or(now),
                },
                "scheduled" if version != scheduled_version || post_status != "approved" => Begin::Stale,
                "scheduled" if held != 0 => Begin::ChannelHeld,
                "scheduled" => {
                    let first = first.unwrap_or(now);
                    let changed = sqlx::query(
                        "UPDATE publications SET status = 'publishing', attempts = attempts + 1, \
                         first_attempt_at = $1, updated_at = $2 WHERE id = $3 AND status = 'scheduled' \
                         AND EXISTS (SELECT 1 FROM jobs WHERE id = $4 AND lease_owner = $5)",
                    )
                    .bind(first)
                    .bind(now)
                    .bind(job.publication_id)
                    .bind(job.job_id)
                    .bind(owner)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::Conflict("lease_lost"));
                    }
                    Begin::Started {
                        attempt: attempts + 1,
                        first_attempt_at: first,
                    }
                }
                "pending" => Begin::Interrupted {
                    attempt: attempts,
                    first_attempt_at: first.unwrap_or(now),
                },
                _ => Begin::Gone,
            };
            tx.commit().await?;
            Ok::<Begin, StoreError>(begin)
        })
    }

    /// Removes a job whose publication needs nothing more (cancelled or done meanwhile).
    pub async fn drop_job(&self, job: &Claimed, owner: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_owner = $2")
                .bind(job.job_id)
                .bind(owner)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }
}

/// What the claim asks of a publication before starting it: still scheduled, at the
/// approved post's current version, on a channel that is not held. Anything else is
/// left to `begin_attempt`'s careful path, which says which case it is.
macro_rules! startable {
    () => {
        "status = 'scheduled' \
         AND post_version = (SELECT po.version FROM posts po WHERE po.id = publications.post_id AND po.status = 'approved') \
         AND NOT EXISTS (SELECT 1 FROM channel_state cs WHERE cs.channel_id = publications.channel_id AND cs.needs_reconnect <> 0)"
    };
}

/// Marks a publication publishing at `$1`: one more attempt, the first one's time kept.
macro_rules! mark_publishing {
    () => {
        "UPDATE publications SET status = 'publishing', attempts = attempts + 1, \
         first_attempt_at = COALESCE(first_attempt_at, $1), updated_at = $1 "
    };
}

/// Starts, in the claim's transaction, the claimed publications that are on time (due
/// less than a minute ago, or already attempted — neither can be "missed") and
/// startable. `$2` lists the publication ids as a JSON array.
const START_CLAIMED_SQLITE: &str = concat!(
    mark_publishing!(),
    "WHERE id IN (SELECT value FROM json_each($2)) AND (attempts > 0 OR scheduled_at >= $1 - 60000) AND ",
    startable!(),
    " RETURNING id, attempts, first_attempt_at"
);
const START_CLAIMED_POSTGRES: &str = concat!(
    mark_publishing!(),
    "WHERE id IN (SELECT value::bigint FROM json_array_elements_text($2::json)) \
     AND (attempts > 0 OR scheduled_at >= $1 - 60000) AND ",
    startable!(),
    " RETURNING id, attempts, first_attempt_at"
);

/// Leases up to `$4` jobs due by `$3` to `$1` until `$2`; PostgreSQL skips rows another
/// instance is claiming instead of waiting for them.
macro_rules! claim_sql {
    ($skip_locked:literal) => {
        concat!(
            "UPDATE jobs SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM jobs WHERE run_at <= $3 AND (lease_until IS NULL OR lease_until < $3) \
             ORDER BY run_at, id LIMIT $4",
            $skip_locked,
            ") RETURNING id AS job_id, kind, publication_id, attempts AS claims, run_at"
        )
    };
}
const CLAIM_SQLITE: &str = claim_sql!("");
const CLAIM_POSTGRES: &str = claim_sql!(" FOR UPDATE SKIP LOCKED");

/// What `begin_attempt` reads: the publication's status and scheduled version, the post's
/// version and status, attempts so far, the first attempt's time, and whether the
/// channel is held.
type AttemptRow = (String, i64, i64, String, i64, Option<i64>, i64);

/// The publications of claimed publish jobs, which the claim may start.
fn to_start(rows: &[Claimed]) -> Vec<i64> {
    rows.iter()
        .filter(|j| j.kind() == JobKind::Publish)
        .map(|j| j.publication_id)
        .collect()
}
