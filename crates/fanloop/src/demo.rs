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
    seed_topics(store, &workspace, &owner).await?;

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

/// A topic library that shows scoring, sources and the board.
async fn seed_topics(
    store: &Store,
    workspace: &fanloop_store::Workspace,
    owner: &fanloop_store::User,
) -> anyhow::Result<()> {
    let topics = [
        (
            "双11 早鸟囤豆攻略",
            "学生党和上班族的省钱喝法",
            "hot_event",
            ["5", "4", "5"],
            "planned",
        ),
        (
            "桂花季限定：桂花拿铁的三种喝法",
            "门店 + 在家复刻",
            "product",
            ["4", "4", "4"],
            "in_production",
        ),
        (
            "冬至喝什么：暖胃咖啡搭配",
            "节气选题",
            "hot_event",
            ["4", "3", "3"],
            "idea",
        ),
        (
            "评论区问得最多的 5 个问题",
            "用户需求整理",
            "user_demand",
            ["2", "5", "3"],
            "idea",
        ),
        (
            "隔壁品牌的联名为什么火",
            "竞品复盘",
            "competitor",
            ["3", "3", "2"],
            "idea",
        ),
        (
            "手冲 × 学生党：宿舍也能做",
            "九宫格灵感",
            "brainstorm",
            ["2", "4", "3"],
            "archived",
        ),
    ];
    for (title, angle, source, scores, status) in topics {
        let draft = fanloop_domain::TopicDraft::parse(title, angle, source, scores, "")
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let ids = store
            .create_topics(workspace.id(), owner.id, Some(owner.id), &[draft])
            .await?;
        let status = fanloop_domain::TopicStatus::parse(status)
            .ok_or_else(|| anyhow::anyhow!("demo topic status"))?;
        for id in ids {
            store
                .set_topic_status(workspace.id(), id, status, owner.id)
                .await?;
        }
    }
    Ok(())
}
