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

    let mut team = Vec::new();
    for (email, display, role) in TEAM {
        let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
        let user = store
            .create_user(&email, &name(display)?, &hash, Locale::ZhCn)
            .await?;
        store
            .add_member(workspace.id(), user.id, *role, owner.id)
            .await?;
        team.push((user, *role));
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
    let mut channel_ids = Vec::new();
    for (platform, channel_name, settings) in channels {
        let draft = ChannelDraft::parse(platform, channel_name, Some(&settings))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let channel = store
            .create_channel(
                workspace.id(),
                owner.id,
                draft.platform,
                &draft.name,
                &draft.settings,
            )
            .await?;
        channel_ids.push(fanloop_domain::ChannelId(channel.id));
    }
    seed_posts(store, &workspace, &owner, &team, &channel_ids).await?;
    crate::demo_publishing::seed(
        store,
        workspace.id(),
        owner.id,
        channel_ids[0],
        channel_ids[1],
    )
    .await?;

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

/// Posts in every review state, so the content list, the review queue and the
/// dashboard's "needs your attention" have something true to show.
async fn seed_posts(
    store: &Store,
    workspace: &fanloop_store::Workspace,
    owner: &fanloop_store::User,
    team: &[(fanloop_store::User, Role)],
    channels: &[fanloop_domain::ChannelId],
) -> anyhow::Result<()> {
    use fanloop_domain::{Actor, ApprovalRules, ReviewAction, ReviewState, decide};
    let member = |role: Role| {
        team.iter()
            .find(|(_, r)| *r == role)
            .map(|(u, _)| u.clone())
    };
    let (Some(chief), Some(editor)) = (member(Role::EditorInChief), member(Role::Editor)) else {
        return Ok(());
    };
    let rules = ApprovalRules::default();
    // (author, title, body, the review steps to take)
    let posts: [(&fanloop_store::User, &str, &str, &[&str]); 4] = [
        (
            &editor,
            "桂花拿铁回来了",
            "秋天的第一杯，留给桂花。\n\n- 门店限定\n- 第二杯半价，到 10 月 31 日\n\n#秋季限定",
            &["submit", "approve"],
        ),
        (
            &editor,
            "冬至暖胃指南",
            "冬至这天，一杯热拿铁配一碗汤圆。\n\n你最喜欢哪种馅？评论区告诉我们。",
            &["submit"],
        ),
        (
            &editor,
            "周末手冲课报名",
            "本周六下午两点，门店手冲课，限 8 人。",
            &["submit", "request_changes"],
        ),
        (
            owner,
            "全网最低价的秘密",
            "国家级咖啡师教你在家做出全网最低价的好咖啡。",
            &[],
        ),
    ];
    for (author, title, body, steps) in posts {
        let new = fanloop_store::NewPost {
            title: title.to_owned(),
            body: body.to_owned(),
            tags: vec!["小满咖啡".to_owned()],
            topic_id: None,
            channels: channels.iter().take(3).copied().collect(),
        };
        let id = store.create_post(workspace.id(), author.id, &new).await?;
        for step in steps {
            let Some(post) = store.post(workspace.id(), id).await? else {
                break;
            };
            let (actor, action, note) = match *step {
                "submit" => (
                    author,
                    ReviewAction::Submit {
                        lint_errors: 0,
                        override_reason: None,
                    },
                    "",
                ),
                "approve" => (&chief, ReviewAction::Approve, ""),
                _ => (
                    &chief,
                    ReviewAction::RequestChanges {
                        comment: "请写明报名方式和价格。".into(),
                    },
                    "请写明报名方式和价格。",
                ),
            };
            let role = team
                .iter()
                .find(|(u, _)| u.id == actor.id)
                .map_or(Role::Owner, |(_, r)| *r);
            let state = ReviewState {
                status: post.status,
                author: author.id,
                approvals: post.approvals.clone(),
            };
            let decision = decide(
                &rules,
                &state,
                Actor {
                    user: actor.id,
                    role,
                },
                &action,
            )
            .map_err(|r| anyhow::anyhow!("demo review step {step}: {r:?}"))?;
            store
                .apply_review(workspace.id(), &post, actor.id, step, &decision, note)
                .await?;
        }
    }
    Ok(())
}
