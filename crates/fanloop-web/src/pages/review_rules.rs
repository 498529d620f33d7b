//! Settings → 审核规则: how many approvals a post needs, who may give them, and whether
//! compliance errors stop submission.

use super::{FieldErrors, Page, SavedQuery, Shell, render};
use crate::AppState;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{ApprovalRules, Permission, Role};

#[derive(Template)]
#[template(path = "settings_review.html")]
struct RulesPage {
    shell: Shell,
    required: String,
    author_may_approve: bool,
    lint_errors_block: bool,
    roles: Vec<Role>,
    can_edit: bool,
    saved: bool,
    errors: FieldErrors,
}

impl RulesPage {
    /// Roles the permission matrix lets approve: the only sensible approvers.
    fn approver_choices(&self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| r.allows(Permission::ApproveContent))
            .collect()
    }

    fn role_label(&self, r: &Role) -> &'static str {
        self.shell.tr.t(&format!("role.{}", r.code()))
    }

    fn chosen(&self, r: &Role) -> bool {
        self.roles.contains(r)
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<SavedQuery>,
) -> Response {
    let rules = match state.store.approval_rules(ctx.id()).await {
        Ok(rules) => rules,
        Err(e) => return page.fail(&e),
    };
    let shell = match Shell::load(&state, &page, Some(&ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let view = RulesPage {
        shell,
        required: rules.required_approvals.to_string(),
        author_may_approve: rules.author_may_approve,
        lint_errors_block: rules.lint_errors_block,
        roles: rules.approver_roles.into_iter().collect(),
        can_edit: ctx.role.allows(Permission::EditWorkspace),
        saved: q.saved.is_some(),
        errors: FieldErrors::default(),
    };
    render(StatusCode::OK, &view)
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let roles: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "approver_role")
        .map(|(_, v)| v.clone())
        .collect();
    let required = get("required_approvals");
    let author_may_approve = !get("author_may_approve").is_empty();
    let lint_errors_block = !get("lint_errors_block").is_empty();
    let parsed = match required.parse::<i64>() {
        Ok(n) => ApprovalRules::parse(n, author_may_approve, lint_errors_block, &roles),
        Err(_) => Err(vec![fanloop_domain::Invalid::new(
            "required_approvals",
            fanloop_domain::Reason::NotText,
        )]),
    };
    match parsed {
        Ok(rules) => match state
            .store
            .set_approval_rules(ctx.id(), &rules, page.principal.user.id)
            .await
        {
            Ok(()) => Redirect::to(&format!("/w/{}/settings/review?saved=1", ctx.workspace.id))
                .into_response(),
            Err(e) => page.fail(&e),
        },
        Err(errors) => {
            let shell = match Shell::load(&state, &page, Some(&ctx), "settings").await {
                Ok(shell) => shell,
                Err(response) => return response,
            };
            let view = RulesPage {
                shell,
                required,
                author_may_approve,
                lint_errors_block,
                roles: roles.iter().filter_map(|r| Role::parse(r).ok()).collect(),
                can_edit: true,
                saved: false,
                errors: FieldErrors::from_invalid(&page.tr, &errors),
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
    }
}
