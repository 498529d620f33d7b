//! Variants edited on their own, and reset to follow the master again.

use crate::BeginWrite;
use crate::posts::{Post, log_review, tags_json};
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{Decision, UserId, WorkspaceId};

/// A variant's own text, tags and cover, already validated.
#[derive(Debug, Clone)]
pub struct VariantEdit {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub cover_media_id: Option<i64>,
}

/// What to write into the variant: its own edit, or the master again.
enum Change<'a> {
    Edit(&'a VariantEdit),
    Reset,
}

impl Store {
    /// Saves the variant's own text; master edits no longer flow into it. A new version
    /// of the post with the status `decision` gives it. `NotFound` when the variant is
    /// not the post's; `Conflict("post_changed")` when the post moved since `post` was
    /// read.
    pub async fn edit_variant(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        variant: i64,
        actor: UserId,
        edit: &VariantEdit,
        decision: &Decision,
    ) -> Result<i64, StoreError> {
        self.change_variant(
            workspace,
            post,
            variant,
            actor,
            Change::Edit(edit),
            decision,
        )
        .await
    }

    /// Makes the variant a copy of the master again, following its future edits.
    pub async fn reset_variant(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        variant: i64,
        actor: UserId,
        decision: &Decision,
    ) -> Result<i64, StoreError> {
        self.change_variant(workspace, post, variant, actor, Change::Reset, decision)
            .await
    }

    async fn change_variant(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        variant: i64,
        actor: UserId,
        change: Change<'_>,
        decision: &Decision,
    ) -> Result<i64, StoreError> {
        let Some(name) = post
            .variants
            .iter()
            .find(|v| v.id == variant)
            .map(|v| v.channel_name.clone())
        else {
            return Err(StoreError::NotFound);
        };
        let (title, body, tags, cover, customized, action) = match change {
            Change::Edit(e) => (
                &e.title,
                &e.body,
                tags_json(&e.tags),
                e.cover_media_id,
                1_i64,
                "edit_variant",
            ),
            Change::Reset => (
                &post.title,
                &post.body,
                tags_json(&post.tags),
                None,
                0_i64,
                "reset_variant",
            ),
        };
        let now = now_ms();
        let version = post.version + 1;
        let summary = format!("{action}:{name}");
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // The version check is what makes the copied master text and the decision
            // current: they were read at `post.version`.
            let changed = sqlx::query(
                "UPDATE posts SET status = $1, version = $2, updated_at = $3 WHERE id = $4 AND workspace_id = $5 AND version = $6",
            )
            .bind(decision.status.code())
            .bind(version)
            .bind(now)
            .bind(post.id)
            .bind(workspace.0)
            .bind(post.version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("post_changed"));
            }
            sqlx::query(
                "UPDATE post_variants SET title = $1, body = $2, tags = $3, cover_media_id = $4, customized = $5, updated_at = $6 \
                 WHERE id = $7 AND post_id = $8",
            )
            .bind(title)
            .bind(body)
            .bind(&tags)
            .bind(cover)
            .bind(customized)
            .bind(now)
            .bind(variant)
            .bind(post.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO post_versions (post_id, version, title, body, author_id, at, summary) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(post.id)
            .bind(version)
            .bind(&post.title)
            .bind(&post.body)
            .bind(actor.0)
            .bind(now)
            .bind(&summary)
            .execute(&mut *tx)
            .await?;
            crate::publishing::cancel_open!(tx, post.id, "edited")?;
            log_review!(tx, post.id, actor, action, post.status, decision.status, version, &name)?;
            tx.commit().await?;
            Ok::<i64, StoreError>(version)
        })
    }
}
