//! 短视频脚本 with their shot lists, and the workspace's word lists (banned words,
//! preferred replacements, enabled industry packs) that the compliance linter reads.

use crate::BeginWrite;
use crate::workspaces::audit;
use crate::{Store, StoreError, new_token, now_ms, on_pool};
use fanloop_domain::script::{ScriptDraft, Shot, ShotSize};
use fanloop_domain::{UserId, WorkspaceId};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Script {
    pub id: i64,
    pub title: String,
    pub post_id: Option<i64>,
    pub shots: Vec<Shot>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct ScriptRow {
    id: i64,
    title: String,
    post_id: Option<i64>,
    created_by: i64,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct ShotRow {
    script_id: i64,
    scene: String,
    size: String,
    duration_ms: i64,
    voice_over: String,
    on_screen_text: String,
}

impl TryFrom<ShotRow> for Shot {
    type Error = StoreError;
    fn try_from(r: ShotRow) -> Result<Shot, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("shot {what}"));
        Ok(Shot {
            scene: r.scene,
            size: ShotSize::parse(&r.size).ok_or_else(|| corrupt("size"))?,
            duration_ms: u32::try_from(r.duration_ms).map_err(|_| corrupt("duration"))?,
            voice_over: r.voice_over,
            on_screen_text: r.on_screen_text,
        })
    }
}

/// A workspace's word lists as saved: the texts exactly as typed (WordList format, so
/// comments survive an edit) and the enabled pack codes. `version` is empty until the
/// first save.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WordLists {
    pub banned: String,
    pub preferred: String,
    pub packs: Vec<String>,
    pub version: String,
    pub updated_at: Option<i64>,
}

/// Writes a script's shots in order. A macro because the two transaction types share no
/// convenient trait.
macro_rules! insert_shots {
    ($tx:expr, $script:expr, $shots:expr) => {{
        for (position, s) in $shots.iter().enumerate() {
            sqlx::query(
                "INSERT INTO script_shots (script_id, position, scene, size, duration_ms, voice_over, on_screen_text) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind($script)
            .bind(position as i64)
            .bind(&s.scene)
            .bind(s.size.code())
            .bind(i64::from(s.duration_ms))
            .bind(&s.voice_over)
            .bind(&s.on_screen_text)
            .execute(&mut *$tx)
            .await?;
        }
        Ok::<(), StoreError>(())
    }};
}

const SCRIPT_COLUMNS: &str = "id, title, post_id, created_by, created_at, updated_at";

impl Store {
    pub async fn create_script(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        draft: &ScriptDraft,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO scripts (workspace_id, title, post_id, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(workspace.0)
            .bind(&draft.title)
            .bind(draft.post_id)
            .bind(actor.0)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            insert_shots!(tx, id, draft.shots)?;
            audit!(tx, workspace.0, actor.0, "script.create", id.to_string())?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// Replaces a script's title, link and shot list; `NotFound` when the script is not
    /// the workspace's.
    pub async fn update_script(
        &self,
        workspace: WorkspaceId,
        script: i64,
        actor: UserId,
        draft: &ScriptDraft,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(
                "UPDATE scripts SET title = $1, post_id = $2, updated_at = $3 WHERE id = $4 AND workspace_id = $5",
            )
            .bind(&draft.title)
            .bind(draft.post_id)
            .bind(now_ms())
            .bind(script)
            .bind(workspace.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM script_shots WHERE script_id = $1")
                .bind(script)
                .execute(&mut *tx)
                .await?;
            insert_shots!(tx, script, draft.shots)?;
            audit!(tx, workspace.0, actor.0, "script.update", script.to_string())?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The workspace's scripts, newest first, each with its shots (two queries, not one
    /// per script).
    pub async fn scripts(&self, workspace: WorkspaceId) -> Result<Vec<Script>, StoreError> {
        let sql = format!(
            "SELECT {SCRIPT_COLUMNS} FROM scripts WHERE workspace_id = $1 ORDER BY updated_at DESC, id DESC"
        );
        let (rows, shots): (Vec<ScriptRow>, Vec<ShotRow>) = on_pool!(self, pool => {
            let rows = sqlx::query_as(&sql).bind(workspace.0).fetch_all(pool).await?;
            let shots = sqlx::query_as(
                "SELECT s.script_id, s.scene, s.size, s.duration_ms, s.voice_over, s.on_screen_text \
                 FROM script_shots s JOIN scripts c ON c.id = s.script_id \
                 WHERE c.workspace_id = $1 ORDER BY s.script_id, s.position",
            )
            .bind(workspace.0)
            .fetch_all(pool)
            .await?;
            Ok::<_, StoreError>((rows, shots))
        })?;
        assemble(rows, shots)
    }

    /// One script of the workspace, or `None` (also for another workspace's id).
    pub async fn script(
        &self,
        workspace: WorkspaceId,
        script: i64,
    ) -> Result<Option<Script>, StoreError> {
        let sql =
            format!("SELECT {SCRIPT_COLUMNS} FROM scripts WHERE id = $1 AND workspace_id = $2");
        let (row, shots): (Option<ScriptRow>, Vec<ShotRow>) = on_pool!(self, pool => {
            let row = sqlx::query_as(&sql).bind(script).bind(workspace.0).fetch_optional(pool).await?;
            let shots = sqlx::query_as(
                "SELECT script_id, scene, size, duration_ms, voice_over, on_screen_text \
                 FROM script_shots WHERE script_id = $1 ORDER BY position",
            )
            .bind(script)
            .fetch_all(pool)
            .await?;
            Ok::<_, StoreError>((row, shots))
        })?;
        Ok(assemble(row.into_iter().collect(), shots)?.pop())
    }

    /// Whether `post` is one of the workspace's posts (a script may only link to those).
    pub async fn post_in_workspace(
        &self,
        workspace: WorkspaceId,
        post: i64,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM posts WHERE id = $1 AND workspace_id = $2")
                .bind(post)
                .bind(workspace.0)
                .fetch_optional(pool)
                .await
        })?;
        Ok(found.is_some())
    }

    pub async fn word_lists(&self, workspace: WorkspaceId) -> Result<WordLists, StoreError> {
        let row: Option<(String, String, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT banned, preferred, packs, version, updated_at FROM word_lists WHERE workspace_id = $1",
            )
            .bind(workspace.0)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map_or_else(
            WordLists::default,
            |(banned, preferred, packs, version, updated_at)| WordLists {
                banned,
                preferred,
                packs: packs
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
                version,
                updated_at: Some(updated_at),
            },
        ))
    }

    /// Only the version of the workspace's lists (empty before the first save): what a
    /// cached linter is checked against on every use, so it must stay one indexed read.
    pub async fn word_lists_version(&self, workspace: WorkspaceId) -> Result<String, StoreError> {
        let version: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT version FROM word_lists WHERE workspace_id = $1")
                .bind(workspace.0)
                .fetch_optional(pool)
                .await
        })?;
        Ok(version.unwrap_or_default())
    }

    /// Saves the lists (already checked by the caller) and returns the new version, a
    /// random value so two databases never hand out the same one for different lists.
    pub async fn set_word_lists(
        &self,
        workspace: WorkspaceId,
        banned: &str,
        preferred: &str,
        packs: &[&str],
        actor: UserId,
    ) -> Result<String, StoreError> {
        let version = new_token("")[..24].to_owned();
        let packs = packs.join(",");
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO word_lists (workspace_id, banned, preferred, packs, version, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id) DO UPDATE SET \
                 banned = $2, preferred = $3, packs = $4, version = $5, updated_by = $6, updated_at = $7",
            )
            .bind(workspace.0)
            .bind(banned)
            .bind(preferred)
            .bind(&packs)
            .bind(&version)
            .bind(actor.0)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            let lines = |text: &str| text.lines().filter(|l| !l.trim().is_empty()).count();
            let detail = format!("{} {} [{packs}]", lines(banned), lines(preferred));
            audit!(tx, workspace.0, actor.0, "words.update", detail)?;
            tx.commit().await
        })?;
        Ok(version)
    }
}

/// Joins scripts with their shots (both ordered, shots by script then position).
fn assemble(rows: Vec<ScriptRow>, shots: Vec<ShotRow>) -> Result<Vec<Script>, StoreError> {
    let mut by_script: std::collections::HashMap<i64, Vec<Shot>> = Default::default();
    for row in shots {
        let id = row.script_id;
        by_script.entry(id).or_default().push(Shot::try_from(row)?);
    }
    Ok(rows
        .into_iter()
        .map(|r| Script {
            shots: by_script.remove(&r.id).unwrap_or_default(),
            id: r.id,
            title: r.title,
            post_id: r.post_id,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}
