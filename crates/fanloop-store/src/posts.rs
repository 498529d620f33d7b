//! Posts: one master (title, Markdown body, tags) and a variant per target channel, a
//! version history, approvals per version, the review log, and approval rules.
//!
//! Review transitions are decided in `fanloop_domain::review::decide`; this module
//! stores a decision only if the post is still in the state it was decided on, so two
//! reviewers acting at once cannot both win.

use crate::BeginWrite;
use crate::post_extras::PostMeta;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{ChannelId, Decision, Platform, PostDraft, PostStatus, UserId, WorkspaceId};
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
    pub cover_media_id: Option<i64>,
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
    /// A member the post is assigned to, and their name.
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// A calendar day (`YYYY-MM-DD`) in the workspace's time zone.
    pub due_date: Option<String>,
    pub cover_media_id: Option<i64>,
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
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    due_date: Option<String>,
    cover_media_id: Option<i64>,
}

impl PostRow {
    fn into_post(
        self,
        variants: Vec<Variant>,
        approvals: BTreeSet<UserId>,
    ) -> Result<Post, StoreError> {
        Ok(Post {
            status: PostStatus::parse(&self.status).ok_or_else(|| corrupt("post status"))?,
            id: self.id,
            workspace_id: self.workspace_id,
            author_id: self.author_id,
            author_name: self.author_name,
            tags: tags_of(&self.tags),
            title: self.title,
            body: self.body,
            topic_id: self.topic_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            assignee_id: self.assignee_id,
            assignee_name: self.assignee_name,
            due_date: self.due_date,
            cover_media_id: self.cover_media_id,
            variants,
            approvals,
        })
    }
}

/// The columns `PostRow` reads, with the author's and assignee's names.
const POST_COLUMNS: &str = "SELECT p.id, p.workspace_id, p.author_id, u.display_name AS author_name, p.title, p.body, p.tags, \
     p.topic_id, p.status, p.version, p.created_at, p.updated_at, p.assignee_id, a.display_name AS assignee_name, \
     p.due_date, p.cover_media_id \
     FROM posts p JOIN users u ON u.id = p.author_id LEFT JOIN users a ON a.id = p.assignee_id";

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
    cover_media_id: Option<i64>,
}

fn tags_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn corrupt(what: &str) -> StoreError {
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
pub(crate) use log_review;

// Approval rules, stored decisions and the review log.
mod review;

impl Store {
    /// Creates an unassigned draft without a due date or cover; see `create_post_with`.
    pub async fn create_post(
        &self,
        workspace: WorkspaceId,
        author: UserId,
        new: &NewPost,
    ) -> Result<i64, StoreError> {
        self.create_post_with(workspace, author, new, &PostMeta::default())
            .await
    }

    /// Creates a draft with one variant per channel, all starting as copies of the master.
    /// Channels must belong to the workspace (`NotFound` otherwise).
    pub async fn create_post_with(
        &self,
        workspace: WorkspaceId,
        author: UserId,
        new: &NewPost,
        meta: &PostMeta,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let tags = tags_json(&new.tags);
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
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
                "INSERT INTO posts (workspace_id, author_id, title, body, tags, topic_id, status, version, created_at, updated_at, \
                 assignee_id, due_date, cover_media_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8, $9, $10, $11) RETURNING id",
            )
            .bind(workspace.0)
            .bind(author.0)
            .bind(&new.title)
            .bind(&new.body)
            .bind(&tags)
            .bind(new.topic_id)
            .bind(PostStatus::Draft.code())
            .bind(now)
            .bind(meta.assignee.map(|u| u.0))
            .bind(meta.due_date.as_deref())
            .bind(meta.cover_media_id)
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
        let sql = format!("{POST_COLUMNS} WHERE p.id = $1 AND p.workspace_id = $2");
        let row: Option<PostRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(post)
                .bind(workspace.0)
                .fetch_optional(pool)
                .await
        })?;
        let Some(r) = row else { return Ok(None) };
        let variants: Vec<VariantRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT v.id, v.channel_id, c.name AS channel_name, c.platform, v.title, v.body, v.tags, v.customized, \
                 v.cover_media_id \
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
                    cover_media_id: v.cover_media_id,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let approvals = approvals.into_iter().map(|(u,)| UserId(u)).collect();
        r.into_post(variants, approvals).map(Some)
    }

    /// The workspace's posts, most recently changed first, without their variants.
    pub async fn posts(&self, workspace: WorkspaceId) -> Result<Vec<Post>, StoreError> {
        let sql = format!(
            "{POST_COLUMNS} WHERE p.workspace_id = $1 ORDER BY p.updated_at DESC, p.id DESC"
        );
        let rows: Vec<PostRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(workspace.0)
                .fetch_all(pool)
                .await
        })?;
        rows.into_iter()
            .map(|r| r.into_post(Vec::new(), BTreeSet::new()))
            .collect()
    }

    /// Saves a new version of the master keeping its assignee, due date and cover; see
    /// `edit_post_with`.
    pub async fn edit_post(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        actor: UserId,
        draft: &PostDraft,
        decision: &Decision,
    ) -> Result<i64, StoreError> {
        let meta = PostMeta {
            assignee: post.assignee_id.map(UserId),
            due_date: post.due_date.clone(),
            cover_media_id: post.cover_media_id,
        };
        self.edit_post_with(workspace, post, actor, draft, &meta, decision)
            .await
    }

    /// Saves a new version of the master (variants not edited on their own follow it),
    /// its assignee, due date and cover, and the review status `decision` gives the
    /// edited post.
    pub async fn edit_post_with(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        actor: UserId,
        draft: &PostDraft,
        meta: &PostMeta,
        decision: &Decision,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let version = post.version + 1;
        let (title, body) = (&draft.title, &draft.body);
        let tags = tags_json(&draft.tags);
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let changed = sqlx::query(
                "UPDATE posts SET title = $1, body = $2, tags = $3, status = $4, version = $5, updated_at = $6, \
                 assignee_id = $10, due_date = $11, cover_media_id = $12 \
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
            .bind(meta.assignee.map(|u| u.0))
            .bind(meta.due_date.as_deref())
            .bind(meta.cover_media_id)
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
            // A new version is not what was approved: its planned publications stop now.
            crate::publishing::cancel_open!(tx, post.id, "edited")?;
            log_review!(tx, post.id, actor, "edit", post.status, decision.status, version, "")?;
            tx.commit().await?;
            Ok::<i64, StoreError>(version)
        })
    }
}
