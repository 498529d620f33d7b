//! What platforms push to us (WeChat's callback today): messages, comments and events,
//! each kept once per channel however often the platform retries, and a publish job's
//! outcome applied to the publication it finishes.
//!
//! The event row, the publication's new state, the removal of its polling job and any
//! notification are written in one transaction, so a retried push finds either all of it
//! or none of it.

use crate::BeginWrite;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{Platform, WorkspaceId};

/// One pushed message or event, as received (already authenticated by the caller).
#[derive(Debug, Clone)]
pub struct InboundEvent<'a> {
    pub channel_id: i64,
    /// The platform's own identity of the message, so retries are stored once.
    pub dedup_key: &'a str,
    /// `text`, `image`, `event:PUBLISHJOBFINISH`, …
    pub kind: &'a str,
    /// The message as the platform sent it (decrypted), for the inbox to read later.
    pub payload: &'a str,
    /// Set when the event reports how a publish job ended.
    pub publish: Option<PublishFinished<'a>>,
}

/// A platform's report that the job behind a pending publication finished.
#[derive(Debug, Clone)]
pub struct PublishFinished<'a> {
    /// The id the platform gave the job, which pending publications keep as `remote_id`.
    pub job_id: &'a str,
    pub result: JobResult<'a>,
}

#[derive(Debug, Clone)]
pub enum JobResult<'a> {
    /// Live: the article's own id replaces the job id, and its first URL is kept.
    Published {
        remote_id: Option<&'a str>,
        url: Option<&'a str>,
    },
    /// The platform refused it; `reason` is a `platforms::Reason` code and `error` the
    /// platform's own words.
    Failed { reason: &'a str, error: String },
}

/// What recording an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The same message was stored before (a platform retry): nothing changed.
    Duplicate,
    /// Stored; `resolved` names the publication it finished, if any.
    Stored { resolved: Option<i64> },
}

impl Store {
    /// The workspace and platform of a channel, by id alone. Only for endpoints that
    /// authenticate the caller by the channel's own secrets (platform callbacks): every
    /// other path reaches channels through the caller's workspace.
    pub async fn channel_owner(
        &self,
        channel_id: i64,
    ) -> Result<(WorkspaceId, Platform), StoreError> {
        let row: Option<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT workspace_id, platform FROM channels WHERE id = $1")
                .bind(channel_id)
                .fetch_optional(pool)
                .await
        })?;
        let (workspace, platform) = row.ok_or(StoreError::NotFound)?;
        let platform = Platform::parse(&platform)
            .map_err(|_| StoreError::Corrupt(format!("platform {platform:?}")))?;
        Ok((WorkspaceId(workspace), platform))
    }

    /// Stores a pushed event once per `(channel, dedup_key)` and, for a publish job's
    /// outcome, moves the matching pending publication to published or failed.
    ///
    /// A job that finishes before its publication was recorded as pending (the push can
    /// beat our own commit) matches nothing here; the publication's `check` job then
    /// learns the outcome by asking the platform, so nothing is lost.
    pub async fn record_inbound(&self, event: &InboundEvent<'_>) -> Result<Recorded, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO inbound_events (channel_id, dedup_key, kind, payload, received_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel_id, dedup_key) DO NOTHING RETURNING id",
            )
            .bind(event.channel_id)
            .bind(event.dedup_key)
            .bind(event.kind)
            .bind(event.payload)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if inserted.is_none() {
                return Ok(Recorded::Duplicate);
            }
            let mut resolved = None;
            if let Some(finished) = &event.publish {
                let pending: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT id, workspace_id FROM publications WHERE channel_id = $1 AND remote_id = $2 \
                     AND status = 'pending' ORDER BY id DESC LIMIT 1",
                )
                .bind(event.channel_id)
                .bind(finished.job_id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((publication, workspace)) = pending {
                    // The polling job is no longer needed once the outcome is known.
                    sqlx::query("DELETE FROM jobs WHERE publication_id = $1")
                        .bind(publication)
                        .execute(&mut *tx)
                        .await?;
                    match &finished.result {
                        JobResult::Published { remote_id, url } => {
                            sqlx::query(
                                "UPDATE publications SET status = 'published', remote_id = COALESCE($1, remote_id), \
                                 remote_url = COALESCE($2, remote_url), published_at = $3, reason = NULL, updated_at = $3 \
                                 WHERE id = $4",
                            )
                            .bind(remote_id)
                            .bind(url)
                            .bind(now)
                            .bind(publication)
                            .execute(&mut *tx)
                            .await?;
                            // The same health record the engine writes after a success.
                            sqlx::query(
                                "INSERT INTO channel_state (channel_id, needs_reconnect, last_success_at, updated_at) \
                                 VALUES ($1, 0, $2, $2) ON CONFLICT (channel_id) DO UPDATE SET \
                                 last_success_at = excluded.last_success_at, updated_at = excluded.updated_at",
                            )
                            .bind(event.channel_id)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        }
                        JobResult::Failed { reason, error } => {
                            sqlx::query(
                                "UPDATE publications SET status = 'failed', reason = $1, last_error = $2, updated_at = $3 \
                                 WHERE id = $4",
                            )
                            .bind(reason)
                            .bind(error)
                            .bind(now)
                            .bind(publication)
                            .execute(&mut *tx)
                            .await?;
                            sqlx::query(
                                "INSERT INTO channel_state (channel_id, needs_reconnect, last_error_at, last_error, updated_at) \
                                 VALUES ($1, 0, $2, $3, $2) ON CONFLICT (channel_id) DO UPDATE SET \
                                 last_error_at = excluded.last_error_at, last_error = excluded.last_error, \
                                 updated_at = excluded.updated_at",
                            )
                            .bind(event.channel_id)
                            .bind(now)
                            .bind(error)
                            .execute(&mut *tx)
                            .await?;
                            crate::notifications::notify!(tx, workspace, "publish_failed", Some(publication), Some(event.channel_id), *reason, now)?;
                        }
                    }
                    resolved = Some(publication);
                }
            }
            tx.commit().await?;
            Ok::<Recorded, StoreError>(Recorded::Stored { resolved })
        })
    }

    /// How many events a channel has received, by kind: what the inbox will have to show.
    pub async fn inbound_counts(&self, channel_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT kind, COUNT(*) FROM inbound_events WHERE channel_id = $1 GROUP BY kind ORDER BY kind",
            )
            .bind(channel_id)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::from)
    }
}
