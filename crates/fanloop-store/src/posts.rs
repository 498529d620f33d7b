//! Posts: one master (title, Markdown body, tags) and a variant per target channel, a
//! version history, approvals per version, the review log, and approval rules.
//!
//! Review transitions are decided in `fanloop_domain::review::decide`; this module
//! stores a decision only if the post is still in the state it was decided on, so two
//! reviewers acting at once cannot both win.

use crate::workspaces::audit;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{
    ApprovalRules, ChannelId, Decision, Platform, PostDraft, PostStatus, UserId, WorkspaceId,
};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Serialize)]
pub struct Variant {
    pub id: i64,
    pub channel_id: i64,
    pub channel_name: String,
    pub platform: Platform,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    /// Edited on its own; master edits no longer flow into it.
    pub customized: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub id: i64,
    pub workspace_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub topic_id: Option<i64>,
    pub status: PostStatus,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub variants: Vec<Variant>,
    /// Who approved the current version.
    pub approvals: BTreeSet<UserId>,
}

/// One line of a post's review history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReviewEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub version: i64,
    pub note: String,
}

/// A new post, already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub topic_id: Option<i64>,
    pub channels: Vec<ChannelId>,
}

#[derive(sqlx::FromRow)]
struct PostRow {
    id: i64,
    workspace_id: i64,
    author_id: i64,
    author_name: String,
    title: String,
    body: String,
    tags: String,
    topic_id: Option<i64>,
    status: String,
    version: i64,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    id: i64,
    channel_id: i64,
    channel_name: String,
    platform: String,
    title: String,
    body: String,
    tags: String,
    customized: i64,
}

fn tags_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

/// Writes one review-log line inside the caller's transaction.
macro_rules! log_review {
    ($tx:expr, $post:expr, $actor:expr, $action:expr, $from:expr, $to:expr, $version:expr, $note:expr) => {
        sqlx::query(
            "INSERT INTO review_log (post_id, actor_id, action, from_status, to_status, version, note, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($post)
        .bind($actor.0)
        .bind($action)
        .bind($from.code())
        .bind($to.code())
        .bind($version)
        .bind($note)
        .bind(now_ms())
        .execute(&mut *$tx)
        .await
    };
}

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
            let mut tx = pool.begin().await?;
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

    // ---- posts ----------------------------------------------------------------------

    /// Creates a draft with one variant per channel, all starting as copies of the master.
    /// Channels must belong to the workspace (`NotFound` otherwise).
    pub async fn create_post(
        &self,
        workspace: WorkspaceId,
        author: UserId,
        new: &NewPost,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let tags = tags_json(&new.tags);
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for channel in &new.channels {
                let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM channels WHERE id = $1 AND workspace_id = $2")
                    .bind(channel.0)
                    .bind(workspace.0)
                    .fetch_one(&mut *tx)
                    .await?;
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO posts (workspace_id, author_id, title, body, tags, topic_id, status, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
            )
            .bind(workspace.0)
            .bind(author.0)
            .bind(&new.title)
            .bind(&new.body)
            .bind(&tags)
            .bind(new.topic_id)
            .bind(PostStatus::Draft.code())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO post_versions (post_id, version, title, body, author_id, at) VALUES ($1, 1, $2, $3, $4, $5)")
                .bind(id)
                .bind(&new.title)
                .bind(&new.body)
                .bind(author.0)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            for channel in &new.channels {
                sqlx::query(
                    "INSERT INTO post_variants (post_id, channel_id, title, body, tags, customized, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT (post_id, channel_id) DO NOTHING",
                )
                .bind(id)
                .bind(channel.0)
                .bind(&new.title)
                .bind(&new.body)
                .bind(&tags)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            log_review!(tx, id, author, "create", PostStatus::Draft, PostStatus::Draft, 1_i64, "")?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })?;
        Ok(id)
    }

    /// One post with its variants and current approvals, scoped to its workspace.
    pub async fn post(
        &self,
        workspace: WorkspaceId,
        post: i64,
    ) -> Result<Option<Post>, StoreError> {
        let row: Option<PostRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT p.id, p.workspace_id, p.author_id, u.display_name AS author_name, p.title, p.body, p.tags, \
                 p.topic_id, p.status, p.version, p.created_at, p.updated_at \
                 FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1 AND p.workspace_id = $2",
            )
            .bind(post)
            .bind(workspace.0)
            .fetch_optional(pool)
            .await
        })?;
        let Some(r) = row else { return Ok(None) };
        let variants: Vec<VariantRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT v.id, v.channel_id, c.name AS channel_name, c.platform, v.title, v.body, v.tags, v.customized \
                 FROM post_variants v JOIN channels c ON c.id = v.channel_id WHERE v.post_id = $1 ORDER BY v.id",
            )
            .bind(post)
            .fetch_all(pool)
            .await
        })?;
        let approvals: Vec<(i64,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT user_id FROM post_approvals WHERE post_id = $1 AND version = $2")
                .bind(post)
                .bind(r.version)
                .fetch_all(pool)
                .await
        })?;
        let variants = variants
            .into_iter()
            .map(|v| {
                Ok(Variant {
                    id: v.id,
                    channel_id: v.channel_id,
                    channel_name: v.channel_name,
                    platform: Platform::parse(&v.platform)
                        .map_err(|_| corrupt("variant platform"))?,
                    title: v.title,
                    body: v.body,
                    tags: tags_of(&v.tags),
                    customized: v.customized != 0,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(Post {
            id: r.id,
            workspace_id: r.workspace_id,
            author_id: r.author_id,
            author_name: r.author_name,
            title: r.title,
            body: r.body,
            tags: tags_of(&r.tags),
            topic_id: r.topic_id,
            status: PostStatus::parse(&r.status).ok_or_else(|| corrupt("post status"))?,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            variants,
            approvals: approvals.into_iter().map(|(u,)| UserId(u)).collect(),
        }))
    }

    /// The workspace's posts, most recently changed first, without their bodies' variants.
    pub async fn posts(&self, workspace: WorkspaceId) -> Result<Vec<Post>, StoreError> {
        let rows: Vec<PostRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT p.id, p.workspace_id, p.author_id, u.display_name AS author_name, p.title, p.body, p.tags, \
                 p.topic_id, p.status, p.version, p.created_at, p.updated_at \
                 FROM posts p JOIN users u ON u.id = p.author_id WHERE p.workspace_id = $1 ORDER BY p.updated_at DESC, p.id DESC",
            )
            .bind(workspace.0)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(Post {
                    status: PostStatus::parse(&r.status).ok_or_else(|| corrupt("post status"))?,
                    id: r.id,
                    workspace_id: r.workspace_id,
                    author_id: r.author_id,
                    author_name: r.author_name,
                    tags: tags_of(&r.tags),
                    title: r.title,
                    body: r.body,
                    topic_id: r.topic_id,
                    version: r.version,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                    variants: Vec::new(),
                    approvals: BTreeSet::new(),
                })
            })
            .collect()
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
            let mut tx = pool.begin().await?;
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

    /// Saves a new version of the master (variants not edited on their own follow it)
    /// and the review status `decision` gives the edited post.
    pub async fn edit_post(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        actor: UserId,
        draft: &PostDraft,
        decision: &Decision,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let version = post.version + 1;
        let (title, body) = (&draft.title, &draft.body);
        let tags = tags_json(&draft.tags);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE posts SET title = $1, body = $2, tags = $3, status = $4, version = $5, updated_at = $6 \
                 WHERE id = $7 AND workspace_id = $8 AND version = $9",
            )
            .bind(title)
            .bind(body)
            .bind(&tags)
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
            sqlx::query("INSERT INTO post_versions (post_id, version, title, body, author_id, at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(post.id)
                .bind(version)
                .bind(title)
                .bind(body)
                .bind(actor.0)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE post_variants SET title = $1, body = $2, tags = $3, updated_at = $4 WHERE post_id = $5 AND customized = 0")
                .bind(title)
                .bind(body)
                .bind(&tags)
                .bind(now)
                .bind(post.id)
                .execute(&mut *tx)
                .await?;
            log_review!(tx, post.id, actor, "edit", post.status, decision.status, version, "")?;
            tx.commit().await?;
            Ok::<i64, StoreError>(version)
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
