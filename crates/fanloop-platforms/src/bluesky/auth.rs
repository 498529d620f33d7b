//! The account a channel posts as, and keeping a session for it.
//!
//! `createSession` with the app password gives a short-lived access JWT (~2 h) and a
//! long-lived refresh JWT; `refreshSession` trades the refresh JWT for a new pair. Both
//! live in the engine's sealed [`Session`], so a connector does not log in on every call
//! (createSession is limited to 30 per 5 minutes). A call refused for a stale token
//! renews the session once by refreshing, then once by logging in, before the channel is
//! reported as needing reconnection.

use super::xrpc::{Xrpc, XrpcError};
use crate::connector::Session;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use reqwest::RequestBuilder;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

const ACCESS: &str = "accessJwt";
const REFRESH: &str = "refreshJwt";
const DID: &str = "did";
const HANDLE: &str = "handle";
/// Which identifier the session was made for, so a channel reconnected to another
/// account never keeps posting with the old one's tokens.
const IDENTIFIER: &str = "identifier";

/// Refresh this long before the access token expires, so a call never races its expiry.
const REFRESH_MARGIN_MS: i64 = 5 * 60 * 1000;
/// Assumed access-token lifetime when its expiry cannot be read (the PDS issues 2 h).
const ASSUMED_LIFETIME_MS: i64 = 2 * 60 * 60 * 1000;

/// The channel's account: its credentials and the XRPC service it logs in to.
#[derive(Debug, Clone)]
pub(super) struct Account {
    pub xrpc: Xrpc,
    identifier: String,
    password: String,
}

/// What `createSession` and `refreshSession` both answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tokens {
    access_jwt: String,
    refresh_jwt: String,
    did: String,
    handle: Option<String>,
}

/// Which renewals one call has used up, so each is tried at most once.
#[derive(Default)]
struct Renewals {
    refreshed: bool,
    logged_in: bool,
}

impl Account {
    pub fn new(xrpc: Xrpc, identifier: String, password: String) -> Self {
        Account {
            xrpc,
            identifier,
            password,
        }
    }

    /// The account's handle, or its DID when the PDS did not say.
    pub fn name(session: &Session) -> Option<&str> {
        session.get(HANDLE).or_else(|| session.get(DID))
    }

    /// Makes one authenticated call. `build` makes the request, without credentials, from
    /// the service and the account's DID; it runs again when the session was renewed.
    pub async fn call<T: DeserializeOwned>(
        &self,
        session: &mut Session,
        nsid: &str,
        build: impl Fn(&Xrpc, &str) -> RequestBuilder,
    ) -> Result<T, XrpcError> {
        let mut used = self.ready(session).await?;
        loop {
            let token = session.get(ACCESS).unwrap_or_default();
            let did = session.get(DID).unwrap_or_default();
            let request = build(&self.xrpc, did).bearer_auth(token);
            match self.xrpc.send(nsid, request, session.now_ms).await {
                Err(e) if e.stale_token() => self.renew(session, &mut used, e).await?,
                answer => return answer,
            }
        }
    }

    /// Makes sure the session has an access token that is not about to expire.
    async fn ready(&self, session: &mut Session) -> Result<Renewals, XrpcError> {
        let mut used = Renewals::default();
        let usable = session.get(ACCESS).is_some()
            && session.get(DID).is_some()
            && session.get(IDENTIFIER) == Some(self.identifier.as_str());
        let expiring = session
            .expires_at_ms
            .filter(|&expires| session.now_ms >= expires - REFRESH_MARGIN_MS);
        if !usable {
            used.logged_in = true;
            self.login(session).await?;
        } else if let Some(expires) = expiring {
            used.refreshed = true;
            match self.refresh(session).await {
                Ok(()) => {}
                Err(e) if e.stale_token() => {
                    used.logged_in = true;
                    self.login(session).await?;
                }
                // Refreshing early is a courtesy: a token that still works may be used.
                Err(_) if session.now_ms < expires => {}
                Err(e) => return Err(e),
            }
        }
        Ok(used)
    }

    /// Renews the session ahead of its expiry, for the engine's refresher: refreshes with
    /// the refresh JWT, or logs in again when there is none (or it belongs to another
    /// identifier) or the PDS no longer accepts it.
    pub async fn renew_early(&self, session: &mut Session) -> Result<(), XrpcError> {
        let ours = session.get(IDENTIFIER) == Some(self.identifier.as_str());
        if ours && session.get(REFRESH).is_some() {
            match self.refresh(session).await {
                Ok(()) => return Ok(()),
                Err(e) if e.stale_token() => {}
                Err(e) => return Err(e),
            }
        }
        self.login(session).await
    }

    /// After a call was refused for a stale token: the next renewal not yet tried, or
    /// the refusal itself when both were.
    async fn renew(
        &self,
        session: &mut Session,
        used: &mut Renewals,
        refused: XrpcError,
    ) -> Result<(), XrpcError> {
        if !used.refreshed && session.get(REFRESH).is_some() {
            used.refreshed = true;
            match self.refresh(session).await {
                Ok(()) => return Ok(()),
                Err(e) if e.stale_token() => {}
                Err(e) => return Err(e),
            }
        }
        if !used.logged_in {
            used.logged_in = true;
            return self.login(session).await;
        }
        Err(refused)
    }

    /// `createSession` with the app password.
    async fn login(&self, session: &mut Session) -> Result<(), XrpcError> {
        let nsid = "com.atproto.server.createSession";
        let request = self.xrpc.post(nsid).json(&json!({
            "identifier": self.identifier,
            "password": self.password,
        }));
        match self
            .xrpc
            .send::<Tokens>(nsid, request, session.now_ms)
            .await
        {
            Ok(tokens) => {
                self.keep(session, tokens);
                Ok(())
            }
            Err(e) => {
                // Tokens of an account whose password no longer works are worth nothing.
                if e.error.class == crate::ErrorClass::Auth {
                    session.clear();
                }
                Err(e)
            }
        }
    }

    /// `refreshSession`: the refresh JWT goes where the access JWT usually does.
    async fn refresh(&self, session: &mut Session) -> Result<(), XrpcError> {
        let nsid = "com.atproto.server.refreshSession";
        let token = session.get(REFRESH).unwrap_or_default().to_owned();
        let request = self.xrpc.post(nsid).bearer_auth(token);
        let tokens: Tokens = self.xrpc.send(nsid, request, session.now_ms).await?;
        self.keep(session, tokens);
        Ok(())
    }

    fn keep(&self, session: &mut Session, tokens: Tokens) {
        session.expires_at_ms = Some(
            jwt_expiry_ms(&tokens.access_jwt)
                .unwrap_or_else(|| session.now_ms.saturating_add(ASSUMED_LIFETIME_MS)),
        );
        session.set(ACCESS, tokens.access_jwt);
        session.set(REFRESH, tokens.refresh_jwt);
        session.set(DID, tokens.did);
        match tokens.handle {
            Some(handle) => session.set(HANDLE, handle),
            None => {
                session.values.remove(HANDLE);
            }
        }
        session.set(IDENTIFIER, self.identifier.clone());
    }

    /// Records the handle `getSession` reported (handles can change; DIDs cannot).
    pub fn note_handle(session: &mut Session, handle: &str) {
        if session.get(HANDLE) != Some(handle) {
            session.set(HANDLE, handle);
        }
    }
}

/// The `exp` claim of a JWT in ms since the epoch. The signature is not checked: only
/// the PDS can, and this only decides when to refresh.
fn jwt_expiry_ms(jwt: &str) -> Option<i64> {
    #[derive(Deserialize)]
    struct Claims {
        exp: i64,
    }
    const BASE64URL: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let payload = jwt.split('.').nth(1)?;
    let claims: Claims = serde_json::from_slice(&BASE64URL.decode(payload).ok()?).ok()?;
    claims.exp.checked_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_expiry_of_a_jwt() {
        // Header {"alg":"HS256"}, payload {"sub":"did:plc:x","exp":1796166419}.
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOngiLCJleHAiOjE3OTYxNjY0MTl9.sig";
        assert_eq!(jwt_expiry_ms(jwt), Some(1_796_166_419_000));
        assert_eq!(jwt_expiry_ms("opaque-token"), None);
        assert_eq!(jwt_expiry_ms("a.bm90IGpzb24.c"), None);
    }
}
