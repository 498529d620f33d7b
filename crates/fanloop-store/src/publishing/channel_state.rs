//! Per-channel publishing state: the connector's sealed session (tokens), whether the
//! channel needs reconnecting, and its health (last success, last error).

use crate::BeginWrite;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::WorkspaceId;
use serde::Serialize;

/// A channel's health, as the channel card and `GET …/health` show it.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct ChannelHealth {
    pub channel_id: i64,
    /// The channel's platform code.
    pub platform: String,
    pub needs_reconnect: bool,
    pub token_expires_at: Option<i64>,
    /// When the engine's refresher last renewed the token ahead of its expiry.
    pub token_refreshed_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error_at: Option<i64>,
    pub last_error: Option<String>,
    pub account_name: Option<String>,
    /// Publications waiting on this channel by status.
    #[sqlx(skip)]
    pub held: i64,
    #[sqlx(skip)]
    pub scheduled: i64,
}

macro_rules! record_success {
    ($tx:expr, $channel:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO channel_state (channel_id, needs_reconnect, last_success_at, updated_at) VALUES ($1, 0, $2, $2) \
             ON CONFLICT (channel_id) DO UPDATE SET last_success_at = excluded.last_success_at, updated_at = excluded.updated_at",
        )
        .bind($channel)
        .bind($now)
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use record_success;

macro_rules! record_error {
    ($tx:expr, $channel:expr, $now:expr, $error:expr, $reconnect:expr) => {
        sqlx::query(
            "INSERT INTO channel_state (channel_id, needs_reconnect, last_error_at, last_error, updated_at) \
             VALUES ($1, $2, $3, $4, $3) ON CONFLICT (channel_id) DO UPDATE SET \
             needs_reconnect = CASE WHEN excluded.needs_reconnect = 1 THEN 1 ELSE channel_state.needs_reconnect END, \
             last_error_at = excluded.last_error_at, last_error = excluded.last_error, updated_at = excluded.updated_at",
        )
        .bind($channel)
        .bind($reconnect as i64)
        .bind($now)
        .bind($error)
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use record_error;

/// Inside the caller's transaction: clears "needs reconnect", forgets the connector
/// session (with its expiry and any refresher's claim on it) and queues the channel's
/// held publications again (due now, or at their time if still ahead). Evaluates to how
/// many were released.
macro_rules! release_held_in {
    ($tx:expr, $channel:expr, $now:expr) => {{
        async {
                sqlx::query("UPDATE channel_state SET needs_reconnect = 0, session = NULL, token_expires_at = NULL, \
                     refresh_owner = NULL, refresh_until = NULL, updated_at = $1 WHERE channel_id = $2")
                    .bind($now)
                    .bind($channel)
                    .execute(&mut *$tx)
                    .await?;
                let held: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT id, scheduled_at FROM publications WHERE channel_id = $1 AND status = 'held'",
                )
                .bind($channel)
                .fetch_all(&mut *$tx)
                .await?;
                for (id, at) in &held {
                    sqlx::query("UPDATE publications SET status = 'scheduled', updated_at = $1 WHERE id = $2")
                        .bind($now)
                        .bind(id)
                        .execute(&mut *$tx)
                        .await?;
                    sqlx::query($crate::publishing::QUEUE_PUBLISH)
                    .bind(id)
                    .bind((*at).max($now))
                    .bind($now)
                    .execute(&mut *$tx)
                    .await?;
                }
                Ok::<u64, sqlx::Error>(held.len() as u64)
        }
        .await
    }};
}
pub(crate) use release_held_in;

#[derive(sqlx::FromRow)]
struct HealthRow {
    needs_reconnect: i64,
    token_expires_at: Option<i64>,
    refreshed_at: Option<i64>,
    last_success_at: Option<i64>,
    last_error_at: Option<i64>,
    last_error: Option<String>,
    account_name: Option<String>,
}

impl Store {
    /// The connector session of a channel (decrypted), if one was saved.
    pub async fn channel_session(&self, channel_id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let sealed: Option<Option<Vec<u8>>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT session FROM channel_state WHERE channel_id = $1")
                .bind(channel_id)
                .fetch_optional(pool)
                .await
        })?;
        match sealed.flatten() {
            None => Ok(None),
            Some(blob) => Ok(Some(self.vault.open(&blob)?)),
        }
    }

    /// Saves a connector session sealed by the vault: tokens are secrets at rest.
    pub async fn save_channel_session(
        &self,
        channel_id: i64,
        plain: &[u8],
        token_expires_at: Option<i64>,
        account_name: Option<&str>,
    ) -> Result<(), StoreError> {
        let sealed = self.vault.seal(plain);
        let now = now_ms();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO channel_state (channel_id, session, token_expires_at, needs_reconnect, account_name, updated_at) \
                 VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (channel_id) DO UPDATE SET session = excluded.session, \
                 token_expires_at = excluded.token_expires_at, \
                 account_name = COALESCE(excluded.account_name, channel_state.account_name), updated_at = excluded.updated_at",
            )
            .bind(channel_id)
            .bind(&sealed)
            .bind(token_expires_at)
            .bind(account_name)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// The health card of a channel, scoped by workspace.
    pub async fn channel_health(
        &self,
        workspace: WorkspaceId,
        channel_id: i64,
    ) -> Result<ChannelHealth, StoreError> {
        let (platform, row, counts): (Option<String>, Option<HealthRow>, Vec<(String, i64)>) = on_pool!(self, pool => {
            let platform: Option<String> = sqlx::query_scalar("SELECT platform FROM channels WHERE id = $1 AND workspace_id = $2")
                .bind(channel_id)
                .bind(workspace.0)
                .fetch_optional(pool)
                .await?;
            let row: Option<HealthRow> = sqlx::query_as(
                "SELECT needs_reconnect, token_expires_at, refreshed_at, last_success_at, last_error_at, last_error, account_name \
                 FROM channel_state WHERE channel_id = $1",
            )
            .bind(channel_id)
            .fetch_optional(pool)
            .await?;
            let counts: Vec<(String, i64)> = sqlx::query_as(
                "SELECT status, COUNT(*) FROM publications WHERE channel_id = $1 AND status IN ('held', 'scheduled') GROUP BY status",
            )
            .bind(channel_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((platform, row, counts))
        })?;
        let mut health = ChannelHealth {
            channel_id,
            platform: platform.ok_or(StoreError::NotFound)?,
            ..ChannelHealth::default()
        };
        if let Some(r) = row {
            health.needs_reconnect = r.needs_reconnect != 0;
            health.token_expires_at = r.token_expires_at;
            health.token_refreshed_at = r.refreshed_at;
            health.last_success_at = r.last_success_at;
            health.last_error_at = r.last_error_at;
            health.last_error = r.last_error;
            health.account_name = r.account_name;
        }
        for (status, n) in counts {
            match status.as_str() {
                "held" => health.held = n,
                _ => health.scheduled = n,
            }
        }
        Ok(health)
    }

    /// After the channel's credentials are fixed: clears "needs reconnect", forgets the
    /// old session and puts held publications back in the queue (due now, or at their
    /// time if it is still ahead). Returns how many were released.
    pub async fn release_held(
        &self,
        workspace: WorkspaceId,
        channel_id: i64,
    ) -> Result<u64, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM channels WHERE id = $1 AND workspace_id = $2")
                .bind(channel_id)
                .bind(workspace.0)
                .fetch_optional(&mut *tx)
                .await?;
            exists.ok_or(StoreError::NotFound)?;
            let released = release_held_in!(tx, channel_id, now)?;
            tx.commit().await?;
            Ok::<u64, StoreError>(released)
        })
    }
}
