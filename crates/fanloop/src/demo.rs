//! `serve --demo`: a brand with a small team and sandbox channels, so a first look at
//! Fanloop shows a living workspace rather than empty pages. Seeding is idempotent: a
//! second start finds the demo account and changes nothing.

use fanloop_domain::{ChannelDraft, DisplayName, Email, Locale, Role, WorkspaceProfile};
use fanloop_store::Store;
use serde_json::json;

pub const EMAIL: &str = "demo@fanloop.local";
pub const PASSWORD: &str = "fanloop-demo";

/// The demo team: everyone signs in with the demo password, to try each role.
const TEAM: &[(&str, &str, Role)] = &[
    ("lin@fanloop.local", "林主编", Role::EditorInChief),
    ("zhou@fanloop.local", "周小编", Role::Editor),
    ("chen@fanloop.local", "陈社群", Role::Community),
    ("wang@fanloop.local", "王分析", Role::Analyst),
];

pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let email = Email::parse(EMAIL).map_err(|e| anyhow::anyhow!("{e}"))?;
    if store.user_by_email(&email).await?.is_some() {
        return Ok(());
    }
    let hash = fanloop_web::hash_password(PASSWORD);
    let name = |s: &str| DisplayName::parse(s).map_err(|e| anyhow::anyhow!("{e}"));
    let owner = store
        .create_user(&email, &name("演示运营")?, &hash, Locale::ZhCn)
        .await?;

    let profile = WorkspaceProfile::parse(
        "小满咖啡",
        "Asia/Shanghai",
        "zh-CN",
        "语气亲切、真诚，像朋友推荐一杯好咖啡。\n避免“最”“第一”等绝对化用语；不夸大功效。\n称呼读者为“你”，不用“亲”。",
    )
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let workspace = store.create_workspace(owner.id, &profile).await?;

    for (email, display, role) in TEAM {
        let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
        let user = store
            .create_user(&email, &name(display)?, &hash, Locale::ZhCn)
            .await?;
        store
            .add_member(workspace.id(), user.id, *role, owner.id)
            .await?;
    }
    let invitee = Email::parse("designer@example.com").map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .invite(
            workspace.id(),
            &invitee,
            Role::Editor,
            owner.id,
            7 * 24 * 3600 * 1000,
        )
        .await?;

    let channels = [
        ("sandbox", "小满咖啡 · 公众号（沙盒）", json!({})),
        ("sandbox", "小满咖啡 · 微博（沙盒）", json!({})),
        ("sandbox", "Xiaoman Coffee · Bluesky (sandbox)", json!({})),
        (
            "xiaohongshu",
            "小满咖啡 · 小红书",
            json!({"profile_url": "https://www.xiaohongshu.com/user/profile/demo", "account_handle": "xiaomancoffee"}),
        ),
        (
            "douyin",
            "小满咖啡 · 抖音",
            json!({"account_handle": "xiaomancoffee"}),
        ),
    ];
    for (platform, channel_name, settings) in channels {
        let draft = ChannelDraft::parse(platform, channel_name, Some(&settings))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        store
            .create_channel(
                workspace.id(),
                owner.id,
                draft.platform,
                &draft.name,
                &draft.settings,
            )
            .await?;
    }

    // A second brand shows the workspace switcher and tenant separation.
    let second = WorkspaceProfile::parse(
        "Fanloop Demo Global",
        "Europe/London",
        "en",
        "Plain, warm, no hype.",
    )
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let global = store.create_workspace(owner.id, &second).await?;
    let draft = ChannelDraft::parse("sandbox", "Global sandbox", None)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store
        .create_channel(
            global.id(),
            owner.id,
            draft.platform,
            &draft.name,
            &draft.settings,
        )
        .await?;
    Ok(())
}
