//! Publications and their durable jobs. A publication is one post variant on one
//! channel at one time; a job is the engine's claim ticket for it. Every state change is
//! written here, in a transaction, before the side effect it announces.

mod channel_state;
mod context;
mod engagement;
pub mod escalation;
mod finish;
mod jobs;
mod quota;
pub mod refresh;
mod settings;
mod signals;

pub use channel_state::ChannelHealth;
pub(crate) use channel_state::release_held_in;
pub use context::{Content, JobContext};
pub use engagement::Engagement;
pub use finish::Finished;
pub(crate) use jobs::QUEUE_PUBLISH;
pub use jobs::{Begin, Claimed, JobKind, Outcome};
pub use settings::PublishingSettings;
pub use signals::JobSignals;

use crate::BeginWrite;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::publish::PublicationStatus;
use fanloop_domain::{UserId, WorkspaceId};
use serde::Serialize;

/// A publication as the calendar, the API and the engine see it.
#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    pub id: i64,
    pub workspace_id: i64,
    pub post_id: i64,
    pub post_title: String,
    pub channel_id: i64,
    pub channel_name: String,
    pub platform: String,
    pub post_version: i64,
    pub status: PublicationStatus,
    pub scheduled_at: i64,
    pub attempts: i64,
    pub first_attempt_at: Option<i64>,
    pub published_at: Option<i64>,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    /// Published after its time, within the grace window.
    pub late: bool,
    /// The operator-facing reason code of the last failure (`Reason` in `platforms`).
    pub reason: Option<String>,
    pub last_error: Option<String>,
    pub author_id: i64,
    pub idem_key: String,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    workspace_id: i64,
    post_id: i64,
    post_title: String,
    channel_id: i64,
    channel_name: String,
    platform: String,
    post_version: i64,
    status: String,
    scheduled_at: i64,
    attempts: i64,
    first_attempt_at: Option<i64>,
    published_at: Option<i64>,
    remote_id: Option<String>,
    remote_url: Option<String>,
    late: i64,
    reason: Option<String>,
    last_error: Option<String>,
    author_id: i64,
    idem_key: String,
    updated_at: i64,
}

impl TryFrom<Row> for Publication {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Publication, StoreError> {
        Ok(Publication {
            status: PublicationStatus::parse(&r.status)
                .ok_or_else(|| StoreError::Corrupt(format!("publication status {:?}", r.status)))?,
            id: r.id,
            workspace_id: r.workspace_id,
            post_id: r.post_id,
            post_title: r.post_title,
            channel_id: r.channel_id,
            channel_name: r.channel_name,
            platform: r.platform,
            post_version: r.post_version,
            scheduled_at: r.scheduled_at,
            attempts: r.attempts,
            first_attempt_at: r.first_attempt_at,
            published_at: r.published_at,
            remote_id: r.remote_id,
            remote_url: r.remote_url,
            late: r.late != 0,
            reason: r.reason,
            last_error: r.last_error,
            author_id: r.author_id,
            idem_key: r.idem_key,
            updated_at: r.updated_at,
        })
    }
}

const SELECT: &str = "SELECT p.id, p.workspace_id, p.post_id, po.title AS post_title, p.channel_id, \
     c.name AS channel_name, c.platform, p.post_version, p.status, p.scheduled_at, p.attempts, \
     p.first_attempt_at, p.published_at, p.remote_id, p.remote_url, p.late, p.reason, p.last_error, \
     po.author_id, p.idem_key, p.updated_at \
     FROM publications p JOIN posts po ON po.id = p.post_id JOIN channels c ON c.id = p.channel_id";

/// Which publications to list.
#[derive(Debug, Clone, Default)]
pub struct PublicationFilter {
    pub status: Vec<PublicationStatus>,
    pub channel_id: Option<i64>,
    pub post_id: Option<i64>,
    pub author_id: Option<i64>,
    /// Scheduled at or after (ms).
    pub from: Option<i64>,
    /// Scheduled before (ms).
    pub until: Option<i64>,
    pub limit: i64,
}

/// One channel and time to schedule a post on.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub channel_id: i64,
    pub at_ms: i64,
}

/// Cancels the open, not-yet-sent publications of a post inside the caller's
/// transaction (editing an approved post, unscheduling it). Jobs go first so no worker
/// can claim a cancelled publication.
macro_rules! cancel_open {
    ($tx:expr, $post:expr, $reason:expr) => {{
        sqlx::query(
            "DELETE FROM jobs WHERE publication_id IN (SELECT id FROM publications WHERE post_id = $1 \
             AND status IN ('scheduled', 'held', 'assisted'))",
        )
        .bind($post)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE publications SET status = 'cancelled', reason = $1, updated_at = $2 \
             WHERE post_id = $3 AND status IN ('scheduled', 'held', 'assisted')",
        )
        .bind($reason)
        .bind($crate::now_ms())
        .bind($post)
        .execute(&mut *$tx)
        .await
        .map(|r| r.rows_affected())
    }};
}
pub(crate) use cancel_open;

fn new_key() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    format!("fl{}", hex::encode(bytes))
}

impl Store {
    /// Schedules an approved post on channels. An open publication of the post on the
    /// same channel that has not been handed to the platform moves to the new time;
    /// one in flight or already published refuses with a conflict. The post must still
    /// be approved at `version` (checked in the same transaction as the insert).
    pub async fn schedule(
        &self,
        workspace: WorkspaceId,
        post_id: i64,
        version: i64,
        slots: &[Slot],
        actor: UserId,
    ) -> Result<Vec<i64>, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let current: Option<(String, i64)> = sqlx::query_as(
                "SELECT status, version FROM posts WHERE id = $1 AND workspace_id = $2",
            )
            .bind(post_id)
            .bind(workspace.0)
            .fetch_optional(&mut *tx)
            .await?;
            match current {
                None => return Err(StoreError::NotFound),
                Some((status, v)) if status != "approved" || v != version => {
                    return Err(StoreError::Conflict("post_changed"));
                }
                Some(_) => {}
            }
            let mut ids = Vec::with_capacity(slots.len());
            for slot in slots {
                let open: Option<(i64, String)> = sqlx::query_as(
                    "SELECT id, status FROM publications WHERE post_id = $1 AND channel_id = $2 \
                     AND status NOT IN ('cancelled', 'failed', 'missed') ORDER BY id DESC LIMIT 1",
                )
                .bind(post_id)
                .bind(slot.channel_id)
                .fetch_optional(&mut *tx)
                .await?;
                let id = match open {
                    Some((id, status)) if status == "scheduled" || status == "held" => {
                        sqlx::query(
                            "UPDATE publications SET scheduled_at = $1, post_version = $2, status = 'scheduled', \
                             updated_at = $3 WHERE id = $4",
                        )
                        .bind(slot.at_ms)
                        .bind(version)
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        id
                    }
                    Some((_, status)) if status == "published" => {
                        return Err(StoreError::Conflict("already_published"));
                    }
                    Some(_) => return Err(StoreError::Conflict("publication_in_flight")),
                    None => sqlx::query_scalar(
                        "INSERT INTO publications (workspace_id, post_id, channel_id, post_version, status, scheduled_at, \
                         idem_key, attempts, late, created_by, created_at, updated_at) \
                         SELECT $1, $2, c.id, $4, 'scheduled', $5, $6, 0, 0, $7, $8, $8 \
                         FROM channels c WHERE c.id = $3 AND c.workspace_id = $1 RETURNING id",
                    )
                    .bind(workspace.0)
                    .bind(post_id)
                    .bind(slot.channel_id)
                    .bind(version)
                    .bind(slot.at_ms)
                    .bind(new_key())
                    .bind(actor.0)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound)?,
                };
                sqlx::query(QUEUE_PUBLISH)
                .bind(id)
                .bind(slot.at_ms)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                ids.push(id);
            }
            crate::workspaces::audit!(tx, workspace.0, actor.0, "post.schedule", format!("{post_id} ×{}", slots.len()))?;
            tx.commit().await?;
            Ok::<Vec<i64>, StoreError>(ids)
        })
    }

    /// Cancels a post's publications that have not been handed to a platform. Returns
    /// how many were cancelled; ones in flight finish.
    pub async fn unschedule(
        &self,
        workspace: WorkspaceId,
        post_id: i64,
        actor: UserId,
    ) -> Result<u64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE id = $1 AND workspace_id = $2")
                .bind(post_id)
                .bind(workspace.0)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound);
            }
            let n = cancel_open!(tx, post_id, "unscheduled")?;
            crate::workspaces::audit!(tx, workspace.0, actor.0, "post.unschedule", format!("{post_id} ×{n}"))?;
            tx.commit().await?;
            Ok::<u64, StoreError>(n)
        })
    }

    /// One publication, scoped to its workspace.
    pub async fn publication(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<Publication, StoreError> {
        let sql = format!("{SELECT} WHERE p.id = $1 AND p.workspace_id = $2");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).bind(workspace.0).fetch_optional(pool).await
        })?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// A workspace's publications, newest schedule first unless a time range is given
    /// (then in time order, for calendars).
    pub async fn publications(
        &self,
        workspace: WorkspaceId,
        filter: &PublicationFilter,
    ) -> Result<Vec<Publication>, StoreError> {
        let mut sql = format!("{SELECT} WHERE p.workspace_id = $1");
        let mut n = 1;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if !filter.status.is_empty() {
            let marks: Vec<String> = filter.status.iter().map(|_| next()).collect();
            sql.push_str(&format!(" AND p.status IN ({})", marks.join(", ")));
        }
        if filter.channel_id.is_some() {
            sql.push_str(&format!(" AND p.channel_id = {}", next()));
        }
        if filter.post_id.is_some() {
            sql.push_str(&format!(" AND p.post_id = {}", next()));
        }
        if filter.author_id.is_some() {
            sql.push_str(&format!(" AND po.author_id = {}", next()));
        }
        if filter.from.is_some() {
            sql.push_str(&format!(" AND p.scheduled_at >= {}", next()));
        }
        if filter.until.is_some() {
            sql.push_str(&format!(" AND p.scheduled_at < {}", next()));
        }
        let ranged = filter.from.is_some() || filter.until.is_some();
        sql.push_str(if ranged {
            " ORDER BY p.scheduled_at, p.id"
        } else {
            " ORDER BY p.scheduled_at DESC, p.id DESC"
        });
        sql.push_str(&format!(" LIMIT {}", next()));
        let limit = if filter.limit > 0 {
            filter.limit.min(100_000)
        } else {
            500
        };
        let rows: Vec<Row> = on_pool!(self, pool => {
            let mut q = sqlx::query_as(&sql).bind(workspace.0);
            for s in &filter.status {
                q = q.bind(s.code());
            }
            if let Some(c) = filter.channel_id { q = q.bind(c); }
            if let Some(p) = filter.post_id { q = q.bind(p); }
            if let Some(a) = filter.author_id { q = q.bind(a); }
            if let Some(f) = filter.from { q = q.bind(f); }
            if let Some(u) = filter.until { q = q.bind(u); }
            q.bind(limit).fetch_all(pool).await
        })?;
        rows.into_iter().map(Publication::try_from).collect()
    }

    /// How many of a workspace's publications need an operator, by status code.
    pub async fn publications_needing_attention(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT status, COUNT(*) FROM publications WHERE workspace_id = $1 \
                 AND status IN ('failed', 'unconfirmed', 'held', 'missed', 'assisted') GROUP BY status ORDER BY status",
            )
            .bind(workspace.0)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::from)
    }

    /// The instants at which a channel already has open or published publications,
    /// for finding a free queue slot.
    pub async fn channel_taken_times(
        &self,
        workspace: WorkspaceId,
        channel_id: i64,
        from_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT scheduled_at FROM publications WHERE workspace_id = $1 AND channel_id = $2 \
                 AND scheduled_at >= $3 AND status NOT IN ('cancelled', 'failed', 'missed')",
            )
            .bind(workspace.0)
            .bind(channel_id)
            .bind(from_ms)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::from)
    }

    /// An operator confirms a publication went out (an assisted post made by hand, or an
    /// unconfirmed one found on the platform), with its link.
    pub async fn confirm_publication(
        &self,
        workspace: WorkspaceId,
        id: i64,
        actor: UserId,
        url: &str,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM jobs WHERE publication_id = $1 AND publication_id IN \
                 (SELECT id FROM publications WHERE workspace_id = $2 AND status IN ('assisted', 'unconfirmed'))")
                .bind(id)
                .bind(workspace.0)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query(
                "UPDATE publications SET status = 'published', remote_url = $1, published_at = $2, reason = NULL, \
                 updated_at = $2 WHERE id = $3 AND workspace_id = $4 AND status IN ('assisted', 'unconfirmed')",
            )
            .bind(url)
            .bind(now)
            .bind(id)
            .bind(workspace.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM publications WHERE id = $1 AND workspace_id = $2")
                    .bind(id)
                    .bind(workspace.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                return Err(if exists.is_some() { StoreError::Conflict("publication_state") } else { StoreError::NotFound });
            }
            crate::workspaces::audit!(tx, workspace.0, actor.0, "publication.confirm", format!("{id} {url}"))?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Puts a failed, missed or unconfirmed publication back in the queue, due now, if
    /// its post is still approved at the scheduled version.
    pub async fn retry_publication(
        &self,
        workspace: WorkspaceId,
        id: i64,
        actor: UserId,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row: Option<(String, i64, String, i64)> = sqlx::query_as(
                "SELECT p.status, p.post_version, po.status, po.version FROM publications p \
                 JOIN posts po ON po.id = p.post_id WHERE p.id = $1 AND p.workspace_id = $2",
            )
            .bind(id)
            .bind(workspace.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((status, scheduled_version, post_status, version)) = row else {
                return Err(StoreError::NotFound);
            };
            if !matches!(status.as_str(), "failed" | "missed" | "unconfirmed") {
                return Err(StoreError::Conflict("publication_state"));
            }
            if post_status != "approved" || version != scheduled_version {
                return Err(StoreError::Conflict("post_changed"));
            }
            // The operator's retry starts a fresh count of attempts.
            sqlx::query("UPDATE publications SET status = 'scheduled', attempts = 0, reason = NULL, scheduled_at = $1, updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(QUEUE_PUBLISH)
            .bind(id)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            crate::workspaces::audit!(tx, workspace.0, actor.0, "publication.retry", id.to_string())?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Records a publication that happened elsewhere (history imported from another tool,
    /// the demo's past posts): its final state is written directly, no job is queued.
    pub async fn import_publication(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        past: &ImportedPublication,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO publications (workspace_id, post_id, channel_id, post_version, status, scheduled_at, \
                 idem_key, attempts, first_attempt_at, published_at, remote_id, remote_url, late, reason, last_error, \
                 created_by, created_at, updated_at) \
                 SELECT $1, po.id, c.id, po.version, $4, $5, $6, 1, $5, $7, $8, NULL, 0, $9, $10, $11, $12, $12 \
                 FROM posts po JOIN channels c ON c.id = $3 AND c.workspace_id = $1 \
                 WHERE po.id = $2 AND po.workspace_id = $1 RETURNING id",
            )
            .bind(workspace.0)
            .bind(past.post_id)
            .bind(past.channel_id)
            .bind(past.status.code())
            .bind(past.at_ms)
            .bind(new_key())
            .bind((past.status == PublicationStatus::Published).then_some(past.at_ms))
            .bind(&past.remote_id)
            .bind(&past.reason)
            .bind(&past.last_error)
            .bind(actor.0)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let id = id.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }
}

/// A publication's final state, for `import_publication`.
#[derive(Debug, Clone)]
pub struct ImportedPublication {
    pub post_id: i64,
    pub channel_id: i64,
    pub status: PublicationStatus,
    pub at_ms: i64,
    pub remote_id: Option<String>,
    pub reason: Option<String>,
    pub last_error: Option<String>,
}
