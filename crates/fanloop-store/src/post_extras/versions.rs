//! A post's versions: each saved master, newest first, for the history and its diffs.

use crate::{Store, StoreError, on_pool};
use fanloop_domain::WorkspaceId;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VersionEntry {
    pub version: i64,
    pub title: String,
    pub body: String,
    pub author_id: i64,
    pub author_name: String,
    pub at: i64,
    /// Empty for a master edit; `edit_variant:NAME` or `reset_variant:NAME` when only
    /// the variant of channel NAME changed.
    pub summary: String,
}

const COLUMNS: &str = "SELECT v.version, v.title, v.body, v.author_id, u.display_name AS author_name, v.at, v.summary \
     FROM post_versions v JOIN posts p ON p.id = v.post_id JOIN users u ON u.id = v.author_id";

impl Store {
    /// Every version of a post in the workspace, newest first.
    pub async fn versions(
        &self,
        workspace: WorkspaceId,
        post: i64,
    ) -> Result<Vec<VersionEntry>, StoreError> {
        let sql = format!(
            "{COLUMNS} WHERE v.post_id = $1 AND p.workspace_id = $2 ORDER BY v.version DESC"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(post).bind(workspace.0).fetch_all(pool).await
        })?)
    }

    /// One version of a post in the workspace.
    pub async fn version(
        &self,
        workspace: WorkspaceId,
        post: i64,
        version: i64,
    ) -> Result<Option<VersionEntry>, StoreError> {
        let sql =
            format!("{COLUMNS} WHERE v.post_id = $1 AND p.workspace_id = $2 AND v.version = $3");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(post)
                .bind(workspace.0)
                .bind(version)
                .fetch_optional(pool)
                .await
        })?)
    }
}
