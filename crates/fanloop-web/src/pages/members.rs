//! The team page: who is in the workspace, pending invitations, and inviting someone.

use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::api::members::{AddOutcome, add_member, change_member};
use crate::error::ApiError;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{InvitationId, Permission, Role, UserId};
use fanloop_store::{Invitation, Member};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    role: String,
}

impl Default for InviteForm {
    fn default() -> Self {
        InviteForm {
            email: String::new(),
            role: Role::Editor.code().into(),
        }
    }
}

#[derive(Template)]
#[template(path = "settings_members.html")]
struct MembersPage<'a> {
    shell: Shell,
    members: Vec<Member>,
    invitations: Vec<Invitation>,
    can_manage: bool,
    assignable: Vec<Role>,
    form: &'a InviteForm,
    errors: FieldErrors,
    /// Shown once after inviting someone without an account.
    invite_link: Option<String>,
    /// Shown after adding an existing account or changing the team.
    joined: Option<String>,
    timezone: String,
}

impl MembersPage<'_> {
    fn role_label(&self, role: &Role) -> &'static str {
        self.shell.tr.t(&format!("role.{}", role.code()))
    }

    fn role_hint(&self, role: &Role) -> &'static str {
        self.shell.tr.t(&format!("role.{}.hint", role.code()))
    }

    fn when(&self, at: &i64) -> String {
        self.shell.tr.datetime(*at, &self.timezone)
    }

    /// Whether the viewer may change this member (admins cannot touch owners).
    /// The sole owner cannot be demoted or removed, so offers no controls either.
    fn manageable(&self, m: &Member) -> bool {
        let owners = self
            .members
            .iter()
            .filter(|o| o.role == Role::Owner)
            .count();
        let sole_owner = m.role == Role::Owner && owners == 1;
        self.can_manage && self.assignable.contains(&m.role) && !sole_owner
    }

    fn workspace_id(&self) -> i64 {
        self.shell.current.as_ref().map_or(0, |w| w.id)
    }
}

struct Outcome {
    status: StatusCode,
    errors: FieldErrors,
    invite_link: Option<String>,
    joined: Option<String>,
}

async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    form: &InviteForm,
    outcome: Outcome,
) -> Response {
    let shell = match Shell::load(state, page, Some(ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let (members, invitations) = match (
        state.store.members(ctx.id()).await,
        state.store.pending_invitations(ctx.id()).await,
    ) {
        (Ok(m), Ok(i)) => (m, i),
        (Err(e), _) | (_, Err(e)) => return page.fail(&e),
    };
    let can_manage = ctx.role.allows(Permission::ManageMembers);
    let assignable = Role::ALL
        .into_iter()
        .filter(|r| ctx.role.may_assign(*r))
        .collect();
    let page = MembersPage {
        shell,
        members,
        invitations,
        can_manage,
        assignable,
        form,
        errors: outcome.errors,
        invite_link: outcome.invite_link,
        joined: outcome.joined,
        timezone: ctx.workspace.timezone.clone(),
    };
    render(outcome.status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    let joined = match q.done.as_str() {
        "role" | "removed" | "revoked" => {
            Some(page.tr.t(&format!("members.done_{}", q.done)).to_owned())
        }
        _ => None,
    };
    let outcome = Outcome {
        status: StatusCode::OK,
        errors: FieldErrors::default(),
        invite_link: None,
        joined,
    };
    show(&state, &page, &ctx, &InviteForm::default(), outcome).await
}

pub async fn invite(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<InviteForm>,
) -> Response {
    let outcome = match add_member(
        &state,
        &page.tr,
        &page.principal,
        &ctx,
        &form.email,
        &form.role,
    )
    .await
    {
        Ok(AddOutcome::Invited { invite_url, .. }) => Outcome {
            status: StatusCode::CREATED,
            errors: FieldErrors::default(),
            invite_link: Some(invite_url),
            joined: None,
        },
        Ok(AddOutcome::Joined(member)) => {
            let joined = page.tr.t1("members.joined", &member.email);
            Outcome {
                status: StatusCode::CREATED,
                errors: FieldErrors::default(),
                invite_link: None,
                joined: Some(joined),
            }
        }
        Err(e) => {
            let mut errors = FieldErrors::default();
            for problem in &e.errors {
                errors.set(&problem.field, problem.message.clone());
            }
            if errors.is_empty() {
                errors.set("form", e.detail.clone());
            }
            Outcome {
                status: e.status,
                errors,
                invite_link: None,
                joined: None,
            }
        }
    };
    // A successful invitation clears the form for the next one.
    let blank = InviteForm::default();
    let shown = if outcome.errors.is_empty() {
        &blank
    } else {
        &form
    };
    show(&state, &page, &ctx, shown, outcome).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

/// After a change, back to the team page with a note; a refusal is shown on that page.
async fn after_change(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    result: Result<(), ApiError>,
    done: &str,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!(
            "/w/{}/settings/members?done={done}",
            ctx.workspace.id
        ))
        .into_response(),
        Err(e) => {
            let errors = FieldErrors::one("form", e.detail.clone());
            let outcome = Outcome {
                status: e.status,
                errors,
                invite_link: None,
                joined: None,
            };
            show(state, page, ctx, &InviteForm::default(), outcome).await
        }
    }
}

pub async fn change_role(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, user_id)): Path<(i64, i64)>,
    Form(form): Form<RoleForm>,
) -> Response {
    let result = change_member(
        &state,
        &page.tr,
        &page.principal,
        &ctx,
        UserId(user_id),
        Some(&form.role),
    )
    .await;
    after_change(&state, &page, &ctx, result, "role").await
}

pub async fn remove(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, user_id)): Path<(i64, i64)>,
) -> Response {
    let result = change_member(
        &state,
        &page.tr,
        &page.principal,
        &ctx,
        UserId(user_id),
        None,
    )
    .await;
    after_change(&state, &page, &ctx, result, "removed").await
}

pub async fn revoke(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, invitation_id)): Path<(i64, i64)>,
) -> Response {
    let result = state
        .store
        .revoke_invitation(
            ctx.id(),
            InvitationId(invitation_id),
            page.principal.user.id,
        )
        .await
        .map_err(|e| ApiError::store(&page.tr, e));
    after_change(&state, &page, &ctx, result, "revoked").await
}
