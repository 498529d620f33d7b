//! The calendar and publishing pages over HTTP: the month and week views with their
//! publications and holidays, filters, the attention banner, moving a publication,
//! retrying and confirming from the list, scheduling from the post page, queue slots
//! and reconnecting a channel — and who may do each.

use crate::helpers::TestApp;
use fanloop_domain::{Role, WorkspaceId};
use fanloop_store::publishing::{Begin, Outcome, Slot};
use fanloop_store::{User, Workspace};
use serde_json::{Value, json};

pub(crate) const DAY_MS: i64 = 86_400_000;

/// Percent-encodes a form value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A signed-in browser: its cookie and CSRF token.
pub(crate) struct Session {
    cookie: String,
    csrf: String,
}

pub(crate) struct Page {
    pub status: u16,
    pub location: String,
    pub body: String,
}

/// A workspace with an owner signed in, shared with the browser suite.
pub(crate) struct Fixture {
    pub app: TestApp,
    pub owner: User,
    pub token: String,
    pub ws: Workspace,
    session: Session,
}

impl Fixture {
    pub(crate) async fn new() -> Fixture {
        let app = TestApp::spawn().await;
        let owner = app.user("owner@example.com").await;
        let token = app.token(&owner).await;
        let ws = app.workspace(&owner, "小满咖啡").await;
        let (cookie, csrf) = app.session(&owner).await;
        // Solo rules: submitting approves at once, so tests reach "approved" quickly.
        let rules = json!({"required_approvals": 0, "author_may_approve": true, "lint_errors_block": false, "approver_roles": ["owner"]});
        let r = app
            .http
            .put(format!(
                "{}/api/v1/workspaces/{}/approval-rules",
                app.url, ws.id
            ))
            .bearer_auth(&token)
            .json(&rules)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        Fixture {
            app,
            owner,
            token,
            ws,
            session: Session { cookie, csrf },
        }
    }

    pub(crate) fn id(&self) -> WorkspaceId {
        self.ws.id()
    }

    pub(crate) async fn channel(&self, name: &str) -> i64 {
        let c: Value = self
            .app
            .post_json(
                &format!("/api/v1/workspaces/{}/channels", self.ws.id),
                &self.token,
                &json!({"platform": "sandbox", "name": name}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        c["id"].as_i64().expect("channel id")
    }

    /// A post on `channels` written by the holder of `token`, submitted (and so approved
    /// under the solo rules).
    pub(crate) async fn approved_post(&self, token: &str, title: &str, channels: &[i64]) -> i64 {
        let base = format!("/api/v1/workspaces/{}/posts", self.ws.id);
        let body = json!({"title": title, "body": "桂花拿铁上市了。\n\n![新品](https://img.example/latte.jpg)", "channel_ids": channels, "tags": ["咖啡", "秋天"]});
        let post: Value = self
            .app
            .post_json(&base, token, &body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = post["id"].as_i64().expect("post id");
        let submitted: Value = self
            .app
            .post_json(&format!("{base}/{id}/submit"), token, &json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(submitted["status"], "approved", "{submitted}");
        id
    }

    /// Schedules through the store, which takes any time (the page refuses the past).
    pub(crate) async fn store_schedule(&self, post: i64, channel: i64, at_ms: i64) -> i64 {
        let version = self
            .app
            .store
            .post(self.id(), post)
            .await
            .unwrap()
            .unwrap()
            .version;
        let ids = self
            .app
            .store
            .schedule(
                self.id(),
                post,
                version,
                &[Slot {
                    channel_id: channel,
                    at_ms,
                }],
                self.owner.id,
            )
            .await
            .unwrap();
        ids[0]
    }

    /// Runs the engine's steps by hand: claim the publication's job (it must be the only
    /// one due by its time), start the attempt and record `outcome`.
    pub(crate) async fn settle(&self, publication: i64, outcome: Outcome) {
        let store = &self.app.store;
        let p = store.publication(self.id(), publication).await.unwrap();
        let jobs = store
            .claim_jobs("test-worker", p.scheduled_at, 60_000, 10)
            .await
            .unwrap();
        assert_eq!(jobs.len(), 1, "test setup: only this job may be due");
        let job = &jobs[0];
        assert_eq!(job.publication_id, publication);
        // A claim starts an on-time attempt itself; a late one is begun by hand.
        if job.started.is_none() {
            let begun = store.begin_attempt(job, "test-worker").await.unwrap();
            assert!(matches!(begun, Begin::Started { .. }), "{begun:?}");
        }
        store
            .finish_job(job, "test-worker", &outcome)
            .await
            .unwrap();
    }

    pub(crate) async fn get(&self, path: &str) -> Page {
        self.get_as(&self.session, path).await
    }

    pub(crate) async fn get_as(&self, who: &Session, path: &str) -> Page {
        let r = self
            .app
            .http
            .get(format!("{}{path}", self.app.url))
            .header("cookie", &who.cookie)
            .send()
            .await
            .unwrap();
        page(r).await
    }

    pub(crate) async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_as(&self.session, path, fields).await
    }

    pub(crate) async fn post_as(&self, who: &Session, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut body = format!("_csrf={}", enc(&who.csrf));
        for (k, v) in fields {
            body.push_str(&format!("&{}={}", enc(k), enc(v)));
        }
        let r = self
            .app
            .http
            .post(format!("{}{path}", self.app.url))
            .header("cookie", &who.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        page(r).await
    }

    pub(crate) async fn member(&self, role: Role) -> (User, String, Session) {
        let (user, token) = self.app.member(&self.ws, &self.owner, role).await;
        let (cookie, csrf) = self.app.session(&user).await;
        (user, token, Session { cookie, csrf })
    }

    pub(crate) fn path(&self, rest: &str) -> String {
        format!("/w/{}{rest}", self.ws.id)
    }
}

async fn page(r: reqwest::Response) -> Page {
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Page {
        status,
        location,
        body: r.text().await.unwrap_or_default(),
    }
}

fn shanghai() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()
}

/// `2026-10-03T20:00` in Shanghai, as milliseconds.
pub(crate) fn local_ms(s: &str) -> i64 {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(shanghai())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

pub(crate) fn local_date(ms: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap()
        .to_zoned(shanghai())
        .date()
}

/// 20:00 Shanghai time, `days` from today.
fn evening_in(days: i64) -> i64 {
    let date = local_date(now_ms() + days * DAY_MS);
    local_ms(&format!("{date}T20:00"))
}

pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// The HTML of one day's cell of the calendar.
fn cell<'a>(body: &'a str, date: &str) -> &'a str {
    let marker = format!("data-date=\"{date}\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no cell for {date}"));
    let rest = &body[start + marker.len()..];
    let end = rest.find("data-date=\"").unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test]
async fn month_and_week_show_publications_and_the_hot_spot_calendar() {
    let f = Fixture::new().await;
    let channel = f.channel("沙盒公众号").await;
    let post = f
        .approved_post(&f.token, "国庆出游咖啡指南", &[channel])
        .await;
    f.store_schedule(post, channel, local_ms("2026-10-03T20:00"))
        .await;
    let (_, _, viewer) = f.member(Role::Viewer).await;

    let month = f.get_as(&viewer, &f.path("/calendar?month=2026-10")).await;
    assert_eq!(month.status, 200);
    assert!(month.body.contains("2026年10月"), "the month is named");
    let national_day = cell(&month.body, "2026-10-01");
    assert!(national_day.contains("国庆节假期"), "{national_day}");
    assert!(national_day.contains("ev-holiday") && national_day.contains("cal-tag off"));
    assert!(
        cell(&month.body, "2026-10-10").contains("cal-tag work"),
        "the make-up workday is marked"
    );
    assert!(
        cell(&month.body, "2026-10-08").contains("寒露"),
        "a solar term"
    );
    let third = cell(&month.body, "2026-10-03");
    assert!(
        third.contains("国庆出游咖啡指南") && third.contains("20:00"),
        "{third}"
    );
    assert!(third.contains("chip st-scheduled") && third.contains("已排期"));
    assert!(third.contains("沙盒公众号"));
    assert!(
        !third.contains("draggable"),
        "a viewer cannot move publications, so nothing is draggable"
    );
    assert!(
        month.body.contains("data-date=\"2026-09-28\""),
        "whole weeks"
    );
    assert!(!month.body.contains("data-date=\"2026-11-02\""));
    assert!(month.body.contains("?month=2026-09") && month.body.contains("?month=2026-11"));

    // The owner may move it: draggable, with its own time form.
    let owned = f.get(&f.path("/calendar?month=2026-10")).await;
    let third = cell(&owned.body, "2026-10-03");
    assert!(third.contains("draggable=\"true\"") && third.contains("/move"));
    assert!(third.contains("value=\"2026-10-03T20:00\""), "{third}");

    let week = f.get(&f.path("/calendar?view=week&date=2026-10-01")).await;
    assert_eq!(week.status, 200);
    assert_eq!(week.body.matches("class=\"cal-day").count(), 7);
    assert!(
        week.body.contains("data-date=\"2026-09-28\"")
            && week.body.contains("data-date=\"2026-10-04\"")
    );
    assert!(!week.body.contains("data-date=\"2026-10-05\""));
    assert!(cell(&week.body, "2026-10-03").contains("国庆出游咖啡指南"));
    assert!(
        week.body.contains("?view=week&#38;date=2026-10-05"),
        "next week link"
    );

    // Without parameters: this month, in the workspace's zone.
    let now = local_date(now_ms());
    let current = f.get(&f.path("/calendar")).await;
    assert_eq!(current.status, 200);
    assert!(
        current
            .body
            .contains(&format!("{}年{}月", now.year(), now.month()))
    );
    assert!(current.body.contains("cal-day") && current.body.contains(" today"));
    assert!(
        current.body.contains("这段时间还没有排期"),
        "an empty month says so"
    );
    // Nonsense parameters fall back instead of failing.
    let odd = f
        .get(&f.path("/calendar?month=2026-13&view=x&channel=abc"))
        .await;
    assert_eq!(odd.status, 200);
}

#[tokio::test]
async fn filters_narrow_the_calendar_and_the_list() {
    let f = Fixture::new().await;
    let a = f.channel("公众号").await;
    let b = f.channel("小红书").await;
    let mine = f.approved_post(&f.token, "桂花拿铁", &[a, b]).await;
    let (editor, editor_token, _) = f.member(Role::Editor).await;
    let theirs = f.approved_post(&editor_token, "冬至暖饮", &[a]).await;
    let day = evening_in(20);
    f.store_schedule(mine, a, day - 10 * 3_600_000).await;
    f.store_schedule(mine, b, day - 8 * 3_600_000).await;
    f.store_schedule(theirs, a, day + 3_600_000).await;
    let month = local_date(day).strftime("%Y-%m").to_string();
    let cards = |body: &str| body.matches("<article class=\"pub-card").count();

    let all = f
        .get(&f.path(&format!("/calendar?view=week&date={}", local_date(day))))
        .await;
    assert_eq!(cards(&all.body), 3, "unfiltered");
    let only_b = f
        .get(&f.path(&format!(
            "/calendar?view=week&date={}&channel={b}",
            local_date(day)
        )))
        .await;
    assert_eq!(cards(&only_b.body), 1);
    assert!(only_b.body.contains("12:00") && only_b.body.contains("小红书"));
    assert!(
        only_b
            .body
            .contains(&format!("<option value=\"{b}\" selected>")),
        "the form keeps the filter"
    );
    assert!(
        only_b.body.contains(&format!("&#38;channel={b}")),
        "navigation keeps the filter"
    );
    let by_editor = f
        .get(&f.path(&format!("/calendar?month={month}&author={}", editor.id.0)))
        .await;
    assert_eq!(cards(&by_editor.body), 1);
    assert!(by_editor.body.contains("冬至暖饮") && !by_editor.body.contains("桂花拿铁"));
    let failed = f
        .get(&f.path(&format!("/calendar?month={month}&status=failed")))
        .await;
    assert_eq!(cards(&failed.body), 0);
    assert!(failed.body.contains("没有符合筛选条件的发布"));

    let list = f.get(&f.path(&format!("/publications?channel={b}"))).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body.matches("class=\"pub-row ").count(), 1);
    let list = f.get(&f.path("/publications")).await;
    assert_eq!(list.body.matches("class=\"pub-row ").count(), 3);
    let newest = list.body.find("冬至暖饮").unwrap();
    assert!(newest < list.body.find("桂花拿铁").unwrap(), "newest first");
    let scheduled = f
        .get(&f.path("/publications?status=scheduled&author=x"))
        .await;
    assert_eq!(scheduled.body.matches("class=\"pub-row ").count(), 3);
}

#[tokio::test]
async fn failures_are_impossible_to_miss_and_can_be_retried_or_confirmed() {
    let f = Fixture::new().await;
    let channel = f.channel("沙盒").await;
    let post = f.approved_post(&f.token, "秋季新品", &[channel]).await;
    let by_hand = f.channel("视频号").await;
    let assisted_post = f
        .approved_post(&f.token, "手动发布的帖子", &[by_hand])
        .await;
    let failed = f
        .store_schedule(post, channel, now_ms() - 2 * 3_600_000)
        .await;
    f.settle(
        failed,
        Outcome::Failed {
            reason: "content_rejected".into(),
            error: "errcode 87014: risky content".into(),
        },
    )
    .await;
    let assisted = f
        .store_schedule(assisted_post, by_hand, now_ms() - 3_600_000)
        .await;
    f.settle(assisted, Outcome::Assisted).await;
    let (_, _, viewer) = f.member(Role::Viewer).await;

    for path in ["/calendar", "/publications", ""] {
        let shown = f.get_as(&viewer, &f.path(path)).await;
        assert_eq!(shown.status, 200, "{path}");
        assert!(shown.body.contains("1 条发布失败"), "{path}");
        assert!(
            shown
                .body
                .contains(&format!("/w/{}/publications?status=failed", f.ws.id)),
            "{path} links to the failed ones"
        );
        assert!(shown.body.contains("1 条内容等待人工发布"), "{path}");
    }
    let banner = f.get(&f.path("/calendar")).await;
    assert!(banner.body.contains("class=\"pub-alert\" role=\"alert\""));

    let list = f.get(&f.path("/publications?status=failed")).await;
    assert_eq!(list.body.matches("class=\"pub-row ").count(), 1);
    assert!(list.body.contains("内容被平台拒绝"), "the reason in words");
    assert!(
        list.body.contains("errcode 87014: risky content"),
        "and the platform's"
    );
    assert!(list.body.contains(&format!("/publications/{failed}/retry")));
    assert!(
        !list
            .body
            .contains(&format!("/publications/{failed}/confirm"))
    );

    // The assisted one comes with its package and a confirm form.
    let list = f.get(&f.path("/publications?status=assisted")).await;
    assert!(list.body.contains("发布素材包"), "the package");
    assert!(list.body.contains("桂花拿铁上市了。"), "the text to copy");
    assert!(list.body.contains("#咖啡") && list.body.contains("https://img.example/latte.jpg"));
    assert!(
        list.body.contains("复制帖子链接，粘贴到下方并确认"),
        "the checklist"
    );
    assert!(
        list.body
            .contains(&format!("/publications/{assisted}/confirm"))
    );

    // A viewer may look but not act.
    let retry = f.path(&format!("/publications/{failed}/retry"));
    assert_eq!(f.post_as(&viewer, &retry, &[]).await.status, 403);
    let confirm = f.path(&format!("/publications/{assisted}/confirm"));
    let url = [("url", "https://channels.example/p/1")];
    assert_eq!(f.post_as(&viewer, &confirm, &url).await.status, 403);

    // A bad link is refused in place, with what was typed.
    let refused = f
        .post(
            &confirm,
            &[("url", "视频号里的那条"), ("back", "?status=assisted")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("value=\"视频号里的那条\""));
    assert!(refused.body.contains("请粘贴以 https:// 开头的完整链接"));
    let done = f
        .post(&confirm, &[("url", url[0].1), ("back", "?status=assisted")])
        .await;
    assert_eq!(done.status, 303);
    assert!(
        done.location
            .contains("/publications?status=assisted&done=confirmed"),
        "{}",
        done.location
    );
    let p = f.app.store.publication(f.id(), assisted).await.unwrap();
    assert_eq!(p.status.code(), "published");
    assert_eq!(p.remote_url.as_deref(), Some(url[0].1));

    let retried = f.post(&retry, &[("back", "?status=failed")]).await;
    assert_eq!(retried.status, 303);
    let p = f.app.store.publication(f.id(), failed).await.unwrap();
    assert_eq!((p.status.code(), p.attempts), ("scheduled", 0));
    // Retrying again is not possible: it is scheduled now; the list says why.
    let again = f.post(&retry, &[("back", "?status=failed")]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("当前状态下不能执行这个操作"));
    let calm = f.get(&f.path("/calendar")).await;
    assert!(
        !calm.body.contains("class=\"pub-alert\""),
        "nothing alarming is left"
    );
}

#[tokio::test]
async fn dragging_moves_a_publication_and_keeps_its_time_of_day() {
    let f = Fixture::new().await;
    let channel = f.channel("沙盒").await;
    let post = f.approved_post(&f.token, "周末咖啡", &[channel]).await;
    let at = evening_in(30);
    let publication = f.store_schedule(post, channel, at).await;
    let target = local_date(at + 3 * DAY_MS);
    let back = format!("?month={}", local_date(at).strftime("%Y-%m"));
    let path = f.path(&format!("/calendar/publications/{publication}/move"));

    let (_, _, viewer) = f.member(Role::Viewer).await;
    let date = target.to_string();
    let drag = [("date", date.as_str()), ("back", back.as_str())];
    assert_eq!(f.post_as(&viewer, &path, &drag).await.status, 403);

    let moved = f.post(&path, &drag).await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert!(
        moved
            .location
            .starts_with(&format!("/w/{}/calendar{back}&done=moved", f.ws.id)),
        "{}",
        moved.location
    );
    let p = f.app.store.publication(f.id(), publication).await.unwrap();
    assert_eq!(
        p.scheduled_at,
        at + 3 * DAY_MS,
        "same time of day, three days on"
    );
    assert_eq!(p.status.code(), "scheduled");
    let after = f.get(&moved.location).await;
    assert!(after.body.contains("发布时间已调整"));
    assert!(cell(&after.body, &date).contains("周末咖啡"));

    // The card's own form takes a full local time.
    let at_input = format!("{}T09:30", local_date(at + 5 * DAY_MS));
    let typed = f
        .post(&path, &[("at", at_input.as_str()), ("back", back.as_str())])
        .await;
    assert_eq!(typed.status, 303);
    let p = f.app.store.publication(f.id(), publication).await.unwrap();
    assert_eq!(p.scheduled_at, local_ms(&at_input));

    // The past is refused in place, the card's form open with what was asked.
    let before = p.scheduled_at;
    let past = f
        .post(&path, &[("date", "2020-01-01"), ("back", back.as_str())])
        .await;
    assert_eq!(past.status, 422);
    assert!(
        past.body.contains("发布时间已经过去"),
        "the scheduler's reason"
    );
    assert!(
        past.body.contains("value=\"2020-01-01T09:30\""),
        "the time asked for"
    );
    assert!(
        past.body.contains("id=\"calendar-board\""),
        "the board, for the script to swap"
    );
    let nonsense = f.post(&path, &[("at", "soon")]).await;
    assert_eq!(nonsense.status, 422);
    assert!(nonsense.body.contains("请填写有效的日期和时间"));
    let p = f.app.store.publication(f.id(), publication).await.unwrap();
    assert_eq!(p.scheduled_at, before, "nothing moved");

    // Only scheduled (or held) publications move.
    let other = f
        .approved_post(&f.token, "已经失败的帖子", &[channel])
        .await;
    let failed = f.store_schedule(other, channel, now_ms() - 3_600_000).await;
    f.settle(
        failed,
        Outcome::Failed {
            reason: "content_rejected".into(),
            error: "rejected".into(),
        },
    )
    .await;
    let failed_path = f.path(&format!("/calendar/publications/{failed}/move"));
    let refused = f.post(&failed_path, &[("date", date.as_str())]).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused
            .body
            .contains("只有已排期或等待重连的发布可以改时间"),
        "polite refusal"
    );
    let p = f.app.store.publication(f.id(), failed).await.unwrap();
    assert_eq!(p.status.code(), "failed");

    // A post edited after approval left review: its publication was cancelled, so it
    // cannot be moved either.
    let edit = f
        .app
        .http
        .put(format!(
            "{}/api/v1/workspaces/{}/posts/{post}",
            f.app.url, f.ws.id
        ))
        .bearer_auth(&f.token)
        .json(&json!({"title": "周末咖啡", "body": "改过的正文"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status().as_u16(), 200);
    let stale = f.post(&path, &drag).await;
    assert_eq!(stale.status, 409);
    let unknown = f.path("/calendar/publications/999999/move");
    assert_eq!(f.post(&unknown, &drag).await.status, 404);
}

#[tokio::test]
async fn scheduling_from_the_post_page_keeps_input_on_refusal() {
    let f = Fixture::new().await;
    let channel = f.channel("沙盒公众号").await;
    let post = f.approved_post(&f.token, "冬日限定", &[channel]).await;
    let post_path = f.path(&format!("/content/{post}"));
    let schedule = format!("{post_path}/schedule");
    let c = channel.to_string();

    let shown = f.get(&post_path).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("id=\"schedule\""));
    assert!(
        shown
            .body
            .contains(&format!("name=\"channel\" value=\"{channel}\" checked"))
    );
    assert!(
        shown.body.contains("data-fill-at=\""),
        "golden-time suggestions"
    );

    let past = [
        ("channel", c.as_str()),
        ("mode", "at"),
        ("at", "2020-01-01T10:00"),
    ];
    let refused = f.post(&schedule, &past).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("发布时间已经过去"));
    assert!(
        refused.body.contains("value=\"2020-01-01T10:00\""),
        "the time typed is kept"
    );
    let none = f
        .post(&schedule, &[("mode", "at"), ("at", "2030-01-01T10:00")])
        .await;
    assert_eq!(none.status, 422);
    assert!(none.body.contains("请至少选择一个渠道"));
    assert!(none.body.contains("value=\"2030-01-01T10:00\""));
    assert!(
        !none.body.contains(&format!("value=\"{channel}\" checked")),
        "the unticked channel stays unticked"
    );
    let queue = [("channel", c.as_str()), ("mode", "queue")];
    let no_slots = f.post(&schedule, &queue).await;
    assert_eq!(no_slots.status, 422);
    assert!(no_slots.body.contains("没有设置队列时段"));
    assert!(no_slots.body.contains("value=\"queue\" checked"));
    let none_yet = f
        .app
        .store
        .publications(f.id(), &Default::default())
        .await
        .unwrap();
    assert!(
        none_yet.is_empty(),
        "nothing was scheduled by refused forms"
    );

    // Queue slots on the channels page: a bad line is named, the text kept.
    let slots = f.path(&format!("/settings/channels/{channel}/slots"));
    let bad = f.post(&slots, &[("slots", "周二 20:00\n周八 9:00")]).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("第 2 行「周八 9:00」"),
        "the bad line is named"
    );
    assert!(bad.body.contains("周二 20:00\n周八 9:00</textarea>"));
    let saved = f.post(&slots, &[("slots", "周二 20:00\nfri 07:30")]).await;
    assert_eq!(saved.status, 303);
    let weekly = f.app.store.queue_slots(f.id(), channel).await.unwrap();
    assert_eq!(weekly.len(), 2);
    let page = f.get(&saved.location).await;
    assert!(
        page.body.contains("队列时段已保存")
            && page.body.contains("周二 20:00\n周五 07:30</textarea>")
    );

    let queued = f.post(&schedule, &queue).await;
    assert_eq!(queued.status, 303, "{}", queued.body);
    let list = f
        .app
        .store
        .publications(f.id(), &Default::default())
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let slot = jiff::Timestamp::from_millisecond(list[0].scheduled_at)
        .unwrap()
        .to_zoned(shanghai());
    assert!(
        matches!(
            (slot.weekday(), slot.hour(), slot.minute()),
            (jiff::civil::Weekday::Tuesday, 20, 0) | (jiff::civil::Weekday::Friday, 7, 30)
        ),
        "{slot}"
    );

    // A time moves the same publication; the page shows it and offers to unschedule.
    let at = format!("{}T21:15", local_date(now_ms() + 10 * DAY_MS));
    let exact = [("channel", c.as_str()), ("mode", "at"), ("at", at.as_str())];
    let done = f.post(&schedule, &exact).await;
    assert_eq!(done.status, 303);
    let list = f
        .app
        .store
        .publications(f.id(), &Default::default())
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].scheduled_at, local_ms(&at));
    let shown = f.get(&done.location).await;
    assert!(shown.body.contains("已排期。"));
    assert!(shown.body.contains("chip st-scheduled"));
    assert!(shown.body.contains(&at.replace('T', " ")));
    assert!(shown.body.contains("取消排期（1 条）"));

    let (_, _, viewer) = f.member(Role::Viewer).await;
    let (_, _, editor) = f.member(Role::Editor).await;
    let unschedule = format!("{post_path}/unschedule");
    assert_eq!(f.post_as(&viewer, &schedule, &exact).await.status, 403);
    assert_eq!(f.post_as(&viewer, &unschedule, &[]).await.status, 403);
    assert_eq!(
        f.post_as(&viewer, &slots, &[("slots", "")]).await.status,
        403
    );
    let reconnect = f.path(&format!("/settings/channels/{channel}/reconnect"));
    assert_eq!(
        f.post_as(&editor, &reconnect, &[]).await.status,
        403,
        "managers reconnect"
    );
    assert_eq!(
        f.post_as(&editor, &slots, &[("slots", "mon 08:00")])
            .await
            .status,
        303,
        "editors keep slots"
    );

    let cancelled = f.post(&unschedule, &[]).await;
    assert_eq!(cancelled.status, 303);
    let list = f
        .app
        .store
        .publications(f.id(), &Default::default())
        .await
        .unwrap();
    assert_eq!(list[0].status.code(), "cancelled");

    // A draft says it needs approval, and its schedule is refused in place.
    let draft: Value = f
        .app
        .post_json(
            &format!("/api/v1/workspaces/{}/posts", f.ws.id),
            &f.token,
            &json!({"title": "草稿", "body": "还没写完", "channel_ids": [channel]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let draft_path = f.path(&format!("/content/{}", draft["id"]));
    assert!(
        f.get(&draft_path)
            .await
            .body
            .contains("内容通过审核后才能排期发布")
    );
    let refused = f.post(&format!("{draft_path}/schedule"), &exact).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("只有已通过审核的内容才能排期发布"));
}

#[tokio::test]
async fn channel_health_shows_held_posts_and_reconnecting_releases_them() {
    let f = Fixture::new().await;
    let channel = f.channel("沙盒微博").await;
    let post = f.approved_post(&f.token, "重连测试", &[channel]).await;
    let publication = f.store_schedule(post, channel, now_ms() - 60_000).await;
    f.settle(
        publication,
        Outcome::Held {
            reason: "token_expired".into(),
            error: "40001 invalid credential".into(),
        },
    )
    .await;

    let page = f.get(&f.path("/settings/channels")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("需要重新连接"), "the health line");
    assert!(page.body.contains("1 条等待重连"));
    assert!(
        page.body.contains("40001 invalid credential"),
        "the last error"
    );
    assert!(
        page.body
            .contains(&format!("/settings/channels/{channel}/reconnect"))
    );
    let calendar = f.get(&f.path("/calendar")).await;
    assert!(calendar.body.contains("1 条发布在等待渠道重连"));

    let released = f
        .post(
            &f.path(&format!("/settings/channels/{channel}/reconnect")),
            &[],
        )
        .await;
    assert_eq!(released.status, 303);
    assert!(
        released.location.contains("released=1"),
        "{}",
        released.location
    );
    let p = f.app.store.publication(f.id(), publication).await.unwrap();
    assert_eq!(p.status.code(), "scheduled");
    let page = f.get(&released.location).await;
    assert!(page.body.contains("等待中的发布已重新排队"));
    assert!(!page.body.contains("1 条等待重连"));
    let unknown = f.path("/settings/channels/999999/reconnect");
    assert_eq!(f.post(&unknown, &[]).await.status, 404);
}

#[tokio::test]
async fn publishing_settings_page_keeps_bad_input_and_saves_good_input() {
    let f = Fixture::new().await;
    let path = f.path("/settings/publishing");
    let shown = f.get(&path).await;
    assert_eq!(shown.status, 200);
    assert!(
        shown.body.contains("value=\"60\""),
        "the default grace window"
    );
    assert!(
        shown.body.contains("value=\"120\""),
        "the default escalation"
    );

    // Out of range: refused, nothing saved, the typed values kept.
    let refused = f
        .post(
            &path,
            &[
                ("grace_minutes", "99999"),
                ("assisted_escalate_minutes", "45"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("value=\"99999\"") && refused.body.contains("value=\"45\""));
    assert!(
        refused.body.contains("10080"),
        "the message names the limit"
    );
    let kept = f.app.store.publishing_settings(f.id()).await.unwrap();
    assert_eq!(
        (kept.grace_minutes, kept.assisted_escalate_minutes),
        (60, 120)
    );

    let saved = f
        .post(
            &path,
            &[("grace_minutes", "15"), ("assisted_escalate_minutes", "0")],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert!(saved.location.ends_with("/settings/publishing?saved=1"));
    let now = f.app.store.publishing_settings(f.id()).await.unwrap();
    assert_eq!((now.grace_minutes, now.assisted_escalate_minutes), (15, 0));

    // Viewers see the values but cannot change them.
    let (_, _, viewer) = f.member(Role::Viewer).await;
    let read_only = f.get_as(&viewer, &path).await;
    assert_eq!(read_only.status, 200);
    assert!(read_only.body.contains("value=\"15\"") && read_only.body.contains("disabled"));
    let forbidden = f
        .post_as(
            &viewer,
            &path,
            &[("grace_minutes", "30"), ("assisted_escalate_minutes", "30")],
        )
        .await;
    assert_eq!(forbidden.status, 403);
}
