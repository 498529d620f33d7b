//! Mass send (群发) of a draft to followers: `message/mass/sendall`.
//!
//! Unlike publishing, a mass send has a documented de-duplication key, `clientmsgid`:
//! within 24 hours WeChat refuses a second send with the same one (45065) and names the
//! existing `msg_id`. Passing the publication's stable key therefore makes retries safe,
//! and a 45065 answer is the earlier send's receipt, not a failure.

use super::WechatOa;
use super::api::{CallError, Payload, id_of, str_field};
use super::errcode::CLIENTMSGID_EXISTS;
use crate::connector::Session;
use crate::error::PublishError;
use serde_json::json;
use sha1::{Digest, Sha1};

/// `clientmsgid` may be at most 64 bytes (errcode 45067 otherwise).
const CLIENTMSGID_MAX: usize = 64;

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
}
