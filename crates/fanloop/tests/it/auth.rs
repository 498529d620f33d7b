//! Signing in through the pages: forms, cookies, throttling, setup and invitation links.

use crate::helpers::{PASSWORD, TestApp};
use fanloop_domain::{Email, Role};

/// Reads `name=value` from the response's Set-Cookie headers.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

/// The form cookie and token a visitor gets with a public page.
async fn form_token(app: &TestApp, path: &str) -> (String, String) {
    let page = app
        .http
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    let cookie = set_cookie(&page, "fanloop_form").expect("form cookie");
    let token = cookie.split_once('=').unwrap().1.to_owned();
    (cookie, token)
}

fn form(app: &TestApp, path: &str, cookie: &str, body: String) -> reqwest::RequestBuilder {
    app.http
        .post(format!("{}{path}", app.url))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
}

#[tokio::test]
async fn login_logout_and_expiry() {
    let app = TestApp::spawn().await;
    app.user("op@example.com").await;
    let (cookie, token) = form_token(&app, "/login").await;

    let wrong = form(
        &app,
        "/login",
        &cookie,
        format!("_csrf={token}&email=op%40example.com&password=nope&next=%2F"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let page = wrong.text().await.unwrap();
    assert!(page.contains("邮箱或密码不正确"), "{page}");
    assert!(
        page.contains("value=\"op@example.com\""),
        "the typed email is kept"
    );

    let forged = form(
        &app,
        "/login",
        &cookie,
        "_csrf=forged&email=op%40example.com&password=x".into(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(forged.status().as_u16(), 403);

    let ok = form(
        &app,
        "/login",
        &cookie,
        format!(
            "_csrf={token}&email=OP%40example.com&password={}&next=%2Faccount",
            PASSWORD.replace(' ', "+")
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(ok.status().as_u16(), 303);
    assert_eq!(ok.headers()["location"], "/account");
    let raw = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    let session = set_cookie(&ok, "fanloop_session").unwrap();

    let home = app
        .http
        .get(format!("{}/", app.url))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        home.headers()["location"],
        "/workspaces/new",
        "no workspace yet: create one"
    );
    let account = app
        .http
        .get(format!("{}/account", app.url))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(account.status().as_u16(), 200);
    let csrf = {
        let html = account.text().await.unwrap();
        let at = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
        html[at..at + 64].to_owned()
    };

    let out = form(&app, "/logout", &session, format!("_csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    let after = app
        .http
        .get(format!("{}/account", app.url))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status().as_u16(), 303);
    assert!(
        after.headers()["location"]
            .to_str()
            .unwrap()
            .contains("expired=1"),
        "a dead session is called expired"
    );
}

#[tokio::test]
async fn repeated_failures_are_throttled() {
    let app = TestApp::spawn().await;
    app.user("op@example.com").await;
    let (cookie, token) = form_token(&app, "/login").await;
    let attempt = |password: &str| {
        form(
            &app,
            "/login",
            &cookie,
            format!("_csrf={token}&email=op%40example.com&password={password}"),
        )
        .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong").await.unwrap().status().as_u16(), 401);
    }
    let locked = attempt(&PASSWORD.replace(' ', "+")).await.unwrap();
    assert_eq!(
        locked.status().as_u16(),
        429,
        "even the right password waits out the lock"
    );
    assert!(locked.text().await.unwrap().contains("15"));
}

#[tokio::test]
async fn first_run_setup_link_works_once() {
    let app = TestApp::spawn().await;
    let link = app.store.new_setup_token(60_000).await.unwrap();
    let path = format!("/setup/{link}");
    let (cookie, token) = form_token(&app, &path).await;

    let mismatch = form(&app, &path, &cookie, format!("_csrf={token}&email=boss%40example.com&display_name=Boss&password=long+enough+pw&password_confirm=other"))
        .send()
        .await
        .unwrap();
    assert_eq!(mismatch.status().as_u16(), 422);
    assert!(
        mismatch
            .text()
            .await
            .unwrap()
            .contains("value=\"boss@example.com\"")
    );
    assert_eq!(app.store.count_users().await.unwrap(), 0);

    let body = format!(
        "_csrf={token}&email=boss%40example.com&display_name=Boss&password=long+enough+pw&password_confirm=long+enough+pw"
    );
    let created = form(&app, &path, &cookie, body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 303);
    assert!(set_cookie(&created, "fanloop_session").is_some());
    assert_eq!(app.store.count_users().await.unwrap(), 1);

    let replay = form(&app, &path, &cookie, body.replace("boss%40", "evil%40"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status().as_u16(), 404);
    assert_eq!(app.store.count_users().await.unwrap(), 1);
}

#[tokio::test]
async fn invitation_creates_an_account_and_joins() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "品牌").await;
    let email = Email::parse("new@example.com").unwrap();
    let (_, link) = app
        .store
        .invite(ws.id(), &email, Role::Community, owner.id, 60_000)
        .await
        .unwrap();
    let path = format!("/invite/{link}");
    let (cookie, token) = form_token(&app, &path).await;
    let page = app
        .http
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("品牌") && page.contains("社群运营"), "{page}");

    let joined = form(
        &app,
        &path,
        &cookie,
        format!(
            "_csrf={token}&display_name=New&password=long+enough+pw&password_confirm=long+enough+pw"
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(joined.status().as_u16(), 303);
    assert_eq!(
        joined.headers()["location"],
        format!("/w/{}", ws.id).as_str()
    );
    let members = app.store.members(ws.id()).await.unwrap();
    assert!(
        members
            .iter()
            .any(|m| m.email == "new@example.com" && m.role == Role::Community)
    );

    let spent = app
        .http
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status().as_u16(), 404);
}

#[tokio::test]
async fn forms_refuse_invalid_utf8_and_keep_what_was_typed() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let (cookie, csrf) = app.session(&owner).await;
    let post = |body: String| form(&app, "/workspaces/new", &cookie, body).send();

    let bad = post(format!(
        "_csrf={csrf}&name=%FF%FE&timezone=Asia%2FShanghai&locale=zh-CN"
    ))
    .await
    .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert!(
        bad.text().await.unwrap().contains("name"),
        "the error names the field"
    );

    let invalid = post(format!("_csrf={csrf}&name=%E5%B0%8F%E6%BB%A1%E5%92%96%E5%95%A1&timezone=Mars%2FBase&locale=zh-CN&brand_voice=%E4%BA%B2%E5%88%87")).await.unwrap();
    assert_eq!(invalid.status().as_u16(), 422);
    let page = invalid.text().await.unwrap();
    assert!(
        page.contains("value=\"小满咖啡\"")
            && page.contains("Mars/Base")
            && page.contains(">亲切</textarea>"),
        "{page}"
    );
    assert!(page.contains("未知时区"));
    assert!(app.store.workspaces_of(owner.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn pages_escape_user_content() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "<script>alert(1)</script>").await;
    let (cookie, _) = app.session(&owner).await;
    let html = app
        .http
        .get(format!("{}/w/{}", app.url, ws.id))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let dir = crate::helpers::TempDir::new("https");
    let store = crate::helpers::sqlite_store(&dir).await;
    let app = TestApp::serve_as(store, dir, Some("https://fanloop.example")).await;
    app.user("op@example.com").await;
    let (cookie, token) = form_token(&app, "/login").await;
    let ok = form(
        &app,
        "/login",
        &cookie,
        format!(
            "_csrf={token}&email=op%40example.com&password={}",
            PASSWORD.replace(' ', "+")
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(ok.status().as_u16(), 303);
    let session = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("fanloop_session="))
        .unwrap()
        .to_owned();
    assert!(session.contains("; Secure"), "{session}");
}
