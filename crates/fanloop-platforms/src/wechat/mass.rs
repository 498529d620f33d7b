//! Mass send (群发) of a draft to followers: `message/mass/sendall`, and the channel
//! delivery that uses it (`delivery = mass_all | mass_tag`).
//!
//! Unlike publishing, a mass send has a documented de-duplication key, `clientmsgid`:
//! within 24 hours WeChat refuses a second send with the same one (45065) and names the
//! existing `msg_id`. Passing the publication's stable key therefore makes retries safe,
//! and a 45065 answer is the earlier send's receipt, not a failure.
//!
//! The draft is prepared as for publishing (`publish.rs`, whose `thumb:`/`draft:` session
//! entries it shares), then sent. The session records the send under the post's key:
//!
//! | session key        | value            | meaning                                     |
//! |--------------------|------------------|---------------------------------------------|
//! | `masssent:<key>`   | draft media_id   | sendall sent, answer not (yet) received     |
//! | `mass:<key>`       | msg_id           | sendall accepted: followers are being sent  |
//!
//! A pending mass send's remote id is `mass:<msg_id>` ([`RemoteId`]), so `check` asks
//! `message/mass/get` instead of `freepublish/get`, and the `MASSSENDJOBFINISH` push
//! finds the publication by the same id.
//!
//! `reconcile` is the one place a WeChat connector sends while reconciling: when a
//! sendall's answer was lost, WeChat offers no way to look a send up by `clientmsgid`,
//! only to send again with it. Within the 24-hour de-duplication window that cannot
//! reach a follower twice (45065 returns the earlier `msg_id`); past it, the answer is
//! `Unknown` and a person decides.

use super::WechatOa;
use super::api::{CallError, Payload, id_of, str_field};
use super::errcode::CLIENTMSGID_EXISTS;
use super::publish::{forget_job, rejected, remove, slot};
use crate::connector::{Outgoing, Receipt, Reconciled, Session};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http::malformed;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use std::fmt;

/// `clientmsgid` may be at most 64 bytes (errcode 45067 otherwise).
const CLIENTMSGID_MAX: usize = 64;
/// How long WeChat remembers a `clientmsgid` (24 hours), less an hour so that clocks a
/// little apart never make a re-send look safe when it is not.
const DEDUP_WINDOW_MS: i64 = 23 * 3_600_000;

/// A pending publication's remote id: a publish job's `publish_id`, or `mass:<msg_id>`
/// for a mass send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteId<'a> {
    PublishJob(&'a str),
    MassSend(&'a str),
}

impl<'a> RemoteId<'a> {
    const MASS: &'static str = "mass:";

    /// `None` for an empty id, or a mass id without its `msg_id`.
    pub fn parse(raw: &'a str) -> Option<Self> {
        let id = match raw.strip_prefix(Self::MASS) {
            Some(msg_id) => RemoteId::MassSend(msg_id.trim()),
            None => RemoteId::PublishJob(raw.trim()),
        };
        match id {
            RemoteId::PublishJob(s) | RemoteId::MassSend(s) if s.is_empty() => None,
            id => Some(id),
        }
    }
}

impl fmt::Display for RemoteId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteId::PublishJob(id) => f.write_str(id),
            RemoteId::MassSend(msg_id) => write!(f, "{}{msg_id}", Self::MASS),
        }
    }
}

/// A mass send WeChat accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MassSend {
    pub msg_id: String,
    pub msg_data_id: Option<String>,
    /// True when this call found the send an earlier attempt made (45065).
    pub already_sent: bool,
}

/// The `clientmsgid` for a publication key: the key itself, or its SHA-1 when longer
/// than WeChat allows (still stable across attempts).
pub fn client_msg_id(post_key: &str) -> String {
    if post_key.len() <= CLIENTMSGID_MAX {
        post_key.to_owned()
    } else {
        hex::encode(Sha1::digest(post_key.as_bytes()))
    }
}

impl WechatOa {
    /// Sends the draft `media_id` (from [`WechatOa::prepare_draft`]) to every follower,
    /// or to those with `tag_id`. `post_key` is the publication's stable key
    /// (`Outgoing::key`), used as `clientmsgid`. One attempt; 45028 (no quota left) is a
    /// rate-limit-class error the engine reschedules.
    pub async fn mass_send(
        &self,
        session: &mut Session,
        post_key: &str,
        media_id: &str,
        tag_id: Option<i64>,
    ) -> Result<MassSend, PublishError> {
        let filter = match tag_id {
            Some(tag) => json!({ "is_to_all": false, "tag_id": tag }),
            None => json!({ "is_to_all": true }),
        };
        let body = json!({
            "filter": filter,
            "mpnews": { "media_id": media_id },
            "msgtype": "mpnews",
            // Stop if WeChat judges the article a reprint, rather than send it as one.
            "send_ignore_reprint": 0,
            "clientmsgid": client_msg_id(post_key),
        });
        let answer = self
            .api
            .call(session, "message/mass/sendall", &[], &Payload::Json(body))
            .await;
        match answer {
            Ok(v) => Ok(MassSend {
                msg_id: str_field(&v, "msg_id", "message/mass/sendall")?,
                msg_data_id: v.get("msg_data_id").and_then(id_of),
                already_sent: false,
            }),
            Err(CallError::Api { code, body, .. })
                if code == CLIENTMSGID_EXISTS && body.get("msg_id").is_some() =>
            {
                Ok(MassSend {
                    msg_id: str_field(&body, "msg_id", "message/mass/sendall")?,
                    msg_data_id: body.get("msg_data_id").and_then(id_of),
                    already_sent: true,
                })
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl WechatOa {
    /// Prepares the draft and mass-sends it; a pending receipt whose `check` asks
    /// `message/mass/get`. A send an earlier attempt made is never made again: its
    /// `msg_id` is kept, and a lost answer is covered by `clientmsgid`.
    pub(super) async fn publish_mass(
        &self,
        session: &mut Session,
        post: &Outgoing,
        tag_id: Option<i64>,
    ) -> Result<Receipt, PublishError> {
        if let Some(msg_id) = session.get(&slot("mass", &post.key)) {
            return Ok(pending(msg_id));
        }
        let media_id = self.prepare_draft(session, post).await?;
        session.set(&slot("masssent", &post.key), media_id.clone());
        match self.mass_send(session, &post.key, &media_id, tag_id).await {
            Ok(sent) => Ok(sent_receipt(session, &post.key, &sent.msg_id)),
            Err(e) => {
                // Only an unknown outcome may have sent it. A refused draft will not pass
                // on a retry either: rebuild it.
                if e.class != ErrorClass::Unknown {
                    remove(session, "masssent", &post.key);
                }
                if e.class == ErrorClass::Rejected {
                    remove(session, "draft", &post.key);
                }
                Err(e)
            }
        }
    }

    pub(super) async fn reconcile_mass(
        &self,
        session: &mut Session,
        post: &Outgoing,
        tag_id: Option<i64>,
    ) -> Result<Reconciled, PublishError> {
        if let Some(msg_id) = session.get(&slot("mass", &post.key)) {
            return Ok(Reconciled::Found(pending(msg_id)));
        }
        let Some(media_id) = session.get(&slot("masssent", &post.key)).map(str::to_owned) else {
            // At most a draft exists, which no follower sees; publishing re-uses it.
            return Ok(Reconciled::SafeToRetry);
        };
        // Without the engine's clock the key's age is unknown, so it is not trusted.
        let age = session.now_ms - post.first_attempt_ms;
        if session.now_ms <= 0 || age > DEDUP_WINDOW_MS {
            return Ok(Reconciled::Unknown);
        }
        let sent = self
            .mass_send(session, &post.key, &media_id, tag_id)
            .await?;
        Ok(Reconciled::Found(sent_receipt(
            session,
            &post.key,
            &sent.msg_id,
        )))
    }

    /// `message/mass/get`: how the send behind `mass:<msg_id>` went.
    pub(super) async fn check_mass(
        &self,
        session: &mut Session,
        msg_id: &str,
    ) -> Result<Receipt, PublishError> {
        let body = json!({ "msg_id": msg_id });
        let v = self
            .api
            .call(session, "message/mass/get", &[], &Payload::Json(body))
            .await?;
        let status = v
            .get("msg_status")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("message/mass/get without msg_status", &v.to_string()))?;
        let remote_id = RemoteId::MassSend(msg_id).to_string();
        let meaning = match status {
            // mass/get names no article URL; the MASSSENDJOBFINISH push does, when it comes.
            "SEND_SUCCESS" => {
                return Ok(Receipt::Published {
                    remote_id,
                    url: None,
                });
            }
            "SENDING" => return Ok(Receipt::Pending { remote_id }),
            "SEND_FAIL" => "the mass send failed (群发失败)",
            "DELETE" => "the mass send was deleted (已删除)",
            _ => "the mass send did not succeed",
        };
        forget_job(session, "mass", msg_id);
        Err(rejected(
            Reason::Other,
            format!("mass send {msg_id}: msg_status {status}, {meaning}"),
        ))
    }
}

fn pending(msg_id: &str) -> Receipt {
    Receipt::Pending {
        remote_id: RemoteId::MassSend(msg_id).to_string(),
    }
}

/// Records an accepted send: its `msg_id` stays, so no later call sends the post again;
/// the draft steps are done with.
fn sent_receipt(session: &mut Session, post_key: &str, msg_id: &str) -> Receipt {
    session.set(&slot("mass", post_key), msg_id);
    for kind in ["masssent", "draft", "thumb"] {
        remove(session, kind, post_key);
    }
    pending(msg_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_msg_ids_fit() {
        assert_eq!(client_msg_id("pub-42"), "pub-42");
        let long = "k".repeat(65);
        let id = client_msg_id(&long);
        assert_eq!(id.len(), 40);
        assert_eq!(id, client_msg_id(&long));
    }

    #[test]
    fn remote_ids() {
        use RemoteId::*;
        let table = [
            ("2247483650", Some(PublishJob("2247483650"))),
            ("mass:3147000012", Some(MassSend("3147000012"))),
            ("mass: 42 ", Some(MassSend("42"))),
            ("mass:", None),
            ("", None),
            ("  ", None),
            // Only the exact prefix marks a mass send.
            ("MASS:1", Some(PublishJob("MASS:1"))),
        ];
        for (raw, expected) in table {
            assert_eq!(RemoteId::parse(raw), expected, "{raw:?}");
        }
        assert_eq!(MassSend("7").to_string(), "mass:7");
        assert_eq!(PublishJob("7").to_string(), "7");
        for id in ["mass:9", "12"] {
            assert_eq!(RemoteId::parse(id).unwrap().to_string(), id);
        }
    }
}
