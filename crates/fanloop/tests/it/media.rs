//! The media library through the API and the pages: upload with sniffing and limits,
//! thumbnails and platform crops, tags and focal point, tenants, and the store suite.

mod fixtures;
/// `store_suite::media_store_suite(&store)` is also run by the PostgreSQL suite.
pub mod store_suite;
mod video;

use crate::helpers::TestApp;
use fanloop_domain::Role;
use fixtures::{BOUNDARY, bomb_png, dimensions, mp4, multipart, png};
use serde_json::{Value, json};

#[tokio::test]
async fn uploads_get_thumbnails_crops_tags_and_can_be_deleted() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let original = png(800, 600);

    let response = app
        .upload(
            ws.id,
            &token,
            multipart(&[
                ("tags", None, "text/plain", "秋季, #新品".as_bytes()),
                ("file", Some("../封面.png"), "image/png", &original),
            ]),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let item: Value = response.json().await.unwrap();
    let id = item["id"].as_i64().unwrap();
    assert_eq!(
        (
            &item["kind"],
            &item["mime"],
            &item["width"],
            &item["height"]
        ),
        (
            &json!("image"),
            &json!("image/png"),
            &json!(800),
            &json!(600)
        )
    );
    assert_eq!(
        item["original_name"], "封面.png",
        "path segments are dropped"
    );
    assert_eq!(item["tags"], json!(["新品", "秋季"]));
    assert_eq!(
        (item["focal_x"].as_f64(), item["focal_y"].as_f64()),
        (Some(0.5), Some(0.5))
    );

    let base = format!("/w/{}/media/{id}", ws.id);
    let thumb = app
        .get(&format!("{base}/thumb"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.status().as_u16(), 200);
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    assert_eq!(thumb.headers()["x-content-type-options"], "nosniff");
    assert_eq!(dimensions(&thumb.bytes().await.unwrap()), (320, 240));

    let file = app
        .get(&format!("{base}/file"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    // Streamed, with its length announced up front.
    assert_eq!(
        file.headers()["content-length"],
        original.len().to_string().as_str()
    );
    assert_eq!(file.bytes().await.unwrap().as_ref(), original.as_slice());

    for (ratio, size) in [
        ("2.35x1", (800, 340)),
        ("1x1", (600, 600)),
        ("3x4", (450, 600)),
        ("9x16", (338, 600)),
        ("16x9", (800, 450)),
    ] {
        let crop = app
            .get(&format!("{base}/crop/{ratio}"), &token)
            .send()
            .await
            .unwrap();
        assert_eq!(crop.status().as_u16(), 200, "{ratio}");
        assert_eq!(dimensions(&crop.bytes().await.unwrap()), size, "{ratio}");
    }
    let unknown = app
        .get(&format!("{base}/crop/7x5"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);

    let api = format!("/api/v1/workspaces/{}/media", ws.id);
    let patch = |body: Value| {
        app.http
            .patch(format!("{}{api}/{id}", app.url))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let moved: Value = patch(json!({"focal_x": 0.0, "tags": ["封面"]}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (moved["focal_x"].as_f64(), moved["focal_y"].as_f64()),
        (Some(0.0), Some(0.5))
    );
    assert_eq!(moved["tags"], json!(["封面"]));
    let bad: Value = patch(json!({"focal_y": 1.5, "tags": ["a b"]}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bad["status"], 422);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["focal_y", "tags[0]"]);
    // Crops follow the focal point: at the left edge the square starts at x = 0, so its
    // first column is the image's first (red channel 0).
    let square = app
        .get(&format!("{base}/crop/1x1"), &token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let square = image::load_from_memory(&square).unwrap().to_rgb8();
    assert!(
        square.get_pixel(0, 300).0[0] < 16,
        "the crop moved to the left edge"
    );

    let second = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("b.png"), "image/png", &png(40, 30))]),
        )
        .await;
    assert_eq!(second.status().as_u16(), 201);
    let all: Value = app
        .get(&api, &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    assert_eq!(all[0]["original_name"], "b.png", "newest first");
    let tagged: Value = app
        .get(&format!("{api}?tag=封面"), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tagged.as_array().map(Vec::len), Some(1));
    assert_eq!(tagged[0]["id"], id);

    let deleted = app
        .http
        .delete(format!("{}{api}/{id}", app.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(
        app.get(&format!("{api}/{id}"), &token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        app.get(&format!("{base}/file"), &token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let left = std::fs::read_dir(app.dir.0.join("media").join(format!("w{}", ws.id)))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(left, 1, "only the second upload's files remain");
}

#[tokio::test]
async fn types_come_from_the_bytes_and_limits_hold() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let status = |r: reqwest::Response| r.status().as_u16();

    // A PNG named .jpg is stored as the PNG it is.
    let misnamed: Value = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("photo.jpg"), "image/jpeg", &png(10, 10))]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(misnamed["mime"], "image/png");

    let text = b"this is only text, whatever the name says".as_slice();
    let refused = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("x.png"), "image/png", text)]),
        )
        .await;
    assert_eq!(status(refused), 415);
    let svg =
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".as_slice();
    let refused = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("x.gif"), "image/gif", svg)]),
        )
        .await;
    assert_eq!(status(refused), 415);

    let bomb: Value = app
        .upload(
            ws.id,
            &token,
            multipart(&[(
                "file",
                Some("bomb.png"),
                "image/png",
                &bomb_png(10_000, 10_000),
            )]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (bomb["status"].as_u64(), bomb["errors"][0]["field"].as_str()),
        (Some(422), Some("file"))
    );
    let broken = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7; 64]].concat();
    let broken = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("broken.png"), "image/png", &broken)]),
        )
        .await;
    assert_eq!(status(broken), 422);

    let mut huge = png(4, 4);
    huge.resize(20 * 1024 * 1024 + 1, 0);
    let too_big = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("huge.png"), "image/png", &huge)]),
        )
        .await;
    assert_eq!(status(too_big), 413);

    let no_file = app
        .upload(
            ws.id,
            &token,
            multipart(&[("tags", None, "text/plain", b"a")]),
        )
        .await;
    assert_eq!(status(no_file), 422);
    let json_body = app
        .post_json(
            &format!("/api/v1/workspaces/{}/media", ws.id),
            &token,
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(status(json_body), 415);

    // Video is kept as sent and offered as a download.
    let clip = mp4(1920, 1080, 8_000, 256);
    let video: Value = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("clip.mp4"), "video/mp4", &clip)]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&video["kind"], &video["mime"], &video["width"]),
        (&json!("video"), &json!("video/mp4"), &json!(1920))
    );
    let base = format!("/w/{}/media/{}", ws.id, video["id"]);
    let file = app
        .get(&format!("{base}/file"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(file.headers()["content-type"], "video/mp4");
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(
        status(
            app.get(&format!("{base}/thumb"), &token)
                .send()
                .await
                .unwrap()
        ),
        404
    );

    let list: Value = app
        .get(&format!("/api/v1/workspaces/{}/media", ws.id), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(2),
        "refused uploads stored nothing"
    );
    let files = std::fs::read_dir(app.dir.0.join("media").join(format!("w{}", ws.id)))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(files, 2);
}

#[tokio::test]
async fn tenants_and_roles_are_kept_apart() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let (_, viewer) = app.member(&ws, &owner, Role::Viewer).await;
    let (_, editor) = app.member(&ws, &owner, Role::Editor).await;
    let other_owner = app.user("other@example.com").await;
    let other_token = app.token(&other_owner).await;
    let other = app.workspace(&other_owner, "别家").await;

    let body = || multipart(&[("file", Some("a.png"), "image/png", &png(20, 20))]);
    assert_eq!(
        app.upload(ws.id, &viewer, body()).await.status().as_u16(),
        403
    );
    let item: Value = app
        .upload(ws.id, &editor, body())
        .await
        .json()
        .await
        .unwrap();
    let id = item["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/workspaces/{}/media", ws.id), &viewer)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    for path in [
        format!("/api/v1/workspaces/{}/media/{id}", other.id),
        format!("/w/{}/media/{id}/file", other.id),
        format!("/w/{}/media/{id}/thumb", other.id),
        format!("/w/{}/media/{id}/crop/1x1", other.id),
        format!("/w/{}/media/{id}", other.id),
    ] {
        let s = app
            .get(&path, &other_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(s, 404, "{path}");
    }
    assert_eq!(
        app.get(&format!("/w/{}/media/{id}/file", ws.id), &other_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        app.get(&format!("/w/{}/media/{id}/file", ws.id), &token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn the_pages_upload_with_the_csrf_header_and_set_the_focal_point() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "品牌").await;
    let (cookie, csrf) = app.session(&owner).await;
    let page_url = format!("{}/w/{}/media", app.url, ws.id);

    let empty = app
        .http
        .get(&page_url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status().as_u16(), 200);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("hx-encoding=\"multipart/form-data\"")
    );

    let upload = |with_token: bool| {
        let mut request = app
            .http
            .post(&page_url)
            .header("cookie", &cookie)
            .header("hx-request", "true")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart(&[(
                "file",
                Some("首图.png"),
                "image/png",
                &png(640, 480),
            )]));
        if with_token {
            request = request.header("x-csrf-token", &csrf);
        }
        request.send()
    };
    assert_eq!(
        upload(false).await.unwrap().status().as_u16(),
        403,
        "no CSRF header, no upload"
    );
    let done = upload(true).await.unwrap();
    assert_eq!(done.status().as_u16(), 201);
    let target = done.headers()["hx-redirect"].to_str().unwrap().to_owned();
    assert!(target.starts_with(&format!("/w/{}/media/", ws.id)));

    let refused = app
        .http
        .post(&page_url)
        .header("cookie", &cookie)
        .header("hx-request", "true")
        .header("x-csrf-token", &csrf)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(&[(
            "file",
            Some("a.png"),
            "image/png",
            b"not an image at all",
        )]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status().as_u16(),
        200,
        "htmx shows the refusal in place"
    );
    assert!(refused.text().await.unwrap().contains("field-error"));

    let grid = app
        .http
        .get(&page_url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(grid.contains("首图.png") && grid.contains("640×480"));
    let detail = app
        .http
        .get(format!("{}{target}", app.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status().as_u16(), 200);
    let html = detail.text().await.unwrap();
    for label in ["2.35:1", "1:1", "3:4", "9:16", "16:9"] {
        assert!(html.contains(label), "{label} preview");
    }

    // A click 32 px across and 60 px down the 320×240 picker.
    let form = |body: String| {
        app.http
            .post(format!("{}{target}", app.url))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={csrf}&{body}"))
            .send()
    };
    assert_eq!(
        form("pt.x=32&pt.y=60".into())
            .await
            .unwrap()
            .status()
            .as_u16(),
        303
    );
    let id: i64 = target.rsplit('/').next().unwrap().parse().unwrap();
    let media = app.store.media(ws.id(), id).await.unwrap();
    assert_eq!((media.focal_x, media.focal_y), (0.1, 0.25));
    assert_eq!(
        form("tags=a%2Cb&focal_x=150&focal_y=50".into())
            .await
            .unwrap()
            .status()
            .as_u16(),
        422
    );
    assert_eq!(
        form("tags=a%2Cb&focal_x=30&focal_y=50".into())
            .await
            .unwrap()
            .status()
            .as_u16(),
        303
    );
    let media = app.store.media(ws.id(), id).await.unwrap();
    assert_eq!(
        (media.tags.clone(), media.focal_x),
        (vec!["a".to_owned(), "b".to_owned()], 0.3)
    );

    let delete = app
        .http
        .post(format!("{}{target}/delete", app.url))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status().as_u16(), 303);
    assert!(
        app.store
            .media_list(ws.id(), None)
            .await
            .unwrap()
            .is_empty()
    );
}
