//! The token refresher's side of channel state: which channels' saved sessions expire
//! soon, a claim so only one instance refreshes a channel at a time, and recording how
//! the refresh went.
//!
//! A claim is `refresh_owner` plus a deadline (`refresh_until`) written by one atomic
//! statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL, SQLite's write lock otherwise);
//! a claim whose deadline passed (a crashed instance) is claimable again. Finishing
//! proves the claim is still ours and reuses the deadline as "not before", so a channel
//! whose platform keeps handing back the same token is asked again at a measured pace
//! rather than on every sweep.

use super::channel_state::record_error;
use crate::BeginWrite;
use crate::{Backend, Store, StoreError, on_pool};

/// A channel the refresher holds the claim on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueRefresh {
    pub channel_id: i64,
    pub workspace_id: i64,
    /// The expiry saved when the claim was taken: the new session is saved only if no
    /// one (a publish attempt that refreshed on its own) saved another meanwhile.
    pub token_expires_at: i64,
}

/// How a refresh went, for [`Store::finish_token_refresh`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The platform renewed the token: the sealed-to-be session and its new expiry.
    Renewed {
        session: Vec<u8>,
        expires_at: Option<i64>,
    },
    /// Nothing changed (the connector has nothing to renew, or the platform handed back
    /// the same token): only the claim is released.
    Unchanged,
}

/// The channels whose saved session expires before `$3`, not claimed (or whose claim
/// lapsed) at `$4`, soonest first.
const DUE: &str = "SELECT channel_id FROM channel_state WHERE session IS NOT NULL AND needs_reconnect = 0 \
     AND token_expires_at IS NOT NULL AND token_expires_at <= $3 \
     AND (refresh_until IS NULL OR refresh_until <= $4) ORDER BY token_expires_at, channel_id LIMIT $5";

/// Releases our claim on a channel inside the caller's transaction, keeping
/// `not_before` as the earliest next try.
macro_rules! release {
    ($tx:expr, $channel:expr, $owner:expr, $not_before:expr) => {
        sqlx::query(
            "UPDATE channel_state SET refresh_owner = NULL, refresh_until = $1 WHERE channel_id = $2 AND refresh_owner = $3",
        )
        .bind($not_before)
        .bind($channel)
        .bind($owner)
        .execute(&mut *$tx)
        .await
    };
}

impl Store {
    /// Claims up to `limit` channels whose token expires within `margin_ms` of `now`,
    /// for `owner` until `now + claim_ms`.
    pub async fn claim_token_refreshes(
        &self,
        owner: &str,
        now: i64,
        margin_ms: i64,
        claim_ms: i64,
        limit: i64,
    ) -> Result<Vec<DueRefresh>, StoreError> {
        // The outer conditions repeat the inner ones: PostgreSQL re-checks them on a row
        // another instance claimed between our read and our write.
        let claim = |lock: &str| {
            format!(
                "UPDATE channel_state SET refresh_owner = $1, refresh_until = $2 WHERE channel_id IN ({DUE}{lock}) \
                 AND needs_reconnect = 0 AND (refresh_until IS NULL OR refresh_until <= $4) \
                 RETURNING channel_id, token_expires_at"
            )
        };
        let claimed: Vec<(i64, i64)> = match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query_as(&claim(" FOR UPDATE SKIP LOCKED"))
                    .bind(owner)
                    .bind(now + claim_ms)
                    .bind(now + margin_ms)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
            Backend::Sqlite(pool) => {
                let mut tx = pool.begin_write().await?;
                let rows = sqlx::query_as(&claim(""))
                    .bind(owner)
                    .bind(now + claim_ms)
                    .bind(now + margin_ms)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                rows
            }
        };
        let mut due = Vec::with_capacity(claimed.len());
        for (channel_id, token_expires_at) in claimed {
            let workspace: Option<i64> = on_pool!(self, pool => {
                sqlx::query_scalar("SELECT workspace_id FROM channels WHERE id = $1")
                    .bind(channel_id)
                    .fetch_optional(pool)
                    .await
            })?;
            // A channel deleted meanwhile takes its state with it: nothing to do.
            if let Some(workspace_id) = workspace {
                due.push(DueRefresh {
                    channel_id,
                    workspace_id,
                    token_expires_at,
                });
            }
        }
        Ok(due)
    }

    /// When the next saved token enters the refresh margin (possibly already past), so
    /// the refresher can sleep until then.
    pub async fn next_token_refresh_at(&self, margin_ms: i64) -> Result<Option<i64>, StoreError> {
        let at: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT MIN(CASE WHEN refresh_until IS NOT NULL AND refresh_until > token_expires_at - $1 \
                 THEN refresh_until ELSE token_expires_at - $1 END) FROM channel_state \
                 WHERE session IS NOT NULL AND needs_reconnect = 0 AND token_expires_at IS NOT NULL",
            )
            .bind(margin_ms)
            .fetch_one(pool)
            .await
        })?;
        Ok(at)
    }

    /// Records a successful refresh (or that there was nothing to renew) and releases
    /// the claim until `not_before`. The session (sealed here) and its expiry are saved
    /// only while the claim is ours and no other session was saved since it was taken.
    /// Returns whether the new session was saved.
    pub async fn finish_token_refresh(
        &self,
        due: &DueRefresh,
        owner: &str,
        now: i64,
        refreshed: &Refreshed,
        not_before: i64,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let saved = match refreshed {
                Refreshed::Renewed { session, expires_at } => {
                    sqlx::query(
                        "UPDATE channel_state SET session = $1, token_expires_at = $2, refreshed_at = $3, updated_at = $3 \
                         WHERE channel_id = $4 AND refresh_owner = $5 AND token_expires_at = $6",
                    )
                    .bind(self.vault.seal(session))
                    .bind(expires_at)
                    .bind(now)
                    .bind(due.channel_id)
                    .bind(owner)
                    .bind(due.token_expires_at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1
                }
                Refreshed::Unchanged => false,
            };
            release!(tx, due.channel_id, owner, not_before)?;
            tx.commit().await?;
            Ok::<bool, StoreError>(saved)
        })
    }

    /// A refresh that failed for a reason time may cure (the platform busy, a timeout):
    /// releases the claim until `not_before`. The token still works until it expires,
    /// and a publish attempt that finds it expired refreshes on its own.
    pub async fn postpone_token_refresh(
        &self,
        due: &DueRefresh,
        owner: &str,
        not_before: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            release!(tx, due.channel_id, owner, not_before)?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// The platform refused the channel's credentials: in one transaction the channel is
    /// flagged for reconnecting (the same health record a held publication writes), its
    /// queued publications not already in an attempt are held, and the workspace gets one
    /// `reconnect_needed` notification. Reconnecting (`release_held`) queues them again.
    /// Returns how many publications were held, or `None` when the claim was lost.
    pub async fn token_refresh_refused(
        &self,
        due: &DueRefresh,
        owner: &str,
        now: i64,
        reason: &str,
        error: &str,
    ) -> Result<Option<u64>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let proven = sqlx::query(
                "UPDATE channel_state SET refresh_owner = NULL, refresh_until = NULL WHERE channel_id = $1 AND refresh_owner = $2",
            )
            .bind(due.channel_id)
            .bind(owner)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if proven == 0 {
                return Ok(None);
            }
            record_error!(tx, due.channel_id, now, error, 1)?;
            // Jobs first, and only unleased ones: a job an instance holds is mid-attempt,
            // and that attempt finds the channel flagged and holds it itself.
            let freed: Vec<i64> = sqlx::query_scalar(
                "DELETE FROM jobs WHERE publication_id IN (SELECT id FROM publications WHERE channel_id = $1 \
                 AND status = 'scheduled') AND (lease_until IS NULL OR lease_until < $2) RETURNING publication_id",
            )
            .bind(due.channel_id)
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
            let mut held = 0;
            for id in freed {
                held += sqlx::query(
                    "UPDATE publications SET status = 'held', reason = $1, last_error = $2, updated_at = $3 \
                     WHERE id = $4 AND status = 'scheduled'",
                )
                .bind(reason)
                .bind(error)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            crate::notifications::notify!(
                tx, due.workspace_id, "reconnect_needed", None::<i64>, Some(due.channel_id), reason, now
            )?;
            tx.commit().await?;
            Ok::<Option<u64>, StoreError>(Some(held))
        })
    }
}
