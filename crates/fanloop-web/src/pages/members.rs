//! The team page: who is in the workspace, pending invitations, and inviting someone.

use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::api::members::{AddOutcome, add_member};
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use fanloop_domain::{Permission, Role};
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
    /// Shown after adding an existing account.
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

pub async fn page(State(state): State<AppState>, page: Page, ctx: WorkspaceCtx) -> Response {
    let outcome = Outcome {
        status: StatusCode::OK,
        errors: FieldErrors::default(),
        invite_link: None,
        joined: None,
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
