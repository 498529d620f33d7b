//! Post extras through the API and the pages: assignee and due date, covers, version
//! diffs, comments with @mentions, variants edited on their own, and the live preview.
//! `post_extras_store_suite` is the store's part, run on SQLite here and on PostgreSQL
//! by the conformance run.

use crate::helpers::{TempDir, TestApp, sqlite_store};
use fanloop_domain::{
    ChannelDraft, ChannelId, Decision, DisplayName, Email, Locale, PostStatus, Role,
    WorkspaceProfile,
};
use fanloop_store::post_extras::{PostMeta, VariantEdit};
use fanloop_store::{NewPost, Store, StoreError};
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn assignee_due_date_covers_versions_comments_and_variants() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let owner_token = app.token(&owner).await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    let (editor_user, editor) = app.member(&ws, &owner, Role::Editor).await;
    let (chief_user, chief) = app.member(&ws, &owner, Role::EditorInChief).await;
    let (_, viewer) = app.member(&ws, &owner, Role::Viewer).await;
    let (_, community) = app.member(&ws, &owner, Role::Community).await;
    let outsider = app.user("outsider@example.com").await;
    let base = format!("/api/v1/workspaces/{}", ws.id);
    let (_, channel) = call(app.post_json(
        &format!("{base}/channels"),
        &owner_token,
        &json!({"platform": "weibo", "name": "微博", "settings": {"access_token": "t"}}),
    ))
    .await;

    // Assignee and due date: members only, real dates only, covers of this workspace only.
    let new = |extra: Value| {
        let mut body = json!({"title": "秋季新品", "body": "第一行\n第二行\n第三行\n", "channel_ids": [channel["id"]]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for (extra, field) in [
        (json!({"assignee_id": outsider.id.0}), "assignee_id"),
        (json!({"due_date": "2025-02-30"}), "due_date"),
        (json!({"cover_media_id": 999_999}), "cover_media_id"),
    ] {
        let (status, problem) =
            call(app.post_json(&format!("{base}/posts"), &editor, &new(extra))).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some(field))
        );
    }
    let (status, post) = call(app.post_json(
        &format!("{base}/posts"),
        &editor,
        &new(json!({"assignee_id": editor_user.id.0, "due_date": "2000-01-31"})),
    ))
    .await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(post["assignee_id"], json!(editor_user.id.0));
    assert_eq!(post["due_date"], json!("2000-01-31"));
    let id = post["id"].as_i64().unwrap();
    let variant = post["variants"][0]["id"].as_i64().unwrap();
    let path = |rest: &str| format!("{base}/posts/{id}{rest}");

    // The list flags it overdue for the page.
    let (cookie, _) = app.session(&editor_user).await;
    let list = app
        .http
        .get(format!("{}/w/{}/content", app.url, ws.id))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("badge overdue"),
        "the overdue post is flagged"
    );

    // An edit makes version 2; the diff shows the changed line.
    let edit = json!({"title": "秋季新品上市", "body": "第一行\n第二行改了\n第三行\n", "assignee_id": chief_user.id.0, "due_date": "2099-12-31"});
    let (status, edited) = call(
        app.http
            .put(format!("{}{}", app.url, path("")))
            .bearer_auth(&editor)
            .json(&edit),
    )
    .await;
    assert_eq!(
        (status, edited["version"].as_i64()),
        (200, Some(2)),
        "{edited}"
    );
    assert_eq!(edited["assignee_name"], json!(chief_user.display_name));
    let (_, versions) = call(app.get(&path("/versions"), &viewer)).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[0]["version"], json!(2));
    let (status, diff) = call(app.get(&path("/versions/2/diff"), &viewer)).await;
    assert_eq!(status, 200, "{diff}");
    assert_eq!(diff["title_before"], json!("秋季新品"));
    let lines: Vec<(String, String)> = diff["hunks"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["op"].as_str().unwrap().into(),
                l["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        lines.contains(&("delete".into(), "第二行".into())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&("insert".into(), "第二行改了".into())),
        "{lines:?}"
    );
    assert_eq!(
        call(app.get(&path("/versions/9/diff"), &viewer)).await.0,
        404
    );

    // Comments: viewers read, community members write, mentions resolve to members.
    let chief_prefix = chief_user.email.split('@').next().unwrap().to_owned();
    let text = format!("@{chief_prefix} 请看标题，cc @nobody 和 outsider@example.com");
    let (status, comment) =
        call(app.post_json(&path("/comments"), &community, &json!({"body": text}))).await;
    assert_eq!(status, 201, "{comment}");
    assert_eq!(comment["mentions"], json!([chief_user.id.0]));
    assert_eq!(
        call(app.post_json(&path("/comments"), &viewer, &json!({"body": "hi"})))
            .await
            .0,
        403
    );
    assert_eq!(
        call(app.post_json(&path("/comments"), &editor, &json!({"body": "  "})))
            .await
            .0,
        422
    );
    let (_, thread) = call(app.get(&path("/comments"), &viewer)).await;
    assert_eq!(thread.as_array().unwrap().len(), 1);

    // The mentioned member sees it on the dashboard until they open the post.
    let (chief_cookie, _) = app.session(&chief_user).await;
    let page = |url: String, cookie: String| {
        let app = &app;
        async move {
            app.http
                .get(format!("{}{url}", app.url))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let dash = page(format!("/w/{}", ws.id), chief_cookie.clone()).await;
    assert!(
        dash.contains("unread-mentions"),
        "the dashboard lists the mention"
    );
    let detail = page(format!("/w/{}/content/{id}", ws.id), chief_cookie.clone()).await;
    assert!(
        detail.contains("class=\"mention\""),
        "mentions are highlighted"
    );
    let dash = page(format!("/w/{}", ws.id), chief_cookie.clone()).await;
    assert!(
        !dash.contains("unread-mentions"),
        "opening the post read the mention"
    );

    // Approve, then edit a variant on its own: customized, back to review, master edits
    // stop flowing into it; reset makes it follow again.
    let (status, submitted) = call(app.post_json(&path("/submit"), &editor, &json!({}))).await;
    let (_, lint) = call(app.get(&path("/lint"), &editor)).await;
    assert_eq!(status, 200, "{submitted} {lint}");
    let (status, approved) = call(app.post_json(&path("/approve"), &chief, &json!({}))).await;
    assert_eq!(
        (status, approved["status"].as_str()),
        (200, Some("approved")),
        "{approved}"
    );
    let own = json!({"title": "微博版", "body": "只给微博的文字", "tags": ["秋天"]});
    let (status, after) = call(
        app.http
            .put(format!(
                "{}{}",
                app.url,
                path(&format!("/variants/{variant}"))
            ))
            .bearer_auth(&editor)
            .json(&own),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(
        after["status"],
        json!("in_review"),
        "a variant edit is an edit"
    );
    assert_eq!(after["variants"][0]["customized"], json!(true));
    assert_eq!(after["variants"][0]["body"], json!("只给微博的文字"));
    let (_, versions) = call(app.get(&path("/versions"), &viewer)).await;
    assert!(
        versions[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("edit_variant:")
    );
    let master = json!({"title": "主稿再改", "body": "新正文"});
    let (_, after) = call(
        app.http
            .put(format!("{}{}", app.url, path("")))
            .bearer_auth(&editor)
            .json(&master),
    )
    .await;
    assert_eq!(after["variants"][0]["body"], json!("只给微博的文字"));
    assert_eq!(
        after["assignee_id"],
        Value::Null,
        "an edit replaces the assignee"
    );
    let (status, after) = call(app.post_json(
        &path(&format!("/variants/{variant}/reset")),
        &editor,
        &json!({}),
    ))
    .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["variants"][0]["customized"], json!(false));
    assert_eq!(after["variants"][0]["body"], json!("新正文"));
    assert_eq!(
        call(
            app.http
                .put(format!("{}{}", app.url, path("/variants/999999")))
                .bearer_auth(&editor)
                .json(&own)
        )
        .await
        .0,
        404
    );
    assert_eq!(
        call(
            app.http
                .put(format!(
                    "{}{}",
                    app.url,
                    path(&format!("/variants/{variant}"))
                ))
                .bearer_auth(&viewer)
                .json(&own)
        )
        .await
        .0,
        403
    );
}

#[tokio::test]
async fn the_editor_previews_each_platform_live() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "预览").await;
    let (cookie, csrf) = app.session(&owner).await;
    let preview = |platform: &str| {
        app.http
            .post(format!("{}/w/{}/content/preview", app.url, ws.id))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .form(&[
                ("platform", platform),
                ("title", "秋季新品"),
                ("body", "**桂花**拿铁 <script>x</script>"),
                ("tags", "咖啡"),
            ])
            .send()
    };
    let wechat = preview("wechat_oa").await.unwrap();
    assert_eq!(wechat.status().as_u16(), 200);
    let html = wechat.text().await.unwrap();
    assert!(html.contains("class=\"phone\""), "{html}");
    assert!(html.contains("<strong"), "WeChat gets HTML: {html}");
    assert!(
        !html.contains("<script>"),
        "raw HTML is never passed through"
    );
    let weibo = preview("weibo").await.unwrap().text().await.unwrap();
    assert!(weibo.contains("#咖啡#"), "Weibo hashtags: {weibo}");
    let unknown = preview("myspace").await.unwrap();
    assert_eq!(unknown.status().as_u16(), 200);
}

#[tokio::test]
async fn sqlite_post_extras() {
    let dir = TempDir::new("extras");
    let store = sqlite_store(&dir).await;
    post_extras_store_suite(&store).await;
}

/// The store's side of post extras, backend-independent.
pub async fn post_extras_store_suite(store: &Store) {
    let email = |s: &str| Email::parse(s).unwrap();
    let name = |s: &str| DisplayName::parse(s).unwrap();
    let hash = crate::helpers::password_hash();
    let a = store
        .create_user(
            &email("extras-a@example.com"),
            &name("甲"),
            hash,
            Locale::ZhCn,
        )
        .await
        .unwrap();
    let b = store
        .create_user(
            &email("extras-b@example.com"),
            &name("乙"),
            hash,
            Locale::ZhCn,
        )
        .await
        .unwrap();
    let profile = WorkspaceProfile::parse("extras", "Asia/Shanghai", "zh-CN", "").unwrap();
    let ws = store.create_workspace(a.id, &profile).await.unwrap();
    let other = store.create_workspace(b.id, &profile).await.unwrap();
    let wid = ws.id();
    let draft = ChannelDraft::parse("sandbox", "沙盒", None).unwrap();
    let channel = store
        .create_channel(wid, a.id, draft.platform, &draft.name, &draft.settings)
        .await
        .unwrap();

    assert_eq!(
        store
            .refs_invalid(wid, Some(b.id), &[("cover_media_id", Some(1))])
            .await
            .unwrap(),
        ["assignee_id", "cover_media_id"]
    );
    assert!(
        store
            .refs_invalid(wid, Some(a.id), &[])
            .await
            .unwrap()
            .is_empty()
    );
    let meta = PostMeta {
        assignee: Some(a.id),
        due_date: Some("2030-01-02".into()),
        cover_media_id: None,
    };
    let new = NewPost {
        title: "t".into(),
        body: "one\ntwo\n".into(),
        tags: vec![],
        topic_id: None,
        channels: vec![ChannelId(channel.id)],
    };
    let id = store
        .create_post_with(wid, a.id, &new, &meta)
        .await
        .unwrap();
    let post = store.post(wid, id).await.unwrap().unwrap();
    assert_eq!(
        (post.assignee_id, post.due_date.as_deref()),
        (Some(a.id.0), Some("2030-01-02"))
    );

    // Comments with mentions; unread until read; scoped to the workspace.
    store
        .add_comment(wid, id, a.id, "@乙 看看", &[b.id, a.id])
        .await
        .unwrap();
    assert!(matches!(
        store.add_comment(other.id(), id, b.id, "x", &[]).await,
        Err(StoreError::NotFound)
    ));
    let comments = store.comments(wid, id).await.unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].mentions.len(), 2);
    assert!(store.comments(other.id(), id).await.unwrap().is_empty());
    let (unread, latest) = store.unread_mentions(wid, b.id, 5).await.unwrap();
    assert_eq!((unread, latest.len()), (1, 1));
    assert_eq!(latest[0].post_id, id);
    assert_eq!(
        store.unread_mentions(wid, a.id, 5).await.unwrap().0,
        0,
        "mentioning yourself is already read"
    );
    assert_eq!(store.read_mentions(id, b.id).await.unwrap(), 1);
    assert_eq!(store.unread_mentions(wid, b.id, 5).await.unwrap().0, 0);

    // A variant edit is a new version; a stale post is refused; reset follows the master.
    let decision = Decision {
        status: PostStatus::Draft,
        approvals: BTreeSet::new(),
        overridden: None,
    };
    let variant = post.variants[0].id;
    let edit = VariantEdit {
        title: "v".into(),
        body: "own".into(),
        tags: vec!["x".into()],
        cover_media_id: None,
    };
    let v2 = store
        .edit_variant(wid, &post, variant, b.id, &edit, &decision)
        .await
        .unwrap();
    assert_eq!(v2, 2);
    assert!(matches!(
        store
            .edit_variant(wid, &post, variant, b.id, &edit, &decision)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let post = store.post(wid, id).await.unwrap().unwrap();
    assert!(post.variants[0].customized);
    assert!(matches!(
        store
            .reset_variant(wid, &post, 424242, a.id, &decision)
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .reset_variant(wid, &post, variant, a.id, &decision)
        .await
        .unwrap();
    let post = store.post(wid, id).await.unwrap().unwrap();
    assert!(!post.variants[0].customized);
    assert_eq!(post.variants[0].body, "one\ntwo\n");
    let versions = store.versions(wid, id).await.unwrap();
    assert_eq!(versions.len(), 3);
    assert!(versions[0].summary.starts_with("reset_variant:"));
    assert!(store.version(other.id(), id, 1).await.unwrap().is_none());
    assert_eq!(
        store.version(wid, id, 1).await.unwrap().unwrap().body,
        "one\ntwo\n"
    );
}
