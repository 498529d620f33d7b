//! The fake's mass sends (群发): `message/mass/sendall` and `message/mass/get`.
//!
//! From the documentation: a send is de-duplicated by `clientmsgid` for 24 hours (45065
//! with the earlier `msg_id`), limited by the account's quota (45028), and reported by
//! `mass/get` as `SENDING` and then `SEND_SUCCESS` (or `SEND_FAIL`). Choices where the
//! documentation is silent (uncertain): a send to a tag without `tag_id` gets 40050, an
//! unknown `msg_id` gets 40007, and the de-duplication check comes before the quota's,
//! so a repeated send is answered with its `msg_id` even when the quota is used up.

use super::*;

/// One accepted mass send, as the fake recorded it.
pub(super) struct MassRecord {
    msg_id: u64,
    send: FakeMassSend,
    sent: Instant,
    outcome: &'static str,
}

/// What a mass send asked for, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMassSend {
    pub client_msg_id: String,
    pub media_id: String,
    /// `filter.is_to_all`, and `filter.tag_id` when sending to a tag.
    pub is_to_all: bool,
    pub tag_id: Option<i64>,
}

impl FakeWechat {
    /// Mass sends allowed until [`FakeWechat::new_day`] (a subscription account: 1).
    pub fn set_mass_quota(&self, per_day: usize) {
        self.world().mass_quota = per_day;
    }

    /// Starts a new day for the mass-send quota (`clientmsgid`s are remembered 24 h; the
    /// fake forgets them here too).
    pub fn new_day(&self) {
        let mut w = self.world();
        w.mass_today = 0;
        w.mass_by_client_id.clear();
    }

    /// How long a mass send reports `SENDING` before its outcome.
    pub fn set_mass_delay(&self, delay: Duration) {
        self.world().mass_delay = delay;
    }

    /// The `msg_status` sends from now on end with (`SEND_SUCCESS`, `SEND_FAIL`, …).
    pub fn set_mass_outcome(&self, status: &'static str) {
        self.world().mass_outcome = status;
    }

    /// Mass sends accepted: what reached followers, counted once each.
    pub fn mass_send_count(&self) -> usize {
        self.world().mass_sends.len()
    }

    /// The accepted mass sends, oldest first.
    pub fn mass_sends(&self) -> Vec<FakeMassSend> {
        let w = self.world();
        w.mass_sends.iter().map(|m| m.send.clone()).collect()
    }
}

pub(super) async fn mass_send(
    State(app): State<App>,
    Query(params): Params,
    body: Bytes,
) -> Response {
    let (fault, v) = match admit_json(&app, "message/mass/sendall", &params, &body).await {
        Ok(admitted) => admitted,
        Err(r) => return r.into_response(),
    };
    let answer = {
        let mut w = lock(&app);
        let client_id = v["clientmsgid"].as_str().unwrap_or_default().to_owned();
        if client_id.len() > 64 {
            return error(45067, "clientmsgid size out of limit");
        }
        if let Some(msg_id) = w
            .mass_by_client_id
            .get(&client_id)
            .filter(|_| !client_id.is_empty())
        {
            return axum::Json(
                json!({ "errcode": 45065, "errmsg": "clientmsgid exist", "msg_id": msg_id }),
            )
            .into_response();
        }
        let media_id = v["mpnews"]["media_id"].as_str().unwrap_or_default();
        if !w.drafts.contains_key(media_id) {
            return error(40007, "invalid media_id");
        }
        let is_to_all = v["filter"]["is_to_all"].as_bool().unwrap_or(false);
        let tag_id = v["filter"]["tag_id"].as_i64();
        if !is_to_all && tag_id.is_none() {
            return error(40050, "invalid tag id");
        }
        if w.mass_today >= w.mass_quota {
            return error(45028, "has no masssend quota");
        }
        let msg_id = 3_147_000_000 + w.next_id();
        let send = FakeMassSend {
            client_msg_id: client_id.clone(),
            media_id: media_id.to_owned(),
            is_to_all,
            tag_id: tag_id.filter(|_| !is_to_all),
        };
        let outcome = w.mass_outcome;
        w.mass_sends.push(MassRecord {
            msg_id,
            send,
            sent: Instant::now(),
            outcome,
        });
        w.mass_today += 1;
        if !client_id.is_empty() {
            w.mass_by_client_id.insert(client_id, msg_id);
        }
        let msg_data_id = 2_455_000_000 + w.next_id();
        json!({ "errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id, "msg_data_id": msg_data_id })
    };
    finish(fault, answer).await
}

pub(super) async fn mass_get(
    State(app): State<App>,
    Query(params): Params,
    body: Bytes,
) -> Response {
    let (fault, v) = match admit_json(&app, "message/mass/get", &params, &body).await {
        Ok(admitted) => admitted,
        Err(r) => return r.into_response(),
    };
    let answer = {
        let w = lock(&app);
        let wanted = id_param(v.get("msg_id"));
        let Some(record) = w
            .mass_sends
            .iter()
            .find(|m| Some(m.msg_id.to_string()) == wanted)
        else {
            return error(40007, "invalid msg_id");
        };
        let status = if record.sent.elapsed() < w.mass_delay {
            "SENDING"
        } else {
            record.outcome
        };
        json!({ "msg_id": record.msg_id, "msg_status": status })
    };
    finish(fault, answer).await
}
