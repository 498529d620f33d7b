//! The store's media functions as one suite, run on SQLite here and on PostgreSQL by
//! the store conformance suite.

use crate::helpers::{TempDir, sqlite_store};
use fanloop_domain::{UserId, WorkspaceId};
use fanloop_store::media::{MediaChange, MediaKind, NewMedia};

/// The store's media functions; run here on SQLite and by the store suite on PostgreSQL.
pub async fn media_store_suite(store: &fanloop_store::Store) {
    let email = fanloop_domain::Email::parse(&format!(
        "media-{}@example.com",
        &fanloop_store::new_token("")[..8]
    ))
    .unwrap();
    let name = fanloop_domain::DisplayName::parse("media").unwrap();
    let user = store
        .create_user(
            &email,
            &name,
            crate::helpers::password_hash(),
            fanloop_domain::Locale::En,
        )
        .await
        .unwrap();
    let profile =
        |n: &str| fanloop_domain::WorkspaceProfile::parse(n, "Asia/Shanghai", "en", "").unwrap();
    let ws = store
        .create_workspace(user.id, &profile("media-a"))
        .await
        .unwrap()
        .id();
    let other = store
        .create_workspace(user.id, &profile("media-b"))
        .await
        .unwrap()
        .id();
    let new = |key: &str, tags: &[&str]| NewMedia {
        kind: MediaKind::Image,
        mime: "image/png".into(),
        bytes: 1234,
        width: Some(800),
        height: Some(600),
        duration_ms: None,
        original_name: "封面.png".into(),
        storage_key: format!("{key}-{}", fanloop_store::new_token("")),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    };
    let actor: UserId = user.id;
    let first = store
        .create_media(ws, actor, &new("a", &["秋季", "新品"]))
        .await
        .unwrap();
    assert_eq!(
        (first.tags.clone(), first.focal_x, first.width),
        (vec!["新品".to_owned(), "秋季".to_owned()], 0.5, Some(800))
    );
    let second = store.create_media(ws, actor, &new("b", &[])).await.unwrap();
    // A video keeps its duration (a 64-bit column on both backends: ten hours is
    // 36 million milliseconds, and nothing should overflow far beyond).
    let clip = NewMedia {
        kind: MediaKind::Video,
        mime: "video/mp4".into(),
        width: Some(1080),
        height: Some(1920),
        duration_ms: Some(36_000_000_000),
        ..new("v", &[])
    };
    let clip = store.create_media(ws, actor, &clip).await.unwrap();
    let read = store.media(ws, clip.id).await.unwrap();
    assert_eq!(
        (read.kind, read.width, read.height, read.duration_ms),
        (
            MediaKind::Video,
            Some(1080),
            Some(1920),
            Some(36_000_000_000)
        )
    );
    assert_eq!(second.duration_ms, None);
    store.delete_media(ws, clip.id, actor).await.unwrap();
    let theirs = store
        .create_media(other, actor, &new("c", &["新品"]))
        .await
        .unwrap();

    let ids =
        |list: Vec<fanloop_store::media::Media>| list.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.media_list(ws, None).await.unwrap()),
        [second.id, first.id]
    );
    assert_eq!(
        ids(store.media_list(ws, Some("新品")).await.unwrap()),
        [first.id]
    );
    assert!(matches!(
        store.media(ws, theirs.id).await,
        Err(fanloop_store::StoreError::NotFound)
    ));

    let change = MediaChange {
        tags: Some(vec!["封面".into()]),
        focal: Some((0.25, 1.0)),
    };
    let (before, after) = store
        .update_media(ws, first.id, actor, &change)
        .await
        .unwrap();
    assert_eq!(
        (before.focal_x, after.focal_x, after.focal_y),
        (0.5, 0.25, 1.0)
    );
    assert_eq!(after.tags, ["封面"]);
    let only_tags = MediaChange {
        tags: Some(vec![]),
        focal: None,
    };
    let (_, after) = store
        .update_media(ws, first.id, actor, &only_tags)
        .await
        .unwrap();
    assert!(after.tags.is_empty() && after.focal_x == 0.25);
    assert!(
        store
            .update_media(other, first.id, actor, &change)
            .await
            .is_err()
    );

    assert!(matches!(
        store.delete_media(other, first.id, actor).await,
        Err(fanloop_store::StoreError::NotFound)
    ));
    let gone = store.delete_media(ws, first.id, actor).await.unwrap();
    assert_eq!(gone.id, first.id);
    assert_eq!(ids(store.media_list(ws, None).await.unwrap()), [second.id]);
    let _: WorkspaceId = ws;
}

#[tokio::test]
async fn media_store_suite_on_sqlite() {
    let dir = TempDir::new("media-store");
    let store = sqlite_store(&dir).await;
    media_store_suite(&store).await;
}
