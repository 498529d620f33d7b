//! Publishing an article: cover → body images → draft → `freepublish/submit` → a pending
//! job the engine polls with `check`.
//!
//! WeChat has no idempotency key for drafts or publish jobs, so the session records each
//! step under the post's key, which is what makes an interrupted attempt safe to resume:
//!
//! | session key        | value               | meaning                                   |
//! |--------------------|---------------------|-------------------------------------------|
//! | `thumb:<key>`      | `<fingerprint>:<id>`| cover uploaded as permanent material      |
//! | `draft:<key>`      | `<fingerprint>:<id>`| draft created (invisible to readers)      |
//! | `sent:<key>`       | draft media_id      | submit sent, answer not (yet) received    |
//! | `submit:<key>`     | publish_id          | submit accepted: the job exists           |
//!
//! The fingerprint (title, body, images) keeps a retry from re-using a draft of an
//! earlier version of the post. `submit:<key>` is kept after success, so no later call
//! can submit the post again; it is dropped only when the job failed, so that sending
//! again (a person's decision) starts over.
//!
//! A channel that mass-sends (`mass.rs`) prepares its draft here too, then sends it with
//! its own session entries.

use super::WechatOa;
use super::api::{Payload, id_of, str_field};
use super::article;
use crate::connector::{MediaFile, Outgoing, Receipt, Reconciled, Session};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http::malformed;
use fanloop_render::Body;
use serde_json::{Value, json};

/// `media/uploadimg` takes jpg/png under 1 MB (PLATFORMS.md).
const BODY_IMAGE_MAX_BYTES: usize = 1024 * 1024;
const BODY_IMAGE_TYPES: &[&str] = &["image/jpeg", "image/jpg", "image/png"];
/// How many recent publications `reconcile` searches for an unconfirmed one: the newest
/// page, since the post went out (if it did) after the attempt that lost its answer.
const RECONCILE_PAGE: i64 = 20;

pub(super) fn slot(kind: &str, post_key: &str) -> String {
    format!("{kind}:{post_key}")
}

/// A stored `<fingerprint>:<id>` value, if its fingerprint matches (`None` matches any).
fn stored(session: &Session, kind: &str, post_key: &str, fp: Option<&str>) -> Option<String> {
    let value = session.get(&slot(kind, post_key))?;
    let (stored_fp, id) = value.split_once(':')?;
    (fp.is_none_or(|fp| fp == stored_fp) && !id.is_empty()).then(|| id.to_owned())
}

pub(super) fn remove(session: &mut Session, kind: &str, post_key: &str) {
    if session.values.remove(&slot(kind, post_key)).is_some() {
        session.changed = true;
    }
}

pub(super) fn rejected(reason: Reason, detail: impl Into<String>) -> PublishError {
    PublishError::new(ErrorClass::Rejected, reason, detail)
}

impl WechatOa {
    /// Uploads the cover and body images and creates the draft, or returns the draft an
    /// earlier attempt created for this post. The draft's `media_id` also serves a mass
    /// send ([`WechatOa::mass_send`]).
    pub async fn prepare_draft(
        &self,
        session: &mut Session,
        post: &Outgoing,
    ) -> Result<String, PublishError> {
        let fp = article::fingerprint(post);
        if let Some(id) = stored(session, "draft", &post.key, Some(&fp)) {
            return Ok(id);
        }
        let title = post
            .rendered
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                rejected(
                    Reason::ContentRejected,
                    "a WeChat article needs a title: start the post with a # heading or set one",
                )
            })?;
        let Body::Html(html) = &post.rendered.body else {
            return Err(rejected(
                Reason::ContentRejected,
                "the post was not rendered as WeChat HTML",
            ));
        };
        let thumb = self.cover(session, post, &fp).await?;
        let mut uploads = Vec::with_capacity(post.rendered.images.len());
        for (i, image) in post.rendered.images.iter().enumerate() {
            let file = post.images.get(i).ok_or_else(|| {
                rejected(
                    Reason::MediaRejected,
                    format!("image {} ({}) was not provided", i + 1, image.url),
                )
            })?;
            uploads.push((
                image.url.clone(),
                self.upload_body_image(session, i, file).await?,
            ));
        }
        let content = article::rewrite_images(html, &uploads).map_err(|src| {
            rejected(
                Reason::MediaRejected,
                format!(
                    "the body image {src} has no uploaded copy, and WeChat drops external images"
                ),
            )
        })?;
        let body = json!({ "articles": [{
            "article_type": "news",
            "title": title,
            "digest": article::digest(&content),
            "content": content,
            "thumb_media_id": thumb,
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
        }]});
        let v = self
            .api
            .call(session, "draft/add", &[], &Payload::Json(body))
            .await?;
        let media_id = str_field(&v, "media_id", "draft/add")?;
        session.set(&slot("draft", &post.key), format!("{fp}:{media_id}"));
        Ok(media_id)
    }

    /// The cover as permanent image material (`thumb_media_id`, required for news).
    async fn cover(
        &self,
        session: &mut Session,
        post: &Outgoing,
        fp: &str,
    ) -> Result<String, PublishError> {
        if let Some(id) = stored(session, "thumb", &post.key, Some(fp)) {
            return Ok(id);
        }
        let cover = post.cover.as_ref().ok_or_else(|| {
            rejected(
                Reason::MediaRejected,
                "a WeChat article needs a cover image (thumb_media_id): add a cover to the post",
            )
        })?;
        let v = self
            .api
            .call(
                session,
                "material/add_material",
                &[("type", "image")],
                &Payload::Media(cover),
            )
            .await?;
        let id = str_field(&v, "media_id", "material/add_material")?;
        session.set(&slot("thumb", &post.key), format!("{fp}:{id}"));
        Ok(id)
    }

    async fn upload_body_image(
        &self,
        session: &mut Session,
        index: usize,
        file: &MediaFile,
    ) -> Result<String, PublishError> {
        let kind = file.content_type.to_ascii_lowercase();
        if !BODY_IMAGE_TYPES.contains(&kind.as_str()) || file.bytes.len() >= BODY_IMAGE_MAX_BYTES {
            return Err(rejected(
                Reason::MediaRejected,
                format!(
                    "image {} ({}, {}, {} bytes): WeChat article images must be JPEG or PNG under 1 MB",
                    index + 1,
                    file.file_name,
                    file.content_type,
                    file.bytes.len()
                ),
            ));
        }
        let v = self
            .api
            .call(session, "media/uploadimg", &[], &Payload::Media(file))
            .await?;
        str_field(&v, "url", "media/uploadimg")
    }

    pub(super) async fn publish_post(
        &self,
        session: &mut Session,
        post: &Outgoing,
    ) -> Result<Receipt, PublishError> {
        if let Some(publish_id) = session.get(&slot("submit", &post.key)) {
            return Ok(Receipt::Pending {
                remote_id: publish_id.to_owned(),
            });
        }
        if session.get(&slot("sent", &post.key)).is_some() {
            // An earlier submit's outcome was never confirmed and someone chose to send
            // again: its draft may have been consumed by that submit, so start afresh.
            remove(session, "sent", &post.key);
            remove(session, "draft", &post.key);
        }
        let media_id = self.prepare_draft(session, post).await?;
        session.set(&slot("sent", &post.key), media_id.clone());
        let body = json!({ "media_id": media_id });
        match self
            .api
            .call(session, "freepublish/submit", &[], &Payload::Json(body))
            .await
        {
            Ok(v) => {
                let publish_id = str_field(&v, "publish_id", "freepublish/submit")?;
                session.set(&slot("submit", &post.key), publish_id.clone());
                for kind in ["sent", "draft", "thumb"] {
                    remove(session, kind, &post.key);
                }
                Ok(Receipt::Pending {
                    remote_id: publish_id,
                })
            }
            Err(e) => {
                let e = PublishError::from(e);
                // Only an unknown outcome may have created a job; anything else surely
                // did not. A refused draft will not pass on a retry either: rebuild it.
                if e.class != ErrorClass::Unknown {
                    remove(session, "sent", &post.key);
                }
                if e.class == ErrorClass::Rejected {
                    remove(session, "draft", &post.key);
                }
                Err(e)
            }
        }
    }

    pub(super) async fn reconcile_post(
        &self,
        session: &mut Session,
        post: &Outgoing,
    ) -> Result<Reconciled, PublishError> {
        if let Some(publish_id) = session.get(&slot("submit", &post.key)) {
            return Ok(Reconciled::Found(Receipt::Pending {
                remote_id: publish_id.to_owned(),
            }));
        }
        if session.get(&slot("sent", &post.key)).is_none() {
            // At most a draft exists, which no reader sees; publishing re-uses it.
            return Ok(Reconciled::SafeToRetry);
        }
        // The submit went out and its answer was lost. A finished job shows in the list
        // of publications, recognisable by the cover material uploaded for this post.
        let Some(thumb) = stored(session, "thumb", &post.key, None) else {
            return Ok(Reconciled::Unknown);
        };
        let body = json!({ "offset": 0, "count": RECONCILE_PAGE, "no_content": 1 });
        let v = self
            .api
            .call(session, "freepublish/batchget", &[], &Payload::Json(body))
            .await?;
        Ok(find_by_thumb(&v, &thumb).map_or(Reconciled::Unknown, Reconciled::Found))
    }

    pub(super) async fn check_job(
        &self,
        session: &mut Session,
        publish_id: &str,
    ) -> Result<Receipt, PublishError> {
        let body = json!({ "publish_id": publish_id });
        let v = self
            .api
            .call(session, "freepublish/get", &[], &Payload::Json(body))
            .await?;
        let status = v
            .get("publish_status")
            .and_then(|s| id_of(s)?.parse::<i64>().ok())
            .ok_or_else(|| malformed("freepublish/get without publish_status", &v.to_string()))?;
        let (reason, meaning) = match status {
            0 => {
                let url = v
                    .pointer("/article_detail/item/0/article_url")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                return Ok(Receipt::Published {
                    remote_id: str_field(&v, "article_id", "freepublish/get")?,
                    url,
                });
            }
            1 => {
                return Ok(Receipt::Pending {
                    remote_id: publish_id.to_owned(),
                });
            }
            2 => (
                Reason::ContentRejected,
                "originality check failed (原创声明失败)",
            ),
            3 => (Reason::Other, "publishing failed (发布失败)"),
            4 => (
                Reason::ContentRejected,
                "rejected by platform review (平台审核不通过)",
            ),
            5 => (
                Reason::Other,
                "deleted by the account after publishing (已被删除)",
            ),
            6 => (
                Reason::ContentRejected,
                "banned by the platform (已被系统封禁)",
            ),
            other => {
                return Err(malformed(
                    &format!("freepublish/get: unknown publish_status {other}"),
                    &v.to_string(),
                ));
            }
        };
        forget_job(session, "submit", publish_id);
        let fail_idx = v.get("fail_idx").map(Value::to_string).unwrap_or_default();
        Err(rejected(
            reason,
            format!(
                "publish job {publish_id}: publish_status {status}, {meaning}; fail_idx {fail_idx}"
            ),
        ))
    }
}

/// Drops the `submit:` entry of a failed job so that sending again starts over (and the
/// `mass:` entry of a failed mass send, given its `kind`).
pub(super) fn forget_job(session: &mut Session, kind: &str, id: &str) {
    let before = session.values.len();
    let prefix = format!("{kind}:");
    session
        .values
        .retain(|k, v| !(k.starts_with(&prefix) && v == id));
    if session.values.len() != before {
        session.changed = true;
    }
}

/// The publication in a `freepublish/batchget` page whose cover is `thumb`.
fn find_by_thumb(page: &Value, thumb: &str) -> Option<Receipt> {
    page.get("item")?.as_array()?.iter().find_map(|item| {
        let news = item.pointer("/content/news_item")?.as_array()?;
        let article = news
            .iter()
            .find(|a| a.get("thumb_media_id").and_then(Value::as_str) == Some(thumb))?;
        Some(Receipt::Published {
            remote_id: id_of(item.get("article_id")?)?,
            url: article
                .get("url")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    })
}
