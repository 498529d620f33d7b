//! Shared set-up for publishing tests: approved posts, channels pointed at fakes, an
//! engine tuned for tests, and waiting for publications to settle.

use fanloop_domain::publish::PublicationStatus;
use fanloop_domain::{
    Actor, ApprovalRules, ChannelDraft, ChannelId, DisplayName, Email, Locale, ReviewAction,
    ReviewState, Role, UserId, WorkspaceId, WorkspaceProfile, decide,
};
use fanloop_engine::{Engine, EngineConfig, PublisherConfig};
use fanloop_store::post_extras::PostMeta;
use fanloop_store::publishing::{Publication, PublicationFilter, Slot};
use fanloop_store::{Channel, NewPost, Store};
use std::collections::BTreeSet;
use std::time::Duration;

/// A new user (zh-CN) who owns a new workspace in Asia/Shanghai, made through the store.
pub async fn owner_and_workspace(
    store: &Store,
    email: &str,
    workspace: &str,
) -> (UserId, WorkspaceId) {
    let email = Email::parse(email).unwrap();
    let name = DisplayName::parse("运营").unwrap();
    let owner = store
        .create_user(&email, &name, crate::helpers::password_hash(), Locale::ZhCn)
        .await
        .unwrap();
    let profile = WorkspaceProfile::parse(workspace, "Asia/Shanghai", "zh-CN", "").unwrap();
    let ws = store
        .create_workspace(owner.id, &profile)
        .await
        .unwrap()
        .id();
    (owner.id, ws)
}

/// Schedules an approved post on a channel through the store, due at `at`.
pub async fn schedule_at(
    store: &Store,
    ws: WorkspaceId,
    owner: UserId,
    channel: i64,
    at: i64,
) -> i64 {
    let post = approved_post(store, ws, owner, &[channel], "手动发布", "小红书笔记正文").await;
    let version = store.post(ws, post).await.unwrap().unwrap().version;
    let slot = Slot {
        channel_id: channel,
        at_ms: at,
    };
    store
        .schedule(ws, post, version, &[slot], owner)
        .await
        .expect("schedule")[0]
}

/// Creates a channel through the store (settings validated by the domain, as the API
/// does).
pub async fn channel(
    store: &Store,
    ws: WorkspaceId,
    actor: UserId,
    platform: &str,
    settings: serde_json::Value,
) -> Channel {
    let draft = ChannelDraft::parse(platform, &format!("{platform} 测试"), Some(&settings))
        .expect("valid channel");
    store
        .create_channel(ws, actor, draft.platform, &draft.name, &draft.settings)
        .await
        .expect("create channel")
}

/// A post on the channels, approved by a solo operator's rules (zero approvals).
pub async fn approved_post(
    store: &Store,
    ws: WorkspaceId,
    author: UserId,
    channels: &[i64],
    title: &str,
    body: &str,
) -> i64 {
    approved_post_with(
        store,
        ws,
        author,
        &PostMeta::default(),
        channels,
        title,
        body,
    )
    .await
}

/// `approved_post` with an assignee, due date or cover.
pub async fn approved_post_with(
    store: &Store,
    ws: WorkspaceId,
    author: UserId,
    meta: &PostMeta,
    channels: &[i64],
    title: &str,
    body: &str,
) -> i64 {
    let new = NewPost {
        title: title.into(),
        body: body.into(),
        tags: vec![],
        topic_id: None,
        channels: channels.iter().map(|c| ChannelId(*c)).collect(),
    };
    let id = store
        .create_post_with(ws, author, &new, meta)
        .await
        .expect("create post");
    let post = store.post(ws, id).await.unwrap().unwrap();
    let rules = ApprovalRules::parse(0, true, false, &["owner".into()]).unwrap();
    let state = ReviewState {
        status: post.status,
        author,
        approvals: BTreeSet::new(),
    };
    let action = ReviewAction::Submit {
        lint_errors: 0,
        override_reason: None,
    };
    let decision = decide(
        &rules,
        &state,
        Actor {
            user: author,
            role: Role::Owner,
        },
        &action,
    )
    .expect("solo submit approves");
    store
        .apply_review(ws, &post, author, "submit", &decision, "")
        .await
        .expect("approve");
    id
}

/// Engine settings for tests: quick wake-ups, short leases and timeouts, tiny backoff.
pub fn test_engine_config(instance: &str) -> EngineConfig {
    EngineConfig {
        publisher: PublisherConfig {
            instance: instance.into(),
            concurrency: 8,
            lease: Duration::from_secs(3),
            idle_wake: Duration::from_millis(100),
            call_timeout: Duration::from_secs(2),
            check_every: Duration::from_millis(200),
            backoff_scale: 0.001,
            ..PublisherConfig::default()
        },
        ..EngineConfig::default()
    }
}

pub fn start_engine(store: &Store, instance: &str) -> Engine {
    Engine::start(store.clone(), test_engine_config(instance))
}

/// Waits until every publication of the workspace has left the in-progress states.
pub async fn settled(store: &Store, ws: WorkspaceId, within: Duration) -> Vec<Publication> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let all = store
            .publications(
                ws,
                &PublicationFilter {
                    limit: 5000,
                    ..Default::default()
                },
            )
            .await
            .expect("publications");
        let busy = all.iter().any(|p| {
            matches!(
                p.status,
                PublicationStatus::Scheduled
                    | PublicationStatus::Publishing
                    | PublicationStatus::Pending
            )
        });
        if !busy {
            return all;
        }
        if tokio::time::Instant::now() > deadline {
            let states: Vec<_> = all
                .iter()
                .map(|p| (p.id, p.status, p.last_error.clone()))
                .collect();
            panic!("publications did not settle: {states:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
