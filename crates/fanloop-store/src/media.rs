//! 素材库: the metadata of uploaded images and videos. The files themselves live in the
//! object store under `storage_key`; the web layer writes them there before it records
//! them here, and removes them after a row is deleted.

use crate::BeginWrite;
use crate::workspaces::audit;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{UserId, WorkspaceId};
use serde::Serialize;

/// What a file is, as learnt from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
}

impl MediaKind {
    pub fn code(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
        }
    }

    pub fn parse(code: &str) -> Option<MediaKind> {
        match code {
            "image" => Some(MediaKind::Image),
            "video" => Some(MediaKind::Video),
            _ => None,
        }
    }
}

/// A file about to be recorded; its bytes are already in the object store.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub kind: MediaKind,
    pub mime: String,
    pub bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// How long a video plays, when its file says.
    pub duration_ms: Option<i64>,
    pub original_name: String,
    pub storage_key: String,
    pub tags: Vec<String>,
}

/// One item of a workspace's library.
#[derive(Debug, Clone, Serialize)]
pub struct Media {
    pub id: i64,
    pub workspace_id: i64,
    pub kind: MediaKind,
    pub mime: String,
    pub bytes: i64,
    /// The picture as shown (a video's rotation applied); unknown for files whose
    /// headers did not say.
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// How long a video plays; `None` for images and videos that do not say.
    pub duration_ms: Option<i64>,
    pub original_name: String,
    pub storage_key: String,
    /// Sorted, so lists read the same on both backends.
    pub tags: Vec<String>,
    /// Where crops centre, as fractions of the width and height (0..=1).
    pub focal_x: f64,
    pub focal_y: f64,
    pub created_by: i64,
    pub created_at: i64,
}

/// A change to an item: only what is `Some` changes.
#[derive(Debug, Clone, Default)]
pub struct MediaChange {
    pub tags: Option<Vec<String>>,
    pub focal: Option<(f64, f64)>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    workspace_id: i64,
    kind: String,
    mime: String,
    bytes: i64,
    width: Option<i64>,
    height: Option<i64>,
    duration_ms: Option<i64>,
    original_name: String,
    storage_key: String,
    focal_x: f64,
    focal_y: f64,
    created_by: i64,
    created_at: i64,
}

impl Row {
    fn into_media(self, tags: Vec<String>) -> Result<Media, StoreError> {
        Ok(Media {
            id: self.id,
            workspace_id: self.workspace_id,
            kind: MediaKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("media kind {:?}", self.kind)))?,
            mime: self.mime,
            bytes: self.bytes,
            width: self.width,
            height: self.height,
            duration_ms: self.duration_ms,
            original_name: self.original_name,
            storage_key: self.storage_key,
            tags,
            focal_x: self.focal_x,
            focal_y: self.focal_y,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

const COLUMNS: &str = "m.id, m.workspace_id, m.kind, m.mime, m.bytes, m.width, m.height, \
     m.duration_ms, m.original_name, m.storage_key, m.focal_x, m.focal_y, m.created_by, m.created_at";

/// Inserts `tags` for `media` in order; the caller has removed duplicates.
macro_rules! insert_tags {
    ($tx:expr, $media:expr, $tags:expr) => {{
        let mut result = Ok(());
        for tag in $tags {
            if let Err(e) = sqlx::query("INSERT INTO media_tags (media_id, tag) VALUES ($1, $2)")
                .bind($media)
                .bind(tag)
                .execute(&mut *$tx)
                .await
            {
                result = Err(e);
                break;
            }
        }
        result
    }};
}

impl Store {
    /// Records an uploaded file in one transaction with its tags and an audit line.
    pub async fn create_media(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        new: &NewMedia,
    ) -> Result<Media, StoreError> {
        let now = now_ms();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO media (workspace_id, kind, mime, bytes, width, height, duration_ms, original_name, \
                 storage_key, focal_x, focal_y, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0.5, 0.5, $10, $11) RETURNING id",
            )
            .bind(workspace.0)
            .bind(new.kind.code())
            .bind(&new.mime)
            .bind(new.bytes)
            .bind(new.width)
            .bind(new.height)
            .bind(new.duration_ms)
            .bind(&new.original_name)
            .bind(&new.storage_key)
            .bind(actor.0)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::unique("media"))?;
            insert_tags!(tx, id, &new.tags)?;
            audit!(tx, workspace.0, actor.0, "media.upload", format!("{id} {}", new.original_name))?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })?;
        self.media(workspace, id).await
    }

    /// One item of the workspace's library; another workspace's id is `NotFound`.
    pub async fn media(&self, workspace: WorkspaceId, id: i64) -> Result<Media, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM media m WHERE m.workspace_id = $1 AND m.id = $2");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(workspace.0).bind(id).fetch_optional(pool).await
        })?;
        let row = row.ok_or(StoreError::NotFound)?;
        let tags = self
            .tags_of(&[id])
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        row.into_media(tags)
    }

    /// The workspace's library, newest first, optionally only items carrying `tag`.
    pub async fn media_list(
        &self,
        workspace: WorkspaceId,
        tag: Option<&str>,
    ) -> Result<Vec<Media>, StoreError> {
        let rows: Vec<Row> = match tag {
            Some(tag) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM media m JOIN media_tags t ON t.media_id = m.id \
                     WHERE m.workspace_id = $1 AND t.tag = $2 ORDER BY m.id DESC"
                );
                on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).bind(tag).fetch_all(pool).await)?
            }
            None => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM media m WHERE m.workspace_id = $1 ORDER BY m.id DESC"
                );
                on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).fetch_all(pool).await)?
            }
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut tags = self.tags_of(&ids).await?;
        rows.into_iter()
            .map(|row| {
                let mine = tags
                    .iter()
                    .filter(|(m, _)| *m == row.id)
                    .map(|(_, t)| t.clone())
                    .collect();
                tags.retain(|(m, _)| *m != row.id);
                row.into_media(mine)
            })
            .collect()
    }

    /// Tags of the given items as (media id, tag), each item's sorted.
    async fn tags_of(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        let mut found = Vec::new();
        // One query per item keeps the SQL portable (no array binds on SQLite); a library
        // page lists at most a few hundred items.
        for id in ids {
            let tags: Vec<(String,)> = on_pool!(self, pool => {
                sqlx::query_as("SELECT tag FROM media_tags WHERE media_id = $1 ORDER BY tag")
                    .bind(id)
                    .fetch_all(pool)
                    .await
            })?;
            found.extend(tags.into_iter().map(|(t,)| (*id, t)));
        }
        Ok(found)
    }

    /// Changes tags and/or the focal point; returns the item as it was before and after,
    /// so the caller can drop crops rendered for the old focal point.
    pub async fn update_media(
        &self,
        workspace: WorkspaceId,
        id: i64,
        actor: UserId,
        change: &MediaChange,
    ) -> Result<(Media, Media), StoreError> {
        let before = self.media(workspace, id).await?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            if let Some((x, y)) = change.focal {
                let n = sqlx::query("UPDATE media SET focal_x = $1, focal_y = $2 WHERE id = $3 AND workspace_id = $4")
                    .bind(x)
                    .bind(y)
                    .bind(id)
                    .bind(workspace.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
            }
            if let Some(tags) = &change.tags {
                sqlx::query("DELETE FROM media_tags WHERE media_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                insert_tags!(tx, id, tags)?;
            }
            audit!(tx, workspace.0, actor.0, "media.update", id.to_string())?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        let after = self.media(workspace, id).await?;
        Ok((before, after))
    }

    /// Removes an item's row (posts using it as a cover lose the cover) and returns it,
    /// so the caller can remove its files.
    pub async fn delete_media(
        &self,
        workspace: WorkspaceId,
        id: i64,
        actor: UserId,
    ) -> Result<Media, StoreError> {
        let media = self.media(workspace, id).await?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query("DELETE FROM media WHERE id = $1 AND workspace_id = $2")
                .bind(id)
                .bind(workspace.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            audit!(tx, workspace.0, actor.0, "media.delete", format!("{id} {}", media.original_name))?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(media)
    }
}
