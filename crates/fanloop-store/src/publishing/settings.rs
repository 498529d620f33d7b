//! A workspace's publishing settings and its channels' weekly queue slots.

use crate::BeginWrite;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::publish::WeeklySlot;
use fanloop_domain::{UserId, WorkspaceId};
use serde::Serialize;

/// How a workspace publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PublishingSettings {
    /// A post whose time passed while no instance ran is still published this many
    /// minutes late (marked "late"); later than that it is marked missed.
    pub grace_minutes: i64,
    /// An assisted package still unconfirmed this many minutes after it went to the
    /// operator raises one `assisted_overdue` notification; 0 turns escalation off.
    pub assisted_escalate_minutes: i64,
}

impl Default for PublishingSettings {
    fn default() -> Self {
        PublishingSettings {
            grace_minutes: 60,
            assisted_escalate_minutes: DEFAULT_ESCALATE_MINUTES,
        }
    }
}

/// The escalation window of a workspace that never saved its settings (the column's
/// default too, so SQL that reads settings with a fallback agrees with this).
pub const DEFAULT_ESCALATE_MINUTES: i64 = 120;

impl Store {
    pub async fn publishing_settings(
        &self,
        workspace: WorkspaceId,
    ) -> Result<PublishingSettings, StoreError> {
        let row: Option<(i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT grace_minutes, assisted_escalate_minutes FROM publishing_settings WHERE workspace_id = $1",
            )
            .bind(workspace.0)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row
            .map(
                |(grace_minutes, assisted_escalate_minutes)| PublishingSettings {
                    grace_minutes,
                    assisted_escalate_minutes,
                },
            )
            .unwrap_or_default())
    }

    pub async fn set_publishing_settings(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        settings: PublishingSettings,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO publishing_settings (workspace_id, grace_minutes, assisted_escalate_minutes, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id) DO UPDATE SET grace_minutes = excluded.grace_minutes, \
                 assisted_escalate_minutes = excluded.assisted_escalate_minutes, updated_at = excluded.updated_at",
            )
            .bind(workspace.0)
            .bind(settings.grace_minutes)
            .bind(settings.assisted_escalate_minutes)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let detail = format!("grace {}, escalate {}", settings.grace_minutes, settings.assisted_escalate_minutes);
            crate::workspaces::audit!(tx, workspace.0, actor.0, "publishing.settings", detail)?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// A channel's weekly queue slots, in week order.
    pub async fn queue_slots(
        &self,
        workspace: WorkspaceId,
        channel_id: i64,
    ) -> Result<Vec<WeeklySlot>, StoreError> {
        let rows: Vec<(i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT q.weekday, q.minute FROM queue_slots q JOIN channels c ON c.id = q.channel_id \
                 WHERE q.channel_id = $1 AND c.workspace_id = $2 ORDER BY q.weekday, q.minute",
            )
            .bind(channel_id)
            .bind(workspace.0)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|(d, m)| {
                WeeklySlot::new(d as u8, m as u16)
                    .map_err(|_| StoreError::Corrupt("queue slot".into()))
            })
            .collect()
    }

    /// Replaces a channel's weekly queue slots.
    pub async fn set_queue_slots(
        &self,
        workspace: WorkspaceId,
        channel_id: i64,
        actor: UserId,
        slots: &[WeeklySlot],
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM channels WHERE id = $1 AND workspace_id = $2")
                .bind(channel_id)
                .bind(workspace.0)
                .fetch_optional(&mut *tx)
                .await?;
            exists.ok_or(StoreError::NotFound)?;
            sqlx::query("DELETE FROM queue_slots WHERE channel_id = $1")
                .bind(channel_id)
                .execute(&mut *tx)
                .await?;
            for s in slots {
                sqlx::query("INSERT INTO queue_slots (channel_id, weekday, minute) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(channel_id)
                    .bind(i64::from(s.weekday))
                    .bind(i64::from(s.minute))
                    .execute(&mut *tx)
                    .await?;
            }
            crate::workspaces::audit!(tx, workspace.0, actor.0, "channel.queue_slots", format!("{channel_id} ×{}", slots.len()))?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }
}
