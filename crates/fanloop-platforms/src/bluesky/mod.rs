//! Bluesky (AT Protocol): a post is an `app.bsky.feed.post` record written to the
//! account's repository on its PDS with `com.atproto.repo.createRecord`.
//!
//! Idempotency comes from choosing the record key ourselves ([`record::record_key`]):
//! every attempt of one publication writes to the same key, so a retry after a lost
//! answer cannot create a second post. The PDS refuses a second write to a taken key
//! (with a 500, as observed), so when createRecord fails with an answer we read the key
//! back and, if our post is there, report it as published.
//!
//! Settings: `service_url` (the PDS or `https://bsky.social`), `identifier` (handle, DID
//! or email) and the secret `app_password`.

mod auth;
mod record;
mod xrpc;

use crate::connector::{
    BoxFuture, ChannelConfig, Connector, MediaFile, Outgoing, Receipt, Reconciled, Session,
};
use crate::error::{ErrorClass, PublishError, Reason};
use crate::http;
use auth::Account;
use fanloop_render::{BlueskyPost, Body};
use reqwest::header::CONTENT_TYPE;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use xrpc::Xrpc;

/// Where accounts live unless the channel names its own PDS.
const DEFAULT_SERVICE: &str = "https://bsky.social";

/// A Bluesky channel's connector.
pub struct Bluesky {
    account: Account,
}

#[derive(Deserialize)]
struct Written {
    uri: String,
}

#[derive(Deserialize)]
struct Stored {
    uri: String,
    value: Value,
}

#[derive(Deserialize)]
struct Uploaded {
    blob: Value,
}

#[derive(Deserialize)]
struct Resolved {
    did: String,
}

#[derive(Deserialize)]
struct Me {
    handle: String,
}

/// What one publication writes, computed the same way on every attempt.
struct Planned<'a> {
    post: &'a BlueskyPost,
    rkey: String,
    created_at: String,
}

impl Bluesky {
    /// The connector for a channel, with the shared HTTP client.
    pub fn new(config: &ChannelConfig) -> Result<Self, PublishError> {
        Self::with_client(config, http::client())
    }

    /// The connector with a client of the caller's (tests use short timeouts).
    pub fn with_client(
        config: &ChannelConfig,
        client: reqwest::Client,
    ) -> Result<Self, PublishError> {
        let base = http::base_url(config, "service_url", DEFAULT_SERVICE);
        let identifier = config.require("identifier")?.to_owned();
        let password = config.require("app_password")?.to_owned();
        Ok(Bluesky {
            account: Account::new(Xrpc::new(client, base), identifier, password),
        })
    }

    async fn publish_post(
        &self,
        session: &mut Session,
        outgoing: &Outgoing,
    ) -> Result<Receipt, PublishError> {
        let plan = plan(outgoing)?;
        record::check_text(&plan.post.text)?;
        record::check_images(&outgoing.images)?;

        let embed = self.upload_images(session, &outgoing.images).await?;
        let dids = self.resolve_mentions(session, plan.post).await?;
        let facets = record::facets(plan.post, &dids);
        let value = record::post(&plan.post.text, facets, embed, &plan.created_at);

        let nsid = "com.atproto.repo.createRecord";
        let written = self
            .account
            .call::<Written>(session, nsid, |x, did| {
                x.post(nsid).json(&json!({
                    "repo": did,
                    "collection": record::COLLECTION,
                    "rkey": plan.rkey,
                    "record": value,
                }))
            })
            .await;
        match written {
            Ok(written) => Ok(receipt(session, written.uri, &plan.rkey)),
            // The PDS answered with an error: if it is "the key is taken", our post may
            // be there from an earlier attempt whose answer was lost.
            Err(e) if e.status.is_some() && taken_key_possible(&e.error) => {
                match self.read_back(session, &plan).await {
                    Ok(Reconciled::Found(receipt)) => Ok(receipt),
                    // Two publications sharing a record key: a person must look.
                    Ok(Reconciled::Unknown) => Err(PublishError::new(
                        ErrorClass::Unknown,
                        Reason::Duplicate,
                        format!(
                            "record key {} already holds a different post ({})",
                            plan.rkey, e.error.detail
                        ),
                    )),
                    _ => Err(e.error),
                }
            }
            Err(e) => Err(e.error),
        }
    }

    /// Uploads the images as blobs and returns the embed that shows them.
    async fn upload_images(
        &self,
        session: &mut Session,
        images: &[MediaFile],
    ) -> Result<Option<Value>, PublishError> {
        if images.is_empty() {
            return Ok(None);
        }
        let nsid = "com.atproto.repo.uploadBlob";
        let mut blobs = Vec::with_capacity(images.len());
        for image in images {
            let uploaded: Uploaded = self
                .account
                .call(session, nsid, |x, _| {
                    x.post(nsid)
                        .header(CONTENT_TYPE, &image.content_type)
                        .body(image.bytes.clone())
                })
                .await?;
            blobs.push((uploaded.blob, image.alt.as_str()));
        }
        Ok(Some(record::images_embed(blobs)))
    }

    /// Resolves each mentioned handle to its DID. A handle the PDS cannot resolve stays
    /// plain text; any other failure fails the attempt, since a retry may resolve it.
    async fn resolve_mentions(
        &self,
        session: &mut Session,
        post: &BlueskyPost,
    ) -> Result<BTreeMap<String, String>, PublishError> {
        let nsid = "com.atproto.identity.resolveHandle";
        let mut dids = BTreeMap::new();
        for mention in &post.mentions {
            if dids.contains_key(&mention.handle) {
                continue;
            }
            let request = self
                .account
                .xrpc
                .get(nsid)
                .query(&[("handle", &mention.handle)]);
            match self
                .account
                .xrpc
                .send::<Resolved>(nsid, request, session.now_ms)
                .await
            {
                Ok(resolved) => {
                    dids.insert(mention.handle.clone(), resolved.did);
                }
                Err(e) if e.error.class == ErrorClass::Rejected => {
                    let handle = &mention.handle;
                    tracing::debug!(%handle, "mention left plain: {}", e.error.detail);
                }
                Err(e) => return Err(e.error),
            }
        }
        Ok(dids)
    }

    /// Reads our record key: `Found` when our post is there, `SafeToRetry` when the key is
    /// free, `Unknown` when another post holds it.
    async fn read_back(
        &self,
        session: &mut Session,
        plan: &Planned<'_>,
    ) -> Result<Reconciled, PublishError> {
        let nsid = "com.atproto.repo.getRecord";
        let stored = self
            .account
            .call::<Stored>(session, nsid, |x, did| {
                x.get(nsid).query(&[
                    ("repo", did),
                    ("collection", record::COLLECTION),
                    ("rkey", &plan.rkey),
                ])
            })
            .await;
        match stored {
            Ok(stored) if record::same_post(&stored.value, &plan.post.text, &plan.created_at) => {
                Ok(Reconciled::Found(receipt(session, stored.uri, &plan.rkey)))
            }
            Ok(_) => Ok(Reconciled::Unknown),
            Err(e) if e.is("RecordNotFound") => Ok(Reconciled::SafeToRetry),
            Err(e) => Err(e.error),
        }
    }

    async fn whoami(&self, session: &mut Session) -> Result<String, PublishError> {
        let nsid = "com.atproto.server.getSession";
        let me: Me = self.account.call(session, nsid, |x, _| x.get(nsid)).await?;
        Account::note_handle(session, &me.handle);
        Ok(me.handle)
    }
}

impl Connector for Bluesky {
    fn publish<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Receipt, PublishError>> {
        Box::pin(self.publish_post(session, post))
    }

    fn reconcile<'a>(
        &'a self,
        session: &'a mut Session,
        post: &'a Outgoing,
    ) -> BoxFuture<'a, Result<Reconciled, PublishError>> {
        Box::pin(async move {
            let plan = plan(post)?;
            self.read_back(session, &plan).await
        })
    }

    fn verify<'a>(
        &'a self,
        session: &'a mut Session,
    ) -> BoxFuture<'a, Result<String, PublishError>> {
        Box::pin(self.whoami(session))
    }

    /// `refreshSession` with the refresh JWT, or a new login when the PDS no longer
    /// takes it.
    fn refresh<'a>(&'a self, session: &'a mut Session) -> BoxFuture<'a, Result<(), PublishError>> {
        Box::pin(async move { self.account.renew_early(session).await.map_err(|e| e.error) })
    }
}

/// The record key and timestamp of a publication, from what is stable across attempts.
fn plan(outgoing: &Outgoing) -> Result<Planned<'_>, PublishError> {
    let Body::Bluesky(post) = &outgoing.rendered.body else {
        return Err(PublishError::new(
            ErrorClass::Rejected,
            Reason::ContentRejected,
            format!(
                "the post was rendered for {}, not Bluesky",
                outgoing.rendered.target.name()
            ),
        ));
    };
    Ok(Planned {
        post,
        rkey: record::record_key(&outgoing.key, outgoing.first_attempt_ms),
        created_at: record::created_at(outgoing.first_attempt_ms),
    })
}

/// Failures that may mean "a record already exists at this key": not the ones that
/// are about the account or the pace of requests.
fn taken_key_possible(e: &PublishError) -> bool {
    !matches!(e.class, ErrorClass::Auth | ErrorClass::RateLimited)
}

/// The receipt for our record: its `at://` URI and its page on bsky.app.
fn receipt(session: &Session, uri: String, rkey: &str) -> Receipt {
    let url =
        Account::name(session).map(|name| format!("https://bsky.app/profile/{name}/post/{rkey}"));
    Receipt::Published {
        remote_id: uri,
        url,
    }
}
