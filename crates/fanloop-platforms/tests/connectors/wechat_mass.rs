//! The WeChat connector on a channel that mass-sends (`delivery = mass_all | mass_tag`),
//! against `FakeWechat`: the draft is sent with the publication's key as `clientmsgid`,
//! `check` follows `message/mass/get`, and a lost answer is reconciled through WeChat's
//! de-duplication without a second send.

use super::wechat::{APP_ID, SECRET, config, now_ms, pending_id, post, session};
use fanloop_domain::WechatDelivery;
use fanloop_fakes::Fault;
use fanloop_fakes::wechat::{FakeMassSend, FakeWechat};
use fanloop_platforms::wechat::{RemoteId, WechatOa};
use fanloop_platforms::{
    ChannelConfig, Connector, ErrorClass, Reason, Receipt, Reconciled, connector,
};
use std::time::Duration;

fn mass_config(fake: &FakeWechat, extra: &[(&str, &str)]) -> ChannelConfig {
    let mut config = config(&fake.url(), SECRET);
    for (k, v) in extra {
        config.settings.insert((*k).to_owned(), (*v).to_owned());
    }
    config
}

fn mass_all(fake: &FakeWechat) -> WechatOa {
    WechatOa::new(&mass_config(fake, &[("delivery", "mass_all")]))
        .unwrap()
        .with_call_timeout(Duration::from_millis(500))
}

/// The `msg_id` inside a pending mass-send receipt.
fn msg_id(receipt: Receipt) -> String {
    let remote_id = pending_id(receipt);
    match RemoteId::parse(&remote_id) {
        Some(RemoteId::MassSend(id)) => id.to_owned(),
        other => panic!("expected a mass-send id, got {other:?}"),
    }
}

#[tokio::test]
async fn fake_mass_all_sends_once_and_is_checked_until_sent() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_mass_delay(Duration::from_millis(300));
    let conn = connector(&mass_config(&fake, &[("delivery", "mass_all")])).unwrap();
    let mut s = session();
    let p = post("mass-all-1");

    let id = msg_id(conn.publish(&mut s, &p).await.unwrap());
    let remote_id = format!("mass:{id}");
    assert_eq!(
        fake.mass_sends(),
        [FakeMassSend {
            client_msg_id: "mass-all-1".into(),
            media_id: fake.mass_sends()[0].media_id.clone(),
            is_to_all: true,
            tag_id: None,
        }]
    );
    assert_eq!(
        fake.published_count(),
        0,
        "a mass send is not a freepublish job"
    );
    assert_eq!(
        fake.image_upload_count(),
        2,
        "body images are uploaded as for publishing"
    );

    // Sending: still pending.
    assert_eq!(
        conn.check(&mut s, &remote_id).await.unwrap(),
        Receipt::Pending {
            remote_id: remote_id.clone()
        }
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(
        conn.check(&mut s, &remote_id).await.unwrap(),
        Receipt::Published {
            remote_id: remote_id.clone(),
            url: None
        }
    );

    // Another attempt of the same publication never sends again, nor asks WeChat.
    assert_eq!(msg_id(conn.publish(&mut s, &p).await.unwrap()), id);
    assert_eq!(
        conn.reconcile(&mut s, &p).await.unwrap(),
        Reconciled::Found(Receipt::Pending { remote_id })
    );
    assert_eq!(fake.mass_send_count(), 1);
}

#[tokio::test]
async fn fake_mass_tag_sends_to_the_tag_only() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    let config = mass_config(&fake, &[("delivery", "mass_tag"), ("mass_tag_id", "134")]);
    let conn = WechatOa::new(&config).unwrap();
    assert_eq!(conn.delivery(), WechatDelivery::MassTag { tag_id: 134 });
    let mut s = session();
    msg_id(conn.publish(&mut s, &post("tag-1")).await.unwrap());
    let sent = fake.mass_sends();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].is_to_all, sent[0].tag_id), (false, Some(134)));

    // A channel whose tag id no longer reads cannot publish until it is fixed.
    let mut broken = config.clone();
    broken.settings.insert("mass_tag_id".into(), "星标".into());
    let e = WechatOa::new(&broken).unwrap_err();
    assert_eq!(
        (e.class, e.reason),
        (ErrorClass::Auth, Reason::MissingSetting)
    );
}

#[tokio::test]
async fn fake_lost_mass_send_answer_is_reconciled_by_clientmsgid() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_fault_paths(&["message/mass/sendall"]);
    let conn = mass_all(&fake);
    let mut s = session();
    let p = post("lost-mass-1");

    fake.faults().push([Fault::TimeoutAfterWork]);
    let e = conn.publish(&mut s, &p).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Unknown);
    assert_eq!(
        fake.mass_send_count(),
        1,
        "it went out before the answer was lost"
    );

    // Reconciling sends again with the same clientmsgid: WeChat answers 45065 with the
    // first send's msg_id, and nothing reaches followers twice.
    let Reconciled::Found(receipt) = conn.reconcile(&mut s, &p).await.unwrap() else {
        panic!("the earlier send should be found");
    };
    let id = msg_id(receipt);
    assert_eq!(fake.mass_send_count(), 1);
    assert_eq!(fake.mass_sends()[0].client_msg_id, "lost-mass-1");
    assert!(matches!(
        conn.check(&mut s, &format!("mass:{id}")).await.unwrap(),
        Receipt::Published { .. }
    ));
    // Publishing again after that is answered from the session.
    assert_eq!(msg_id(conn.publish(&mut s, &p).await.unwrap()), id);
    assert_eq!(fake.mass_send_count(), 1);
    assert_eq!(fake.draft_count(), 1, "one draft for the post");
}

#[tokio::test]
async fn fake_mass_reconcile_sends_nothing_when_it_cannot_be_sure() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_fault_paths(&["draft/add", "message/mass/sendall"]);
    let conn = mass_all(&fake);
    let mut s = session();

    // The draft's answer was lost: nothing was sent, so sending is safe and re-uses
    // nothing it cannot see (the orphan draft is invisible to followers).
    let p = post("draft-lost");
    fake.faults().push([Fault::TimeoutAfterWork]);
    assert_eq!(
        conn.publish(&mut s, &p).await.unwrap_err().class,
        ErrorClass::Unknown
    );
    assert_eq!(
        conn.reconcile(&mut s, &p).await.unwrap(),
        Reconciled::SafeToRetry
    );
    assert_eq!(fake.mass_send_count(), 0);

    // A send whose answer was lost more than a day ago is past WeChat's memory of its
    // clientmsgid: sending again could reach followers twice, so a person decides.
    let mut old = post("old-mass");
    old.first_attempt_ms = now_ms() - 25 * 3_600_000;
    fake.set_fault_paths(&["message/mass/sendall"]);
    fake.faults().push([Fault::TimeoutAfterWork]);
    assert_eq!(
        conn.publish(&mut s, &old).await.unwrap_err().class,
        ErrorClass::Unknown
    );
    assert_eq!(
        conn.reconcile(&mut s, &old).await.unwrap(),
        Reconciled::Unknown
    );
    assert_eq!(fake.mass_send_count(), 1);
}

#[tokio::test]
async fn fake_failed_mass_send_is_rejected_with_its_status() {
    let fake = FakeWechat::start(APP_ID, SECRET).await;
    fake.set_mass_outcome("SEND_FAIL");
    let conn = mass_all(&fake);
    let mut s = session();
    let id = msg_id(conn.publish(&mut s, &post("fail-1")).await.unwrap());
    let e = conn.check(&mut s, &format!("mass:{id}")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Rejected);
    assert!(e.detail.contains("SEND_FAIL"), "{}", e.detail);

    // A publish job's id still goes to freepublish/get on the same channel.
    let e = conn.check(&mut s, "2247500999").await.unwrap_err();
    assert!(e.detail.contains("40007"), "{}", e.detail);
}
