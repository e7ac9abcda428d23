//! `auth-calls`: the 407 challenge of INVITEs and the check of their
//! `Proxy-Authorization` (RFC 3261 §22.3, §22.4), with the directory user's
//! variables for the channel when the answer is right.
//!
//! The digest work is the `sip` crate's [`DigestVerifier`]; this file picks the
//! realm, reads the header and turns the verdict into what the profile does.

use std::net::SocketAddr;
use std::time::Instant;

use witswitch_config::Config;
use witswitch_core::AuthenticatedUser;
use witswitch_sip::auth::{
    AuthFailure, Challenge, CredentialStore, DigestAnswer, DigestConfig, DigestVerifier,
    NonceIssuer, Verdict,
};
use witswitch_sip::{DigestCredentials, HeaderName, Request};

/// The verdict on one INVITE.
#[derive(Debug)]
pub enum InviteAuthOutcome {
    /// Pass it on, as this user.
    Authenticated(AuthenticatedUser),
    /// Send 407 with these challenges.
    Challenge(Vec<Challenge>),
    /// A wrong password or unknown user: 403, a failure to log and count.
    Failed(AuthFailure),
    /// An unusable `Proxy-Authorization`: 400.
    Malformed,
}

/// The INVITE digest checker of one profile.
#[derive(Debug)]
pub struct InviteAuth {
    verifier: DigestVerifier,
    profile: String,
    /// The profile's `domain`; `None` challenges with the From host.
    realm: Option<String>,
}

impl InviteAuth {
    /// A checker with its own nonce secret; nonces live `nonce_ttl`.
    pub fn new(
        profile: &str,
        realm: Option<String>,
        secret: &[u8],
        epoch: Instant,
        nonce_ttl: std::time::Duration,
    ) -> Self {
        let nonces = NonceIssuer::new(secret, epoch, nonce_ttl);
        InviteAuth {
            verifier: DigestVerifier::new(nonces, secret, DigestConfig::default()),
            profile: profile.to_owned(),
            realm,
        }
    }

    fn realm_for(&self, request: &Request) -> String {
        if let Some(realm) = &self.realm {
            return realm.clone();
        }
        request
            .from()
            .ok()
            .and_then(|from| from.uri.as_sip().map(|u| u.host.to_string()))
            .unwrap_or_default()
    }

    /// Judges `request` from `source`.
    pub fn check(
        &mut self,
        now: Instant,
        request: &Request,
        source: SocketAddr,
        users: &dyn CredentialStore,
        config: &Config,
    ) -> InviteAuthOutcome {
        let realm = self.realm_for(request);
        let found = request
            .headers
            .digest_credentials(&HeaderName::ProxyAuthorization, &realm);
        let verdict = match &found {
            Err(_) => Verdict::Malformed("unparsable Proxy-Authorization"),
            Ok(None) => {
                return InviteAuthOutcome::Challenge(self.verifier.challenges(now, &realm, false));
            }
            Ok(Some(digest)) => {
                self.verifier
                    .verify(now, "INVITE", &realm, &answer_of(digest), users)
            }
        };
        match verdict {
            Verdict::Authenticated { username, .. } => {
                let variables = config
                    .user(&username, &realm)
                    .map(|user| {
                        user.channel_variables()
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect()
                    })
                    .unwrap_or_default();
                InviteAuthOutcome::Authenticated(AuthenticatedUser {
                    user: username,
                    domain: realm,
                    variables,
                })
            }
            Verdict::Stale => {
                InviteAuthOutcome::Challenge(self.verifier.challenges(now, &realm, true))
            }
            Verdict::Rechallenge(_) => {
                InviteAuthOutcome::Challenge(self.verifier.challenges(now, &realm, false))
            }
            Verdict::Malformed(_) => InviteAuthOutcome::Malformed,
            Verdict::Failed => InviteAuthOutcome::Failed(self.failure(request, source)),
        }
    }

    /// FreeSWITCH prints the To user and host of the request in the line.
    fn failure(&self, request: &Request, source: SocketAddr) -> AuthFailure {
        let (user, domain) = request
            .to()
            .ok()
            .and_then(|to| {
                to.uri
                    .as_sip()
                    .map(|u| (u.user.clone().unwrap_or_default(), u.host.to_string()))
            })
            .unwrap_or_default();
        AuthFailure {
            method: "INVITE".to_owned(),
            profile: self.profile.clone(),
            user,
            domain,
            source_ip: source.ip(),
        }
    }
}

/// The parsed header as the verifier's borrowed view.
fn answer_of(digest: &DigestCredentials) -> DigestAnswer<'_> {
    DigestAnswer {
        username: Some(digest.username.as_str()),
        realm: Some(digest.realm.as_str()),
        nonce: Some(digest.nonce.as_str()),
        uri: Some(digest.uri.as_str()),
        response: Some(digest.response.as_str()),
        algorithm: digest.algorithm.as_ref().map(|a| a.as_str()),
        qop: digest.qop.as_deref(),
        nonce_count: digest.nc.as_deref(),
        cnonce: digest.cnonce.as_deref(),
        userhash: digest.other.value("userhash"),
    }
}
