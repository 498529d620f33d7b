//! The notification centre: what happened that a person must know (a failed or missed
//! publication, a channel to reconnect, an assisted post to make), addressed to the
//! people who can act on it, each with their own read state; and where else the
//! workspace wants to hear it (`delivery.rs`: WeCom, Feishu, DingTalk, Slack, email,
//! webhooks).
//!
//! A notification, its addressees and its deliveries are written in the same transaction
//! as the state change they report, so none is lost to a crash and nobody hears of a
//! change that did not happen. Who is addressed per kind is a domain rule
//! (`fanloop_domain::notify::Audience`, with its table of reasons); this module only
//! gathers its inputs (the members and the post's author and assignee) inside the
//! transaction, so the audience matches the team at that moment.

mod delivery;

pub use delivery::{DueDelivery, NotificationTarget};

use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::notify::Audience;
use fanloop_domain::{Role, UserId, WorkspaceId};
use serde::Serialize;

/// One notification, as one reader sees it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub workspace_id: i64,
    pub kind: String,
    pub publication_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub detail: String,
    pub created_at: i64,
    /// When the reader read it. Read state belongs to each addressee, so listings for
    /// no one in particular (the workspace's, the notifier's) leave it `None`.
    pub read_at: Option<i64>,
    /// The post title and channel name, when it is about a publication.
    pub post_title: Option<String>,
    pub channel_name: Option<String>,
}

/// Which of a reader's notifications to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shown {
    #[default]
    All,
    Unread,
}

/// The addressees of a `kind` notification, from the workspace's members (user id and
/// role code) and the post's author and assignee. A role this version does not know
/// (written by a newer one) counts as the least privileged, rather than failing the
/// state change the notification reports.
pub(crate) fn addressees(
    kind: &str,
    members: &[(i64, String)],
    author: Option<i64>,
    assignee: Option<i64>,
) -> Vec<i64> {
    let members: Vec<(UserId, Role)> = members
        .iter()
        .map(|(user, role)| (UserId(*user), Role::parse(role).unwrap_or(Role::Viewer)))
        .collect();
    Audience::of(kind)
        .resolve(&members, author.map(UserId), assignee.map(UserId))
        .into_iter()
        .map(|u| u.0)
        .collect()
}

/// Inserts a notification, its addressees and its pending deliveries inside the
/// caller's transaction. Evaluates to `Result<(), sqlx::Error>`.
macro_rules! notify {
    ($tx:expr, $ws:expr, $kind:expr, $publication:expr, $channel:expr, $detail:expr, $now:expr) => {{
        let (ws, kind, publication, now): (i64, &str, Option<i64>, i64) = ($ws, $kind, $publication, $now);
        async {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO notifications (workspace_id, user_id, kind, publication_id, channel_id, detail, created_at) \
                 VALUES ($1, NULL, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(ws)
            .bind(kind)
            .bind(publication)
            .bind($channel)
            .bind($detail)
            .bind(now)
            .fetch_one(&mut *$tx)
            .await?;
            let members: Vec<(i64, String)> =
                sqlx::query_as("SELECT user_id, role FROM memberships WHERE workspace_id = $1")
                    .bind(ws)
                    .fetch_all(&mut *$tx)
                    .await?;
            let mut post_people: (Option<i64>, Option<i64>) = (None, None);
            if let Some(publication) = publication {
                let found: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT po.author_id, po.assignee_id FROM publications p JOIN posts po ON po.id = p.post_id \
                     WHERE p.id = $1",
                )
                .bind(publication)
                .fetch_optional(&mut *$tx)
                .await?;
                post_people = found.unwrap_or_default();
            }
            let (author, assignee) = post_people;
            for user in $crate::notifications::addressees(kind, &members, author, assignee) {
                sqlx::query("INSERT INTO notification_recipients (notification_id, user_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(user)
                    .execute(&mut *$tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO notification_deliveries (notification_id, target_id, status, attempts, next_at) \
                 SELECT $1, t.id, 'pending', 0, $2 FROM notification_targets t WHERE t.workspace_id = $3 \
                 AND (t.events = '*' OR (',' || t.events || ',') LIKE ('%,' || $4 || ',%'))",
            )
            .bind(id)
            .bind(now)
            .bind(ws)
            .bind(kind)
            .execute(&mut *$tx)
            .await?;
            Ok::<(), sqlx::Error>(())
        }
        .await
    }};
}
pub(crate) use notify;

/// The columns every listing shares, after `n.created_at` (read state differs).
const TAIL: &str = "po.title AS post_title, c.name AS channel_name";
const JOINS: &str = "LEFT JOIN publications p ON p.id = n.publication_id LEFT JOIN posts po ON po.id = p.post_id \
     LEFT JOIN channels c ON c.id = n.channel_id";
const HEAD: &str =
    "SELECT n.id, n.workspace_id, n.kind, n.publication_id, n.channel_id, n.detail, n.created_at";

/// Notifications read by no one in particular (`read_at` left empty).
static SELECT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("{HEAD}, CAST(NULL AS BIGINT) AS read_at, {TAIL} FROM notifications n {JOINS}")
});

/// A reader's notifications: `$1` the user, `$2` the workspace.
static SELECT_FOR: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{HEAD}, r.read_at, {TAIL} FROM notification_recipients r \
         JOIN notifications n ON n.id = r.notification_id {JOINS} \
         WHERE r.user_id = $1 AND n.workspace_id = $2"
    )
});

impl Store {
    /// Every notification of the workspace, whoever it is addressed to, newest first:
    /// what the workspace as a whole was told (tests, audits). People read theirs with
    /// [`Store::notifications_for`].
    pub async fn notifications(
        &self,
        workspace: WorkspaceId,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let sql = format!(
            "{} WHERE n.workspace_id = $1 ORDER BY n.id DESC LIMIT $2",
            *SELECT
        );
        on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(workspace.0).bind(limit).fetch_all(pool).await
        })
        .map_err(StoreError::from)
    }

    /// The notifications addressed to `user` in `workspace`, newest first, with their
    /// own read state.
    pub async fn notifications_for(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        shown: Shown,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let unread = match shown {
            Shown::All => "",
            Shown::Unread => " AND r.read_at IS NULL",
        };
        let sql = format!("{}{unread} ORDER BY n.id DESC LIMIT $3", *SELECT_FOR);
        on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(user.0).bind(workspace.0).bind(limit).fetch_all(pool).await
        })
        .map_err(StoreError::from)
    }

    /// How many notifications addressed to `user` in `workspace` they have not read.
    pub async fn unread_notifications(
        &self,
        workspace: WorkspaceId,
        user: UserId,
    ) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id \
                 WHERE r.user_id = $1 AND n.workspace_id = $2 AND r.read_at IS NULL",
            )
            .bind(user.0)
            .bind(workspace.0)
            .fetch_one(pool)
            .await
        })
        .map_err(StoreError::from)
    }

    /// Marks one notification read for `user` only. `NotFound` unless it belongs to
    /// `workspace` and is addressed to them; marking it again keeps the first time.
    pub async fn mark_notification_read(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        notification: i64,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let marked = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE notification_recipients SET read_at = COALESCE(read_at, $1) \
                 WHERE notification_id = $2 AND user_id = $3 \
                 AND notification_id IN (SELECT id FROM notifications WHERE workspace_id = $4)",
            )
            .bind(now)
            .bind(notification)
            .bind(user.0)
            .bind(workspace.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        if marked == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Marks every notification addressed to `user` in `workspace` read, for them only.
    /// Returns how many were unread.
    pub async fn mark_notifications_read(
        &self,
        workspace: WorkspaceId,
        user: UserId,
    ) -> Result<u64, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE notification_recipients SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
                 AND notification_id IN (SELECT id FROM notifications WHERE workspace_id = $3)",
            )
            .bind(now)
            .bind(user.0)
            .bind(workspace.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(StoreError::from)
    }
}
