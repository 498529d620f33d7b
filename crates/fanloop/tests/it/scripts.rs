//! Short-video scripts and workspace word lists through the API and the pages, and the
//! store's part of both as a suite the PostgreSQL run can reuse.

use crate::helpers::{TempDir, TestApp, sqlite_store};
use fanloop_domain::script::{RawShot, ScriptDraft};
use fanloop_domain::{DisplayName, Email, Locale, Role, WorkspaceProfile};
use serde_json::{Value, json};

fn shot(seconds: f64, voice_over: &str) -> Value {
    json!({"scene": "厨房", "size": "close_up", "duration": seconds, "voice_over": voice_over})
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn scripts_total_their_shots_and_judge_the_hook() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, viewer) = app.member(&ws, &owner, Role::Viewer).await;
    let base = format!("/api/v1/workspaces/{}/scripts", ws.id);

    let hooked =
        json!({"title": "早餐三分钟", "shots": [shot(2.5, "你知道吗？"), shot(4.0, "先热锅")]});
    let response = app.post_json(&base, &token, &hooked).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["total_duration"], 6.5);
    assert_eq!(created["shots"][1]["start"], 2.5);
    assert_eq!(created["hook"]["passed"], true);
    assert_eq!(created["hook"]["devices"], json!(["question"]));

    let flat = json!({"title": "开箱", "shots": [shot(3.0, "大家好"), shot(2.0, "为什么？")]});
    let flat: Value = app
        .post_json(&base, &token, &flat)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(flat["hook"]["passed"], false);
    assert_eq!(flat["hook"]["failed_rule"], "no_hook_device");
    let silent = json!({"title": "空镜", "shots": [{"size": "long", "duration": 5}]});
    let silent: Value = app
        .post_json(&base, &token, &silent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(silent["hook"]["failed_rule"], "silent_opening");

    // Every refused cell is named; nothing is stored.
    let bad = json!({"title": "", "shots": [shot(0.2, ""), {"size": "wide", "duration": 3}]});
    let response = app.post_json(&base, &token, &bad).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        fields(&problem),
        ["title", "shots[0].duration", "shots[1].size"]
    );
    let wrong_type = json!({"title": "x", "shots": [{"size": "long", "duration": "3s"}]});
    let response = app
        .post_json(&base, &token, &wrong_type)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let elsewhere = json!({"title": "x", "post_id": 999_999, "shots": []});
    let problem: Value = app
        .post_json(&base, &token, &elsewhere)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fields(&problem), ["post_id"]);

    // Viewers read but do not write.
    let response = app.post_json(&base, &viewer, &hooked).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let list: Value = app
        .get(&base, &viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(3));

    // Editing replaces the shot list.
    let one = format!("{base}/{}", created["id"]);
    let edited = json!({"title": "早餐三分钟", "shots": [shot(1.0, "别再这样煎蛋")]});
    let response = app
        .http
        .put(format!("{}{one}", app.url))
        .bearer_auth(&token)
        .json(&edited)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let got: Value = app
        .get(&one, &viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["total_duration"], 1.0);
    assert_eq!(got["hook"]["devices"], json!(["strong_claim"]));

    // Another tenant's script does not exist for this workspace.
    let other_owner = app.user("other@example.com").await;
    let other_token = app.token(&other_owner).await;
    let other = app.workspace(&other_owner, "别家").await;
    let theirs = format!("/api/v1/workspaces/{}/scripts/{}", other.id, created["id"]);
    let status = app
        .get(&theirs, &other_token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 404);
    let status = app.get(&one, &other_token).send().await.unwrap().status();
    assert_eq!(status.as_u16(), 404);
}

#[tokio::test]
async fn word_lists_save_refuse_bad_lines_and_reach_the_linter() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, editor) = app.member(&ws, &owner, Role::Editor).await;
    let lists = format!("/api/v1/workspaces/{}/word-lists", ws.id);
    let put = |token: &str, body: Value| {
        app.http
            .put(format!("{}{lists}", app.url))
            .bearer_auth(token)
            .header("accept-language", "en")
            .json(&body)
            .send()
    };

    let empty: Value = app
        .get(&lists, &editor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty["banned"], "");
    assert_eq!(empty["packs"], json!([]));

    // A script checked before the lists exist has no workspace findings.
    let script = json!({"title": "新品", "shots": [shot(2.0, "竞品A 都做不到的特效，亲")]});
    let created: Value = app
        .post_json(
            &format!("/api/v1/workspaces/{}/scripts", ws.id),
            &editor,
            &script,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rules = |script: &Value| -> Vec<String> {
        script["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        format!(
                            "{} {}/{}",
                            f["field"].as_str().unwrap_or(""),
                            f["rule"].as_str().unwrap_or(""),
                            f["category"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(
        !rules(&created).iter().any(|r| r.contains("workspace/")),
        "{:?}",
        rules(&created)
    );
    assert!(!rules(&created).iter().any(|r| r.contains("cosmetics/")));

    let refused = put(
        &editor,
        json!({"banned": "竞品A", "preferred": "", "packs": []}),
    );
    assert_eq!(
        refused.await.unwrap().status().as_u16(),
        403,
        "editors may not"
    );
    let bad =
        json!({"banned": "竞品A\n亲 => 您", "preferred": "亲 => 您\n宝宝", "packs": ["tobacco"]});
    let response = put(&token, bad).await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(fields(&problem), ["banned", "preferred", "packs"]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Line 2")
    );
    assert!(
        problem["errors"][1]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Line 2")
    );
    let missing = put(&token, json!({"banned": "x"})).await.unwrap();
    assert_eq!(
        missing.status().as_u16(),
        422,
        "a partial body cannot wipe a list"
    );

    let good = json!({"banned": "# 竞品\n竞品A", "preferred": "亲 => 您", "packs": ["cosmetics"]});
    let saved: Value = put(&token, good).await.unwrap().json().await.unwrap();
    assert_eq!(saved["banned"], "# 竞品\n竞品A");
    assert_eq!(saved["packs"], json!(["cosmetics"]));
    let url = format!("/api/v1/workspaces/{}/scripts/{}", ws.id, created["id"]);
    let linted: Value = app
        .get(&url, &editor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let found = rules(&linted);
    for expected in [
        "shots[0].voice_over workspace/banned",
        "shots[0].voice_over workspace/preferred",
        "shots[0].voice_over cosmetics/efficacy",
    ] {
        assert!(
            found.iter().any(|r| r == expected),
            "{expected} in {found:?}"
        );
    }
    // Switching the pack off takes effect at once (the cached linter is rebuilt).
    let off = json!({"banned": "竞品A", "preferred": "", "packs": []});
    assert_eq!(put(&token, off).await.unwrap().status().as_u16(), 200);
    let linted: Value = app
        .get(&url, &editor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let found = rules(&linted);
    assert!(
        !found
            .iter()
            .any(|r| r.contains("cosmetics/") || r.contains("preferred")),
        "{found:?}"
    );
}

#[tokio::test]
async fn the_pages_edit_scripts_and_word_lists() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "品牌").await;
    let (cookie, csrf) = app.session(&owner).await;
    let get = |path: String| {
        app.http
            .get(format!("{}{path}", app.url))
            .header("cookie", &cookie)
            .send()
    };
    let post = |path: String, body: String| {
        app.http
            .post(format!("{}{path}", app.url))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={csrf}&{body}"))
            .send()
    };
    let w = format!("/w/{}", ws.id);

    let empty = get(format!("{w}/scripts"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(empty.contains("还没有短视频脚本"), "empty state");
    // Adding a row re-renders with one more row and saves nothing.
    let row = "scene=a&size=medium&duration=3&voice_over=&on_screen_text=";
    let added = post(
        format!("{w}/scripts/new"),
        format!("title=T&action=add&{row}"),
    )
    .await
    .unwrap();
    assert_eq!(added.status().as_u16(), 200);
    assert_eq!(
        added
            .text()
            .await
            .unwrap()
            .matches("name=\"voice_over\"")
            .count(),
        2
    );
    // A bad duration is shown beside its cell, the typed title kept.
    let refused = post(format!("{w}/scripts/new"), "title=%E6%97%A9%E9%A4%90&action=save&scene=&size=medium&duration=0&voice_over=&on_screen_text=".into()).await.unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("value=\"早餐\"") && html.contains("0.5"),
        "inline error"
    );
    let body = "title=%E6%97%A9%E9%A4%90&action=save&scene=&size=close_up&duration=2&voice_over=3+%E4%B8%AA%E6%8A%80%E5%B7%A7&on_screen_text=";
    let saved = post(format!("{w}/scripts/new"), body.into()).await.unwrap();
    assert_eq!(saved.status().as_u16(), 303);
    let list = get(format!("{w}/scripts"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("早餐") && list.contains("hook-pass"),
        "list shows the verdict"
    );

    // Word lists: a refused save keeps what was typed and names the line.
    let words = format!("{w}/settings/words");
    let page = get(words.clone()).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let typed = "banned=%E7%AB%9E%E5%93%81A%0Aa+%3D%3E+b&preferred=&pack=food";
    let refused = post(words.clone(), typed.into()).await.unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("竞品A\na =&gt; b") || html.contains("竞品A\na =&#62; b"),
        "typed text kept"
    );
    assert!(html.contains("第 2 行"));
    let ok = post(
        words.clone(),
        "banned=%E7%AB%9E%E5%93%81A&preferred=&pack=food".into(),
    )
    .await
    .unwrap();
    assert_eq!(ok.status().as_u16(), 303);

    // A file import (multipart, CSRF in the header as htmx sends it) is appended for review.
    let import = |parts: Vec<(&'static str, Vec<u8>)>| {
        let (content_type, body) = multipart(&parts);
        app.http
            .post(format!("{}{words}/import", app.url))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("hx-request", "true")
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let file = "\u{feff}竞品B\r\n竞品C\r\n".as_bytes().to_vec();
    let imported = import(vec![
        ("banned", "竞品A".as_bytes().to_vec()),
        ("preferred", Vec::new()),
        ("pack", b"food".to_vec()),
        ("target", b"banned".to_vec()),
        ("file", file),
    ])
    .await
    .unwrap();
    assert_eq!(imported.status().as_u16(), 200);
    let html = imported.text().await.unwrap();
    assert!(html.contains("竞品A\n竞品B\n竞品C"), "appended, not saved");
    let lists = app.store.word_lists(ws.id()).await.unwrap();
    assert_eq!(lists.banned, "竞品A");
    assert_eq!(lists.packs, ["food"]);
    let bad_file = vec![("target", b"banned".to_vec()), ("file", vec![b'a', 0xff])];
    let html = import(bad_file).await.unwrap().text().await.unwrap();
    assert!(html.contains("第 1 字节"), "names the byte offset");
}

/// A `multipart/form-data` body as a browser sends it (the `file` part named as a file).
fn multipart(parts: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "fanloopboundary7d3c";
    let mut body = Vec::new();
    for (name, value) in parts {
        let file = if *name == "file" {
            "; filename=\"list.txt\"\r\nContent-Type: text/plain"
        } else {
            ""
        };
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(value);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The store's scripts and word lists; run on SQLite here and on PostgreSQL by the store
/// conformance suite.
pub async fn scripts_store_suite(store: &fanloop_store::Store) {
    let tag = &fanloop_store::new_token("")[..8];
    let email = Email::parse(&format!("scripts-{tag}@example.com")).unwrap();
    let user = store
        .create_user(
            &email,
            &DisplayName::parse("编导").unwrap(),
            "x",
            Locale::ZhCn,
        )
        .await
        .unwrap();
    let profile = WorkspaceProfile::parse("脚本", "Asia/Shanghai", "zh-CN", "").unwrap();
    let ws = store.create_workspace(user.id, &profile).await.unwrap();
    let other = store.create_workspace(user.id, &profile).await.unwrap();
    let raw = |voice_over: &'static str| RawShot {
        scene: "门店",
        size: "long",
        seconds: Some(1.5),
        voice_over,
        on_screen_text: "",
    };
    let draft = ScriptDraft::parse("探店", None, &[raw("一"), raw("二")]).unwrap();
    let id = store.create_script(ws.id(), user.id, &draft).await.unwrap();
    let got = store.script(ws.id(), id).await.unwrap().unwrap();
    assert_eq!(got.title, "探店");
    assert_eq!(got.shots.len(), 2);
    assert_eq!(got.shots[1].voice_over, "二", "order kept");
    assert!(store.script(other.id(), id).await.unwrap().is_none());
    let shorter = ScriptDraft::parse("探店 2", None, &[raw("三")]).unwrap();
    store
        .update_script(ws.id(), id, user.id, &shorter)
        .await
        .unwrap();
    let list = store.scripts(ws.id()).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].title.as_str(), list[0].shots.len()), ("探店 2", 1));
    let denied = store.update_script(other.id(), id, user.id, &shorter).await;
    assert!(matches!(denied, Err(fanloop_store::StoreError::NotFound)));
    assert!(!store.post_in_workspace(ws.id(), 999_999).await.unwrap());

    assert_eq!(store.word_lists_version(ws.id()).await.unwrap(), "");
    let v1 = store
        .set_word_lists(
            ws.id(),
            "竞品A",
            "亲 => 您",
            &["cosmetics", "food"],
            user.id,
        )
        .await
        .unwrap();
    let lists = store.word_lists(ws.id()).await.unwrap();
    assert_eq!(lists.packs, ["cosmetics", "food"]);
    assert_eq!(lists.version, v1);
    let v2 = store
        .set_word_lists(ws.id(), "", "", &[], user.id)
        .await
        .unwrap();
    assert_ne!(v1, v2);
    assert_eq!(store.word_lists_version(ws.id()).await.unwrap(), v2);
    assert!(store.word_lists(ws.id()).await.unwrap().packs.is_empty());
    assert_eq!(store.word_lists(other.id()).await.unwrap().version, "");
}

#[tokio::test]
async fn scripts_store_on_sqlite() {
    let dir = TempDir::new("scripts-store");
    let store = sqlite_store(&dir).await;
    scripts_store_suite(&store).await;
}
