//! Invitation links. Someone without an account creates one here and joins; someone with
//! an account signs in as the invited email and joins with one click.

use super::setup::{AccountForm, account_errors};
use super::{FieldErrors, error_page, form_token, render, with_cookie};
use crate::form::Form;
use crate::gate::{Principal, authenticate};
use crate::i18n::Tr;
use crate::{AppState, password};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_store::{Invitation, StoreError};

/// What the visitor can do with the link.
enum Mode {
    /// No account has the invited email: create one.
    CreateAccount,
    /// Signed in as the invited email: join.
    Join,
    /// An account exists but this browser is not signed in as it.
    SignInFirst,
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage<'a> {
    tr: Tr,
    form_token: &'a str,
    token: &'a str,
    workspace_name: &'a str,
    invitation: &'a Invitation,
    role_label: &'static str,
    mode: Mode,
    form: &'a AccountForm,
    errors: FieldErrors,
}

struct Context {
    tr: Tr,
    invitation: Invitation,
    workspace_name: String,
    principal: Option<Principal>,
    account_exists: bool,
}

async fn context(state: &AppState, headers: &HeaderMap, token: &str) -> Result<Context, Response> {
    let principal = authenticate(state, headers, None)
        .await
        .ok()
        .flatten()
        .map(|(p, _)| p);
    let tr = Tr::negotiate(headers, principal.as_ref().map(|p| p.user.locale), false);
    let fail = |e: &dyn std::fmt::Display| {
        error_page(
            &tr,
            None,
            StatusCode::INTERNAL_SERVER_ERROR,
            &super::internal(&tr, e),
        )
    };
    let (invitation, workspace_name) = match state.store.invitation(token).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return Err(error_page(
                &tr,
                None,
                StatusCode::NOT_FOUND,
                tr.t("invite.invalid"),
            ));
        }
        Err(e) => return Err(fail(&e)),
    };
    let email = fanloop_domain::Email::parse(&invitation.email).map_err(|e| fail(&e))?;
    let account_exists = state
        .store
        .user_by_email(&email)
        .await
        .map_err(|e| fail(&e))?
        .is_some();
    Ok(Context {
        tr,
        invitation,
        workspace_name,
        principal,
        account_exists,
    })
}

impl Context {
    fn mode(&self) -> Mode {
        match &self.principal {
            Some(p) if p.user.email == self.invitation.email => Mode::Join,
            _ if self.account_exists => Mode::SignInFirst,
            _ => Mode::CreateAccount,
        }
    }

    fn render(
        &self,
        status: StatusCode,
        form_token: &str,
        token: &str,
        form: &AccountForm,
        errors: FieldErrors,
    ) -> Response {
        let page = InvitePage {
            tr: self.tr,
            form_token,
            token,
            workspace_name: &self.workspace_name,
            invitation: &self.invitation,
            role_label: self.tr.t(&format!("role.{}", self.invitation.role.code())),
            mode: self.mode(),
            form,
            errors,
        };
        render(status, &page)
    }
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let ctx = match context(&state, &headers, &token).await {
        Ok(ctx) => ctx,
        Err(response) => return response,
    };
    let (form_tok, set_cookie) = form_token(&headers);
    with_cookie(
        ctx.render(
            StatusCode::OK,
            &form_tok,
            &token,
            &AccountForm::default(),
            FieldErrors::default(),
        ),
        set_cookie,
    )
}

pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<AccountForm>,
) -> Response {
    let ctx = match context(&state, &headers, &token).await {
        Ok(ctx) => ctx,
        Err(response) => return response,
    };
    let tr = ctx.tr;
    let (form_tok, _) = form_token(&headers);
    let fail = |e: &dyn std::fmt::Display| {
        error_page(
            &tr,
            None,
            StatusCode::INTERNAL_SERVER_ERROR,
            &super::internal(&tr, e),
        )
    };
    match ctx.mode() {
        Mode::Join => {
            let Some(principal) = &ctx.principal else {
                return fail(&"no principal");
            };
            match state
                .store
                .accept_invitation(&token, principal.user.id)
                .await
            {
                Ok((_, workspace)) => Redirect::to(&format!("/w/{workspace}")).into_response(),
                Err(StoreError::NotFound) => {
                    error_page(&tr, None, StatusCode::NOT_FOUND, tr.t("invite.invalid"))
                }
                Err(e) => fail(&e),
            }
        }
        Mode::SignInFirst => ctx.render(
            StatusCode::CONFLICT,
            &form_tok,
            &token,
            &form,
            FieldErrors::default(),
        ),
        Mode::CreateAccount => {
            let (email, name, password) = match form.parse(Some(&ctx.invitation.email)) {
                Ok(parsed) => parsed,
                Err(errors) => {
                    return ctx.render(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &form_tok,
                        &token,
                        &form,
                        account_errors(&tr, &errors),
                    );
                }
            };
            let Some(hash) = password::hash_async(password.expose().to_owned()).await else {
                return fail(&"password hashing thread failed");
            };
            let user = match state.store.create_user(&email, &name, &hash, tr.lang).await {
                Ok(user) => user,
                Err(StoreError::Conflict(_)) => {
                    return ctx.render(
                        StatusCode::CONFLICT,
                        &form_tok,
                        &token,
                        &form,
                        FieldErrors::one("form", tr.t("conflict.email")),
                    );
                }
                Err(e) => return fail(&e),
            };
            match state.store.accept_invitation(&token, user.id).await {
                Ok((_, workspace)) => {
                    super::auth::start_session(&state, &tr, &user.id, &format!("/w/{workspace}"))
                        .await
                }
                Err(StoreError::NotFound) => {
                    error_page(&tr, None, StatusCode::NOT_FOUND, tr.t("invite.invalid"))
                }
                Err(e) => fail(&e),
            }
        }
    }
}
