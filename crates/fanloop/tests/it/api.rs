//! The JSON API, black-box: status codes, problem bodies, tenant isolation, secrets.

use crate::helpers::TestApp;
use fanloop_domain::Role;
use serde_json::{Value, json};

async fn body(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let value = response.json().await.unwrap_or(Value::Null);
    (status, content_type, value)
}

#[tokio::test]
async fn workspace_channel_member_lifecycle() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;

    let (status, _, ws) = body(
        app.post_json("/api/v1/workspaces", &token, &json!({"name": "小满咖啡"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{ws}");
    assert_eq!(ws["timezone"], "Asia/Shanghai");
    assert_eq!(ws["role"], "owner");
    let id = ws["id"].as_i64().unwrap();

    let (status, _, list) = body(app.get("/api/v1/workspaces", &token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, _, one) = body(
        app.get(&format!("/api/v1/workspaces/{id}"), &token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, one["name"].as_str()), (200, Some("小满咖啡")));

    // A sandbox channel needs no settings; a Mastodon channel's token is a secret.
    let channels = format!("/api/v1/workspaces/{id}/channels");
    let (status, _, sandbox) = body(
        app.post_json(
            &channels,
            &token,
            &json!({"platform": "sandbox", "name": "沙盒"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{sandbox}");
    assert!(sandbox["id"].as_i64().is_some());
    let mastodon = json!({"platform": "mastodon", "name": "M", "settings": {"instance_url": "https://m.example", "access_token": "s3cr3t-token"}});
    let (status, _, created) = body(
        app.post_json(&channels, &token, &mastodon)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["secrets_set"], json!(["access_token"]));
    let listed = app
        .get(&channels, &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !listed.contains("s3cr3t-token"),
        "secrets must never be returned: {listed}"
    );
    assert!(listed.contains("https://m.example"));

    // At rest the secret is ciphertext; through the vault it is the original.
    let db = std::fs::read(app.dir.0.join("fanloop.db")).unwrap();
    let wal = std::fs::read(app.dir.0.join("fanloop.db-wal")).unwrap_or_default();
    let needle = b"s3cr3t-token";
    assert!(
        !db.windows(needle.len()).any(|w| w == needle)
            && !wal.windows(needle.len()).any(|w| w == needle)
    );
    let secrets = app
        .store
        .channel_secrets(
            fanloop_domain::WorkspaceId(id),
            fanloop_domain::ChannelId(created["id"].as_i64().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(
        secrets.get("access_token").map(String::as_str),
        Some("s3cr3t-token")
    );

    // Members: an existing account joins at once; a stranger gets an invitation link.
    let editor = app.user("editor@example.com").await;
    let members = format!("/api/v1/workspaces/{id}/members");
    let (status, _, joined) = body(
        app.post_json(
            &members,
            &token,
            &json!({"email": "Editor@Example.com", "role": "editor"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, joined["status"].as_str()),
        (201, Some("joined")),
        "{joined}"
    );
    assert_eq!(joined["id"].as_i64(), Some(editor.id.0));
    let (status, _, invited) = body(
        app.post_json(
            &members,
            &token,
            &json!({"email": "new@example.com", "role": "analyst"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, invited["status"].as_str()),
        (201, Some("invited")),
        "{invited}"
    );
    assert!(
        invited["invite_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/invite/fli_", app.url))
    );
    assert!(invited["id"].as_i64().is_some());
    let (status, _, again) = body(
        app.post_json(
            &members,
            &token,
            &json!({"email": "editor@example.com", "role": "viewer"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "{again}");
    let (status, _, again) = body(
        app.post_json(
            &members,
            &token,
            &json!({"email": "new@example.com", "role": "viewer"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "{again}");
    let (_, _, team) = body(app.get(&members, &token).send().await.unwrap()).await;
    assert_eq!(team.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_input_gets_a_clear_problem_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let channels = format!("/api/v1/workspaces/{}/channels", ws.id);
    let url = |p: &str| format!("{}{p}", app.url);

    let raw = |path: &str, body: &'static [u8]| {
        app.http
            .post(url(path))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
    };
    let cases: Vec<(reqwest::RequestBuilder, u16, Option<&str>)> = vec![
        (raw("/api/v1/workspaces", b"{\"name\": "), 400, None),
        (raw("/api/v1/workspaces", b"{\"name\": \"\xff\"}"), 400, None),
        (raw("/api/v1/workspaces", b"[]"), 422, None),
        (raw("/api/v1/workspaces", b"{\"name\": 5}"), 422, Some("name")),
        (raw("/api/v1/workspaces", b"{\"name\": \"x\", \"colour\": \"red\"}"), 422, Some("colour")),
        (raw("/api/v1/workspaces", b"{}"), 422, Some("name")),
        (raw("/api/v1/workspaces", b"{\"name\": \"x\", \"timezone\": \"Mars/Olympus\"}"), 422, Some("timezone")),
        (raw("/api/v1/workspaces", b"{\"name\": \"   \"}"), 422, Some("name")),
        (raw(&channels, b"{\"platform\": \"myspace\", \"name\": \"x\"}"), 422, Some("platform")),
        (raw(&channels, b"{\"platform\": \"mastodon\", \"name\": \"x\", \"settings\": {\"instance_url\": \"http://evil.example\", \"access_token\": \"t\"}}"), 422, Some("settings.instance_url")),
        (raw(&channels, b"{\"platform\": \"mastodon\", \"name\": \"x\"}"), 422, Some("settings.instance_url")),
        (app.http.post(url("/api/v1/workspaces")).bearer_auth(&token).header("content-type", "text/plain").body("{}"), 415, None),
        (app.http.post(url("/api/v1/workspaces")).bearer_auth(&token).header("content-type", "application/json").body(vec![b' '; 2 * 1024 * 1024]), 413, None),
        (app.http.get(url("/api/v1/workspaces")).bearer_auth("flp_wrong"), 401, None),
        (app.http.get(url("/api/v1/workspaces")), 401, None),
        (app.http.get(url("/api/v1/workspaces/999999")).bearer_auth(&token), 404, None),
        (app.http.get(url("/api/v1/workspaces/abc")).bearer_auth(&token), 404, None),
        (app.http.get(url("/api/v1/nothing-here")).bearer_auth(&token), 404, None),
    ];
    for (request, want, field) in cases {
        let response = request.send().await.unwrap();
        let (status, content_type, problem) = body(response).await;
        assert_eq!(status, want, "{problem}");
        assert_eq!(content_type, "application/problem+json", "{problem}");
        assert_eq!(problem["status"].as_u64(), Some(want as u64));
        assert!(
            !problem["detail"].as_str().unwrap_or("").is_empty(),
            "{problem}"
        );
        if let Some(field) = field {
            let fields: Vec<&str> = problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["field"].as_str())
                .collect();
            assert!(fields.contains(&field), "expected {field} in {problem}");
        }
    }
    // Nothing was created by any of them.
    assert_eq!(app.store.workspaces_of(owner.id).await.unwrap().len(), 1);
    assert!(app.store.channels(ws.id()).await.unwrap().is_empty());
}

#[tokio::test]
async fn problems_speak_the_callers_language() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ask = |lang: &'static str| {
        app.post_json(
            "/api/v1/workspaces",
            &token,
            &json!({"name": "x", "timezone": "Nowhere"}),
        )
        .header("accept-language", lang)
        .send()
    };
    let (_, _, zh) = body(ask("zh-CN").await.unwrap()).await;
    let (_, _, en) = body(ask("en").await.unwrap()).await;
    assert!(
        zh["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("时区"),
        "{zh}"
    );
    assert!(
        en["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("time zone"),
        "{en}"
    );
}

#[tokio::test]
async fn tenants_never_see_each_other() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice@example.com").await;
    let bob = app.user("bob@example.com").await;
    let a_ws = app.workspace(&alice, "Alice Brand").await;
    let b_token = app.token(&bob).await;
    for path in [
        format!("/api/v1/workspaces/{}", a_ws.id),
        format!("/api/v1/workspaces/{}/channels", a_ws.id),
        format!("/api/v1/workspaces/{}/members", a_ws.id),
    ] {
        assert_eq!(
            app.get(&path, &b_token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            404,
            "{path}"
        );
    }
    let post = app.post_json(
        &format!("/api/v1/workspaces/{}/channels", a_ws.id),
        &b_token,
        &json!({"platform": "sandbox", "name": "x"}),
    );
    assert_eq!(post.send().await.unwrap().status().as_u16(), 404);
    let listed: Value = app
        .get("/api/v1/workspaces", &b_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
    assert!(app.store.channels(a_ws.id()).await.unwrap().is_empty());
}

#[tokio::test]
async fn admins_cannot_make_owners() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, admin_token) = app.member(&ws, &owner, Role::Admin).await;
    let members = format!("/api/v1/workspaces/{}/members", ws.id);
    let response = app
        .post_json(
            &members,
            &admin_token,
            &json!({"email": "x@example.com", "role": "owner"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let response = app
        .post_json(
            &members,
            &admin_token,
            &json!({"email": "x@example.com", "role": "editor"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn operations_endpoints() {
    let app = TestApp::spawn().await;
    let get = |p: &str| app.http.get(format!("{}{p}", app.url)).send();
    assert_eq!(get("/healthz").await.unwrap().status().as_u16(), 200);
    assert_eq!(get("/readyz").await.unwrap().status().as_u16(), 200);
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("fanloop_http_requests_total{class=\"2xx\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("fanloop_info{version="));
    let doc: Value = get("/api/v1/openapi.json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/workspaces/{id}/channels"]["post"].is_object());
    let css = get("/assets/app.css").await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(
        get("/assets/missing.js").await.unwrap().status().as_u16(),
        404
    );
    app.store.close().await;
    assert_eq!(get("/readyz").await.unwrap().status().as_u16(), 503);
}

#[tokio::test]
async fn team_changes_keep_an_owner() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let owner_token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (admin, admin_token) = app.member(&ws, &owner, Role::Admin).await;
    let (editor, _) = app.member(&ws, &owner, Role::Editor).await;
    let member = |user: i64| format!("{}/api/v1/workspaces/{}/members/{user}", app.url, ws.id);
    let patch = |token: &str, user: i64, role: &str| {
        app.http
            .patch(member(user))
            .bearer_auth(token)
            .json(&json!({"role": role}))
            .send()
    };

    let (status, _, changed) = body(
        patch(&admin_token, editor.id.0, "editor_in_chief")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, changed["role"].as_str()),
        (200, Some("editor_in_chief")),
        "{changed}"
    );
    assert_eq!(
        patch(&admin_token, owner.id.0, "viewer")
            .await
            .unwrap()
            .status()
            .as_u16(),
        403,
        "admins cannot demote owners"
    );
    assert_eq!(
        patch(&admin_token, editor.id.0, "owner")
            .await
            .unwrap()
            .status()
            .as_u16(),
        403,
        "nor crown one"
    );
    assert_eq!(
        patch(&owner_token, editor.id.0, "emperor")
            .await
            .unwrap()
            .status()
            .as_u16(),
        422
    );
    assert_eq!(
        patch(&owner_token, 999_999, "viewer")
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let (status, _, problem) = body(patch(&owner_token, owner.id.0, "viewer").await.unwrap()).await;
    assert_eq!(status, 409, "the last owner stays: {problem}");
    let delete = app
        .http
        .delete(member(owner.id.0))
        .bearer_auth(&owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status().as_u16(), 409);

    let delete = app
        .http
        .delete(member(admin.id.0))
        .bearer_auth(&owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status().as_u16(), 204);
    assert_eq!(
        app.get(&format!("/api/v1/workspaces/{}", ws.id), &admin_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404,
        "a removed member loses access at once"
    );
    assert_eq!(app.store.members(ws.id()).await.unwrap().len(), 2);

    let channel = app
        .post_json(
            &format!("/api/v1/workspaces/{}/channels", ws.id),
            &owner_token,
            &json!({"platform": "sandbox", "name": "x"}),
        )
        .send()
        .await
        .unwrap();
    let id = channel.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let url = format!("{}/api/v1/workspaces/{}/channels/{id}", app.url, ws.id);
    assert_eq!(
        app.http
            .delete(&url)
            .bearer_auth(&owner_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        204
    );
    assert_eq!(
        app.http
            .delete(&url)
            .bearer_auth(&owner_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    assert!(app.store.channels(ws.id()).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_workspace_theme_shapes_previews() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, chief) = app.member(&ws, &owner, Role::EditorInChief).await;
    let theme = format!("{}/api/v1/workspaces/{}/theme", app.url, ws.id);
    let put = |token: &str, body: Value| app.http.put(&theme).bearer_auth(token).json(&body).send();

    let (status, _, current) = body(
        app.http
            .get(&theme)
            .bearer_auth(&chief)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, current),
        (200, json!({"theme": "default", "custom_css": ""}))
    );
    let custom = json!({"theme": "elegant", "custom_css": "h2 { color: #123456; }"});
    assert_eq!(
        put(&chief, custom.clone()).await.unwrap().status().as_u16(),
        403
    );
    let (status, _, problem) = body(
        put(&token, json!({"theme": "neon", "custom_css": ""}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("theme"))
    );
    let (status, _, problem) = body(
        put(
            &token,
            json!({"theme": "tech", "custom_css": "h2 { color: red; }\np { position: absolute; }"}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("custom_css"))
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains('2'),
        "the error names line 2: {problem}"
    );
    assert_eq!(put(&token, custom).await.unwrap().status().as_u16(), 200);

    // The settings page and a WeChat variant's preview both use it.
    let (cookie, _) = app.session(&owner).await;
    let page = app
        .http
        .get(format!("{}/w/{}/settings/theme", app.url, ws.id))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("#123456"),
        "the sample is rendered in the theme"
    );
    let wechat = json!({"platform": "wechat_oa", "name": "公众号", "settings": {"app_id": "wx1", "app_secret": "s", "token": "t"}});
    let (_, _, channel) = body(
        app.post_json(
            &format!("/api/v1/workspaces/{}/channels", ws.id),
            &token,
            &wechat,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let post =
        json!({"title": "标题", "body": "## 小标题\n\n正文", "channel_ids": [channel["id"]]});
    let (_, _, created) = body(
        app.post_json(
            &format!("/api/v1/workspaces/{}/posts", ws.id),
            &token,
            &post,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let detail = app
        .http
        .get(format!("{}/w/{}/content/{}", app.url, ws.id, created["id"]))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        detail.contains("#123456"),
        "the variant preview uses the workspace theme"
    );
}
