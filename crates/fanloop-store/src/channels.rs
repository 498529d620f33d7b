//! Channels: the accounts of a workspace's matrix. Public settings are stored as JSON;
//! secrets are sealed by the vault and only the names of the fields set are readable.

use crate::BeginWrite;
use crate::workspaces::audit;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{ChannelId, ChannelName, ChannelSettings, Platform, UserId, WorkspaceId};
use serde::Serialize;
use std::collections::BTreeMap;

/// A channel as anyone in the workspace may see it: no secret values.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub id: i64,
    pub workspace_id: i64,
    pub platform: Platform,
    pub name: String,
    pub settings: BTreeMap<String, String>,
    /// Which secret fields hold a value (the values themselves never leave the store
    /// except through `channel_secrets`).
    pub secrets_set: Vec<String>,
    pub created_at: i64,
}

/// What a connector is built from: never shown to anyone, only handed to the engine.
#[derive(Debug, Clone)]
pub struct ChannelConnection {
    pub platform: Platform,
    pub settings: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    workspace_id: i64,
    platform: String,
    name: String,
    settings: String,
    secret_keys: String,
    created_at: i64,
}

impl TryFrom<Row> for Channel {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Channel, StoreError> {
        let platform = Platform::parse(&r.platform)
            .map_err(|_| StoreError::Corrupt(format!("platform {:?}", r.platform)))?;
        let settings =
            serde_json::from_str(&r.settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let secrets_set = r
            .secret_keys
            .split(',')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Channel {
            id: r.id,
            workspace_id: r.workspace_id,
            platform,
            name: r.name,
            settings,
            secrets_set,
            created_at: r.created_at,
        })
    }
}

impl Store {
    pub async fn create_channel(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        platform: Platform,
        name: &ChannelName,
        settings: &ChannelSettings,
    ) -> Result<Channel, StoreError> {
        let now = now_ms();
        let public = serde_json::to_string(&settings.public)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let secret_keys: Vec<String> = settings.secrets.keys().cloned().collect();
        let sealed = if settings.secrets.is_empty() {
            None
        } else {
            let plain = serde_json::to_vec(&settings.secrets)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Some(self.vault.seal(&plain))
        };
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO channels (workspace_id, platform, name, settings, secret_keys, credentials, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(workspace.0)
            .bind(platform.code())
            .bind(name.as_str())
            .bind(&public)
            .bind(secret_keys.join(","))
            .bind(&sealed)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            audit!(tx, workspace.0, actor.0, "channel.create", format!("{} {}", platform.code(), name.as_str()))?;
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        })?;
        Ok(Channel {
            id,
            workspace_id: workspace.0,
            platform,
            name: name.as_str().to_owned(),
            settings: settings.public.clone(),
            secrets_set: secret_keys,
            created_at: now,
        })
    }

    pub async fn channels(&self, workspace: WorkspaceId) -> Result<Vec<Channel>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, workspace_id, platform, name, settings, secret_keys, created_at FROM channels \
                 WHERE workspace_id = $1 ORDER BY id",
            )
            .bind(workspace.0)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(Channel::try_from).collect()
    }

    /// The decrypted secrets of one channel, for connectors. Scoped by workspace so a
    /// channel id from another tenant finds nothing.
    pub async fn channel_secrets(
        &self,
        workspace: WorkspaceId,
        channel: ChannelId,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        Ok(self.channel_connection(workspace, channel).await?.secrets)
    }

    /// A channel's public settings and decrypted secrets in one read: what the engine
    /// needs to build a connector for each attempt.
    pub async fn channel_connection(
        &self,
        workspace: WorkspaceId,
        channel: ChannelId,
    ) -> Result<ChannelConnection, StoreError> {
        let row: Option<(String, String, Option<Vec<u8>>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT platform, settings, credentials FROM channels WHERE id = $1 AND workspace_id = $2",
            )
            .bind(channel.0)
            .bind(workspace.0)
            .fetch_optional(pool)
            .await
        })?;
        let (platform, settings, sealed) = row.ok_or(StoreError::NotFound)?;
        let platform = Platform::parse(&platform)
            .map_err(|_| StoreError::Corrupt(format!("platform {platform:?}")))?;
        let settings =
            serde_json::from_str(&settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let secrets = match sealed {
            None => BTreeMap::new(),
            Some(blob) => serde_json::from_slice(&self.vault.open(&blob)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        };
        Ok(ChannelConnection {
            platform,
            settings,
            secrets,
        })
    }

    /// Removes a channel from the workspace (its sealed credentials go with it).
    pub async fn delete_channel(
        &self,
        workspace: WorkspaceId,
        channel: ChannelId,
        actor: UserId,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let name: Option<(String,)> = sqlx::query_as("DELETE FROM channels WHERE id = $1 AND workspace_id = $2 RETURNING name")
                .bind(channel.0)
                .bind(workspace.0)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((name,)) = name else { return Err(StoreError::NotFound) };
            audit!(tx, workspace.0, actor.0, "channel.delete", name)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces a channel's name and settings. With `reconnect` (its credentials or
    /// connection settings changed) the connector session is forgotten, "needs reconnect"
    /// cleared and publications held for this channel are queued again, all in the same
    /// transaction; returns how many were released. A rename alone leaves held posts
    /// held: nothing about the connection was fixed.
    pub async fn update_channel(
        &self,
        workspace: WorkspaceId,
        channel: ChannelId,
        actor: UserId,
        name: &ChannelName,
        settings: &ChannelSettings,
        reconnect: bool,
    ) -> Result<u64, StoreError> {
        let now = now_ms();
        let public = serde_json::to_string(&settings.public)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let secret_keys: Vec<String> = settings.secrets.keys().cloned().collect();
        let sealed = if settings.secrets.is_empty() {
            None
        } else {
            let plain = serde_json::to_vec(&settings.secrets)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Some(self.vault.seal(&plain))
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(
                "UPDATE channels SET name = $1, settings = $2, secret_keys = $3, credentials = $4 WHERE id = $5 AND workspace_id = $6",
            )
            .bind(name.as_str())
            .bind(&public)
            .bind(secret_keys.join(","))
            .bind(&sealed)
            .bind(channel.0)
            .bind(workspace.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            let released = if reconnect {
                crate::publishing::release_held_in!(tx, channel.0, now)?
            } else {
                0
            };
            audit!(tx, workspace.0, actor.0, "channel.update", name.as_str())?;
            tx.commit().await?;
            Ok(released)
        })
    }
}
