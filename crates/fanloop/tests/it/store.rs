//! One conformance suite for the store, run unchanged on SQLite and on PostgreSQL.

use crate::helpers::{TempDir, password_hash, required, sqlite_store, test_vault};
use fanloop_domain::{
    ChannelDraft, ChannelId, DisplayName, Email, Locale, Role, WorkspaceId, WorkspaceProfile,
};
use fanloop_store::{Store, StoreError};
use serde_json::json;
use sqlx::Connection;

#[tokio::test]
async fn sqlite_conformance() {
    let dir = TempDir::new("store");
    let store = sqlite_store(&dir).await;
    conformance(&store).await;
    // Re-opening migrates nothing twice and keeps the data.
    store.close().await;
    let reopened = sqlite_store(&dir).await;
    assert!(
        reopened
            .user_by_email(&Email::parse("a@example.com").unwrap())
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn postgres_conformance() {
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let store = Store::open(std::path::Path::new("."), Some(&db.url), test_vault())
        .await
        .expect("open postgres store");
    conformance(&store).await;
    // The other features' store suites, run on PostgreSQL too.
    crate::media::store_suite::media_store_suite(&store).await;
    crate::post_extras::post_extras_store_suite(&store).await;
    crate::scripts::scripts_store_suite(&store).await;
    store.close().await;
    // Several instances start at once: the migration lock lets exactly one migrate.
    let (a, b) = tokio::join!(
        Store::open(std::path::Path::new("."), Some(&db.url), test_vault()),
        Store::open(std::path::Path::new("."), Some(&db.url), test_vault())
    );
    a.expect("first instance").close().await;
    b.expect("second instance").close().await;
    db.drop().await;
}

/// Runs a store suite on a fresh PostgreSQL database, dropped afterwards; skipped (with
/// a note) when no server is reachable and CI has not required one.
pub(crate) async fn on_postgres(suite: impl AsyncFnOnce(&Store)) {
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let store = Store::open(std::path::Path::new("."), Some(&db.url), test_vault())
        .await
        .expect("open postgres store");
    suite(&store).await;
    store.close().await;
    db.drop().await;
}

/// A throwaway PostgreSQL database, or `None` (skip) when no server is reachable and CI
/// has not required one.
pub(crate) struct PgDatabase {
    admin: String,
    name: String,
    pub(crate) url: String,
}

impl PgDatabase {
    pub(crate) async fn create() -> Option<PgDatabase> {
        let base = std::env::var("FANLOOP_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let admin = format!("{base}/postgres");
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(e) if !required("FANLOOP_REQUIRE_POSTGRES") => {
                eprintln!(
                    "skipped: PostgreSQL suite (no server at {base}: {e}); set FANLOOP_TEST_POSTGRES to run it"
                );
                return None;
            }
            Err(e) => panic!(
                "FANLOOP_REQUIRE_POSTGRES is set but PostgreSQL at {base} is unreachable: {e}"
            ),
        };
        let name = format!("fanloop_test_{}", &fanloop_store::new_token("")[..12]);
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create database");
        Some(PgDatabase {
            admin,
            url: format!("{base}/{name}"),
            name,
        })
    }

    pub(crate) async fn drop(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await;
        }
    }
}

async fn conformance(store: &Store) {
    store.ping().await.unwrap();
    let email = |s: &str| Email::parse(s).unwrap();
    let name = |s: &str| DisplayName::parse(s).unwrap();

    // Accounts: unique emails, lookups.
    let a = store
        .create_user(
            &email("a@example.com"),
            &name("甲"),
            password_hash(),
            Locale::ZhCn,
        )
        .await
        .unwrap();
    let dup = store
        .create_user(&email("a@example.com"), &name("x"), "h", Locale::En)
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict("email"))), "{dup:?}");
    let b = store
        .create_user(
            &email("b@example.com"),
            &name("乙"),
            password_hash(),
            Locale::En,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .user_by_email(&email("b@example.com"))
            .await
            .unwrap()
            .unwrap()
            .locale,
        Locale::En
    );
    assert_eq!(store.count_users().await.unwrap(), 2);

    // Sessions: found while live, gone when expired or deleted.
    let live = store.create_session(a.id, 60_000).await.unwrap();
    assert_eq!(
        store
            .session(&live.cookie_value)
            .await
            .unwrap()
            .unwrap()
            .user
            .id,
        a.id
    );
    let dead = store.create_session(a.id, -1).await.unwrap();
    assert!(store.session(&dead.cookie_value).await.unwrap().is_none());
    assert!(store.purge_expired(60_000).await.unwrap() >= 1);
    store.delete_session(&live.cookie_value).await.unwrap();
    assert!(store.session(&live.cookie_value).await.unwrap().is_none());

    // API tokens: only hashes stored; revocable by their owner only.
    let (token_id, raw) = store.create_api_token(a.id, "ci").await.unwrap();
    assert_eq!(
        store.user_by_api_token(&raw).await.unwrap().unwrap().id,
        a.id
    );
    assert!(store.user_by_api_token("flp_nope").await.unwrap().is_none());
    assert!(matches!(
        store.revoke_api_token(b.id, token_id).await,
        Err(StoreError::NotFound)
    ));
    store.revoke_api_token(a.id, token_id).await.unwrap();
    assert!(store.user_by_api_token(&raw).await.unwrap().is_none());

    // Login throttling counts per subject.
    for _ in 0..3 {
        store
            .record_login_failure("email:a@example.com")
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .login_failures_since("email:a@example.com", 0)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .login_failures_since("email:b@example.com", 0)
            .await
            .unwrap(),
        0
    );
    store
        .clear_login_failures("email:a@example.com")
        .await
        .unwrap();
    assert_eq!(
        store
            .login_failures_since("email:a@example.com", 0)
            .await
            .unwrap(),
        0
    );

    // Workspaces and the tenant boundary.
    let profile = WorkspaceProfile::parse("甲品牌", "Asia/Shanghai", "zh-CN", "亲切").unwrap();
    let ws = store.create_workspace(a.id, &profile).await.unwrap();
    assert_eq!(
        store.membership(ws.id(), a.id).await.unwrap().unwrap().1,
        Role::Owner
    );
    assert!(store.membership(ws.id(), b.id).await.unwrap().is_none());
    assert!(
        store
            .membership(WorkspaceId(ws.id + 1000), a.id)
            .await
            .unwrap()
            .is_none()
    );
    let renamed = WorkspaceProfile::parse("甲品牌 2", "Europe/London", "en", "").unwrap();
    store
        .update_workspace(ws.id(), a.id, &renamed)
        .await
        .unwrap();
    let (after, _) = store.membership(ws.id(), a.id).await.unwrap().unwrap();
    assert_eq!(
        (
            after.name.as_str(),
            after.timezone.as_str(),
            after.locale.as_str()
        ),
        ("甲品牌 2", "Europe/London", "en")
    );

    // Members and invitations.
    store
        .add_member(ws.id(), b.id, Role::Editor, a.id)
        .await
        .unwrap();
    assert!(matches!(
        store.add_member(ws.id(), b.id, Role::Viewer, a.id).await,
        Err(StoreError::Conflict("member"))
    ));
    assert_eq!(store.members(ws.id()).await.unwrap().len(), 2);
    let (invitation, link) = store
        .invite(
            ws.id(),
            &email("c@example.com"),
            Role::Analyst,
            a.id,
            60_000,
        )
        .await
        .unwrap();
    assert_eq!(invitation.role, Role::Analyst);
    assert!(matches!(
        store
            .invite(ws.id(), &email("c@example.com"), Role::Viewer, a.id, 60_000)
            .await,
        Err(StoreError::Conflict("invitation"))
    ));
    assert_eq!(store.pending_invitations(ws.id()).await.unwrap().len(), 1);
    assert_eq!(
        store.invitation(&link).await.unwrap().unwrap().1,
        "甲品牌 2"
    );
    // Only the invited email can spend it.
    assert!(matches!(
        store.accept_invitation(&link, b.id).await,
        Err(StoreError::NotFound)
    ));
    let c = store
        .create_user(&email("c@example.com"), &name("丙"), "h", Locale::ZhCn)
        .await
        .unwrap();
    let (_, joined) = store.accept_invitation(&link, c.id).await.unwrap();
    assert_eq!(joined, ws.id());
    assert_eq!(
        store.membership(ws.id(), c.id).await.unwrap().unwrap().1,
        Role::Analyst
    );
    assert!(matches!(
        store.accept_invitation(&link, c.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.invitation(&link).await.unwrap().is_none());
    let (_, expired) = store
        .invite(ws.id(), &email("d@example.com"), Role::Viewer, a.id, -1)
        .await
        .unwrap();
    assert!(store.invitation(&expired).await.unwrap().is_none());

    // Channels: settings public, secrets sealed, scoped to their workspace.
    let draft = ChannelDraft::parse(
        "wechat_oa",
        "公众号",
        Some(&json!({"app_id": "wx123", "app_secret": "shh-secret", "token": "tok", "api_base_url": "https://gw.example"})),
    )
    .unwrap();
    let channel = store
        .create_channel(ws.id(), a.id, draft.platform, &draft.name, &draft.settings)
        .await
        .unwrap();
    let listed = store.channels(ws.id()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].settings.get("app_id").map(String::as_str),
        Some("wx123")
    );
    assert_eq!(listed[0].secrets_set, ["app_secret", "token"]);
    assert!(!format!("{:?}", listed[0]).contains("shh-secret"));
    let secrets = store
        .channel_secrets(ws.id(), ChannelId(channel.id))
        .await
        .unwrap();
    assert_eq!(
        secrets.get("app_secret").map(String::as_str),
        Some("shh-secret")
    );
    let other = store.create_workspace(b.id, &profile).await.unwrap();
    assert!(matches!(
        store
            .channel_secrets(other.id(), ChannelId(channel.id))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store.channels(other.id()).await.unwrap().is_empty());

    // The audit log recorded each change, newest first.
    let log = store.audit_log(ws.id(), 50).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "channel.create",
            "member.invite",
            "member.join",
            "member.invite",
            "member.add",
            "workspace.update",
            "workspace.create"
        ]
    );

    // Team changes never leave a workspace without an owner.
    assert!(matches!(
        store.change_role(ws.id(), a.id, Role::Viewer, a.id).await,
        Err(StoreError::Conflict("last_owner"))
    ));
    assert!(matches!(
        store.remove_member(ws.id(), a.id, a.id).await,
        Err(StoreError::Conflict("last_owner"))
    ));
    store
        .change_role(ws.id(), b.id, Role::Owner, a.id)
        .await
        .unwrap();
    store
        .change_role(ws.id(), a.id, Role::Admin, a.id)
        .await
        .unwrap();
    assert_eq!(
        store.member_role(ws.id(), a.id).await.unwrap(),
        Some(Role::Admin)
    );
    store.remove_member(ws.id(), c.id, b.id).await.unwrap();
    assert!(store.membership(ws.id(), c.id).await.unwrap().is_none());
    assert!(matches!(
        store.remove_member(ws.id(), c.id, b.id).await,
        Err(StoreError::NotFound)
    ));
    let pending = store.pending_invitations(ws.id()).await.unwrap();
    assert!(pending.is_empty(), "the expired invitation is not pending");
    let (e_invite, _) = store
        .invite(ws.id(), &email("e@example.com"), Role::Viewer, a.id, 60_000)
        .await
        .unwrap();
    assert!(matches!(
        store
            .revoke_invitation(other.id(), fanloop_domain::InvitationId(e_invite.id), b.id)
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .revoke_invitation(ws.id(), fanloop_domain::InvitationId(e_invite.id), a.id)
        .await
        .unwrap();
    assert!(store.pending_invitations(ws.id()).await.unwrap().is_empty());
    assert!(matches!(
        store
            .delete_channel(other.id(), ChannelId(channel.id), b.id)
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .delete_channel(ws.id(), ChannelId(channel.id), a.id)
        .await
        .unwrap();
    assert!(store.channels(ws.id()).await.unwrap().is_empty());

    // Posts and review: variants per channel, guarded transitions, versions, rules.
    let rules =
        fanloop_domain::ApprovalRules::parse(2, true, false, &["owner".into(), "admin".into()])
            .unwrap();
    store
        .set_approval_rules(ws.id(), &rules, a.id)
        .await
        .unwrap();
    assert_eq!(store.approval_rules(ws.id()).await.unwrap(), rules);
    assert_eq!(
        store.approval_rules(other.id()).await.unwrap(),
        fanloop_domain::ApprovalRules::default()
    );
    let sandbox = ChannelDraft::parse("sandbox", "沙盒", None).unwrap();
    let ch = store
        .create_channel(
            ws.id(),
            a.id,
            sandbox.platform,
            &sandbox.name,
            &sandbox.settings,
        )
        .await
        .unwrap();
    let new = fanloop_store::NewPost {
        title: "标题".into(),
        body: "正文".into(),
        tags: vec!["咖啡".into()],
        topic_id: None,
        channels: vec![ChannelId(ch.id)],
    };
    let foreign = fanloop_store::NewPost {
        channels: vec![ChannelId(ch.id + 1000)],
        ..new.clone()
    };
    assert!(matches!(
        store.create_post(ws.id(), a.id, &foreign).await,
        Err(StoreError::NotFound)
    ));
    let id = store.create_post(ws.id(), a.id, &new).await.unwrap();
    let post = store.post(ws.id(), id).await.unwrap().unwrap();
    assert_eq!(
        (post.status, post.version, post.variants.len()),
        (fanloop_domain::PostStatus::Draft, 1, 1)
    );
    assert_eq!(post.variants[0].tags, ["咖啡"]);
    assert!(store.post(other.id(), id).await.unwrap().is_none());
    let submitted = fanloop_domain::Decision {
        status: fanloop_domain::PostStatus::InReview,
        approvals: Default::default(),
        overridden: None,
    };
    store
        .apply_review(ws.id(), &post, a.id, "submit", &submitted, "")
        .await
        .unwrap();
    // The same decision on the stale copy is refused: someone acted in between.
    assert!(matches!(
        store
            .apply_review(ws.id(), &post, a.id, "submit", &submitted, "")
            .await,
        Err(StoreError::Conflict(_))
    ));
    let post = store.post(ws.id(), id).await.unwrap().unwrap();
    let approved_once = fanloop_domain::Decision {
        approvals: [b.id].into_iter().collect(),
        ..submitted.clone()
    };
    store
        .apply_review(ws.id(), &post, b.id, "approve", &approved_once, "")
        .await
        .unwrap();
    let post = store.post(ws.id(), id).await.unwrap().unwrap();
    assert_eq!(post.approvals, [b.id].into_iter().collect());
    let version = store
        .edit_post(
            ws.id(),
            &post,
            a.id,
            &fanloop_domain::PostDraft::parse("新标题", "新正文", &[]).unwrap(),
            &submitted,
        )
        .await
        .unwrap();
    let post = store.post(ws.id(), id).await.unwrap().unwrap();
    assert_eq!(
        (
            version,
            post.title.as_str(),
            post.variants[0].title.as_str()
        ),
        (2, "新标题", "新标题")
    );
    assert!(
        post.approvals.is_empty(),
        "approvals belong to the version they approved"
    );
    let log: Vec<String> = store
        .review_log(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(log, ["create", "submit", "approve", "edit"]);
    assert_eq!(store.posts(ws.id()).await.unwrap().len(), 1);

    // The workspace's own calendar dates, scoped to the workspace.
    let date = store
        .add_calendar_event(ws.id(), a.id, "2026-09-18", "三周年", 20, true)
        .await
        .unwrap();
    assert_eq!(
        store.calendar_events(ws.id()).await.unwrap()[0].name,
        "三周年"
    );
    assert!(store.calendar_events(other.id()).await.unwrap().is_empty());
    assert!(matches!(
        store.delete_calendar_event(other.id(), date, b.id).await,
        Err(StoreError::NotFound)
    ));
    store
        .delete_calendar_event(ws.id(), date, a.id)
        .await
        .unwrap();

    // Setup links: one at a time, spent with the first account, never replayable.
    let first = store.new_setup_token(60_000).await.unwrap();
    let second = store.new_setup_token(60_000).await.unwrap();
    assert!(!store.setup_token_valid(&first).await.unwrap());
    assert!(store.setup_token_valid(&second).await.unwrap());
    let refused = store
        .create_first_user(
            &second,
            &email("z@example.com"),
            &name("z"),
            "h",
            Locale::ZhCn,
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound)),
        "accounts exist already"
    );
}
