//! The review side of posts: each workspace's approval rules, stored decisions, and the
//! review log.

use super::corrupt;
use super::{Post, ReviewEntry};
use crate::BeginWrite;
use crate::workspaces::audit;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{ApprovalRules, Decision, UserId, WorkspaceId};

impl Store {
    // ---- approval rules -------------------------------------------------------------

    /// The workspace's rules, or the defaults until someone changes them.
    pub async fn approval_rules(
        &self,
        workspace: WorkspaceId,
    ) -> Result<ApprovalRules, StoreError> {
        let row: Option<(i64, i64, i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT required_approvals, author_may_approve, lint_errors_block, approver_roles \
                 FROM approval_rules WHERE workspace_id = $1",
            )
            .bind(workspace.0)
            .fetch_optional(pool)
            .await
        })?;
        let Some((required, author_may, lint_block, roles)) = row else {
            return Ok(ApprovalRules::default());
        };
        let roles: Vec<String> = roles
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
        ApprovalRules::parse(required, author_may != 0, lint_block != 0, &roles)
            .map_err(|_| corrupt("approval rules"))
    }

    pub async fn set_approval_rules(
        &self,
        workspace: WorkspaceId,
        rules: &ApprovalRules,
        actor: UserId,
    ) -> Result<(), StoreError> {
        let roles: Vec<&str> = rules.approver_roles.iter().map(|r| r.code()).collect();
        let roles = roles.join(",");
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO approval_rules (workspace_id, required_approvals, author_may_approve, lint_errors_block, approver_roles, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (workspace_id) DO UPDATE SET required_approvals = $2, author_may_approve = $3, \
                 lint_errors_block = $4, approver_roles = $5, updated_at = $6",
            )
            .bind(workspace.0)
            .bind(i64::from(rules.required_approvals))
            .bind(i64::from(rules.author_may_approve))
            .bind(i64::from(rules.lint_errors_block))
            .bind(&roles)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            let detail = format!("{} {roles}", rules.required_approvals);
            audit!(tx, workspace.0, actor.0, "review.rules", detail)?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Stores a review decision for `post`, provided it is still at `seen` (status and
    /// version); otherwise `Conflict("post_changed")` and nothing changes.
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_review(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        actor: UserId,
        action: &str,
        decision: &Decision,
        note: &str,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let changed = sqlx::query(
                "UPDATE posts SET status = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4 AND status = $5 AND version = $6",
            )
            .bind(decision.status.code())
            .bind(now)
            .bind(post.id)
            .bind(workspace.0)
            .bind(post.status.code())
            .bind(post.version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("post_changed"));
            }
            sqlx::query("DELETE FROM post_approvals WHERE post_id = $1 AND version = $2")
                .bind(post.id)
                .bind(post.version)
                .execute(&mut *tx)
                .await?;
            for user in &decision.approvals {
                sqlx::query("INSERT INTO post_approvals (post_id, version, user_id, at) VALUES ($1, $2, $3, $4)")
                    .bind(post.id)
                    .bind(post.version)
                    .bind(user.0)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            let note = match &decision.overridden {
                Some(reason) => format!("override: {reason}"),
                None => note.to_owned(),
            };
            log_review!(tx, post.id, actor, action, post.status, decision.status, post.version, &note)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The review history of a post, oldest first.
    pub async fn review_log(&self, post: i64) -> Result<Vec<ReviewEntry>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT r.at, u.display_name AS actor, r.action, r.from_status, r.to_status, r.version, r.note \
                 FROM review_log r JOIN users u ON u.id = r.actor_id WHERE r.post_id = $1 ORDER BY r.id",
            )
            .bind(post)
            .fetch_all(pool)
            .await
        })?)
    }
}
