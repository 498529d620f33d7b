//! Editing a channel from its settings page: non-secret settings prefilled, saved
//! secrets kept unless retyped and never sent to the browser, refusals in place, a
//! reconnect only when the connection changed, and the gate around it.

use crate::calendar_ui::{DAY_MS, Fixture, now_ms};
use fanloop_domain::{ChannelId, Role};
use fanloop_store::publishing::Outcome;
use serde_json::{Value, json};

pub(crate) const TOKEN: &str = "tok-original-4711";

/// A Mastodon channel made through the API, with its token sealed in the store.
pub(crate) async fn mastodon(f: &Fixture, ws: i64, token: &str) -> i64 {
    let c: Value = f
        .app
        .post_json(
            &format!("/api/v1/workspaces/{ws}/channels"),
            token,
            &json!({"platform": "mastodon", "name": "长毛象", "settings": {
                "instance_url": "https://mastodon.example", "access_token": TOKEN}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    c["id"].as_i64().unwrap_or_else(|| panic!("channel: {c}"))
}

/// What the engine would build the connector from (read in process, never over HTTP).
async fn connection(f: &Fixture, channel: i64) -> (String, String, String) {
    let c = f
        .app
        .store
        .channel_connection(f.id(), ChannelId(channel))
        .await
        .unwrap();
    let name = f
        .app
        .store
        .channels(f.id())
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == channel)
        .unwrap()
        .name;
    (
        name,
        c.settings["instance_url"].clone(),
        c.secrets["access_token"].clone(),
    )
}

#[tokio::test]
async fn editing_a_channel_keeps_its_secret_and_refuses_bad_input_in_place() {
    let f = Fixture::new().await;
    let channel = mastodon(&f, f.ws.id, &f.token).await;
    let edit = f.path(&format!("/settings/channels/{channel}"));

    // The list links to it; the form is prefilled and the secret is not in the page.
    let list = f.get(&f.path("/settings/channels")).await;
    assert!(list.body.contains(&format!("{edit}\"")), "edit link");
    assert!(list.body.contains(">编辑</a>"));
    let form = f.get(&edit).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"长毛象\""));
    assert!(form.body.contains("value=\"https://mastodon.example\""));
    assert!(form.body.contains("已保存，留空则不修改"));
    assert!(form.body.contains("name=\"_csrf\""));
    assert!(
        form.body.contains("/settings/channels\" class=\"active\""),
        "the Channels tab stays lit"
    );
    assert!(
        !form.body.contains(TOKEN),
        "a saved secret reached the page"
    );

    // A bad URL: refused in place, typed name kept, typed secret not echoed, nothing saved.
    let refused = f
        .post(
            &edit,
            &[
                ("name", "长毛象 · 新实例"),
                ("settings.instance_url", "mastodon.example/no-scheme"),
                ("settings.access_token", "typed-secret-0815"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("value=\"长毛象 · 新实例\""));
    assert!(
        refused
            .body
            .contains("value=\"mastodon.example/no-scheme\"")
    );
    assert!(
        refused.body.contains("请输入完整的网址"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("请重新填写"),
        "asks to retype the secret"
    );
    assert!(!refused.body.contains("typed-secret-0815"));
    assert_eq!(
        connection(&f, channel).await,
        (
            "长毛象".into(),
            "https://mastodon.example".into(),
            TOKEN.into()
        )
    );

    // A held publication waits for the connection to be fixed, not for a rename.
    let post = f.approved_post(&f.token, "长毛象测试", &[channel]).await;
    let publication = f.store_schedule(post, channel, now_ms() + DAY_MS).await;
    let held = Outcome::Held {
        reason: "token_expired".into(),
        error: "401 The access token is invalid".into(),
    };
    f.settle(publication, held).await;
    let renamed = f
        .post(
            &edit,
            &[
                ("name", "长毛象 · 改名"),
                ("settings.instance_url", "https://mastodon.example"),
                ("settings.access_token", ""),
            ],
        )
        .await;
    assert_eq!(renamed.status, 303);
    assert!(
        renamed.location.contains("released=0"),
        "{}",
        renamed.location
    );
    let p = f.app.store.publication(f.id(), publication).await.unwrap();
    assert_eq!(p.status.code(), "held", "a rename fixes nothing");

    // A new instance URL with the token left empty: saved, token kept, held post queued.
    let moved = f
        .post(
            &edit,
            &[
                ("name", "长毛象 · 新实例"),
                ("settings.instance_url", "https://social.example"),
                ("settings.access_token", ""),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert!(moved.location.contains("released=1"), "{}", moved.location);
    assert_eq!(
        connection(&f, channel).await,
        (
            "长毛象 · 新实例".into(),
            "https://social.example".into(),
            TOKEN.into()
        )
    );
    let p = f.app.store.publication(f.id(), publication).await.unwrap();
    assert_eq!(p.status.code(), "scheduled");
    let shown = f.get(&moved.location).await;
    assert!(shown.body.contains("渠道已重新连接"), "{}", shown.body);

    // A typed token replaces the saved one.
    let retoken = f
        .post(
            &edit,
            &[
                ("name", "长毛象 · 新实例"),
                ("settings.instance_url", "https://social.example"),
                ("settings.access_token", "tok-new"),
            ],
        )
        .await;
    assert_eq!(retoken.status, 303);
    assert_eq!(connection(&f, channel).await.2, "tok-new");
}

#[tokio::test]
async fn only_channel_managers_edit_and_only_their_workspaces_channels() {
    let f = Fixture::new().await;
    let channel = mastodon(&f, f.ws.id, &f.token).await;
    let edit = f.path(&format!("/settings/channels/{channel}"));
    let fields = [
        ("name", "改名"),
        ("settings.instance_url", "https://social.example"),
    ];

    for role in [Role::Viewer, Role::Editor] {
        let (_, _, who) = f.member(role).await;
        assert_eq!(f.get_as(&who, &edit).await.status, 403, "{role:?}");
        assert_eq!(f.post_as(&who, &edit, &fields).await.status, 403);
        let list = f.get_as(&who, &f.path("/settings/channels")).await;
        assert_eq!(list.status, 200);
        assert!(
            !list.body.contains(&format!("{edit}\"")),
            "{role:?} sees Edit"
        );
    }

    // Another workspace's channel, reached through this workspace: not found, unchanged.
    let other = f.app.workspace(&f.owner, "另一个工作区").await;
    let foreign = mastodon(&f, other.id, &f.token).await;
    let through_mine = f.path(&format!("/settings/channels/{foreign}"));
    assert_eq!(f.get(&through_mine).await.status, 404);
    assert_eq!(f.post(&through_mine, &fields).await.status, 404);
    let theirs = f.app.store.channels(other.id()).await.unwrap();
    assert_eq!(theirs[0].name, "长毛象");
    assert_eq!(
        theirs[0].settings["instance_url"],
        "https://mastodon.example"
    );
    assert_eq!(connection(&f, channel).await.0, "长毛象");
}

#[tokio::test]
async fn a_wechat_channel_shows_its_delivery_and_keeps_both_secrets() {
    let f = Fixture::new().await;
    let settings = json!({"app_id": "wx1234", "app_secret": "secret-app-1", "token": "secret-push-2",
        "delivery": "mass_tag", "mass_tag_id": "134", "account_type": "service"});
    let c: Value = f
        .app
        .post_json(
            &format!("/api/v1/workspaces/{}/channels", f.ws.id),
            &f.token,
            &json!({"platform": "wechat_oa", "name": "小满公众号", "settings": settings}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let channel = c["id"].as_i64().unwrap();
    let edit = f.path(&format!("/settings/channels/{channel}"));
    let form = f.get(&edit).await;
    assert!(form.body.contains("<option value=\"mass_tag\" selected>"));
    assert!(form.body.contains("<option value=\"service\" selected>"));
    assert!(form.body.contains("value=\"134\""));
    assert!(form.body.contains("value=\"wx1234\""));
    assert!(!form.body.contains("secret-app-1") && !form.body.contains("secret-push-2"));

    // The tag id without a tag delivery is refused in the domain's words, beside it.
    let mut fields = vec![
        ("name", "小满公众号"),
        ("settings.app_id", "wx1234"),
        ("settings.delivery", "publish"),
        ("settings.mass_tag_id", "134"),
        ("settings.account_type", "service"),
    ];
    let refused = f.post(&edit, &fields).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("只有“群发给标签”才使用标签 ID"));
    assert!(!refused.body.contains("请重新填写"), "no secret was typed");

    fields[3].1 = "";
    assert_eq!(f.post(&edit, &fields).await.status, 303);
    let saved = f
        .app
        .store
        .channel_connection(f.id(), ChannelId(channel))
        .await
        .unwrap();
    assert_eq!(
        saved.settings.get("delivery").map(String::as_str),
        Some("publish")
    );
    assert!(!saved.settings.contains_key("mass_tag_id"));
    assert_eq!(saved.secrets["app_secret"], "secret-app-1");
    assert_eq!(saved.secrets["token"], "secret-push-2");
}
