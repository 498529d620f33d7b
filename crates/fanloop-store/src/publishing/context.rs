//! What an attempt reads before it starts: the publication, the channel's connection
//! (secrets and session opened), the workspace's grace window and the content that goes
//! out — one query for a job, or one for a whole claim.

use super::Publication;
use crate::ChannelConnection;
use crate::{Backend, Store, StoreError, on_pool};
use std::collections::HashMap;

impl Store {
    /// Everything an attempt reads before it starts, whatever the workspace: the engine's
    /// way in from a job. One query instead of seven, because on SQLite each query is a
    /// round trip to the connection's thread, and those trips were most of the engine's
    /// CPU per post. `NotFound` once the publication (or its post) is gone.
    pub async fn job_context(&self, publication_id: i64) -> Result<JobContext, StoreError> {
        let row: Option<ContextRow> = on_pool!(self, pool => {
            sqlx::query_as(&CONTEXT_SQL).bind(publication_id).fetch_optional(pool).await
        })?;
        self.context_of(row.ok_or(StoreError::NotFound)?)
    }

    /// `job_context` for every publication of a claim in one query: under a burst the
    /// scheduler reads hundreds at once, and one query is one round trip. Publications
    /// gone meanwhile are simply absent.
    pub async fn job_contexts(
        &self,
        publication_ids: &[i64],
    ) -> Result<HashMap<i64, JobContext>, StoreError> {
        if publication_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = match &self.backend {
            Backend::Sqlite(_) => &*CONTEXTS_SQLITE,
            Backend::Postgres(_) => &*CONTEXTS_POSTGRES,
        };
        let ids = serde_json::to_string(publication_ids)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let rows: Vec<ContextRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(ids).fetch_all(pool).await)?;
        let mut contexts = HashMap::with_capacity(rows.len());
        for row in rows {
            let context = self.context_of(row)?;
            contexts.insert(context.publication.id, context);
        }
        Ok(contexts)
    }

    fn context_of(&self, row: ContextRow) -> Result<JobContext, StoreError> {
        let publication: Publication = row.publication.try_into()?;
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
        let platform = fanloop_domain::Platform::parse(&publication.platform)
            .map_err(|_| StoreError::Corrupt(format!("platform {:?}", publication.platform)))?;
        let secrets = match row.credentials {
            None => Default::default(),
            Some(blob) => serde_json::from_slice(&self.vault.open(&blob)?).map_err(corrupt)?,
        };
        let session = match row.session {
            None => None,
            Some(blob) => Some(self.vault.open(&blob)?),
        };
        Ok(JobContext {
            grace_minutes: row
                .grace_minutes
                .unwrap_or(super::PublishingSettings::default().grace_minutes),
            connection: ChannelConnection {
                platform,
                settings: serde_json::from_str(&row.channel_settings).map_err(corrupt)?,
                secrets,
            },
            session,
            content: Content {
                title: row.content_title,
                body: row.content_body,
                tags: serde_json::from_str(&row.content_tags).unwrap_or_default(),
                cover_media_id: row.content_cover,
            },
            publication,
        })
    }
}

/// `job_context`'s query: the publication's usual columns and joins, plus what the
/// attempt needs. Built once, not per attempt.
static CONTEXT_SQL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| context_sql("p.id = $1"));
static CONTEXTS_SQLITE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| context_sql("p.id IN (SELECT value FROM json_each($1))"));
static CONTEXTS_POSTGRES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    context_sql("p.id IN (SELECT value::bigint FROM json_array_elements_text($1::json))")
});

fn context_sql(filter: &str) -> String {
    let (columns, joins) = super::SELECT
        .split_once(" FROM ")
        .expect("the publication query has a FROM clause");
    format!(
        "{columns}, ps.grace_minutes, c.settings AS channel_settings, c.credentials, cs.session, \
         COALESCE(v.title, po.title) AS content_title, COALESCE(v.body, po.body) AS content_body, \
         COALESCE(v.tags, po.tags) AS content_tags, COALESCE(v.cover_media_id, po.cover_media_id) AS content_cover \
         FROM {joins} \
         LEFT JOIN post_variants v ON v.post_id = p.post_id AND v.channel_id = p.channel_id \
         LEFT JOIN publishing_settings ps ON ps.workspace_id = p.workspace_id \
         LEFT JOIN channel_state cs ON cs.channel_id = p.channel_id WHERE {filter}"
    )
}

/// What an attempt starts from (see `job_context`).
#[derive(Debug, Clone)]
pub struct JobContext {
    pub publication: Publication,
    /// The workspace's grace window for late publication, minutes.
    pub grace_minutes: i64,
    pub connection: ChannelConnection,
    /// The connector's saved session, decrypted.
    pub session: Option<Vec<u8>>,
    /// What goes out: the channel's variant, or the master when it has none.
    pub content: Content,
}

/// The text and cover a publication sends.
#[derive(Debug, Clone)]
pub struct Content {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub cover_media_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ContextRow {
    #[sqlx(flatten)]
    publication: super::Row,
    grace_minutes: Option<i64>,
    channel_settings: String,
    credentials: Option<Vec<u8>>,
    session: Option<Vec<u8>>,
    content_title: String,
    content_body: String,
    content_tags: String,
    content_cover: Option<i64>,
}
