//! The post editor in headless Chromium: compliance findings drawn inside the Markdown
//! text (a mirror behind the textarea), placed right after emoji (the server counts
//! code points, the browser UTF-16 units), following the text as it is typed, and
//! selected in the textarea from the findings list.

use crate::browser::Browser;
use crate::helpers::{PASSWORD, TestApp};
use serde_json::{Value, json};
use std::time::Duration;

/// Runs `script` (a function body) in the page and returns its value.
async fn run(browser: &Browser, script: &str, args: Value) -> Value {
    let body = json!({"script": script, "args": args});
    browser
        .call(reqwest::Method::POST, "/execute/sync", Some(body))
        .await
}

/// The marks drawn in the mirror, each as (severity class, text).
async fn marks(browser: &Browser) -> Vec<(String, String)> {
    let found = run(
        browser,
        "return Array.from(document.querySelectorAll('.editor-mirror mark'))\
           .map(m => [m.className.replace(' flash', ''), m.textContent]);",
        json!([]),
    )
    .await;
    found
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            let part = |i: usize| pair[i].as_str().unwrap_or("").to_owned();
            (part(0), part(1))
        })
        .collect()
}

/// Waits until the marks' texts are `want`, in order.
async fn wait_for_marks(browser: &Browser, want: &[&str]) -> Vec<(String, String)> {
    let mut got = Vec::new();
    for _ in 0..60 {
        got = marks(browser).await;
        if got.iter().map(|(_, t)| t.as_str()).eq(want.iter().copied()) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("marks never became {want:?}; they are {got:?}");
}

/// Sets the body as typing would (WebDriver cannot type characters outside the BMP,
/// such as emoji) and fires the input event the page listens to.
async fn set_body(browser: &Browser, text: &str) {
    run(
        browser,
        "const area = document.getElementById('body'); area.value = arguments[0]; \
         area.dispatchEvent(new Event('input', {bubbles: true}));",
        json!([text]),
    )
    .await;
}

/// Whether the mirror is laid out like the textarea (same box, font, scroll position
/// and text height) and hidden from assistive technology.
async fn mirror_matches(browser: &Browser) -> Value {
    run(
        browser,
        "const a = document.getElementById('body'), m = document.querySelector('.editor-mirror'); \
         const sa = getComputedStyle(a), sm = getComputedStyle(m); \
         return {same_box: a.offsetWidth === m.offsetWidth && a.offsetHeight === m.offsetHeight, \
                 same_font: sa.font === sm.font && sa.lineHeight === sm.lineHeight, \
                 same_scroll: a.scrollTop === m.scrollTop, \
                 same_height: Math.abs(a.scrollHeight - m.scrollHeight) <= 1, \
                 hidden: m.getAttribute('aria-hidden') === 'true'};",
        json!([]),
    )
    .await
}

#[tokio::test]
async fn lint_findings_are_highlighted_inside_the_editor() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "小满咖啡").await;
    browser.goto(&format!("{}/login", app.url)).await;
    browser.fill("#email", "owner@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("需要你处理").await;

    browser
        .goto(&format!("{}/w/{}/content/new", app.url, ws.id))
        .await;
    browser.fill("#title", "秋季新品上市").await;
    // Emoji (two UTF-16 units each) before the first finding; markup that must stay text.
    let body = "😀🎉 国家级品质的桂花拿铁 <b>新</b>\n\n到店第一次尝鲜的朋友，全网最低价。";
    set_body(&browser, body).await;
    let drawn = wait_for_marks(&browser, &["国家级", "全网最低价"]).await;
    assert!(
        drawn.iter().all(|(class, _)| class.starts_with("sev-")),
        "{drawn:?}"
    );
    let escaped = run(
        &browser,
        "const m = document.querySelector('.editor-mirror'); \
         return [m.querySelector('b') === null, m.textContent.includes('<b>新</b>')];",
        json!([]),
    )
    .await;
    assert_eq!(
        escaped,
        json!([true, true]),
        "user text is text, never HTML"
    );
    let layout = mirror_matches(&browser).await;
    assert_eq!(
        layout,
        json!({"same_box": true, "same_font": true, "same_scroll": true, "same_height": true, "hidden": true})
    );

    // Typing before a finding keeps its mark on its words at once, before the linter
    // answers; a new finding appears once it has.
    run(
        &browser,
        "const area = document.getElementById('body'); area.focus(); area.setSelectionRange(0, 0);",
        json!([]),
    )
    .await;
    let area = browser.find("#body").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{area}/value"),
            Some(json!({"text": "最佳选择！"})),
        )
        .await;
    let right_away = marks(&browser).await;
    assert!(
        right_away.iter().any(|(_, t)| t == "国家级"),
        "marks follow the edit: {right_away:?}"
    );
    wait_for_marks(&browser, &["最佳", "国家级", "全网最低价"]).await;
    browser.screenshot("30-editor-findings").await;

    // The findings list selects a finding's words in the textarea.
    run(
        &browser,
        "const item = Array.from(document.querySelectorAll('#live-findings li[data-field=body]')) \
           .find(li => li.querySelector('mark').textContent === '国家级'); \
         item.querySelector('.finding-jump').id = 'jump-target';",
        json!([]),
    )
    .await;
    browser.click("#jump-target").await;
    let selected = run(
        &browser,
        "const a = document.getElementById('body'); \
         return [document.activeElement === a, a.value.slice(a.selectionStart, a.selectionEnd)];",
        json!([]),
    )
    .await;
    assert_eq!(selected, json!([true, "国家级"]));

    // Saved, the post's page draws the stored findings as soon as it loads.
    browser.click("form.columns button[type=submit]").await;
    browser.wait_for_text("各渠道版本").await;
    wait_for_marks(&browser, &["最佳", "国家级", "全网最低价"]).await;
    full_page(&browser, 1280, "31-editor-detail-desktop").await;
    browser.resize(390, 844).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let layout = mirror_matches(&browser).await;
    assert_eq!(layout["same_box"], json!(true), "phone width: {layout}");
    assert_eq!(layout["same_height"], json!(true), "phone width: {layout}");
    run(
        &browser,
        "document.getElementById('body').scrollIntoView({block: 'start'}); window.scrollBy(0, -80);",
        json!([]),
    )
    .await;
    browser.screenshot("32-editor-phone").await;
    browser.resize(1280, 900).await;

    // A long text scrolls: choosing a finding near its end scrolls the textarea there,
    // and the mirror scrolls with it, its mark inside the visible box.
    let long = format!("{}结尾是国家级的承诺。", "一段普通的文字。\n".repeat(80));
    set_body(&browser, &long).await;
    wait_for_marks(&browser, &["国家级"]).await;
    browser.click("#live-findings .finding-jump").await;
    let scrolled = run(
        &browser,
        "const a = document.getElementById('body'), m = document.querySelector('.editor-mirror'); \
         const box = a.getBoundingClientRect(), mark = m.querySelector('mark').getBoundingClientRect(); \
         return [a.scrollTop > 0, a.scrollTop === m.scrollTop, \
                 mark.top >= box.top && mark.bottom <= box.bottom, \
                 a.value.slice(a.selectionStart, a.selectionEnd)];",
        json!([]),
    )
    .await;
    assert_eq!(scrolled, json!([true, true, true, "国家级"]));
    browser.quit().await;
}

/// The whole page in one picture: the window grows to the document's height.
async fn full_page(browser: &Browser, width: u32, name: &str) {
    browser.resize(width, 900).await;
    let height = run(
        browser,
        "return document.documentElement.scrollHeight",
        json!([]),
    )
    .await
    .as_u64()
    .unwrap_or(900);
    browser
        .resize(width, height.clamp(600, 5000) as u32 + 100)
        .await;
    browser.screenshot(name).await;
}
