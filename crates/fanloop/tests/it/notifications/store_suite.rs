//! Notifications addressed to people, at the store, on SQLite and on PostgreSQL: who
//! each kind reaches when the state change is recorded, each reader's own read state,
//! and tenants kept apart.

use crate::helpers::{TempDir, password_hash, sqlite_store, test_vault};
use crate::publishing::support::{approved_post_with, channel};
use crate::store::PgDatabase;
use fanloop_domain::{DisplayName, Email, Locale, Role, UserId, WorkspaceId, WorkspaceProfile};
use fanloop_store::notifications::{Notification, Shown};
use fanloop_store::post_extras::PostMeta;
use fanloop_store::publishing::{Outcome, Slot};
use fanloop_store::{Store, StoreError};
use serde_json::json;
use sqlx::Connection;

const MINUTE: i64 = 60_000;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

async fn person(store: &Store, email: &str) -> UserId {
    let email = Email::parse(email).unwrap();
    let name = DisplayName::parse("成员").unwrap();
    store
        .create_user(&email, &name, password_hash(), Locale::ZhCn)
        .await
        .unwrap()
        .id
}

async fn workspace(store: &Store, owner: UserId, name: &str) -> WorkspaceId {
    let profile = WorkspaceProfile::parse(name, "Asia/Shanghai", "zh-CN", "").unwrap();
    store.create_workspace(owner, &profile).await.unwrap().id()
}

/// The kinds `user` sees in `ws`, oldest first.
async fn kinds(store: &Store, ws: WorkspaceId, user: UserId, shown: Shown) -> Vec<String> {
    let mut seen: Vec<Notification> = store.notifications_for(ws, user, shown, 100).await.unwrap();
    seen.reverse();
    seen.into_iter().map(|n| n.kind).collect()
}

/// Schedules an approved post, due now, and settles its one job with `outcome`.
async fn settle(store: &Store, ws: WorkspaceId, post: i64, channel: i64, outcome: &Outcome) -> i64 {
    let version = store.post(ws, post).await.unwrap().unwrap().version;
    let slot = Slot {
        channel_id: channel,
        at_ms: now_ms() - 1_000,
    };
    let author = UserId(store.post(ws, post).await.unwrap().unwrap().author_id);
    let id = store
        .schedule(ws, post, version, &[slot], author)
        .await
        .expect("schedule")[0];
    let jobs = store
        .claim_jobs("suite", now_ms(), MINUTE, 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1, "one job due");
    store.begin_attempt(&jobs[0], "suite").await.unwrap();
    store.finish_job(&jobs[0], "suite", outcome).await.unwrap();
    id
}

/// What the suite leaves behind: a workspace, its members, and an outsider.
pub(crate) struct Left {
    ws: WorkspaceId,
    members: Vec<UserId>,
    outsider: UserId,
}

pub(crate) async fn addressing_store_suite(store: &Store) -> Left {
    // A team: owner, admin, editor-in-chief (the author), the assignee (an editor), a
    // plain editor and a viewer who are neither.
    let owner = person(store, "owner@notify.test").await;
    let ws = workspace(store, owner, "小满咖啡").await;
    let mut team = Vec::new();
    for (email, role) in [
        ("admin@notify.test", Role::Admin),
        ("chief@notify.test", Role::EditorInChief),
        ("assignee@notify.test", Role::Editor),
        ("editor@notify.test", Role::Editor),
        ("viewer@notify.test", Role::Viewer),
    ] {
        let user = person(store, email).await;
        store.add_member(ws, user, role, owner).await.unwrap();
        team.push(user);
    }
    let [admin, chief, assignee, editor, viewer] = team[..] else {
        unreachable!()
    };
    let by_hand = channel(store, ws, owner, "bilibili", json!({})).await;
    let meta = PostMeta {
        assignee: Some(assignee),
        ..PostMeta::default()
    };
    let post = approved_post_with(store, ws, chief, &meta, &[by_hand.id], "门店探访", "正文").await;

    // The package is the assignee's job alone.
    let assisted = settle(store, ws, post, by_hand.id, &Outcome::Assisted).await;
    for (user, want) in [
        (assignee, vec!["assisted_ready"]),
        (owner, vec![]),
        (admin, vec![]),
        (chief, vec![]),
        (editor, vec![]),
        (viewer, vec![]),
    ] {
        assert_eq!(kinds(store, ws, user, Shown::All).await, want, "{user:?}");
    }

    // Nobody confirmed it: the escalation reaches owner, admin and assignee, and not
    // the plain editor or the viewer (nor the author, who was not to post it).
    let handed = store.publication(ws, assisted).await.unwrap().updated_at;
    let escalated = store
        .escalate_overdue_assisted(handed + 121 * MINUTE, 10)
        .await
        .unwrap();
    assert_eq!(escalated.len(), 1);
    let overdue = |user| async move {
        kinds(store, ws, user, Shown::All)
            .await
            .contains(&"assisted_overdue".to_owned())
    };
    for user in [owner, admin, assignee] {
        assert!(
            overdue(user).await,
            "{user:?} must hear of the overdue post"
        );
    }
    for user in [chief, editor, viewer] {
        assert!(!overdue(user).await, "{user:?} is not addressed");
    }

    // A failure goes to the post's author and assignee and to owners and admins.
    let other = approved_post_with(store, ws, chief, &meta, &[by_hand.id], "新品", "正文").await;
    let failed = Outcome::Failed {
        reason: "content_rejected".into(),
        error: "rejected".into(),
    };
    settle(store, ws, other, by_hand.id, &failed).await;
    let failed_for = |user| async move {
        kinds(store, ws, user, Shown::All)
            .await
            .contains(&"publish_failed".to_owned())
    };
    for user in [owner, admin, chief, assignee] {
        assert!(failed_for(user).await, "{user:?}");
    }
    for user in [editor, viewer] {
        assert!(!failed_for(user).await, "{user:?}");
    }
    // The workspace as a whole still has all three, for the notifier and audits.
    assert_eq!(store.notifications(ws, 10).await.unwrap().len(), 3);

    // Each reader has their own read state.
    let admin_unread = store.unread_notifications(ws, admin).await.unwrap();
    assert_eq!(admin_unread, 2);
    let mine = store
        .notifications_for(ws, owner, Shown::Unread, 10)
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    store
        .mark_notification_read(ws, owner, mine[0].id)
        .await
        .unwrap();
    // Marking again is harmless and keeps the first time.
    let first = store
        .notifications_for(ws, owner, Shown::All, 10)
        .await
        .unwrap()[0]
        .read_at;
    assert!(first.is_some());
    store
        .mark_notification_read(ws, owner, mine[0].id)
        .await
        .unwrap();
    let again = store
        .notifications_for(ws, owner, Shown::All, 10)
        .await
        .unwrap()[0]
        .read_at;
    assert_eq!(first, again);
    assert_eq!(store.unread_notifications(ws, owner).await.unwrap(), 1);
    assert_eq!(
        kinds(store, ws, owner, Shown::Unread).await,
        ["assisted_overdue"]
    );
    assert_eq!(
        store.unread_notifications(ws, admin).await.unwrap(),
        2,
        "the owner's reading leaves the admin's unread"
    );
    // A notification not addressed to the reader cannot be marked by them.
    let hidden = store.mark_notification_read(ws, viewer, mine[0].id).await;
    assert!(matches!(hidden, Err(StoreError::NotFound)), "{hidden:?}");
    // Mark all: the assignee's only.
    assert_eq!(
        store.mark_notifications_read(ws, assignee).await.unwrap(),
        3
    );
    assert_eq!(store.unread_notifications(ws, assignee).await.unwrap(), 0);
    assert_eq!(store.unread_notifications(ws, admin).await.unwrap(), 2);
    assert!(
        store
            .notifications_for(ws, assignee, Shown::Unread, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Another tenant: its owner sees none of this, and cannot mark A's notifications
    // through either workspace.
    let stranger = person(store, "owner@other.test").await;
    let other_ws = workspace(store, stranger, "别家品牌").await;
    let a_notice = store.notifications(ws, 1).await.unwrap()[0].id;
    assert!(
        kinds(store, other_ws, stranger, Shown::All)
            .await
            .is_empty()
    );
    assert!(kinds(store, ws, stranger, Shown::All).await.is_empty());
    for through in [ws, other_ws] {
        let r = store
            .mark_notification_read(through, stranger, a_notice)
            .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    }
    // Nor does A's owner reach it through B's id.
    let r = store
        .mark_notification_read(other_ws, owner, a_notice)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    assert_eq!(
        store
            .mark_notifications_read(other_ws, owner)
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.unread_notifications(ws, admin).await.unwrap(), 2);
    Left {
        ws,
        members: vec![owner, admin, chief, assignee, editor, viewer],
        outsider: stranger,
    }
}

/// Takes a database back to how the previous version left it: no addressees, every
/// notification for the whole workspace, the oldest one read in the shared state.
const REWIND: &str = "DROP TABLE notification_recipients; \
    DELETE FROM fanloop_migrations WHERE version = 12; \
    UPDATE notifications SET read_at = 1 WHERE id = (SELECT MIN(id) FROM notifications)";

/// After the migration, notifications written before it reach every member, each
/// with the shared read state as their own; an outsider still sees none.
async fn check_backfill(store: &Store, left: &Left) {
    let total = store.notifications(left.ws, 100).await.unwrap().len();
    assert_eq!(total, 3);
    for user in &left.members {
        let seen = store
            .notifications_for(left.ws, *user, Shown::All, 100)
            .await
            .unwrap();
        assert_eq!(seen.len(), total, "{user:?}");
        assert_eq!(
            store.unread_notifications(left.ws, *user).await.unwrap(),
            2,
            "{user:?}"
        );
    }
    assert!(
        store
            .notifications_for(left.ws, left.outsider, Shown::All, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // And reading stays personal after the backfill.
    let owner = left.members[0];
    store.mark_notifications_read(left.ws, owner).await.unwrap();
    assert_eq!(
        store
            .unread_notifications(left.ws, left.members[1])
            .await
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn addressing_on_sqlite() {
    let dir = TempDir::new("notify-store");
    let store = sqlite_store(&dir).await;
    let left = addressing_store_suite(&store).await;
    store.close().await;
    let url = format!("sqlite://{}", dir.0.join("fanloop.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(REWIND).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let store = sqlite_store(&dir).await;
    check_backfill(&store, &left).await;
}

#[tokio::test]
async fn addressing_on_postgres() {
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let store = Store::open(std::path::Path::new("."), Some(&db.url), test_vault())
        .await
        .expect("open postgres store");
    let left = addressing_store_suite(&store).await;
    store.close().await;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::raw_sql(REWIND).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let store = Store::open(std::path::Path::new("."), Some(&db.url), test_vault())
        .await
        .expect("reopen postgres store");
    check_backfill(&store, &left).await;
    store.close().await;
    db.drop().await;
}
