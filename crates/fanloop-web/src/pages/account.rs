//! The signed-in person's own page: language and personal API tokens.

use super::{FieldErrors, Page, Shell, render, safe_next, with_cookie};
use crate::AppState;
use crate::form::Form;
use crate::gate::{LANG_COOKIE, authenticate};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{Locale, TokenId};
use fanloop_store::{ApiToken, StoreError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    shell: Shell,
    email: &'a str,
    tokens: Vec<ApiToken>,
    /// A token just created: its only showing.
    new_token: Option<String>,
    token_name: &'a str,
    errors: FieldErrors,
}

impl AccountPage<'_> {
    fn created(&self, t: &ApiToken) -> String {
        self.shell
            .tr
            .datetime(t.created_at, fanloop_domain::TimeZoneName::DEFAULT)
    }
}

async fn show(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    new_token: Option<String>,
    token_name: &str,
    errors: FieldErrors,
) -> Response {
    let shell = match Shell::load(state, page, None, "account").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let tokens = match state.store.api_tokens(page.principal.user.id).await {
        Ok(tokens) => tokens,
        Err(e) => return page.fail(&e),
    };
    let email = &page.principal.user.email;
    render(
        status,
        &AccountPage {
            shell,
            email,
            tokens,
            new_token,
            token_name,
            errors,
        },
    )
}

pub async fn page(State(state): State<AppState>, page: Page) -> Response {
    show(
        &state,
        &page,
        StatusCode::OK,
        None,
        "",
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<TokenForm>,
) -> Response {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        let message = if name.is_empty() {
            page.tr.t("invalid.required").to_owned()
        } else {
            page.tr.t1("invalid.too_long", 80)
        };
        return show(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            &form.name,
            FieldErrors::one("name", message),
        )
        .await;
    }
    match state
        .store
        .create_api_token(page.principal.user.id, name)
        .await
    {
        Ok((_, raw)) => {
            show(
                &state,
                &page,
                StatusCode::CREATED,
                Some(raw),
                "",
                FieldErrors::default(),
            )
            .await
        }
        Err(e) => page.fail(&e),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    page: Page,
    Path(token_id): Path<i64>,
) -> Response {
    match state
        .store
        .revoke_api_token(page.principal.user.id, TokenId(token_id))
        .await
    {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LanguageForm {
    lang: String,
    next: String,
}

/// Switches the interface language: a cookie for this browser and, when signed in, the
/// account's setting too (so emails and reports follow).
pub async fn switch_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let locale = Locale::parse(&form.lang).unwrap_or_default();
    if let Ok(Some((principal, _))) = authenticate(&state, &headers, None).await {
        let _ = state.store.set_user_locale(principal.user.id, locale).await;
    }
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        locale.code()
    );
    with_cookie(
        Redirect::to(safe_next(&form.next)).into_response(),
        Some(cookie),
    )
}
