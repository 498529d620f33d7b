//! 选题库: the workspace's topics and its score weights.

use crate::BeginWrite;
use crate::workspaces::audit;
use crate::{Store, StoreError, now_ms, on_pool};
use fanloop_domain::{
    ScoreWeights, Scores, TopicDraft, TopicSource, TopicStatus, UserId, WorkspaceId,
};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    pub id: i64,
    pub title: String,
    pub angle: String,
    pub source: TopicSource,
    pub scores: Scores,
    pub status: TopicStatus,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub target_date: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    angle: String,
    source: String,
    timeliness: i64,
    value: i64,
    conversion: i64,
    status: String,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    target_date: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Topic {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Topic, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("topic {what}"));
        let score = |n: i64| {
            u8::try_from(n)
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| corrupt("score"))
        };
        Ok(Topic {
            id: r.id,
            title: r.title,
            angle: r.angle,
            source: TopicSource::parse(&r.source).ok_or_else(|| corrupt("source"))?,
            scores: Scores {
                timeliness: score(r.timeliness)?,
                value: score(r.value)?,
                conversion: score(r.conversion)?,
            },
            status: TopicStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            target_date: r.target_date,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// One of the workspace's own calendar dates.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CalendarEvent {
    pub id: i64,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
    pub lead_days: i64,
    /// Repeats every year on the same month and day.
    pub yearly: bool,
}

const COLUMNS: &str = "t.id, t.title, t.angle, t.source, t.timeliness, t.value, t.conversion, t.status, \
     t.owner_id, u.display_name AS owner_name, t.target_date, t.created_at, t.updated_at";

impl Store {
    /// Creates topics in one transaction (one for a form, many for a CSV import), owned
    /// by `owner` when given; returns their ids in order.
    pub async fn create_topics(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        owner: Option<UserId>,
        drafts: &[TopicDraft],
    ) -> Result<Vec<i64>, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut ids = Vec::with_capacity(drafts.len());
            for d in drafts {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO topics (workspace_id, title, angle, source, timeliness, value, conversion, status, owner_id, \
                     target_date, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
                )
                .bind(workspace.0)
                .bind(&d.title)
                .bind(&d.angle)
                .bind(d.source.code())
                .bind(i64::from(d.scores.timeliness))
                .bind(i64::from(d.scores.value))
                .bind(i64::from(d.scores.conversion))
                .bind(TopicStatus::Idea.code())
                .bind(owner.map(|o| o.0))
                .bind(&d.target_date)
                .bind(actor.0)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                ids.push(id);
            }
            audit!(tx, workspace.0, actor.0, "topic.create", ids.len().to_string())?;
            tx.commit().await?;
            Ok::<Vec<i64>, StoreError>(ids)
        })
    }

    pub async fn topics(&self, workspace: WorkspaceId) -> Result<Vec<Topic>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM topics t LEFT JOIN users u ON u.id = t.owner_id WHERE t.workspace_id = $1 ORDER BY t.id"
        );
        let rows: Vec<Row> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).fetch_all(pool).await)?;
        rows.into_iter().map(Topic::try_from).collect()
    }

    /// One topic of the workspace, if it exists there.
    pub async fn topic(
        &self,
        workspace: WorkspaceId,
        topic: i64,
    ) -> Result<Option<Topic>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM topics t LEFT JOIN users u ON u.id = t.owner_id WHERE t.workspace_id = $1 AND t.id = $2"
        );
        let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).bind(topic).fetch_optional(pool).await)?;
        row.map(Topic::try_from).transpose()
    }

    pub async fn set_topic_status(
        &self,
        workspace: WorkspaceId,
        topic: i64,
        status: TopicStatus,
        actor: UserId,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query("UPDATE topics SET status = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4")
                .bind(status.code())
                .bind(now_ms())
                .bind(topic)
                .bind(workspace.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            audit!(tx, workspace.0, actor.0, "topic.status", format!("{topic} {}", status.code()))?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn score_weights(&self, workspace: WorkspaceId) -> Result<ScoreWeights, StoreError> {
        let row: Option<(i64, i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT timeliness, value, conversion FROM topic_weights WHERE workspace_id = $1")
                .bind(workspace.0)
                .fetch_optional(pool)
                .await
        })?;
        let weight = |n: i64| u8::try_from(n.clamp(0, 10)).unwrap_or(1);
        Ok(
            row.map_or_else(ScoreWeights::default, |(t, v, c)| ScoreWeights {
                timeliness: weight(t),
                value: weight(v),
                conversion: weight(c),
            }),
        )
    }

    pub async fn set_score_weights(
        &self,
        workspace: WorkspaceId,
        weights: ScoreWeights,
        actor: UserId,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO topic_weights (workspace_id, timeliness, value, conversion) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (workspace_id) DO UPDATE SET timeliness = $2, value = $3, conversion = $4",
            )
            .bind(workspace.0)
            .bind(i64::from(weights.timeliness))
            .bind(i64::from(weights.value))
            .bind(i64::from(weights.conversion))
            .execute(&mut *tx)
            .await?;
            let detail = format!("{} {} {}", weights.timeliness, weights.value, weights.conversion);
            audit!(tx, workspace.0, actor.0, "topic.weights", detail)?;
            tx.commit().await
        })?;
        Ok(())
    }

    // ---- the workspace's own calendar dates ------------------------------------------

    pub async fn calendar_events(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<CalendarEvent>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            date: String,
            name: String,
            lead_days: i64,
            yearly: i64,
        }
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, date, name, lead_days, yearly FROM calendar_events WHERE workspace_id = $1 ORDER BY date, id")
                .bind(workspace.0)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| CalendarEvent {
                id: r.id,
                date: r.date,
                name: r.name,
                lead_days: r.lead_days,
                yearly: r.yearly != 0,
            })
            .collect())
    }

    /// Adds a date (already validated: `YYYY-MM-DD`, a name, a lead time).
    pub async fn add_calendar_event(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        date: &str,
        name: &str,
        lead_days: u16,
        yearly: bool,
    ) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO calendar_events (workspace_id, date, name, lead_days, yearly, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(workspace.0)
            .bind(date)
            .bind(name)
            .bind(i64::from(lead_days))
            .bind(i64::from(yearly))
            .bind(actor.0)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            audit!(tx, workspace.0, actor.0, "calendar.add", format!("{date} {name}"))?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn delete_calendar_event(
        &self,
        workspace: WorkspaceId,
        event: i64,
        actor: UserId,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query("DELETE FROM calendar_events WHERE id = $1 AND workspace_id = $2")
                .bind(event)
                .bind(workspace.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            audit!(tx, workspace.0, actor.0, "calendar.delete", event.to_string())?;
            tx.commit().await?;
            Ok(())
        })
    }
}
