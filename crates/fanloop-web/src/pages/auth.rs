//! Signing in and out. Failed attempts are throttled per email and per client address,
//! counted in the store so every instance sees the same count.

use super::{FieldErrors, error_page, form_token, render, safe_next, with_cookie};
use crate::form::Form;
use crate::gate::{Principal, SESSION_COOKIE};
use crate::i18n::Tr;
use crate::{AppState, password};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::Email;
use serde::Deserialize;
use std::net::SocketAddr;

/// Failures allowed per email, and per client address, inside the window.
const MAX_FAILURES_PER_EMAIL: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 30;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    tr: Tr,
    form_token: &'a str,
    email: &'a str,
    next: &'a str,
    notice: Option<&'static str>,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
    expired: Option<String>,
    signed_out: Option<String>,
}

pub async fn login_page(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let tr = Tr::negotiate(&headers, None, false);
    let (token, set_cookie) = form_token(&headers);
    let notice = if q.expired.is_some() {
        Some(tr.t("login.expired"))
    } else if q.signed_out.is_some() {
        Some(tr.t("login.signed_out"))
    } else {
        None
    };
    let page = LoginPage {
        tr,
        form_token: &token,
        email: "",
        next: safe_next(&q.next),
        notice,
        errors: FieldErrors::default(),
    };
    with_cookie(render(StatusCode::OK, &page), set_cookie)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

/// The client's address when the server was started with connection info.
pub struct ClientAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    addr: ClientAddr,
    Form(form): Form<LoginForm>,
) -> Response {
    let tr = Tr::negotiate(&headers, None, false);
    let (token, _) = form_token(&headers);
    let next = safe_next(&form.next).to_owned();
    let again = |status: StatusCode, errors: FieldErrors| {
        render(
            status,
            &LoginPage {
                tr,
                form_token: &token,
                email: &form.email,
                next: &next,
                notice: None,
                errors,
            },
        )
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::from_invalid(&tr, &[e]),
            );
        }
    };
    let by_email = format!("email:{}", email.as_str());
    let by_addr = addr.0.map(|a| format!("addr:{}", a.ip()));
    let since = jiff::Timestamp::now().as_millisecond() - FAILURE_WINDOW_MS;
    let mut throttled = false;
    match state.store.login_failures_since(&by_email, since).await {
        Ok(n) => throttled |= n >= MAX_FAILURES_PER_EMAIL,
        Err(e) => {
            return error_page(
                &tr,
                None,
                StatusCode::INTERNAL_SERVER_ERROR,
                &super::internal(&tr, &e),
            );
        }
    }
    if let Some(subject) = &by_addr {
        throttled |= state
            .store
            .login_failures_since(subject, since)
            .await
            .unwrap_or(0)
            >= MAX_FAILURES_PER_ADDRESS;
    }
    if throttled {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::one("form", tr.t("login.throttled")),
        );
    }
    let user = match state.store.user_by_email(&email).await {
        Ok(user) => user,
        Err(e) => {
            return error_page(
                &tr,
                None,
                StatusCode::INTERNAL_SERVER_ERROR,
                &super::internal(&tr, &e),
            );
        }
    };
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let user = match user {
        Some(user) if password::verify_async(form.password.clone(), hash).await => user,
        _ => {
            // Verified against a dummy hash when the account is unknown: same timing.
            if user.is_none() {
                password::verify_async(form.password.clone(), None).await;
            }
            let _ = state.store.record_login_failure(&by_email).await;
            if let Some(subject) = &by_addr {
                let _ = state.store.record_login_failure(subject).await;
            }
            return again(
                StatusCode::UNAUTHORIZED,
                FieldErrors::one("form", tr.t("login.wrong")),
            );
        }
    };
    let _ = state.store.clear_login_failures(&by_email).await;
    start_session(&state, &tr, &user.id, &next).await
}

/// Opens a session for `user` and sends the browser to `next`.
pub(crate) async fn start_session(
    state: &AppState,
    tr: &Tr,
    user: &fanloop_domain::UserId,
    next: &str,
) -> Response {
    match state
        .store
        .create_session(*user, state.config.session_ttl_ms)
        .await
    {
        Ok(session) => {
            let secure = if state.config.secure_cookies() {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                session.cookie_value,
                state.config.session_ttl_ms / 1000
            );
            with_cookie(Redirect::to(next).into_response(), Some(cookie))
        }
        Err(e) => error_page(
            tr,
            None,
            StatusCode::INTERNAL_SERVER_ERROR,
            &super::internal(tr, &e),
        ),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    _principal: Principal,
) -> Response {
    if let Some(value) = crate::gate::cookie(&headers, SESSION_COOKIE) {
        let _ = state.store.delete_session(&value).await;
    }
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    if let Ok(value) =
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0").parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
