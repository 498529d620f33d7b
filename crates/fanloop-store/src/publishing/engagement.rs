//! Engagement per publication: what golden time learns from, and what the sandbox
//! simulates for the demo.

use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::WorkspaceId;
use serde::Serialize;

/// Engagement figures of one publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Engagement {
    pub reads: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
}

impl Store {
    /// Records (or replaces) a publication's engagement.
    pub async fn record_engagement(
        &self,
        publication_id: i64,
        channel_id: i64,
        posted_at: i64,
        e: Engagement,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO engagement (publication_id, channel_id, posted_at, reads, likes, comments, shares, measured_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (publication_id) DO UPDATE SET \
                 reads = excluded.reads, likes = excluded.likes, comments = excluded.comments, shares = excluded.shares, \
                 measured_at = excluded.measured_at",
            )
            .bind(publication_id)
            .bind(channel_id)
            .bind(posted_at)
            .bind(e.reads)
            .bind(e.likes)
            .bind(e.comments)
            .bind(e.shares)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// A channel's posts with their engagement, newest first, for golden time:
    /// `(posted_at, reads, likes + comments + shares)`.
    pub async fn engagement_history(
        &self,
        workspace: WorkspaceId,
        channel_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.posted_at, e.reads, e.likes + e.comments + e.shares FROM engagement e \
                 JOIN channels c ON c.id = e.channel_id WHERE e.channel_id = $1 AND c.workspace_id = $2 \
                 ORDER BY e.posted_at DESC LIMIT $3",
            )
            .bind(channel_id)
            .bind(workspace.0)
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::from)
    }

    /// One publication's engagement, if measured.
    pub async fn engagement(&self, publication_id: i64) -> Result<Option<Engagement>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_as("SELECT reads, likes, comments, shares FROM engagement WHERE publication_id = $1")
                .bind(publication_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::from)
    }
}
