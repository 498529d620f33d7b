//! Who is calling, and their place in the workspace they named: one query per request,
//! because this runs in front of every authenticated route.

use crate::accounts::{USER_COLUMNS, UserRow};
use crate::workspaces::Workspace;
use crate::{Store, StoreError, User, hash_token, now_ms, on_pool};
use fanloop_domain::{Role, WorkspaceId};

/// The secret a request presented.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// `Authorization: Bearer flp_…`
    ApiToken(&'a str),
    /// The session cookie's value.
    Session(&'a str),
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    /// The session's CSRF token; `None` for API tokens.
    pub csrf_token: Option<String>,
    /// The named workspace and the caller's role there; `None` when none was named or
    /// the caller is not a member.
    pub membership: Option<(Workspace, Role)>,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: Option<String>,
    ws_id: Option<i64>,
    ws_name: Option<String>,
    ws_timezone: Option<String>,
    ws_locale: Option<String>,
    ws_brand_voice: Option<String>,
    ws_created_at: Option<i64>,
    ws_role: Option<String>,
}

const MEMBERSHIP_COLUMNS: &str = "w.id AS ws_id, w.name AS ws_name, w.timezone AS ws_timezone, w.locale AS ws_locale, \
     w.brand_voice AS ws_brand_voice, w.created_at AS ws_created_at, m.role AS ws_role";

impl Store {
    /// The caller behind `credential` (expired sessions and unknown tokens are `None`),
    /// with their membership of `workspace` when one is named.
    pub async fn caller(
        &self,
        credential: Credential<'_>,
        workspace: Option<WorkspaceId>,
    ) -> Result<Option<Caller>, StoreError> {
        // -1 names no workspace: the left joins then find nothing.
        let ws = workspace.map_or(-1, |w| w.0);
        let joins = "LEFT JOIN memberships m ON m.user_id = u.id AND m.workspace_id = $2 \
                     LEFT JOIN workspaces w ON w.id = m.workspace_id";
        let (sql, secret, is_session) = match credential {
            Credential::ApiToken(raw) => (
                format!(
                    "SELECT {USER_COLUMNS}, NULL AS csrf_token, {MEMBERSHIP_COLUMNS} FROM api_tokens t \
                     JOIN users u ON u.id = t.user_id {joins} WHERE t.token_hash = $1"
                ),
                raw,
                false,
            ),
            Credential::Session(raw) => (
                format!(
                    "SELECT {USER_COLUMNS}, s.csrf_token, {MEMBERSHIP_COLUMNS} FROM sessions s \
                     JOIN users u ON u.id = s.user_id {joins} WHERE s.token_hash = $1 AND s.expires_at > $3"
                ),
                raw,
                true,
            ),
        };
        let row: Option<Row> = on_pool!(self, pool => {
            let query = sqlx::query_as(&sql).bind(hash_token(secret)).bind(ws);
            let query = if is_session { query.bind(now_ms()) } else { query };
            query.fetch_optional(pool).await
        })?;
        let Some(r) = row else { return Ok(None) };
        let membership = match (
            r.ws_id,
            r.ws_name,
            r.ws_timezone,
            r.ws_locale,
            r.ws_brand_voice,
            r.ws_created_at,
            r.ws_role,
        ) {
            (
                Some(id),
                Some(name),
                Some(timezone),
                Some(locale),
                Some(brand_voice),
                Some(created_at),
                Some(role),
            ) => {
                let role = Role::parse(&role)
                    .map_err(|_| StoreError::Corrupt(format!("unknown role {role:?}")))?;
                Some((
                    Workspace {
                        id,
                        name,
                        timezone,
                        locale,
                        brand_voice,
                        created_at,
                    },
                    role,
                ))
            }
            _ => None,
        };
        Ok(Some(Caller {
            user: r.user.into(),
            csrf_token: r.csrf_token,
            membership,
        }))
    }
}
