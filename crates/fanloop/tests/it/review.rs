//! Posts and review through the API: one master, a variant per channel, and the
//! approval rules deciding every transition.

use crate::helpers::TestApp;
use fanloop_domain::Role;
use serde_json::{Value, json};

async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_post_moves_through_review_under_the_rules() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let owner_token = app.token(&owner).await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    let (_, editor) = app.member(&ws, &owner, Role::Editor).await;
    let (chief_user, chief) = app.member(&ws, &owner, Role::EditorInChief).await;
    let (_, viewer) = app.member(&ws, &owner, Role::Viewer).await;
    let base = format!("/api/v1/workspaces/{}", ws.id);
    let mut channels = Vec::new();
    for name in ["公众号", "小红书"] {
        let (_, c) = call(app.post_json(
            &format!("{base}/channels"),
            &owner_token,
            &json!({"platform": "sandbox", "name": name}),
        ))
        .await;
        channels.push(c["id"].as_i64().unwrap());
    }
    let other = app.workspace(&owner, "别的品牌").await;
    let (_, foreign) = call(app.post_json(
        &format!("/api/v1/workspaces/{}/channels", other.id),
        &owner_token,
        &json!({"platform": "sandbox", "name": "x"}),
    ))
    .await;

    let new = json!({"title": "秋季新品", "body": "# 秋季新品\n\n桂花拿铁上市。", "channel_ids": channels, "tags": ["咖啡", "#秋天"]});
    let (status, post) = call(app.post_json(&format!("{base}/posts"), &editor, &new)).await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(
        (post["status"].as_str(), post["version"].as_i64()),
        (Some("draft"), Some(1))
    );
    assert_eq!(post["variants"].as_array().unwrap().len(), 2);
    assert_eq!(post["tags"], json!(["咖啡", "秋天"]));
    let id = post["id"].as_i64().unwrap();
    let path = |action: &str| format!("{base}/posts/{id}{action}");

    let stolen = json!({"title": "x", "body": "y", "channel_ids": [foreign["id"]]});
    let (status, problem) = call(app.post_json(&format!("{base}/posts"), &editor, &stolen)).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("channel_ids"))
    );
    assert_eq!(
        call(app.post_json(&format!("{base}/posts"), &viewer, &new))
            .await
            .0,
        403
    );

    // Draft → in review → changes requested → (edit) → in review → approved.
    assert_eq!(
        call(app.post_json(&path("/approve"), &chief, &json!({})))
            .await
            .0,
        409,
        "a draft cannot be approved"
    );
    assert_eq!(
        call(app.post_json(&path("/approve"), &editor, &json!({})))
            .await
            .0,
        403,
        "editors do not approve"
    );
    let (status, post) = call(
        app.http
            .post(format!("{}{}", app.url, path("/submit")))
            .bearer_auth(&editor),
    )
    .await;
    assert_eq!(
        (status, post["status"].as_str()),
        (200, Some("in_review")),
        "{post}"
    );
    let (status, problem) =
        call(app.post_json(&path("/request-changes"), &chief, &json!({"comment": " "}))).await;
    assert_eq!(status, 422, "{problem}");
    let (status, post) = call(app.post_json(
        &path("/request-changes"),
        &chief,
        &json!({"comment": "标题再短一点"}),
    ))
    .await;
    assert_eq!(
        (status, post["status"].as_str()),
        (200, Some("changes_requested"))
    );
    let (status, post) = call(
        app.http
            .put(format!("{}{}", app.url, path("")))
            .bearer_auth(&editor)
            .json(&json!({"title": "桂花拿铁", "body": "正文 v2"})),
    )
    .await;
    assert_eq!(
        (status, post["version"].as_i64(), post["status"].as_str()),
        (200, Some(2), Some("changes_requested"))
    );
    assert_eq!(
        post["variants"][0]["title"], "桂花拿铁",
        "variants follow the master until edited on their own"
    );
    call(app.post_json(&path("/submit"), &editor, &json!({}))).await;
    let (status, post) = call(app.post_json(&path("/approve"), &chief, &json!({}))).await;
    assert_eq!(
        (status, post["status"].as_str()),
        (200, Some("approved")),
        "{post}"
    );
    assert_eq!(post["approved_by"], json!([chief_user.id.0]));

    // Editing an approved post sends it back to review; the old approval does not count.
    let (_, post) = call(
        app.http
            .put(format!("{}{}", app.url, path("")))
            .bearer_auth(&editor)
            .json(&json!({"title": "桂花拿铁", "body": "正文 v3"})),
    )
    .await;
    assert_eq!(
        (post["status"].as_str(), post["version"].as_i64()),
        (Some("in_review"), Some(3))
    );
    assert_eq!(post["approved_by"], json!([]));

    let (_, full) = call(app.get(&path(""), &owner_token)).await;
    let actions: Vec<&str> = full["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "submit",
            "request_changes",
            "edit",
            "submit",
            "approve",
            "edit"
        ]
    );
    assert_eq!(full["history"][2]["note"], "标题再短一点");
    let (_, listed) = call(app.get(&format!("{base}/posts"), &viewer)).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        call(app.get(
            &format!("/api/v1/workspaces/{}/posts/{id}", other.id),
            &owner_token
        ))
        .await
        .0,
        404,
        "posts are scoped to their workspace"
    );
}

#[tokio::test]
async fn approval_rules_are_edited_by_owners_and_admins() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let owner_token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, chief) = app.member(&ws, &owner, Role::EditorInChief).await;
    let rules = format!("{}/api/v1/workspaces/{}/approval-rules", app.url, ws.id);

    let (status, current) = call(app.http.get(&rules).bearer_auth(&chief)).await;
    assert_eq!(status, 200);
    assert_eq!(
        current,
        json!({"required_approvals": 1, "author_may_approve": false, "lint_errors_block": true, "approver_roles": ["owner", "admin", "editor_in_chief"]})
    );
    let solo = json!({"required_approvals": 0, "author_may_approve": true, "lint_errors_block": false, "approver_roles": ["owner"]});
    assert_eq!(
        call(app.http.put(&rules).bearer_auth(&chief).json(&solo))
            .await
            .0,
        403
    );
    let bad = json!({"required_approvals": 9, "author_may_approve": true, "lint_errors_block": false, "approver_roles": ["viewer"]});
    let (status, problem) = call(app.http.put(&rules).bearer_auth(&owner_token).json(&bad)).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    let (status, saved) = call(app.http.put(&rules).bearer_auth(&owner_token).json(&solo)).await;
    assert_eq!((status, &saved), (200, &solo));

    // A solo operator's submit goes straight to approved.
    let (_, post) = call(app.post_json(
        &format!("/api/v1/workspaces/{}/posts", ws.id),
        &owner_token,
        &json!({"title": "t", "body": "b"}),
    ))
    .await;
    let (status, post) = call(
        app.http
            .post(format!(
                "{}/api/v1/workspaces/{}/posts/{}/submit",
                app.url, ws.id, post["id"]
            ))
            .bearer_auth(&owner_token),
    )
    .await;
    assert_eq!(
        (status, post["status"].as_str()),
        (200, Some("approved")),
        "{post}"
    );
}

#[tokio::test]
async fn lint_errors_block_submission_unless_an_owner_overrides() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let owner_token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, editor) = app.member(&ws, &owner, Role::Editor).await;
    let base = format!("/api/v1/workspaces/{}", ws.id);
    let (_, weibo) = call(app.post_json(
        &format!("{base}/channels"),
        &owner_token,
        &json!({"platform": "weibo", "name": "微博", "settings": {"access_token": "t"}}),
    ))
    .await;
    let claim = json!({"title": "震惊！全网最低价", "body": "国家级品质，第一次来的朋友有惊喜。", "channel_ids": [weibo["id"]]});
    let (_, post) = call(app.post_json(&format!("{base}/posts"), &editor, &claim)).await;
    let id = post["id"].as_i64().unwrap();

    let (status, lint) = call(app.get(&format!("{base}/posts/{id}/lint"), &editor)).await;
    assert_eq!(status, 200);
    let master = &lint[0];
    assert!(
        master["platform"].is_null() && master["errors"].as_u64().unwrap() >= 2,
        "{master}"
    );
    let flagged: Vec<&str> = master["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert!(
        flagged.contains(&"全网最低价") && flagged.contains(&"国家级"),
        "{flagged:?}"
    );
    assert!(
        !flagged.iter().any(|t| t.contains("第一次")),
        "benign compounds are not claims: {flagged:?}"
    );
    assert_eq!(lint[1]["platform"], "weibo");

    let submit = |token: &str, body: Value| {
        app.post_json(&format!("{base}/posts/{id}/submit"), token, &body)
    };
    let (status, problem) = call(submit(&editor, json!({}))).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("合规"),
        "{problem}"
    );
    assert_eq!(
        call(submit(&editor, json!({"override_reason": "法务已确认"})))
            .await
            .0,
        403,
        "only owners override"
    );
    let (status, post) = call(submit(
        &owner_token,
        json!({"override_reason": "法务已确认"}),
    ))
    .await;
    assert_eq!(
        (status, post["status"].as_str()),
        (200, Some("in_review")),
        "{post}"
    );
    let note = post["history"].as_array().unwrap().last().unwrap()["note"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        note, "override: 法务已确认",
        "the override and its reason are on record"
    );
}
