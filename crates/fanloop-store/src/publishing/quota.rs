//! Quota counters shared by every instance: one row per channel, quota and window.

use crate::BeginWrite;
use crate::{Store, StoreError, on_pool};

impl Store {
    /// Takes one unit of a quota window if any is left; false when it is full. Atomic:
    /// the increment and the limit check are one statement.
    pub async fn take_quota(
        &self,
        channel_id: i64,
        key: &str,
        window_start: i64,
        limit: i64,
    ) -> Result<bool, StoreError> {
        if limit <= 0 {
            return Ok(false);
        }
        on_pool!(self, pool => {
            // Single statements: each is atomic, so no transaction is needed around them.
            let _turn = pool.write_turn().await;
            let used: Option<i64> = sqlx::query_scalar(
                "INSERT INTO quota_usage (channel_id, quota_key, window_start, used) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (channel_id, quota_key, window_start) DO UPDATE SET used = quota_usage.used + 1 \
                 WHERE quota_usage.used < $4 RETURNING used",
            )
            .bind(channel_id)
            .bind(key)
            .bind(window_start)
            .bind(limit)
            .fetch_optional(pool)
            .await?;
            if used == Some(1) {
                // The window's first unit: earlier windows are never read again.
                sqlx::query("DELETE FROM quota_usage WHERE channel_id = $1 AND quota_key = $2 AND window_start < $3")
                    .bind(channel_id)
                    .bind(key)
                    .bind(window_start)
                    .execute(pool)
                    .await?;
            }
            Ok::<bool, StoreError>(used.is_some())
        })
    }

    /// Gives a unit back when the attempt it was taken for did not reach the platform.
    pub async fn return_quota(
        &self,
        channel_id: i64,
        key: &str,
        window_start: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let _turn = pool.write_turn().await;
            sqlx::query(
                "UPDATE quota_usage SET used = used - 1 WHERE channel_id = $1 AND quota_key = $2 AND window_start = $3 AND used > 0",
            )
            .bind(channel_id)
            .bind(key)
            .bind(window_start)
            .execute(pool)
            .await?;
            Ok::<(), StoreError>(())
        })
    }

    /// How much of a quota window is used.
    pub async fn quota_used(
        &self,
        channel_id: i64,
        key: &str,
        window_start: i64,
    ) -> Result<i64, StoreError> {
        let used: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT used FROM quota_usage WHERE channel_id = $1 AND quota_key = $2 AND window_start = $3")
                .bind(channel_id)
                .bind(key)
                .bind(window_start)
                .fetch_optional(pool)
                .await
        })?;
        Ok(used.unwrap_or(0))
    }
}
