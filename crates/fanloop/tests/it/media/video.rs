//! Videos through the API and the pages: streamed to disk, their boxes read for picture
//! size and duration, broken files refused with a reason, and limits that leave no file
//! behind.

use super::fixtures::{files_under, mp4, multipart, png};
use crate::helpers::TestApp;
use serde_json::{Value, json};

#[tokio::test]
async fn a_video_streams_in_and_its_size_and_duration_are_read() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    // Three megabytes of samples before the movie box, as cameras write it: the upload
    // arrives in many chunks and the parser has to seek past the media data.
    let clip = mp4(1080, 1920, 15_000, 3 * 1024 * 1024);

    let response = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("探店.mp4"), "video/mp4", &clip)]),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let item: Value = response.json().await.unwrap();
    assert_eq!(
        (
            &item["kind"],
            &item["width"],
            &item["height"],
            &item["duration_ms"],
            &item["bytes"]
        ),
        (
            &json!("video"),
            &json!(1080),
            &json!(1920),
            &json!(15_000),
            &json!(clip.len())
        )
    );
    let base = format!("/w/{}/media/{}", ws.id, item["id"]);
    let file = app
        .get(&format!("{base}/file"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        file.bytes().await.unwrap().as_ref(),
        clip.as_slice(),
        "stored byte for byte"
    );

    let (cookie, _) = app.session(&owner).await;
    let page = |path: String| {
        let request = app
            .http
            .get(format!("{}{path}", app.url))
            .header("cookie", &cookie);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let library = page(format!("/w/{}/media", ws.id)).await;
    assert!(
        library.contains("1080×1920 · 0:15"),
        "size and duration in the library"
    );
    assert!(
        library.contains("class=\"media-duration\">0:15<"),
        "duration badge"
    );
    let detail = page(base).await;
    let fits = detail
        .split("<li class=\"fits\">")
        .skip(1)
        .map(|li| li.split("</li>").next().unwrap_or(""))
        .collect::<Vec<_>>();
    assert_eq!(fits.len(), 1, "one platform frame fits: {fits:?}");
    assert!(fits[0].contains("9:16") && fits[0].contains("抖音"));
}

#[tokio::test]
async fn broken_videos_are_refused_with_the_reason() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let clip = mp4(1080, 1920, 15_000, 4096);
    let cut = &clip[..clip.len() - 40];
    let no_movie = [&clip[..32], &[0u8; 512]].concat();
    let mut lying = clip.clone();
    // The movie box (last) claims 4 GB.
    let moov = clip.windows(4).rposition(|w| w == b"moov").unwrap() - 4;
    lying[moov..moov + 4].copy_from_slice(&u32::MAX.to_be_bytes());

    for (name, bytes, says) in [
        ("cut short", cut, "不完整"),
        ("no movie box", no_movie.as_slice(), "没有影片信息"),
        ("4 GB movie box", lying.as_slice(), "不完整"),
    ] {
        let response = app
            .upload(
                ws.id,
                &token,
                multipart(&[("file", Some("clip.mp4"), "video/mp4", bytes)]),
            )
            .await;
        assert_eq!(response.status().as_u16(), 422, "{name}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "file", "{name}");
        let message = problem["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains(says), "{name}: {message}");
    }
    assert_eq!(
        files_under(&app.dir.0.join("media")),
        Vec::<std::path::PathBuf>::new(),
        "refused videos leave no file"
    );
}

#[tokio::test]
async fn a_too_large_upload_is_refused_without_writing_a_file() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "品牌").await;
    let media = app.dir.0.join("media");

    let mut huge = png(4, 4);
    huge.resize(20 * 1024 * 1024 + 1, 0);
    let response = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("huge.png"), "image/png", &huge)]),
        )
        .await;
    assert_eq!(response.status().as_u16(), 413);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap_or("").contains("20 MB"),
        "{problem}"
    );
    assert_eq!(
        files_under(&media),
        Vec::<std::path::PathBuf>::new(),
        "the spool was removed"
    );
    let list: Value = app
        .get(&format!("/api/v1/workspaces/{}/media", ws.id), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));

    // Just under the limit is taken (the limit is the file's, not the request's).
    let mut fits = png(4, 4);
    fits.resize(20 * 1024 * 1024, 0);
    let response = app
        .upload(
            ws.id,
            &token,
            multipart(&[("file", Some("big.png"), "image/png", &fits)]),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(
        files_under(&media).len(),
        2,
        "the original and its thumbnail"
    );
}

/// The library as an operator sees it with videos in it: a poster placeholder with the
/// duration (no video decoder is built in), size and duration under each, and a video's
/// frame against each platform's. Screenshots land with the other browser suites'.
#[tokio::test]
async fn the_library_shows_videos_on_desktop_and_phone() {
    let Some(browser) = crate::browser::Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let token = app.token(&owner).await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    let uploads: [(&str, Vec<u8>); 3] = [
        ("秋季海报.png", png(1200, 900)),
        ("门店探访横屏.mp4", mp4(1920, 1080, 135_000, 2048)),
        ("桂花拿铁竖屏.mp4", mp4(1080, 1920, 15_000, 2048)),
    ];
    let mut last = Value::Null;
    for (name, bytes) in &uploads {
        let mime = if name.ends_with("png") {
            "image/png"
        } else {
            "video/mp4"
        };
        let response = app
            .upload(
                ws.id,
                &token,
                multipart(&[("file", Some(name), mime, bytes)]),
            )
            .await;
        assert_eq!(response.status().as_u16(), 201, "{name}");
        last = response.json().await.unwrap();
    }
    browser.goto(&format!("{}/login", app.url)).await;
    browser.fill("#email", "owner@example.com").await;
    browser.fill("#password", crate::helpers::PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("需要你处理").await;
    browser
        .goto(&format!("{}/w/{}/media", app.url, ws.id))
        .await;
    browser.wait_for_text("1080×1920 · 0:15").await;
    browser.wait_for_text("1920×1080 · 2:15").await;
    browser.screenshot("40-media-library").await;
    browser.resize(390, 844).await;
    browser.screenshot("41-media-library-phone").await;
    browser.resize(1280, 900).await;
    browser
        .goto(&format!("{}/w/{}/media/{}", app.url, ws.id, last["id"]))
        .await;
    browser.wait_for_text("画幅").await;
    browser.screenshot("42-media-video-detail").await;
    browser.quit().await;
}
