//! The demo's publishing side: weekly queue slots, ten weeks of past posts on the sandbox
//! channels with simulated engagement (so golden time has history to learn from), posts
//! scheduled for the coming days, and one failed publication to act on.

use fanloop_domain::publish::{PublicationStatus, WeeklySlot};
use fanloop_domain::{
    Actor, ApprovalRules, ChannelId, ReviewAction, ReviewState, Role, UserId, WorkspaceId, decide,
};
use fanloop_engine::publisher::simulated_engagement;
use fanloop_store::publishing::{ImportedPublication, Slot};
use fanloop_store::{NewPost, Store};
use std::collections::BTreeSet;

const DAY_MS: i64 = 86_400_000;

const PAST: [&str; 8] = [
    "一杯咖啡的产地故事",
    "手冲入门：水温与研磨",
    "门店新品试喝会回顾",
    "咖啡师的一天",
    "拿铁拉花的三个小技巧",
    "冷萃和冰美式有什么不同",
    "会员日福利一览",
    "咖啡渣的再利用",
];

/// An approved post on the channels (the solo path: zero approvals required).
async fn approved(
    store: &Store,
    ws: WorkspaceId,
    author: UserId,
    channels: &[ChannelId],
    title: &str,
    body: &str,
) -> anyhow::Result<(i64, i64)> {
    let new = NewPost {
        title: title.into(),
        body: body.into(),
        tags: vec!["小满咖啡".into()],
        topic_id: None,
        channels: channels.to_vec(),
    };
    let id = store.create_post(ws, author, &new).await?;
    let post = store
        .post(ws, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo post vanished"))?;
    let rules = ApprovalRules::parse(0, true, false, &["owner".into()])
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let state = ReviewState {
        status: post.status,
        author,
        approvals: BTreeSet::new(),
    };
    let submit = ReviewAction::Submit {
        lint_errors: 0,
        override_reason: None,
    };
    let actor = Actor {
        user: author,
        role: Role::Owner,
    };
    let decision = decide(&rules, &state, actor, &submit).map_err(|r| anyhow::anyhow!("{r:?}"))?;
    store
        .apply_review(ws, &post, author, "submit", &decision, "")
        .await?;
    Ok((id, post.version))
}

pub async fn seed(
    store: &Store,
    ws: WorkspaceId,
    owner: UserId,
    wechat: ChannelId,
    weibo: ChannelId,
) -> anyhow::Result<()> {
    let slot = |s: &str| WeeklySlot::parse(s).map_err(|e| anyhow::anyhow!("{e:?}"));
    let wechat_slots = [slot("tue 20:30")?, slot("thu 20:30")?, slot("sat 09:00")?];
    let weibo_slots = [slot("mon 12:00")?, slot("wed 20:00")?, slot("fri 12:00")?];
    store
        .set_queue_slots(ws, wechat.0, owner, &wechat_slots)
        .await?;
    store
        .set_queue_slots(ws, weibo.0, owner, &weibo_slots)
        .await?;

    // Ten weeks of history at varied hours, so golden time has something to learn.
    let now = jiff::Timestamp::now().as_millisecond();
    let hours = [8i64, 12, 20, 21, 9, 13, 22, 18];
    for i in 0..40i64 {
        let channel = if i % 2 == 0 { wechat } else { weibo };
        let title = PAST[(i as usize) % PAST.len()];
        let (post, _) = approved(store, ws, owner, &[channel], title, "往期内容。").await?;
        // Back in time by days, at one of the usual hours (Beijing time).
        let day = (now / DAY_MS - 70 + i * 7 / 4) * DAY_MS;
        let at = day + (hours[(i as usize) % hours.len()] - 8) * 3_600_000;
        let id = store
            .import_publication(
                ws,
                owner,
                &ImportedPublication {
                    post_id: post,
                    channel_id: channel.0,
                    status: PublicationStatus::Published,
                    at_ms: at,
                    remote_id: Some(format!("sandbox-history-{i}")),
                    reason: None,
                    last_error: None,
                },
            )
            .await?;
        store
            .record_engagement(id, channel.0, at, simulated_engagement(id, at, 8))
            .await?;
    }

    // Coming up: the next queue slots, and one at a chosen time.
    let (post, version) = approved(
        store,
        ws,
        owner,
        &[wechat, weibo],
        "冬日限定：姜饼拿铁",
        "天冷了，来一杯姜饼拿铁。\n\n- 全门店供应\n- 会员第二杯半价\n\n#冬日限定",
    )
    .await?;
    let tomorrow_evening = (now / DAY_MS + 1) * DAY_MS + 12 * 3_600_000 + 30 * 60_000;
    let slots = [
        Slot {
            channel_id: wechat.0,
            at_ms: tomorrow_evening,
        },
        Slot {
            channel_id: weibo.0,
            at_ms: tomorrow_evening + 2 * DAY_MS,
        },
    ];
    store.schedule(ws, post, version, &slots, owner).await?;

    // One that failed, so the attention banner and the retry flow have something real.
    let (failed, _) = approved(
        store,
        ws,
        owner,
        &[weibo],
        "圣诞节门店营业时间",
        "12 月 24–25 日营业至 23:00。",
    )
    .await?;
    store
        .import_publication(
            ws,
            owner,
            &ImportedPublication {
                post_id: failed,
                channel_id: weibo.0,
                status: PublicationStatus::Failed,
                at_ms: now - 3 * 3_600_000,
                remote_id: None,
                reason: Some("duplicate".into()),
                last_error: Some("error 20019: repeated content (sandbox example)".into()),
            },
        )
        .await?;
    Ok(())
}
