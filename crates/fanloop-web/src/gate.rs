//! The gate in front of every route: who is asking, may they, and is the form genuine.
//!
//! Order matters and is the same everywhere: authenticate (bearer token, else session
//! cookie) → CSRF for state-changing requests made with a session → tenant boundary
//! (non-members get 404) → role permission (403). Handlers then read `Principal` and
//! `WorkspaceCtx` from the request; they never check access themselves. The one
//! exception is `Access::Callback` (platforms calling back): no session exists to check,
//! so its handler verifies the platform's signature itself before doing anything.

use crate::error::ApiError;
use crate::i18n::Tr;
use crate::routes::Access;
use crate::{AppState, MAX_BODY_BYTES, pages};
use axum::body::Body;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{Role, WorkspaceId};
use fanloop_store::{Credential, User, Workspace};

pub const SESSION_COOKIE: &str = "fanloop_session";
/// Double-submit token for forms shown before anyone is signed in (login, setup,
/// invitations), so a foreign site cannot sign a visitor into its own account.
pub const FORM_COOKIE: &str = "fanloop_form";
pub const LANG_COOKIE: &str = "fanloop_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "_csrf";

/// The account behind a request.
#[derive(Clone)]
pub struct Principal {
    pub user: User,
    /// The session's CSRF token; `None` when authenticated by an API token, which a
    /// browser never sends on its own and so needs none.
    pub csrf: Option<String>,
}

/// The workspace named in the path and the caller's role there.
#[derive(Clone)]
pub struct WorkspaceCtx {
    pub workspace: Workspace,
    pub role: Role,
}

impl WorkspaceCtx {
    pub fn id(&self) -> WorkspaceId {
        WorkspaceId(self.workspace.id)
    }
}

pub(crate) async fn gate(
    State(state): State<AppState>,
    access: Access,
    api: bool,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, mut body) = req.into_parts();
    let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    match access {
        Access::Public => {
            if changes_state && !api {
                let expected = cookie(&parts.headers, FORM_COOKIE).unwrap_or_default();
                body = match verified_body(&parts, body, &expected).await {
                    Ok(body) => body,
                    Err(refusal) => return refusal.respond(&parts, None, api),
                };
            }
        }
        // The handler checks the platform's signature; a cookie proves nothing here.
        Access::Callback => {}
        Access::Signed | Access::Workspace(_) => {
            // The workspace is read from the path first so that identity and membership
            // come from one store query.
            let named = match access {
                Access::Workspace(_) => workspace_in_path(&state, &mut parts).await,
                _ => None,
            };
            let (principal, membership) = match authenticate(&state, &parts.headers, named).await {
                Ok(Some(found)) => found,
                Ok(None) => return unauthenticated(&parts, api),
                Err(e) => return Refusal::Internal(e).respond(&parts, None, api),
            };
            if changes_state && let Some(expected) = &principal.csrf {
                body = match verified_body(&parts, body, expected).await {
                    Ok(body) => body,
                    Err(refusal) => return refusal.respond(&parts, Some(&principal), api),
                };
            }
            if let Access::Workspace(permission) = access {
                let Some((workspace, role)) = membership else {
                    return Refusal::NotFound.respond(&parts, Some(&principal), api);
                };
                if !role.allows(permission) {
                    return Refusal::Forbidden.respond(&parts, Some(&principal), api);
                }
                parts.extensions.insert(WorkspaceCtx { workspace, role });
            }
            parts.extensions.insert(principal);
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Why the gate said no.
enum Refusal {
    NotFound,
    Forbidden,
    BadCsrf,
    TooLarge,
    Internal(String),
}

impl Refusal {
    fn respond(self, parts: &Parts, principal: Option<&Principal>, api: bool) -> Response {
        let tr = Tr::negotiate(&parts.headers, principal.map(|p| p.user.locale), api);
        let error = match self {
            Refusal::NotFound => ApiError::not_found(&tr),
            Refusal::Forbidden => ApiError::forbidden(&tr, tr.t("error.forbidden")),
            Refusal::BadCsrf => ApiError::forbidden(&tr, tr.t("error.csrf")),
            Refusal::TooLarge => ApiError::too_large(&tr),
            Refusal::Internal(detail) => ApiError::internal(&tr, &detail),
        };
        if api {
            error.into_response()
        } else {
            pages::error_page(&tr, principal, error.status, &error.detail)
        }
    }
}

/// Bearer token if one is sent (and then only it), else the session cookie; with the
/// caller's membership of `workspace` when one is named.
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    workspace: Option<WorkspaceId>,
) -> Result<Option<(Principal, Option<(Workspace, Role)>)>, String> {
    let session_cookie = cookie(headers, SESSION_COOKIE);
    let credential = match (headers.get(header::AUTHORIZATION), &session_cookie) {
        (Some(value), _) => {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            match token.filter(|t| !t.is_empty()) {
                Some(token) => Credential::ApiToken(token),
                None => return Ok(None),
            }
        }
        (None, Some(value)) => Credential::Session(value),
        (None, None) => return Ok(None),
    };
    let caller = state
        .store
        .caller(credential, workspace)
        .await
        .map_err(|e| e.to_string())?;
    Ok(caller.map(|c| {
        (
            Principal {
                user: c.user,
                csrf: c.csrf_token,
            },
            c.membership,
        )
    }))
}

fn unauthenticated(parts: &Parts, api: bool) -> Response {
    if api {
        let tr = Tr::negotiate(&parts.headers, None, true);
        return ApiError::unauthorized(&tr).into_response();
    }
    // A cookie that no longer opens a session means it expired: say so on the login page.
    let expired = cookie(&parts.headers, SESSION_COOKIE).is_some();
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut target = format!("/login?next={}", crate::form::encode(next));
    if expired {
        target.push_str("&expired=1");
    }
    Redirect::to(&target).into_response()
}

/// The `{id}` of the path, if it is a number; anything else names no workspace and ends
/// as 404 once the caller is known.
async fn workspace_in_path(state: &AppState, parts: &mut Parts) -> Option<WorkspaceId> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    params
        .iter()
        .find(|(name, _)| *name == "id")
        .and_then(|(_, value)| value.parse().ok())
        .map(WorkspaceId)
}

/// Checks the CSRF token (header, or the `_csrf` field of a form body) and hands back a
/// body the handler can still read.
async fn verified_body(parts: &Parts, body: Body, expected: &str) -> Result<Body, Refusal> {
    if let Some(sent) = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if same(sent, expected) {
            Ok(body)
        } else {
            Err(Refusal::BadCsrf)
        };
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(Refusal::BadCsrf);
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| Refusal::TooLarge)?;
    let sent = crate::form::field(&bytes, CSRF_FIELD).unwrap_or_default();
    if same(&sent, expected) {
        Ok(Body::from(bytes))
    } else {
        Err(Refusal::BadCsrf)
    }
}

/// Constant-time equality, so response timing does not leak a token's prefix.
fn same(a: &str, b: &str) -> bool {
    !b.is_empty()
        && a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of one cookie from the request's `Cookie` headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = StatusCode;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Absent only when a handler needing a user sits on a public route: a bug in the
        // route table, which the route × role test catches.
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for WorkspaceCtx {
    type Rejection = StatusCode;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<WorkspaceCtx>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_tokens() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; fanloop_session=fls_x; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("fls_x"));
        assert_eq!(cookie(&headers, "missing"), None);
        assert!(same("abc", "abc"));
        assert!(!same("abd", "abc"));
        assert!(!same("", ""));
    }
}
