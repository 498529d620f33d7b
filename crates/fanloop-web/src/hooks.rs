//! Platform callbacks: `/hooks/wechat/{channel_id}` is the server URL an operator saves
//! in the WeChat console. WeChat cannot sign in, so the platform's signature over the
//! channel's own Token is the authentication; a request that fails it is refused before
//! anything is stored.
//!
//! WeChat waits 5 s for an answer and then retries, so the handler only reads the store,
//! writes one transaction and answers `success`: no call leaves this process. Answers are
//! plain text, never HTML, because a machine reads them.

use crate::i18n::Tr;
use crate::{AppState, now_ms};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fanloop_domain::{ChannelId, Platform};
use fanloop_platforms::ChannelConfig;
use fanloop_platforms::wechat::RemoteId;
use fanloop_platforms::wechat::callback::{
    self, CallbackError, CallbackKeys, CallbackQuery, Inbound, PublishJobFinish,
};
use fanloop_store::StoreError;
use fanloop_store::inbound::{InboundEvent, JobResult, PublishFinished, Recorded};

/// `GET`: WeChat checks the URL when an operator saves it; echo `echostr` back.
pub async fn wechat_verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(channel): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let tr = Tr::negotiate(&headers, None, true);
    let config = match wechat_channel(&state, &tr, &channel).await {
        Ok(config) => config,
        Err(refusal) => return refusal,
    };
    let keys = match CallbackKeys::from_config(&config) {
        Ok(keys) => keys,
        Err(_) => return text(StatusCode::FORBIDDEN, tr.t("hooks.no_token")),
    };
    match callback::verify_get(&keys, &query, now_secs()) {
        Ok(echostr) => text(StatusCode::OK, echostr),
        Err(e) => refused(&tr, config.channel_id, &e),
    }
}

/// `POST`: a message, comment or event. Stored once however often WeChat retries; a
/// publish job's outcome settles the pending publication in the same transaction.
pub async fn wechat_push(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(channel): Path<String>,
    Query(query): Query<CallbackQuery>,
    body: Body,
) -> Response {
    let tr = Tr::negotiate(&headers, None, true);
    let config = match wechat_channel(&state, &tr, &channel).await {
        Ok(config) => config,
        Err(refusal) => return refusal,
    };
    let keys = match CallbackKeys::from_config(&config) {
        Ok(keys) => keys,
        Err(_) => return text(StatusCode::FORBIDDEN, tr.t("hooks.no_token")),
    };
    // Refuse oversized bodies while reading, not after buffering them.
    let Ok(bytes) = axum::body::to_bytes(body, callback::MAX_BODY_BYTES).await else {
        let e = CallbackError::TooLarge(callback::MAX_BODY_BYTES + 1);
        return refused(&tr, config.channel_id, &e);
    };
    let Ok(xml) = std::str::from_utf8(&bytes) else {
        let e = CallbackError::MalformedXml("not UTF-8".into());
        return refused(&tr, config.channel_id, &e);
    };
    let inbound = match callback::open(&keys, &query, xml, now_secs()) {
        Ok(inbound) => inbound,
        Err(e) => return refused(&tr, config.channel_id, &e),
    };
    let kind = kind_of(&inbound);
    let event = InboundEvent {
        channel_id: config.channel_id,
        dedup_key: &inbound.dedup_key,
        kind: &kind,
        payload: &inbound.raw_xml,
        publish: inbound.publish.as_ref().and_then(finished),
    };
    match state.store.record_inbound(&event).await {
        Ok(recorded) => {
            if let Recorded::Stored {
                resolved: Some(publication),
            } = recorded
            {
                tracing::info!(publication, kind, "publication settled by WeChat's push");
            }
            text(StatusCode::OK, callback::reply_success())
        }
        // Nothing was stored: WeChat's retry will try again.
        Err(e) => internal(&tr, &e),
    }
}

/// The WeChat channel named by the path, with its settings and secrets. Any other id
/// (unknown, not a number, another platform's channel) is the same plain 404.
async fn wechat_channel(
    state: &AppState,
    tr: &Tr,
    raw_id: &str,
) -> Result<ChannelConfig, Response> {
    let not_found = || text(StatusCode::NOT_FOUND, tr.t("error.not_found"));
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    let (workspace, platform) = match state.store.channel_owner(id).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(internal(tr, &e)),
    };
    if platform != Platform::WechatOa {
        return Err(not_found());
    }
    let channel = state
        .store
        .channels(workspace)
        .await
        .map_err(|e| internal(tr, &e))?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(not_found)?;
    let secrets = match state.store.channel_secrets(workspace, ChannelId(id)).await {
        Ok(secrets) => secrets,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(internal(tr, &e)),
    };
    Ok(ChannelConfig {
        channel_id: id,
        platform,
        settings: channel.settings,
        secrets,
    })
}

/// `text`, `image`, … for messages; `event:SUBSCRIBE`, `event:PUBLISHJOBFINISH`, … for
/// events, whose `MsgType` alone says nothing.
fn kind_of(inbound: &Inbound) -> String {
    match &inbound.event {
        Some(event) if inbound.msg_type == "event" => {
            format!("event:{}", event.to_ascii_uppercase())
        }
        _ => inbound.msg_type.clone(),
    }
}

/// A finished job as the store applies it: a publish job (`PUBLISHJOBFINISH`) or a mass
/// send (`MASSSENDJOBFINISH`), matched to its pending publication by remote id either
/// way. `publish_status` 1 means "still publishing", which is no outcome: the
/// publication stays pending and its check job keeps asking.
fn finished(job: &PublishJobFinish) -> Option<PublishFinished<'_>> {
    let result = if job.succeeded() {
        JobResult::Published {
            remote_id: job.article_id.as_deref(),
            url: job.urls.first().map(String::as_str),
        }
    } else if job.status == "1" {
        return None;
    } else {
        // A mass send's id is already `mass:<MsgID>`, the remote id its publication keeps.
        let error = match RemoteId::parse(&job.publish_id) {
            Some(RemoteId::MassSend(msg_id)) => {
                format!("mass send {msg_id}: Status {}", job.status)
            }
            _ => format!(
                "publish job {}: publish_status {}",
                job.publish_id, job.status
            ),
        };
        JobResult::Failed {
            reason: "content_rejected",
            error,
        }
    };
    Some(PublishFinished {
        job_id: &job.publish_id,
        result,
    })
}

/// A refused callback: why, in words, with a status WeChat and operators can read. It
/// is logged for the operator checking the console's "server URL" setting.
fn refused(tr: &Tr, channel_id: i64, e: &CallbackError) -> Response {
    tracing::warn!(channel_id, error = %e, "WeChat callback refused");
    let status = match e {
        CallbackError::MissingParameter(_)
        | CallbackError::BadTimestamp
        | CallbackError::Stale { .. }
        | CallbackError::BadSignature => StatusCode::UNAUTHORIZED,
        CallbackError::EncryptionRequired | CallbackError::KeyMissing => StatusCode::FORBIDDEN,
        CallbackError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        CallbackError::UnsupportedEncryption(_)
        | CallbackError::MalformedXml(_)
        | CallbackError::MissingField(_)
        | CallbackError::Crypto(_) => StatusCode::BAD_REQUEST,
    };
    text(status, e.message(tr.locale()))
}

fn internal(tr: &Tr, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "WeChat callback failed");
    text(StatusCode::INTERNAL_SERVER_ERROR, tr.t("error.internal"))
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn now_secs() -> i64 {
    now_ms() / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(status: &str) -> PublishJobFinish {
        PublishJobFinish {
            publish_id: "2247483650".into(),
            status: status.into(),
            article_id: Some("a_1".into()),
            urls: vec!["https://mp.weixin.qq.com/s/1".into()],
        }
    }

    #[test]
    fn job_outcomes() {
        let ok = job("0");
        assert!(matches!(
            finished(&ok).map(|f| f.result),
            Some(JobResult::Published {
                remote_id: Some("a_1"),
                url: Some("https://mp.weixin.qq.com/s/1")
            })
        ));
        assert!(finished(&job("1")).is_none(), "still publishing");
        for status in ["2", "3", "4", "5", "6", "send fail"] {
            let j = job(status);
            match finished(&j).map(|f| f.result) {
                Some(JobResult::Failed { reason, error }) => {
                    assert_eq!(reason, "content_rejected");
                    assert!(
                        error.contains(&format!("publish_status {status}")),
                        "{error}"
                    );
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }

    #[test]
    fn mass_send_outcomes_keep_the_mass_remote_id() {
        let mass = |status: &str| PublishJobFinish {
            publish_id: "mass:1000001625".into(),
            status: status.into(),
            article_id: None,
            urls: vec!["https://mp.weixin.qq.com/s/m".into()],
        };
        let ok = mass("send success");
        let f = finished(&ok).expect("an outcome");
        assert_eq!(f.job_id, "mass:1000001625");
        assert!(matches!(
            f.result,
            JobResult::Published {
                remote_id: None,
                url: Some("https://mp.weixin.qq.com/s/m")
            }
        ));
        let failed = mass("err(30003)");
        match finished(&failed).map(|f| f.result) {
            Some(JobResult::Failed { error, .. }) => {
                assert_eq!(error, "mass send 1000001625: Status err(30003)")
            }
            other => panic!("{other:?}"),
        }
    }
}
