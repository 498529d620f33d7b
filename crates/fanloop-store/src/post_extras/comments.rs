//! Team comments on a post, and the @mentions in them that wait for the person named.

use crate::BeginWrite;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{UserId, WorkspaceId};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub body: String,
    pub at: i64,
    /// The members the comment mentions.
    pub mentions: Vec<i64>,
}

/// A comment that mentions someone, as their dashboard lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Mention {
    pub comment_id: i64,
    pub post_id: i64,
    pub post_title: String,
    pub author_name: String,
    pub body: String,
    pub at: i64,
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    post_id: i64,
    author_id: i64,
    author_name: String,
    body: String,
    at: i64,
}

impl Store {
    /// Adds a comment to a post of the workspace with the members it mentions (the
    /// caller resolved them among the workspace's members). `NotFound` when the post is
    /// not the workspace's.
    pub async fn add_comment(
        &self,
        workspace: WorkspaceId,
        post: i64,
        author: UserId,
        body: &str,
        mentions: &[UserId],
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE id = $1 AND workspace_id = $2")
                .bind(post)
                .bind(workspace.0)
                .fetch_one(&mut *tx)
                .await?;
            if found == 0 {
                return Err(StoreError::NotFound);
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO post_comments (post_id, author_id, body, at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(post)
            .bind(author.0)
            .bind(body)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for user in mentions {
                // Mentioning yourself notifies no one; it is already read.
                let read_at = (*user == author).then_some(now);
                sqlx::query(
                    "INSERT INTO comment_mentions (comment_id, user_id, read_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (comment_id, user_id) DO NOTHING",
                )
                .bind(id)
                .bind(user.0)
                .bind(read_at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// A post's comments, oldest first, each with the members it mentions.
    pub async fn comments(
        &self,
        workspace: WorkspaceId,
        post: i64,
    ) -> Result<Vec<Comment>, StoreError> {
        let rows: Vec<CommentRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT c.id, c.post_id, c.author_id, u.display_name AS author_name, c.body, c.at \
                 FROM post_comments c JOIN posts p ON p.id = c.post_id JOIN users u ON u.id = c.author_id \
                 WHERE c.post_id = $1 AND p.workspace_id = $2 ORDER BY c.id",
            )
            .bind(post)
            .bind(workspace.0)
            .fetch_all(pool)
            .await
        })?;
        let mentioned: Vec<(i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT m.comment_id, m.user_id FROM comment_mentions m JOIN post_comments c ON c.id = m.comment_id \
                 WHERE c.post_id = $1 ORDER BY m.comment_id, m.user_id",
            )
            .bind(post)
            .fetch_all(pool)
            .await
        })?;
        let mut by_comment: HashMap<i64, Vec<i64>> = HashMap::new();
        for (comment, user) in mentioned {
            by_comment.entry(comment).or_default().push(user);
        }
        Ok(rows
            .into_iter()
            .map(|r| Comment {
                mentions: by_comment.remove(&r.id).unwrap_or_default(),
                id: r.id,
                post_id: r.post_id,
                author_id: r.author_id,
                author_name: r.author_name,
                body: r.body,
                at: r.at,
            })
            .collect())
    }

    /// How many mentions of `user` in the workspace are unread, and the latest of them
    /// (at most `limit`), newest first.
    pub async fn unread_mentions(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        limit: i64,
    ) -> Result<(i64, Vec<Mention>), StoreError> {
        const FROM: &str = "FROM comment_mentions m JOIN post_comments c ON c.id = m.comment_id \
             JOIN posts p ON p.id = c.post_id JOIN users u ON u.id = c.author_id \
             WHERE m.user_id = $1 AND p.workspace_id = $2 AND m.read_at IS NULL";
        let count_sql = format!("SELECT COUNT(*) {FROM}");
        let list_sql = format!(
            "SELECT c.id AS comment_id, c.post_id, p.title AS post_title, u.display_name AS author_name, c.body, c.at \
             {FROM} ORDER BY c.id DESC LIMIT $3"
        );
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(&count_sql).bind(user.0).bind(workspace.0).fetch_one(pool).await
        })?;
        let latest: Vec<Mention> = on_pool!(self, pool => {
            sqlx::query_as(&list_sql)
                .bind(user.0)
                .bind(workspace.0)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?;
        Ok((count, latest))
    }

    /// Marks `user`'s mentions on a post as read (they opened it).
    pub async fn read_mentions(&self, post: i64, user: UserId) -> Result<u64, StoreError> {
        let done: u64 = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE comment_mentions SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
                 AND comment_id IN (SELECT id FROM post_comments WHERE post_id = $3)",
            )
            .bind(now_ms())
            .bind(user.0)
            .bind(post)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(done)
    }
}
