//! First run: the one-time link printed at start-up lets whoever holds it create the
//! owner account. The link is spent in the same transaction that creates the account.

use super::{FieldErrors, error_page, form_token, render, with_cookie};
use crate::form::Form;
use crate::i18n::Tr;
use crate::{AppState, password};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use fanloop_domain::{DisplayName, Email, Invalid, Password, Reason};
use fanloop_store::StoreError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage<'a> {
    tr: Tr,
    form_token: &'a str,
    form: &'a AccountForm,
    errors: FieldErrors,
}

/// The fields of a new account (setup and invitations share them).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountForm {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub password_confirm: String,
}

impl AccountForm {
    /// Parses every field, reporting all problems at once.
    pub fn parse(
        &self,
        email_fixed: Option<&str>,
    ) -> Result<(Email, DisplayName, Password), Vec<Invalid>> {
        let email = Email::parse(email_fixed.unwrap_or(&self.email));
        let name = DisplayName::parse(&self.display_name);
        let password = Password::parse(&self.password);
        let confirm = (self.password != self.password_confirm)
            .then(|| Invalid::new("password_confirm", Reason::Required));
        match (email, name, password, confirm) {
            (Ok(e), Ok(n), Ok(p), None) => Ok((e, n, p)),
            (e, n, p, c) => Err([e.err(), n.err(), p.err(), c]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

/// Mismatched confirmations get their own words rather than "required".
pub fn account_errors(tr: &Tr, errors: &[Invalid]) -> FieldErrors {
    let mut fields = FieldErrors::from_invalid(tr, errors);
    if errors.iter().any(|e| e.field == "password_confirm") {
        fields.set("password_confirm", tr.t("setup.mismatch"));
    }
    fields
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let tr = Tr::negotiate(&headers, None, false);
    match state.store.setup_token_valid(&token).await {
        Ok(true) => {}
        Ok(false) => return error_page(&tr, None, StatusCode::NOT_FOUND, tr.t("setup.invalid")),
        Err(e) => {
            return error_page(
                &tr,
                None,
                StatusCode::INTERNAL_SERVER_ERROR,
                &super::internal(&tr, &e),
            );
        }
    }
    let (form_tok, set_cookie) = form_token(&headers);
    let form = AccountForm::default();
    with_cookie(
        render(
            StatusCode::OK,
            &SetupPage {
                tr,
                form_token: &form_tok,
                form: &form,
                errors: FieldErrors::default(),
            },
        ),
        set_cookie,
    )
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<AccountForm>,
) -> Response {
    let tr = Tr::negotiate(&headers, None, false);
    let (form_tok, _) = form_token(&headers);
    let again = |errors: FieldErrors| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                tr,
                form_token: &form_tok,
                form: &form,
                errors,
            },
        )
    };
    let (email, name, password) = match form.parse(None) {
        Ok(parsed) => parsed,
        Err(errors) => return again(account_errors(&tr, &errors)),
    };
    let Some(hash) = password::hash_async(password.expose().to_owned()).await else {
        return error_page(
            &tr,
            None,
            StatusCode::INTERNAL_SERVER_ERROR,
            tr.t("error.internal"),
        );
    };
    match state
        .store
        .create_first_user(&token, &email, &name, &hash, tr.lang)
        .await
    {
        Ok(user) => super::auth::start_session(&state, &tr, &user.id, "/workspaces/new").await,
        Err(StoreError::NotFound) => {
            error_page(&tr, None, StatusCode::NOT_FOUND, tr.t("setup.invalid"))
        }
        Err(e) => error_page(
            &tr,
            None,
            StatusCode::INTERNAL_SERVER_ERROR,
            &super::internal(&tr, &e),
        ),
    }
}
