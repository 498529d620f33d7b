//! Escalating assisted packages nobody confirmed. An assisted publication waits for the
//! operator to post it by hand and confirm with its link; once it has waited longer than
//! its workspace's `assisted_escalate_minutes` it raises one `assisted_overdue`
//! notification.
//!
//! "One" is kept by the row itself: `escalated_at` is set by the statement that picks
//! the publication, in the transaction that writes the notification, and that statement
//! only picks rows where it is still empty. PostgreSQL re-checks that condition on a row
//! another instance changed meanwhile, and SQLite runs writers one at a time, so two
//! instances sharing a database still escalate a publication once.
//!
//! The wait starts at the publication's `updated_at`: the moment the engine handed the
//! package over (nothing else writes an assisted publication until it is confirmed or
//! cancelled, and both take it out of `assisted`).

use super::settings::DEFAULT_ESCALATE_MINUTES;
use crate::BeginWrite;
use crate::{Store, StoreError, on_pool};

/// The notification kind an overdue assisted package raises.
pub const ASSISTED_OVERDUE: &str = "assisted_overdue";

/// One publication escalated by [`Store::escalate_overdue_assisted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Escalated {
    pub publication_id: i64,
    pub workspace_id: i64,
    pub channel_id: i64,
}

/// The escalation window of a publication's workspace in minutes, defaulted when the
/// workspace never saved its settings (`s` is a left join on `publishing_settings`).
fn window_minutes() -> String {
    format!("COALESCE(s.assisted_escalate_minutes, {DEFAULT_ESCALATE_MINUTES})")
}

impl Store {
    /// Escalates up to `limit` assisted publications whose window had passed at `now`:
    /// marks each escalated and raises its `assisted_overdue` notification (with the
    /// workspace's deliveries) in one transaction. Returns what it escalated.
    pub async fn escalate_overdue_assisted(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<Escalated>, StoreError> {
        let window = window_minutes();
        let sql = format!(
            "UPDATE publications SET escalated_at = $1 WHERE id IN (\
             SELECT p.id FROM publications p LEFT JOIN publishing_settings s ON s.workspace_id = p.workspace_id \
             WHERE p.status = 'assisted' AND p.escalated_at IS NULL AND {window} > 0 \
             AND p.updated_at + {window} * 60000 <= $1 ORDER BY p.id LIMIT $2) \
             AND status = 'assisted' AND escalated_at IS NULL \
             RETURNING id AS publication_id, workspace_id, channel_id"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let escalated: Vec<Escalated> = sqlx::query_as(&sql)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            for e in &escalated {
                crate::notifications::notify!(
                    tx, e.workspace_id, ASSISTED_OVERDUE, Some(e.publication_id), Some(e.channel_id), "", now
                )?;
            }
            tx.commit().await?;
            Ok::<Vec<Escalated>, StoreError>(escalated)
        })
    }

    /// When the next assisted publication becomes overdue (possibly already past), so
    /// the engine can sleep until then.
    pub async fn next_escalation_at(&self) -> Result<Option<i64>, StoreError> {
        let window = window_minutes();
        let sql = format!(
            "SELECT MIN(p.updated_at + {window} * 60000) FROM publications p \
             LEFT JOIN publishing_settings s ON s.workspace_id = p.workspace_id \
             WHERE p.status = 'assisted' AND p.escalated_at IS NULL AND {window} > 0"
        );
        let at: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(&sql).fetch_one(pool).await
        })?;
        Ok(at)
    }
}
