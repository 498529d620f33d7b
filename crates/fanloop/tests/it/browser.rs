//! The flow a person clicks through, in real headless Chromium driven over WebDriver:
//! sign in, create a workspace, add a channel, and see both. Screenshots of each step
//! land in `target/screenshots/` for a human to look at.

use crate::helpers::{PASSWORD, TestApp, required};
use base64::Engine as _;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A minimal W3C WebDriver client: just the calls the browser suites need.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    _driver: Child,
    _profile: crate::helpers::TempDir,
}

impl Browser {
    pub(crate) async fn start() -> Option<Browser> {
        let chromium =
            std::env::var("FANLOOP_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let driver = std::env::var("FANLOOP_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        if !std::path::Path::new(&chromium).exists() || !std::path::Path::new(&driver).exists() {
            assert!(
                !required("FANLOOP_REQUIRE_BROWSER"),
                "FANLOOP_REQUIRE_BROWSER is set but {chromium} or {driver} is missing"
            );
            eprintln!("skipped: browser suite ({chromium} or {driver} not installed)");
            return None;
        }
        let port = free_port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let http = reqwest::Client::new();
        let status = format!("http://127.0.0.1:{port}/status");
        for _ in 0..100 {
            if http.get(&status).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = crate::helpers::TempDir::new("chromium");
        let capabilities = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,900", "--lang=zh-CN", format!("--user-data-dir={}", profile.0.display())]
        }}}});
        let created: Value = http
            .post(format!("http://127.0.0.1:{port}/session"))
            .json(&capabilities)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"));
        let base = format!("http://127.0.0.1:{port}/session/{session}");
        Some(Browser {
            http,
            base,
            _driver: child,
            _profile: profile,
        })
    }

    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let value: Value = request
            .send()
            .await
            .expect("webdriver call")
            .json()
            .await
            .expect("webdriver json");
        if value["value"].get("error").is_some() {
            panic!("WebDriver {path}: {}", value["value"]);
        }
        value["value"].clone()
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub(crate) async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("element id")
            .to_owned()
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub(crate) async fn click(&self, css: &str) {
        let id = self.find(css).await;
        // Centre it first: scrolled to the top edge, the sticky header would cover it.
        let element = json!({"element-6066-11e4-a52e-4f735466cecf": id});
        let centre =
            json!({"script": "arguments[0].scrollIntoView({block: 'center'})", "args": [element]});
        self.call(reqwest::Method::POST, "/execute/sync", Some(centre))
            .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub(crate) async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub(crate) async fn text(&self) -> String {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "return document.body.innerText", "args": []})),
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_owned()
    }

    /// Waits until the page's visible text contains `needle`. Generous, because the
    /// suite runs the browser alongside every other test on a small machine.
    pub(crate) async fn wait_for_text(&self, needle: &str) {
        for _ in 0..150 {
            if self.text().await.contains(needle) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "page never showed {needle:?}; it shows:\n{}",
            self.text().await
        );
    }

    /// Waits until the page's visible text no longer contains `needle` (a form's answer
    /// has replaced the page).
    pub(crate) async fn wait_without_text(&self, needle: &str) {
        for _ in 0..150 {
            if !self.text().await.contains(needle) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("page still shows {needle:?}");
    }

    /// Waits until the address ends with `suffix` (a navigation has landed).
    pub(crate) async fn wait_for_url(&self, suffix: &str) {
        for _ in 0..150 {
            if self.url().await.ends_with(suffix) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached …{suffix}; at {}", self.url().await);
    }

    pub(crate) async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    pub(crate) async fn screenshot(&self, name: &str) {
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or(""))
            .expect("png");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.png")), bytes);
    }

    pub(crate) async fn quit(self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

#[tokio::test]
async fn sign_in_create_workspace_and_channel() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let user = app.user("operator@example.com").await;

    browser.goto(&format!("{}/", app.url)).await;
    assert!(
        browser.url().await.contains("/login"),
        "signed-out visitors land on the login page"
    );
    browser.screenshot("01-login").await;
    browser.fill("#email", "operator@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("新建工作区").await;
    assert!(browser.url().await.ends_with("/workspaces/new"));

    // A refused form keeps what was typed and says why, in place.
    browser.fill("#name", "小满咖啡").await;
    browser.fill("#timezone", "Mars/Base").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("未知时区").await;
    browser.screenshot("02-workspace-invalid").await;
    browser.fill("#timezone", "Asia/Shanghai").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("需要你处理").await;
    browser.screenshot("03-dashboard-empty").await;

    let workspaces = app.store.workspaces_of(user.id).await.unwrap();
    assert_eq!(workspaces.len(), 1);
    let id = workspaces[0].0.id;

    browser
        .goto(&format!("{}/w/{id}/settings/channels", app.url))
        .await;
    browser.fill("#name", "小满咖啡 · 沙盒公众号").await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for_text("渠道已添加").await;
    assert!(browser.text().await.contains("小满咖啡 · 沙盒公众号"));
    browser.screenshot("04-channels").await;

    // Write a post: compliance findings appear while typing; the post gets a variant
    // per ticked channel with a phone preview; lint errors hold submission.
    browser
        .goto(&format!("{}/w/{id}/content/new", app.url))
        .await;
    browser.fill("#title", "震惊！秋季新品").await;
    browser
        .fill(
            "#body",
            "国家级品质的**桂花拿铁**，全网最低价。\n\n第一次来的朋友有惊喜。",
        )
        .await;
    browser.click("input[name=channel]").await;
    browser.wait_for_text("国家级").await;
    browser.screenshot("05a-content-new").await;
    browser.click("form.columns button[type=submit]").await;
    browser.wait_for_text("各渠道版本").await;
    browser.screenshot("05b-content-detail").await;
    browser.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": "document.querySelector('.previews').scrollIntoView()", "args": []}))).await;
    browser.screenshot("05b2-content-previews").await;
    browser.click("#review button[type=submit]").await;
    browser.wait_for_text("合规检查发现").await;
    browser.fill("#override_reason", "已与法务确认").await;
    browser.click("#review button[type=submit]").await;
    browser.wait_for_text("审核中").await;
    browser.screenshot("05c-content-in-review").await;

    // The topic library with the hot-spot calendar, and the nine-square brainstorm.
    browser.goto(&format!("{}/w/{id}/topics", app.url)).await;
    browser.fill("#title", "冬至暖胃咖啡").await;
    browser.click("#new-topic button[type=submit]").await;
    browser.wait_for_text("冬至暖胃咖啡").await;
    browser.screenshot("05d-topics").await;
    browser
        .goto(&format!("{}/w/{id}/topics/brainstorm", app.url))
        .await;
    browser.fill("#account", "手冲咖啡\n桂花拿铁").await;
    browser.fill("#users", "学生党\n上班族\n新手妈妈").await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for_text("桂花拿铁 × 新手妈妈").await;
    browser.click(".idea form button").await;
    browser.wait_for_text("已加入选题库").await;
    browser.screenshot("05e-brainstorm").await;

    // The other content pages render for a person too.
    browser.goto(&format!("{}/w/{id}/media", app.url)).await;
    browser.wait_for_text("素材库").await;
    browser.screenshot("05f-media").await;
    browser
        .goto(&format!("{}/w/{id}/scripts/new", app.url))
        .await;
    browser.wait_for_text("新建脚本").await;
    browser.screenshot("05g-script-new").await;
    browser
        .goto(&format!("{}/w/{id}/settings/words", app.url))
        .await;
    browser.wait_for_text("词库").await;
    browser.screenshot("05h-words").await;
    browser
        .goto(&format!("{}/w/{id}/settings/theme", app.url))
        .await;
    browser.wait_for_text("排版主题").await;
    browser.screenshot("05i-theme").await;
    browser
        .goto(&format!("{}/w/{id}/settings/publishing", app.url))
        .await;
    browser.wait_for_text("补发宽限").await;
    browser.screenshot("05j-publishing-settings").await;

    browser.goto(&format!("{}/w/{id}", app.url)).await;
    browser.wait_for_text("小满咖啡 · 沙盒公众号").await;
    browser.screenshot("05-dashboard").await;
    browser.resize(390, 844).await;
    browser.screenshot("06-dashboard-phone").await;
    browser.goto(&format!("{}/w/{id}/inbox", app.url)).await;
    browser.wait_for_text("尚未开放").await;
    browser.screenshot("07-planned-area-phone").await;
    browser.resize(1280, 900).await;
    browser
        .goto(&format!("{}/w/{id}/settings/members", app.url))
        .await;
    browser.screenshot("08-members").await;
    browser.click(".lang-switch button[value=en]").await;
    browser.wait_for_text("Invite a member").await;
    browser.screenshot("09-members-en").await;
    browser
        .goto(&format!("{}/w/{id}/settings/audit", app.url))
        .await;
    browser.wait_for_text("Created the workspace").await;
    browser.screenshot("10-audit-en").await;
    browser.goto(&format!("{}/account", app.url)).await;
    browser.fill("#token-name", "sync script").await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for_text("shown only this once").await;
    browser.screenshot("11-account-token-en").await;

    let channels = app
        .store
        .channels(fanloop_domain::WorkspaceId(id))
        .await
        .unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0].name, "小满咖啡 · 沙盒公众号");
    browser.quit().await;
}

/// The calendar and the publications list as an operator sees them on a desktop and on
/// a phone, with a month of real states: published, failed, held, waiting for a person,
/// and more to come — plus dragging a card to another day.
#[tokio::test]
async fn calendar_and_publications_on_desktop_and_phone() {
    use crate::calendar_ui::{DAY_MS, Fixture, local_date, local_ms, now_ms};
    use fanloop_store::publishing::Outcome;
    /// The whole page in one picture: the window grows to the document's height.
    async fn full_page(browser: &Browser, width: u32, name: &str) {
        browser.resize(width, 900).await;
        let script = json!({"script": "return document.documentElement.scrollHeight", "args": []});
        let height = browser
            .call(reqwest::Method::POST, "/execute/sync", Some(script))
            .await
            .as_u64()
            .unwrap_or(900);
        browser
            .resize(width, height.clamp(600, 5000) as u32 + 100)
            .await;
        browser.screenshot(name).await;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let f = Fixture::new().await;
    let wechat = f.channel("小满咖啡 · 公众号").await;
    let red = f.channel("小满 · 小红书").await;
    let by_hand = f.channel("小满 · 视频号").await;
    let at = |days: i64, time: &str| {
        local_ms(&format!("{}T{time}", local_date(now_ms() + days * DAY_MS)))
    };
    // What already happened, oldest first (each settles as the only job due).
    let hour = 3_600_000;
    let launch = f
        .approved_post(&f.token, "桂花拿铁正式上市", &[wechat])
        .await;
    let published = f.store_schedule(launch, wechat, now_ms() - 5 * hour).await;
    let out = Outcome::Published {
        remote_id: "mp-1".into(),
        url: Some("https://mp.weixin.qq.com/s/fanloop-demo".into()),
        late: true,
    };
    f.settle(published, out).await;
    let risky = f
        .approved_post(&f.token, "全网最低价？我们只做好咖啡", &[red])
        .await;
    let failed = f.store_schedule(risky, red, now_ms() - 4 * hour).await;
    let reason = "content_rejected".to_owned();
    let error = "errcode 87014: content risky".to_owned();
    f.settle(failed, Outcome::Failed { reason, error }).await;
    let vlog = f.approved_post(&f.token, "门店探访 vlog", &[by_hand]).await;
    let assisted = f.store_schedule(vlog, by_hand, now_ms() - 3 * hour).await;
    f.settle(assisted, Outcome::Assisted).await;
    // What is coming.
    let plans = [
        ("冬至暖胃三款热饮", 1, "12:00", wechat),
        ("圣诞限定杯套开售", 3, "20:00", wechat),
        ("圣诞限定杯套开售", 3, "21:30", red),
        ("周末咖啡课报名", 5, "09:30", red),
        ("年终会员福利", 9, "20:00", wechat),
        ("一杯咖啡的年终总结，写给每一位常客", 13, "18:00", red),
    ];
    let mut first = 0;
    for (title, days, time, channel) in plans {
        let post = f.approved_post(&f.token, title, &[channel]).await;
        let id = f.store_schedule(post, channel, at(days, time)).await;
        if first == 0 {
            first = id;
        }
    }
    let brand_day = local_date(now_ms() + 6 * DAY_MS).to_string();
    f.app
        .store
        .add_calendar_event(f.ws.id(), f.owner.id, &brand_day, "小满咖啡三周年", 7, true)
        .await
        .unwrap();

    browser.goto(&format!("{}/login", f.app.url)).await;
    browser.fill("#email", "owner@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("需要你处理").await;
    let base = format!("{}/w/{}", f.app.url, f.ws.id);
    browser.goto(&format!("{base}/calendar")).await;
    browser.wait_for_text("内容日历").await;
    browser.wait_for_text("1 条发布失败").await;
    full_page(&browser, 1280, "20-calendar-month").await;

    // Drag the first coming card two days on, as a mouse would.
    let target = local_date(at(3, "12:00")).to_string();
    let drag = json!({"script": "const card = document.getElementById('pub-' + arguments[0]); \
        const day = document.querySelector('[data-date=\"' + arguments[1] + '\"]'); \
        const dt = new DataTransfer(); \
        card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt})); \
        day.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt})); \
        day.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt})); \
        card.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: dt}));",
        "args": [first, target]});
    browser
        .call(reqwest::Method::POST, "/execute/sync", Some(drag))
        .await;
    browser.wait_for_text("发布时间已调整").await;
    let moved = f.app.store.publication(f.ws.id(), first).await.unwrap();
    assert_eq!(
        moved.scheduled_at,
        at(3, "12:00"),
        "moved two days, same time"
    );
    full_page(&browser, 1280, "21-calendar-after-drag").await;
    browser.goto(&format!("{base}/calendar?view=week")).await;
    browser.wait_for_text("内容日历").await;
    full_page(&browser, 1280, "22-calendar-week").await;
    browser.goto(&format!("{base}/publications")).await;
    browser.wait_for_text("内容被平台拒绝").await;
    full_page(&browser, 1280, "23-publications").await;
    browser
        .goto(&format!("{base}/content/{launch}#schedule"))
        .await;
    browser.wait_for_text("排期发布").await;
    full_page(&browser, 1280, "24-post-schedule").await;
    browser.goto(&format!("{base}/settings/channels")).await;
    browser.wait_for_text("队列时段").await;
    full_page(&browser, 1280, "25-channel-health").await;

    browser.resize(390, 844).await;
    browser.goto(&format!("{base}/calendar?view=month")).await;
    browser.wait_for_text("1 条发布失败").await;
    browser.screenshot("26-calendar-phone").await;
    full_page(&browser, 390, "26b-calendar-phone-full").await;
    browser.resize(390, 844).await;
    browser.goto(&format!("{base}/publications")).await;
    browser.wait_for_text("发布素材包").await;
    full_page(&browser, 390, "27-publications-phone").await;
    browser.resize(1280, 900).await;
    browser.goto(&format!("{base}/calendar")).await;
    browser.click(".lang-switch button[value=en]").await;
    browser.wait_for_text("Content calendar").await;
    browser.wait_for_text("Failed: 1").await;
    full_page(&browser, 1280, "28-calendar-en").await;
    browser.quit().await;
}

/// Editing a channel on a desktop and on a phone: the form prefilled, a refusal in
/// place, then a save back to the list.
#[tokio::test]
async fn edit_a_channel_on_desktop_and_phone() {
    use crate::calendar_ui::Fixture;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let f = Fixture::new().await;
    let channel = crate::channel_edit::mastodon(&f, f.ws.id, &f.token).await;
    browser.goto(&format!("{}/login", f.app.url)).await;
    browser.fill("#email", "owner@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("需要你处理").await;
    let base = format!("{}/w/{}", f.app.url, f.ws.id);

    browser.goto(&format!("{base}/settings/channels")).await;
    browser.wait_for_text("长毛象").await;
    browser.click(".channel-list .edit-link").await;
    browser.wait_for_text("编辑渠道").await;
    assert!(
        browser
            .url()
            .await
            .ends_with(&format!("/settings/channels/{channel}"))
    );
    browser.screenshot("30-channel-edit").await;

    browser.resize(390, 844).await;
    browser
        .fill("#settings-instance_url", "social.example")
        .await;
    browser.click(".channel-edit button[type=submit]").await;
    browser.wait_for_text("请输入完整的网址").await;
    browser.screenshot("31-channel-edit-refused-phone").await;
    let width = json!({"script": "return document.documentElement.scrollWidth", "args": []});
    let scroll = browser
        .call(reqwest::Method::POST, "/execute/sync", Some(width))
        .await;
    assert!(
        scroll.as_u64().unwrap_or(0) <= 390,
        "no sideways scroll: {scroll}"
    );

    browser.fill("#name", "长毛象 · 新实例").await;
    browser
        .fill("#settings-instance_url", "https://social.example")
        .await;
    browser.click(".channel-edit button[type=submit]").await;
    browser.wait_for_text("渠道设置已保存").await;
    browser.screenshot("32-channel-saved-phone").await;
    browser.resize(1280, 900).await;
    browser.screenshot("33-channel-saved").await;
    browser
        .goto(&format!("{base}/settings/channels/{channel}"))
        .await;
    browser.click(".lang-switch button[value=en]").await;
    browser.wait_for_text("Edit channel").await;
    browser.wait_for_text("Saved; leave empty to keep it").await;
    browser.screenshot("34-channel-edit-en").await;
    let saved = f
        .app
        .store
        .channel_connection(f.ws.id(), fanloop_domain::ChannelId(channel))
        .await
        .unwrap();
    assert_eq!(saved.settings["instance_url"], "https://social.example");
    assert_eq!(saved.secrets["access_token"], crate::channel_edit::TOKEN);
    browser.quit().await;
}
