//! Workspaces (brands), their members, invitations and the audit log.

use crate::BeginWrite;
use crate::{Store, StoreError, hash_token, new_token, now_ms, on_pool};
use fanloop_domain::{Email, InvitationId, Role, UserId, WorkspaceId, WorkspaceProfile};
use serde::Serialize;

/// A brand's space: its channels, team and settings.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Workspace {
    pub id: i64,
    pub name: String,
    pub timezone: String,
    pub locale: String,
    pub brand_voice: String,
    pub created_at: i64,
}

impl Workspace {
    pub fn id(&self) -> WorkspaceId {
        WorkspaceId(self.id)
    }
}

/// A person in a workspace, with their role.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub joined_at: i64,
}

/// An invitation to join a workspace, by email.
#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: i64,
    pub workspace_id: i64,
    pub email: String,
    pub role: Role,
    pub created_at: i64,
    pub expires_at: i64,
}

/// One line of a workspace's history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
}

#[derive(sqlx::FromRow)]
struct WorkspaceRoleRow {
    #[sqlx(flatten)]
    workspace: Workspace,
    role: String,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: i64,
    workspace_id: i64,
    email: String,
    role: String,
    created_at: i64,
    expires_at: i64,
}

fn role_of(code: &str) -> Result<Role, StoreError> {
    Role::parse(code).map_err(|_| StoreError::Corrupt(format!("unknown role {code:?}")))
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;
    fn try_from(r: InvitationRow) -> Result<Self, StoreError> {
        Ok(Invitation {
            id: r.id,
            workspace_id: r.workspace_id,
            email: r.email,
            role: role_of(&r.role)?,
            created_at: r.created_at,
            expires_at: r.expires_at,
        })
    }
}

const WS_COLUMNS: &str = "w.id, w.name, w.timezone, w.locale, w.brand_voice, w.created_at";

/// Writes one audit line inside the caller's transaction.
macro_rules! audit {
    ($tx:expr, $ws:expr, $actor:expr, $action:expr, $detail:expr) => {
        sqlx::query("INSERT INTO audit_log (workspace_id, actor_id, action, detail, at) VALUES ($1, $2, $3, $4, $5)")
            .bind($ws)
            .bind($actor)
            .bind($action)
            .bind($detail)
            .bind(now_ms())
            .execute(&mut *$tx)
            .await
    };
}
pub(crate) use audit;

impl Store {
    /// Creates a workspace with `owner` as its first member, in one transaction.
    pub async fn create_workspace(
        &self,
        owner: UserId,
        new: &WorkspaceProfile,
    ) -> Result<Workspace, StoreError> {
        let now = now_ms();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO workspaces (name, timezone, locale, brand_voice, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(new.name.as_str())
            .bind(new.timezone.as_str())
            .bind(new.locale.code())
            .bind(new.brand_voice.as_str())
            .bind(owner.0)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(owner.0)
                .bind(Role::Owner.code())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            audit!(tx, id, owner.0, "workspace.create", new.name.as_str())?;
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        })?;
        Ok(Workspace {
            id,
            name: new.name.as_str().to_owned(),
            timezone: new.timezone.as_str().to_owned(),
            locale: new.locale.code().to_owned(),
            brand_voice: new.brand_voice.as_str().to_owned(),
            created_at: now,
        })
    }

    /// Every workspace `user` belongs to, with their role there, oldest first.
    pub async fn workspaces_of(&self, user: UserId) -> Result<Vec<(Workspace, Role)>, StoreError> {
        let sql = format!(
            "SELECT {WS_COLUMNS}, m.role FROM workspaces w JOIN memberships m ON m.workspace_id = w.id \
             WHERE m.user_id = $1 ORDER BY w.id"
        );
        let rows: Vec<WorkspaceRoleRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|r| Ok((r.workspace, role_of(&r.role)?)))
            .collect()
    }

    /// The workspace and `user`'s role in it, or `None` when they are not a member — the
    /// tenant boundary: callers answer "not found" so ids of other tenants reveal nothing.
    pub async fn membership(
        &self,
        workspace: WorkspaceId,
        user: UserId,
    ) -> Result<Option<(Workspace, Role)>, StoreError> {
        let sql = format!(
            "SELECT {WS_COLUMNS}, m.role FROM workspaces w JOIN memberships m ON m.workspace_id = w.id \
             WHERE w.id = $1 AND m.user_id = $2"
        );
        let row: Option<WorkspaceRoleRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(workspace.0).bind(user.0).fetch_optional(pool).await
        })?;
        row.map(|r| Ok((r.workspace, role_of(&r.role)?)))
            .transpose()
    }

    pub async fn update_workspace(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        new: &WorkspaceProfile,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE workspaces SET name = $1, timezone = $2, locale = $3, brand_voice = $4 WHERE id = $5")
                .bind(new.name.as_str())
                .bind(new.timezone.as_str())
                .bind(new.locale.code())
                .bind(new.brand_voice.as_str())
                .bind(workspace.0)
                .execute(&mut *tx)
                .await?;
            audit!(tx, workspace.0, actor.0, "workspace.update", new.name.as_str())?;
            tx.commit().await
        })?;
        Ok(())
    }

    // ---- members --------------------------------------------------------------------

    pub async fn members(&self, workspace: WorkspaceId) -> Result<Vec<Member>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            user_id: i64,
            email: String,
            display_name: String,
            role: String,
            joined_at: i64,
        }
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT u.id AS user_id, u.email, u.display_name, m.role, m.created_at AS joined_at \
                 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY m.created_at, u.id",
            )
            .bind(workspace.0)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(Member {
                    user_id: r.user_id,
                    email: r.email,
                    display_name: r.display_name,
                    role: role_of(&r.role)?,
                    joined_at: r.joined_at,
                })
            })
            .collect()
    }

    /// Adds an existing account to a workspace and returns when it joined.
    /// `Conflict("member")` if already there.
    pub async fn add_member(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        role: Role,
        actor: UserId,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                .bind(workspace.0)
                .bind(user.0)
                .bind(role.code())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::unique("member"))?;
            audit!(tx, workspace.0, actor.0, "member.add", format!("{} {}", user.0, role.code()))?;
            tx.commit().await?;
            Ok::<i64, StoreError>(now)
        })
    }

    // ---- invitations ----------------------------------------------------------------

    /// Invites `email`; returns the invitation and the secret for its link (shown once).
    /// `Conflict("invitation")` while an unexpired one for that email is pending.
    pub async fn invite(
        &self,
        workspace: WorkspaceId,
        email: &Email,
        role: Role,
        actor: UserId,
        ttl_ms: i64,
    ) -> Result<(Invitation, String), StoreError> {
        let raw = new_token("fli_");
        let now = now_ms();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let pending: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM invitations WHERE workspace_id = $1 AND email = $2 AND accepted_at IS NULL AND expires_at > $3",
            )
            .bind(workspace.0)
            .bind(email.as_str())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if pending > 0 {
                return Err(StoreError::Conflict("invitation"));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(workspace.0)
            .bind(email.as_str())
            .bind(role.code())
            .bind(hash_token(&raw))
            .bind(actor.0)
            .bind(now)
            .bind(now + ttl_ms)
            .fetch_one(&mut *tx)
            .await?;
            audit!(tx, workspace.0, actor.0, "member.invite", format!("{} {}", email.as_str(), role.code()))?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })?;
        let invitation = Invitation {
            id,
            workspace_id: workspace.0,
            email: email.as_str().to_owned(),
            role,
            created_at: now,
            expires_at: now + ttl_ms,
        };
        Ok((invitation, raw))
    }

    pub async fn pending_invitations(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<Invitation>, StoreError> {
        let rows: Vec<InvitationRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, workspace_id, email, role, created_at, expires_at FROM invitations \
                 WHERE workspace_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY id",
            )
            .bind(workspace.0)
            .bind(now_ms())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(Invitation::try_from).collect()
    }

    /// The open invitation behind a link, with its workspace's name.
    pub async fn invitation(&self, raw: &str) -> Result<Option<(Invitation, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            invitation: InvitationRow,
            workspace_name: String,
        }
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT i.id, i.workspace_id, i.email, i.role, i.created_at, i.expires_at, w.name AS workspace_name \
                 FROM invitations i JOIN workspaces w ON w.id = i.workspace_id \
                 WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > $2",
            )
            .bind(hash_token(raw))
            .bind(now_ms())
            .fetch_optional(pool)
            .await
        })?;
        row.map(|r| Ok((Invitation::try_from(r.invitation)?, r.workspace_name)))
            .transpose()
    }

    /// Spends an invitation for `user` (whose email must match it) and adds the
    /// membership, in one transaction. `NotFound` if the link is spent or expired.
    pub async fn accept_invitation(
        &self,
        raw: &str,
        user: UserId,
    ) -> Result<(InvitationId, WorkspaceId), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row: Option<(i64, i64, String)> = sqlx::query_as(
                "UPDATE invitations SET accepted_at = $1 \
                 WHERE token_hash = $2 AND accepted_at IS NULL AND expires_at > $1 \
                 AND email = (SELECT email FROM users WHERE id = $3) \
                 RETURNING id, workspace_id, role",
            )
            .bind(now)
            .bind(hash_token(raw))
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id, workspace, role)) = row else {
                return Err(StoreError::NotFound);
            };
            sqlx::query(
                "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (workspace_id, user_id) DO NOTHING",
            )
            .bind(workspace)
            .bind(user.0)
            .bind(&role)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            audit!(tx, workspace, user.0, "member.join", role)?;
            tx.commit().await?;
            Ok((InvitationId(id), WorkspaceId(workspace)))
        })
    }

    // ---- audit ----------------------------------------------------------------------

    pub async fn audit_log(
        &self,
        workspace: WorkspaceId,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT a.at, u.display_name AS actor, a.action, a.detail FROM audit_log a \
                 LEFT JOIN users u ON u.id = a.actor_id WHERE a.workspace_id = $1 ORDER BY a.id DESC LIMIT $2",
            )
            .bind(workspace.0)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }
}

/// Team changes: roles, removals, revoked invitations. The last owner can neither leave
/// nor be demoted, so a workspace is never left without someone who can run it.
impl Store {
    pub async fn change_role(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        role: Role,
        actor: UserId,
    ) -> Result<(), StoreError> {
        self.change_member(workspace, user, Some(role), actor).await
    }

    pub async fn remove_member(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        actor: UserId,
    ) -> Result<(), StoreError> {
        self.change_member(workspace, user, None, actor).await
    }

    /// Gives `user` a new role, or removes them (`None`), refusing to leave no owner.
    async fn change_member(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        role: Option<Role>,
        actor: UserId,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let current: Option<(String,)> = sqlx::query_as("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                .bind(workspace.0)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((current,)) = current else { return Err(StoreError::NotFound) };
            if current == Role::Owner.code() && role != Some(Role::Owner) {
                let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = $2")
                    .bind(workspace.0)
                    .bind(Role::Owner.code())
                    .fetch_one(&mut *tx)
                    .await?;
                if owners <= 1 {
                    return Err(StoreError::Conflict("last_owner"));
                }
            }
            match role {
                Some(role) => {
                    sqlx::query("UPDATE memberships SET role = $1 WHERE workspace_id = $2 AND user_id = $3")
                        .bind(role.code())
                        .bind(workspace.0)
                        .bind(user.0)
                        .execute(&mut *tx)
                        .await?;
                    audit!(tx, workspace.0, actor.0, "member.role", format!("{} {current} → {}", user.0, role.code()))?;
                }
                None => {
                    sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                        .bind(workspace.0)
                        .bind(user.0)
                        .execute(&mut *tx)
                        .await?;
                    audit!(tx, workspace.0, actor.0, "member.remove", format!("{} {current}", user.0))?;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The member's current role, if they are one (for deciding who may change them).
    pub async fn member_role(
        &self,
        workspace: WorkspaceId,
        user: UserId,
    ) -> Result<Option<Role>, StoreError> {
        let row: Option<(String,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                .bind(workspace.0)
                .bind(user.0)
                .fetch_optional(pool)
                .await
        })?;
        row.map(|(r,)| role_of(&r)).transpose()
    }

    pub async fn revoke_invitation(
        &self,
        workspace: WorkspaceId,
        invitation: InvitationId,
        actor: UserId,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let email: Option<(String,)> = sqlx::query_as(
                "DELETE FROM invitations WHERE id = $1 AND workspace_id = $2 AND accepted_at IS NULL RETURNING email",
            )
            .bind(invitation.0)
            .bind(workspace.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((email,)) = email else { return Err(StoreError::NotFound) };
            audit!(tx, workspace.0, actor.0, "member.revoke", email)?;
            tx.commit().await?;
            Ok(())
        })
    }
}

/// The workspace's WeChat theme: a built-in name and custom CSS on top, validated by the
/// renderer before it is stored.
impl Store {
    pub async fn theme_settings(
        &self,
        workspace: WorkspaceId,
    ) -> Result<(String, String), StoreError> {
        let row: Option<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT theme, custom_css FROM workspace_themes WHERE workspace_id = $1")
                .bind(workspace.0)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.unwrap_or_else(|| ("default".to_owned(), String::new())))
    }

    pub async fn set_theme_settings(
        &self,
        workspace: WorkspaceId,
        actor: UserId,
        theme: &str,
        custom_css: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO workspace_themes (workspace_id, theme, custom_css, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (workspace_id) DO UPDATE SET theme = $2, custom_css = $3, updated_at = $4",
            )
            .bind(workspace.0)
            .bind(theme)
            .bind(custom_css)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            audit!(tx, workspace.0, actor.0, "theme.update", theme)?;
            tx.commit().await
        })?;
        Ok(())
    }
}
