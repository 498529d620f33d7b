//! The notification centre as an admin clicks through it in headless Chromium, on a
//! desktop and on a phone: their own notifications, marking one read, the unread
//! filter. Screenshots land in `target/screenshots/`.

use crate::browser::Browser;
use crate::helpers::{PASSWORD, TestApp};
use crate::hooks::started_publication;
use fanloop_domain::{ChannelDraft, Role};
use fanloop_store::publishing::Outcome;

#[tokio::test]
async fn an_admin_reads_and_filters_their_notifications_on_desktop_and_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    let (admin, _) = app.member(&ws, &owner, Role::Admin).await;
    let draft = ChannelDraft::parse("sandbox", "小满 · 沙盒号", None).unwrap();
    let channel = app
        .store
        .create_channel(
            ws.id(),
            owner.id,
            draft.platform,
            &draft.name,
            &draft.settings,
        )
        .await
        .unwrap();
    // Three things that need an owner or admin, oldest first.
    let outcomes = [
        (
            "桂花拿铁回来了",
            Outcome::Failed {
                reason: "content_rejected".into(),
                error: "rejected".into(),
            },
        ),
        (
            "秋季新品预告",
            Outcome::Unconfirmed {
                reason: "timeout".into(),
                error: "no answer".into(),
            },
        ),
        (
            "门店探访 vlog",
            Outcome::Held {
                reason: "token_expired".into(),
                error: "401".into(),
            },
        ),
    ];
    for (title, outcome) in outcomes {
        let (job, _) = started_publication(&app, &ws, &owner, channel.id, title).await;
        app.store.finish_job(&job, "it", &outcome).await.unwrap();
    }

    browser.goto(&format!("{}/login", app.url)).await;
    browser.fill("#email", admin.email.as_str()).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("小满咖啡").await;
    let centre = format!("{}/w/{}/notifications", app.url, ws.id);
    browser.goto(&centre).await;
    browser.wait_for_text("3 条未读").await;
    browser.screenshot("40-notifications-desktop").await;

    // Marking the newest read leaves two, and the unread tab lists only those.
    browser
        .click("#notifications li.unread .notice-mark button")
        .await;
    browser.wait_for_text("2 条未读").await;
    browser
        .click(".notice-filter a[href$='?filter=unread']")
        .await;
    // The same titles show on both tabs: wait for the navigation, not for text.
    browser.wait_for_url("?filter=unread").await;
    browser.wait_for_text("秋季新品预告").await;
    let shown = browser.text().await;
    assert!(
        !shown.contains("门店探访"),
        "the read one is filtered out:\n{shown}"
    );
    browser.screenshot("41-notifications-unread-desktop").await;

    browser.resize(390, 844).await;
    browser.goto(&format!("{centre}?filter=unread")).await;
    browser.wait_for_text("2 条未读").await;
    browser.screenshot("42-notifications-unread-phone").await;
    // On a phone the list fits the screen: nothing scrolls sideways.
    let script = serde_json::json!({"script": "return document.documentElement.scrollWidth <= window.innerWidth", "args": []});
    let fits = browser
        .call(reqwest::Method::POST, "/execute/sync", Some(script))
        .await;
    assert_eq!(
        fits,
        serde_json::json!(true),
        "the page is wider than the phone"
    );
    browser.click(".notice-filter a:first-child").await;
    browser.wait_for_text("门店探访").await;
    browser.screenshot("43-notifications-all-phone").await;

    // Everything read: the unread tab says so, in the reader's words.
    browser.click(".notice-head form button").await;
    // Let the form's answer land first, or it would replace the page opened next.
    browser.wait_without_text("条未读").await;
    browser.goto(&format!("{centre}?filter=unread")).await;
    browser.wait_for_text("没有未读通知").await;
    browser
        .screenshot("44-notifications-none-unread-phone")
        .await;
    browser.quit().await;
}
