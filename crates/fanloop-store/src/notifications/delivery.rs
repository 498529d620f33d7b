//! Where else a workspace hears its notifications: the targets (WeCom, Feishu, DingTalk,
//! Slack, email, webhooks) and the deliveries the notifier sends to them. Deliveries are
//! per workspace, not per person: a group robot speaks to the whole team.

use super::{Notification, SELECT};
use crate::BeginWrite;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{UserId, WorkspaceId};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where notifications are also sent. The URL and secrets stay sealed.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationTarget {
    pub id: i64,
    pub kind: String,
    pub name: String,
    /// Notification kinds delivered, or `*` for all.
    pub events: String,
    pub created_at: i64,
}

/// A delivery due to be sent: the target's decrypted settings and the notification.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub notification: Notification,
    pub target_id: i64,
    pub target_kind: String,
    pub target: BTreeMap<String, String>,
    pub attempts: i64,
    pub locale: String,
    pub workspace_name: String,
}

impl Store {
    /// Adds a delivery target; `settings` (URL, secret, addresses) are sealed.
    pub async fn create_notification_target(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        kind: &str,
        name: &str,
        settings: &BTreeMap<String, String>,
        events: &str,
    ) -> Result<NotificationTarget, StoreError> {
        let now = now_ms();
        let plain = serde_json::to_vec(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sealed = self.vault.seal(&plain);
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO notification_targets (workspace_id, kind, name, sealed, events, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(workspace.0)
            .bind(kind)
            .bind(name)
            .bind(&sealed)
            .bind(events)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            crate::workspaces::audit!(tx, workspace.0, actor.0, "notification_target.create", format!("{kind} {name}"))?;
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        })?;
        Ok(NotificationTarget {
            id,
            kind: kind.to_owned(),
            name: name.to_owned(),
            events: events.to_owned(),
            created_at: now,
        })
    }

    pub async fn notification_targets(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<NotificationTarget>, StoreError> {
        let rows: Vec<(i64, String, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, kind, name, events, created_at FROM notification_targets WHERE workspace_id = $1 ORDER BY id")
                .bind(workspace.0)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, kind, name, events, created_at)| NotificationTarget {
                id,
                kind,
                name,
                events,
                created_at,
            })
            .collect())
    }

    pub async fn delete_notification_target(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        id: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query("DELETE FROM notification_targets WHERE id = $1 AND workspace_id = $2")
                .bind(id)
                .bind(workspace.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            crate::workspaces::audit!(tx, workspace.0, actor.0, "notification_target.delete", id.to_string())?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Deliveries due now, oldest first.
    pub async fn due_deliveries(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            notification_id: i64,
            target_id: i64,
            kind: String,
            sealed: Vec<u8>,
            attempts: i64,
            locale: String,
            workspace_name: String,
        }
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT d.notification_id, d.target_id, t.kind, t.sealed, d.attempts, w.locale, w.name AS workspace_name \
                 FROM notification_deliveries d JOIN notification_targets t ON t.id = d.target_id \
                 JOIN workspaces w ON w.id = t.workspace_id \
                 WHERE d.status = 'pending' AND d.next_at <= $1 ORDER BY d.next_at LIMIT $2",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let sql = format!("{} WHERE n.id = $1", *SELECT);
            let notification: Notification = on_pool!(self, pool => {
                sqlx::query_as(&sql).bind(r.notification_id).fetch_one(pool).await
            })?;
            let target = serde_json::from_slice(&self.vault.open(&r.sealed)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.push(DueDelivery {
                notification,
                target_id: r.target_id,
                target_kind: r.kind,
                target,
                attempts: r.attempts,
                locale: r.locale,
                workspace_name: r.workspace_name,
            });
        }
        Ok(out)
    }

    /// Records a delivery attempt: sent, or retry at `next_at`, or given up.
    pub async fn record_delivery(
        &self,
        notification_id: i64,
        target_id: i64,
        status: &str,
        next_at: i64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE notification_deliveries SET status = $1, attempts = attempts + 1, next_at = $2, last_error = $3 \
                 WHERE notification_id = $4 AND target_id = $5",
            )
            .bind(status)
            .bind(next_at)
            .bind(error)
            .bind(notification_id)
            .bind(target_id)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// When the next pending delivery is due.
    pub async fn next_delivery_at(&self) -> Result<Option<i64>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MIN(next_at) FROM notification_deliveries WHERE status = 'pending'")
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::from)
    }
}
