//! The notification centre per person, through the real server: the API and the page
//! list what is addressed to the signed-in person, marking read is theirs alone, the
//! all/unread filter, and tenants kept apart.

use super::{call, failed_publication, setup};
use fanloop_domain::Role;
use serde_json::{Value, json};

/// The notification kinds in a list answer.
fn kinds(list: &Value) -> Vec<&str> {
    list["notifications"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n["kind"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn each_person_reads_only_what_is_addressed_to_them() {
    let (app, owner, ws, owner_token) = setup().await;
    let (_, admin_token) = app.member(&ws, &owner, Role::Admin).await;
    let (_, editor_token) = app.member(&ws, &owner, Role::Editor).await;
    let (_, viewer_token) = app.member(&ws, &owner, Role::Viewer).await;
    // The owner wrote the post, so the failure reaches them (author and owner) and the
    // admin; the editor and the viewer are neither.
    failed_publication(&app, &ws, &owner).await;
    let path = format!("/api/v1/workspaces/{}/notifications", ws.id);

    for token in [&owner_token, &admin_token] {
        let (status, list) = call(app.get(&path, token)).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(
            (list["unread"].clone(), kinds(&list)),
            (json!(1), vec!["publish_failed"])
        );
    }
    for token in [&editor_token, &viewer_token] {
        let (status, list) = call(app.get(&path, token)).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list, json!({"unread": 0, "notifications": []}));
    }
    let (_, list) = call(app.get(&path, &owner_token)).await;
    let id = list["notifications"][0]["id"].as_i64().unwrap();
    let one = format!("{path}/{id}/read");

    // Not addressed to them: the editor and the viewer cannot mark it, nor can anyone
    // mark an id that does not exist.
    for token in [&editor_token, &viewer_token] {
        assert_eq!(call(app.post_json(&one, token, &json!({}))).await.0, 404);
    }
    let (status, problem) =
        call(app.post_json(&format!("{path}/999999/read"), &owner_token, &json!({}))).await;
    assert_eq!(status, 404, "{problem}");

    // The owner reads it; the admin's stays unread.
    let r = app
        .post_json(&one, &owner_token, &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, mine) = call(app.get(&path, &owner_token)).await;
    assert_eq!(
        (&mine["unread"], &mine["notifications"][0]["read"]),
        (&json!(0), &json!(true))
    );
    let (_, theirs) = call(app.get(&path, &admin_token)).await;
    assert_eq!(
        (&theirs["unread"], &theirs["notifications"][0]["read"]),
        (&json!(1), &json!(false))
    );

    // The filter: unread only, all, or refused by name.
    let unread = format!("{path}?filter=unread");
    assert_eq!(
        kinds(&call(app.get(&unread, &owner_token)).await.1),
        Vec::<&str>::new()
    );
    assert_eq!(
        kinds(&call(app.get(&unread, &admin_token)).await.1),
        ["publish_failed"]
    );
    let all = format!("{path}?filter=all");
    assert_eq!(
        kinds(&call(app.get(&all, &owner_token)).await.1),
        ["publish_failed"]
    );
    let (status, problem) = call(app.get(&format!("{path}?filter=mine"), &owner_token)).await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (422, &json!("filter")),
        "{problem}"
    );

    // Mark all is the admin's alone too.
    let (status, marked) =
        call(app.post_json(&format!("{path}/read"), &admin_token, &json!({}))).await;
    assert_eq!((status, &marked["marked"]), (200, &json!(1)));
    assert_eq!(call(app.get(&path, &admin_token)).await.1["unread"], 0);

    // Another tenant: its owner learns nothing of this workspace through either id.
    let outsider = app.user("outsider@example.com").await;
    let other = app.workspace(&outsider, "别家品牌").await;
    let outsider_token = app.token(&outsider).await;
    assert_eq!(call(app.get(&path, &outsider_token)).await.0, 404);
    assert_eq!(
        call(app.post_json(&one, &outsider_token, &json!({})))
            .await
            .0,
        404
    );
    let all_read = format!("{path}/read");
    assert_eq!(
        call(app.post_json(&all_read, &outsider_token, &json!({})))
            .await
            .0,
        404
    );
    let theirs = format!("/api/v1/workspaces/{}/notifications", other.id);
    let via_own = format!("{theirs}/{id}/read");
    assert_eq!(
        call(app.post_json(&via_own, &outsider_token, &json!({})))
            .await
            .0,
        404
    );
    assert_eq!(
        call(app.get(&theirs, &outsider_token)).await.1,
        json!({"unread": 0, "notifications": []})
    );
    // Nor can this workspace's owner reach it through the other workspace.
    assert_eq!(
        call(app.post_json(&via_own, &owner_token, &json!({})))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_page_filters_and_marks_one_read_for_the_reader() {
    let (app, owner, ws, _) = setup().await;
    let (admin, _) = app.member(&ws, &owner, Role::Admin).await;
    let (viewer, _) = app.member(&ws, &owner, Role::Viewer).await;
    failed_publication(&app, &ws, &owner).await;
    let id = app.store.notifications(ws.id(), 1).await.unwrap()[0].id;
    let base = format!("{}/w/{}/notifications", app.url, ws.id);
    let (cookie, csrf) = app.session(&admin).await;
    let http = &app.http;
    let get = |url: String, cookie: String| async move {
        http.get(url)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let post = |url: String, cookie: String, csrf: String| async move {
        http.post(url)
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={csrf}"))
            .send()
            .await
            .unwrap()
    };

    let html = get(format!("{base}?filter=unread"), cookie.clone()).await;
    assert!(html.contains(&format!("id=\"notice-{id}\"")), "{html}");
    assert!(html.contains("bell-count"), "the bell counts it");
    assert!(
        html.contains(&format!("/notifications/{id}/read?filter=unread")),
        "marking one keeps the filter: {html}"
    );
    assert!(
        html.contains("aria-current=\"page\">未读"),
        "the unread tab is current"
    );

    let r = post(
        format!("{base}/{id}/read?filter=unread"),
        cookie.clone(),
        csrf.clone(),
    )
    .await;
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/w/{}/notifications?filter=unread", ws.id));
    let html = get(format!("{base}?filter=unread"), cookie.clone()).await;
    assert!(
        html.contains("没有未读通知") && !html.contains("bell-count"),
        "{html}"
    );
    // Still listed under "all", read.
    let html = get(base.clone(), cookie.clone()).await;
    assert!(html.contains(&format!("id=\"notice-{id}\"")) && !html.contains("class=\"unread\""));

    // The owner's copy is untouched.
    let (owner_cookie, _) = app.session(&owner).await;
    let html = get(base.clone(), owner_cookie).await;
    assert!(
        html.contains("class=\"unread\"") && html.contains("bell-count"),
        "{html}"
    );

    // The viewer is not addressed: an empty centre, and the form refuses them.
    let (viewer_cookie, viewer_csrf) = app.session(&viewer).await;
    let html = get(base.clone(), viewer_cookie.clone()).await;
    assert!(
        html.contains("暂无通知") && !html.contains("notice-list"),
        "{html}"
    );
    let r = post(format!("{base}/{id}/read"), viewer_cookie, viewer_csrf).await;
    assert_eq!(r.status(), 404);
}
