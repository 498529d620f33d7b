//! The topic library through the API and the pages: scoring, status, CSV both ways, the
//! nine-square brainstorm and the hot-spot calendar card.

use crate::helpers::TestApp;
use fanloop_domain::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn topics_rank_move_and_round_trip_through_csv() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, viewer) = app.member(&ws, &owner, Role::Viewer).await;
    let base = format!("/api/v1/workspaces/{}/topics", ws.id);

    let low = json!({"title": "门店日常", "source": "product", "timeliness": 1, "value": 2, "conversion": 1});
    let high = json!({"title": "双11 早鸟攻略", "angle": "学生党", "source": "hot_event", "timeliness": 5, "value": 4, "conversion": 5, "target_date": "2026-11-01"});
    for body in [&low, &high] {
        let response = app.post_json(&base, &token, body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 201);
    }
    let bad = json!({"title": "", "source": "rumour", "timeliness": 9, "value": 3, "conversion": 3, "target_date": "11/01"});
    let problem: Value = app
        .post_json(&base, &token, &bad)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "source", "timeliness", "target_date"]);
    assert_eq!(
        app.post_json(&base, &viewer, &low)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );

    let list: Value = app
        .get(&base, &viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["title"], "双11 早鸟攻略", "highest priority first");
    assert_eq!(
        (list[0]["priority"].as_u64(), list[1]["priority"].as_u64()),
        (Some(92), Some(8))
    );
    let id = list[0]["id"].as_i64().unwrap();
    let moved = app
        .post_json(
            &format!("{base}/{id}/status"),
            &token,
            &json!({"status": "planned"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 204);

    let csv = app
        .get(&format!("/api/v1/workspaces/{}/topics.csv", ws.id), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = csv.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a BOM so spreadsheets read Chinese"
    );
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(
        text.contains("双11 早鸟攻略,学生党,hot_event,5,4,5,planned,2026-11-01,92"),
        "{text}"
    );

    // Importing the export into another workspace recreates the topics.
    let other = app.workspace(&owner, "别的品牌").await;
    let import = |body: Vec<u8>| {
        app.http
            .post(format!(
                "{}/api/v1/workspaces/{}/topics/import",
                app.url, other.id
            ))
            .bearer_auth(&token)
            .body(body)
            .send()
    };
    let done: Value = import(bytes.to_vec()).await.unwrap().json().await.unwrap();
    assert_eq!(done["imported"], 2);
    let broken = "title,timeliness\n好选题,3\n,7\n".as_bytes().to_vec();
    let response = import(broken).await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("row 3"),
        "{problem}"
    );
    assert_eq!(
        import(b"\xff\xfe".to_vec())
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    let listed: Value = app
        .get(&format!("/api/v1/workspaces/{}/topics", other.id), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "a refused import adds nothing"
    );
}

#[tokio::test]
async fn brainstorm_and_calendar_pages() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "品牌").await;
    let (cookie, csrf) = app.session(&owner).await;
    let page = app
        .http
        .get(format!("{}/w/{}/topics", app.url, ws.id))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("热点日历"), "the calendar card is shown");

    let grid = app
        .http
        .post(format!("{}/w/{}/topics/brainstorm", app.url, ws.id))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}&account=%E5%92%96%E5%95%A1%0D%0A%E7%94%9C%E5%93%81&users=%E5%AD%A6%E7%94%9F%0D%0A%E7%99%BD%E9%A2%86%0D%0A%E5%A6%88%E5%A6%88"))
        .send()
        .await
        .unwrap();
    assert_eq!(grid.status().as_u16(), 200);
    let html = grid.text().await.unwrap();
    assert_eq!(html.matches("class=\"idea\"").count(), 6, "2 × 3 pairs");
    let keep = app
        .http
        .post(format!("{}/w/{}/topics/brainstorm/keep", app.url, ws.id))
        .header("cookie", &cookie)
        .header("hx-request", "true")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "_csrf={csrf}&facet=%E5%92%96%E5%95%A1&user=%E5%AD%A6%E7%94%9F"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(keep.status().as_u16(), 200);
    let topics = app.store.topics(ws.id()).await.unwrap();
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].title, "咖啡 × 学生");
}

#[tokio::test]
async fn weights_and_writing_a_topic_up() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, chief) = app.member(&ws, &owner, Role::EditorInChief).await;
    let weights = format!("{}/api/v1/workspaces/{}/topic-weights", app.url, ws.id);
    let body = json!({"timeliness": 3, "value": 1, "conversion": 0});
    assert_eq!(
        app.http
            .put(&weights)
            .bearer_auth(&chief)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        app.http
            .put(&weights)
            .bearer_auth(&token)
            .json(&json!({"timeliness": 0, "value": 0, "conversion": 0}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        422
    );
    assert_eq!(
        app.http
            .put(&weights)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let topic = json!({"title": "冬至", "source": "hot_event", "timeliness": 5, "value": 1, "conversion": 1});
    let created: Value = app
        .post_json(
            &format!("/api/v1/workspaces/{}/topics", ws.id),
            &token,
            &topic,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["priority"], 75, "3:1:0 weights favour timeliness");

    // Writing it up from the page links the post and moves the topic into production.
    let (cookie, csrf) = app.session(&owner).await;
    let id = created["id"].as_i64().unwrap();
    let form =
        format!("_csrf={csrf}&topic_id={id}&title=%E5%86%AC%E8%87%B3&body=%E6%AD%A3%E6%96%87");
    let response = app
        .http
        .post(format!("{}/w/{}/content/new", app.url, ws.id))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let posts = app.store.posts(ws.id()).await.unwrap();
    assert_eq!(posts[0].topic_id, Some(id));
    let topics = app.store.topics(ws.id()).await.unwrap();
    assert_eq!(topics[0].status, fanloop_domain::TopicStatus::InProduction);
    let other = app.workspace(&owner, "别的").await;
    let stolen = json!({"title": "x", "body": "y", "topic_id": id});
    let response = app
        .post_json(
            &format!("/api/v1/workspaces/{}/posts", other.id),
            &token,
            &stolen,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        422,
        "a topic of another workspace is refused"
    );
}

#[tokio::test]
async fn own_dates_join_the_hot_spot_calendar() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, viewer) = app.member(&ws, &owner, Role::Viewer).await;
    let events = format!("/api/v1/workspaces/{}/calendar-events", ws.id);
    // A date ten days from now, so it falls inside the card's 60-day window.
    let soon = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(10))
        .unwrap()
        .to_string();
    let body = json!({"date": soon, "name": "小满咖啡三周年", "lead_days": 20, "yearly": true});
    assert_eq!(
        app.post_json(&events, &viewer, &body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    let bad: Value = app
        .post_json(&events, &token, &json!({"date": "13/01", "name": ""}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bad["errors"].as_array().unwrap().len(), 2, "{bad}");
    let created = app.post_json(&events, &token, &body).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();

    let (cookie, _) = app.session(&owner).await;
    let html = app
        .http
        .get(format!("{}/w/{}/topics", app.url, ws.id))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("小满咖啡三周年"),
        "the card shows the workspace's own date"
    );
    assert!(
        html.contains("现在就该开始准备了"),
        "20 days of lead time have begun"
    );

    let delete = app
        .http
        .delete(format!("{}{events}/{id}", app.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status().as_u16(), 204);
    let listed: Value = app
        .get(&events, &viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
}
