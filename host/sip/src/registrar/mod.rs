//! The sans-IO registrar (RFC 3261 §10.3) with digest authentication (§22.4).
//!
//! [`Registrar::handle_register`] takes the current time, a parsed REGISTER, the packet's
//! source address and transport, and a [`CredentialStore`]; it returns the response to
//! send and the binding changes it made. It never reads a clock, never touches a socket.
//!
//! The order of checks follows §10.3: syntax (400), authentication (401 challenge, 401
//! `stale=true`, 403 on a wrong password or unknown user), authorization (403 when the To
//! user is not the authenticated user), `Contact: *` rules (400), expiry policy (423), then
//! the atomic binding update (500 on a reordered CSeq, 403/503 on memory limits) and a
//! 200 OK listing every binding of the AOR.
//!
//! Digest algorithms offered by default are MD5 then SHA-256. sipp 3.6.1 (the end-to-end
//! peer) handles MD5 only and reads the *first* challenge's `algorithm`: with SHA-256
//! listed first it aborts ("authentication must use MD5 or AKAv1-MD5"). So RFC 7616 §3.7's
//! preference order (strongest first) is available through [`DigestConfig::algorithms`]
//! but not the default.
//!
//! What the driver does around it: check the source against the ACL and the
//! [`AuthFailureLimiter`](crate::limiter::AuthFailureLimiter) *before* calling in (banned
//! sources are not answered by the registrar), feed [`AuthEvent::Failed`] to the limiter
//! and, with `log-auth-failures` on, log the failure's `Display` at WARNING; call
//! [`Registrar::expire`] at [`Registrar::poll_timeout`]. A `Date` header (§10.3 step 8
//! SHOULD) needs wall-clock time and is the driver's to add.

mod binding;
mod expiry;
mod request;
mod response;
mod store;
mod tag;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub use binding::{Aor, Binding, BindingChange, BindingId, RemovalReason};
pub use expiry::{ExpiryPolicy, Grant};
pub use request::RegisterError;
pub use store::{BindingStore, StoreError, StoreLimits};
pub use tag::ToTagMinter;

use crate::auth::{
    Algorithm, AuthChallengeNotice, AuthFailure, CredentialStore, DigestAnswer, DigestConfig,
    DigestVerifier, NonceIssuer, Verdict,
};
use crate::headers::{ContactList, DigestCredentials, NameAddr, Transport};
use crate::message::{HeaderName, Request, Response};
use request::RegisterView;
use response::Responder;
use store::{ContactRequest, RegisterContext};

/// Registrar settings for one profile.
#[derive(Debug, Clone)]
pub struct RegistrarConfig {
    /// Profile name, printed in the auth-failure line (`internal`).
    pub profile: String,
    /// Fixed digest realm; `None` uses the To host of each REGISTER (FreeSWITCH's default
    /// of challenging with the request's domain). Bindings are stored under
    /// `user@realm`.
    pub realm: Option<String>,
    /// Registration lifetimes.
    pub expiry: ExpiryPolicy,
    /// Memory bounds of the binding table.
    pub limits: StoreLimits,
    /// Digest algorithms and legacy handling.
    pub digest: DigestConfig,
    /// How long a nonce stays fresh (FreeSWITCH `nonce-ttl`).
    pub nonce_ttl: Duration,
    /// Headers added to every response, in order (User-Agent, Allow, Supported...). List
    /// headers take one element per entry, as everywhere in the message model.
    pub response_headers: Vec<(HeaderName, String)>,
}

impl Default for RegistrarConfig {
    fn default() -> Self {
        Self {
            profile: "internal".to_owned(),
            realm: None,
            expiry: ExpiryPolicy::default(),
            limits: StoreLimits::default(),
            digest: DigestConfig {
                algorithms: vec![Algorithm::Md5, Algorithm::Sha256],
                allow_legacy_no_qop: true,
            },
            nonce_ttl: Duration::from_secs(60),
            response_headers: Vec::new(),
        }
    }
}

/// What happened on the auth side of one REGISTER, for logs, events and the limiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthEvent {
    /// A challenge was sent (FreeSWITCH's "SIP auth challenge" line).
    Challenged(AuthChallengeNotice),
    /// A digest check failed: wrong password or unknown user. Feed the limiter; log the
    /// `Display` at WARNING when `log-auth-failures` is on.
    Failed(AuthFailure),
    /// The digest was right.
    Authenticated {
        /// Who authenticated.
        username: String,
        /// With which algorithm.
        algorithm: Algorithm,
    },
}

/// The result of one REGISTER.
#[derive(Debug, Clone)]
pub struct RegisterOutcome {
    /// The final response to send (through the server transaction).
    pub response: Response,
    /// Binding changes made (empty unless the response is 200).
    pub changes: Vec<BindingChange>,
    /// Auth activity, if the request got that far.
    pub auth: Option<AuthEvent>,
}

/// The registrar of one profile: digest verifier plus binding table.
#[derive(Debug)]
pub struct Registrar {
    config: RegistrarConfig,
    verifier: DigestVerifier,
    store: BindingStore,
    tags: ToTagMinter,
}

impl Registrar {
    /// `secret`: at least 32 random bytes from the driver (nonces and To tags are keyed with
    /// it). `epoch`: the nonce time base, normally the driver's start instant.
    pub fn new(config: RegistrarConfig, secret: &[u8], epoch: Instant) -> Self {
        let nonces = NonceIssuer::new(secret, epoch, config.nonce_ttl);
        Self {
            verifier: DigestVerifier::new(nonces, secret, config.digest.clone()),
            store: BindingStore::new(config.limits),
            tags: ToTagMinter::new(secret),
            config,
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &RegistrarConfig {
        &self.config
    }

    /// The To-tag minter, shared with stateless answers such as OPTIONS.
    pub fn tags(&self) -> &ToTagMinter {
        &self.tags
    }

    /// Bindings stored for `aor` (see [`BindingStore::lookup`]).
    pub fn lookup(&self, aor: &Aor) -> &[Binding] {
        self.store.lookup(aor)
    }

    /// The binding table, for `show registrations` and routing.
    pub fn bindings(&self) -> &BindingStore {
        &self.store
    }

    /// The next binding expiry.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.store.poll_timeout()
    }

    /// Removes lapsed bindings and reports them.
    pub fn expire(&mut self, now: Instant) -> Vec<BindingChange> {
        self.store.expire(now)
    }

    /// Handles one REGISTER received from `source` over `transport`.
    pub fn handle_register(
        &mut self,
        now: Instant,
        request: &Request,
        source: SocketAddr,
        transport: Transport,
        credentials: &dyn CredentialStore,
    ) -> RegisterOutcome {
        let view = match RegisterView::parse(request) {
            Ok(view) => view,
            Err(_) => return outcome(self.responder(request).plain(400, "Bad Request"), None),
        };
        let realm = self
            .config
            .realm
            .clone()
            .unwrap_or_else(|| view.to_host.clone());
        let username = match self.authenticate(now, request, &view, &realm, source, credentials) {
            Ok(username) => username,
            Err(rejection) => return *rejection,
        };
        let auth = Some(AuthEvent::Authenticated {
            username: username.0.clone(),
            algorithm: username.1,
        });
        // §10.3 step 4: the authenticated user may only register its own AOR.
        if username.0 != view.aor_user {
            return outcome(
                self.responder_for(request, &view).plain(403, "Forbidden"),
                auth,
            );
        }
        let aor = Aor::new(view.aor_user.clone(), &realm);
        let context = RegisterContext {
            call_id: view.call_id,
            cseq: view.cseq,
            source,
            transport: &transport,
            user_agent: view.user_agent,
        };
        let applied = match &view.contacts {
            ContactList::Star => self.store.remove_all(now, &aor, view.call_id, view.cseq),
            ContactList::Addresses(list) if list.is_empty() => Ok(Vec::new()),
            ContactList::Addresses(list) => {
                let Some(requests) = self.grant_all(list, view.header_expires) else {
                    let response = self
                        .responder_for(request, &view)
                        .interval_too_brief(self.config.expiry.min);
                    return outcome(response, auth);
                };
                self.store.update(now, &aor, &requests, &context)
            }
        };
        let responder = self.responder_for(request, &view);
        let response = match &applied {
            Ok(_) => responder.ok(now, self.store.live(&aor, now)),
            Err(StoreError::OutOfOrder { .. }) => responder.plain(500, "Server Internal Error"),
            Err(StoreError::TooManyContacts { .. }) => responder.plain(403, "Too Many Contacts"),
            Err(StoreError::TableFull { .. }) => responder.plain(503, "Service Unavailable"),
        };
        RegisterOutcome {
            response,
            changes: applied.unwrap_or_default(),
            auth,
        }
    }

    fn responder<'a>(&'a self, request: &'a Request) -> Responder<'a> {
        Responder {
            request,
            tags: &self.tags,
            extra: &self.config.response_headers,
            to_has_tag: None,
        }
    }

    /// A responder for a request whose To header is known to parse.
    fn responder_for<'a>(&'a self, request: &'a Request, view: &RegisterView<'_>) -> Responder<'a> {
        Responder {
            to_has_tag: Some(view.to_has_tag),
            ..self.responder(request)
        }
    }

    /// Applies the expiry policy to every contact; `None` when one is too brief (the whole
    /// request then gets 423, §10.3 step 7).
    fn grant_all(
        &self,
        contacts: &[NameAddr],
        header_expires: Option<u32>,
    ) -> Option<Vec<ContactRequest>> {
        contacts
            .iter()
            .map(|contact| {
                let expires = match self.config.expiry.grant(contact, header_expires) {
                    Grant::Remove => 0,
                    Grant::Seconds(seconds) => seconds,
                    Grant::TooBrief => return None,
                };
                let mut contact = contact.clone();
                contact.params.remove("expires");
                Some(ContactRequest { contact, expires })
            })
            .collect()
    }

    /// Runs §10.3 step 3; on success returns the authenticated user and algorithm, on
    /// failure the complete outcome to send.
    fn authenticate(
        &mut self,
        now: Instant,
        request: &Request,
        view: &RegisterView<'_>,
        realm: &str,
        source: SocketAddr,
        credentials: &dyn CredentialStore,
    ) -> Result<(String, Algorithm), Box<RegisterOutcome>> {
        let method = request.method.as_str();
        let found = request
            .headers
            .digest_credentials(&HeaderName::Authorization, realm);
        let verdict = match &found {
            // RFC 4475 §3.3.7 style garbage in Authorization: refuse as malformed.
            Err(_) => Verdict::Malformed("unparsable Authorization header"),
            Ok(None) => Verdict::Rechallenge(crate::auth::RechallengeReason::OtherRealm),
            Ok(Some(digest)) => {
                self.verifier
                    .verify(now, method, realm, &answer_of(digest), credentials)
            }
        };
        let subject = || AuthFailure {
            method: method.to_owned(),
            profile: self.config.profile.clone(),
            user: view.aor_user.clone(),
            domain: view.to_host.clone(),
            source_ip: source.ip(),
        };
        let (response, event) = match verdict {
            Verdict::Authenticated {
                username,
                algorithm,
            } => return Ok((username, algorithm)),
            Verdict::Malformed(_) => (
                self.responder_for(request, view).plain(400, "Bad Request"),
                None,
            ),
            Verdict::Failed => (
                self.responder_for(request, view).plain(403, "Forbidden"),
                Some(AuthEvent::Failed(subject())),
            ),
            Verdict::Stale | Verdict::Rechallenge(_) => {
                let stale = matches!(verdict, Verdict::Stale);
                let challenges = self.verifier.challenges(now, realm, stale);
                (
                    self.responder_for(request, view).unauthorized(&challenges),
                    Some(AuthEvent::Challenged(AuthChallengeNotice::from(subject()))),
                )
            }
        };
        Err(Box::new(outcome(response, event)))
    }
}

fn outcome(response: Response, auth: Option<AuthEvent>) -> RegisterOutcome {
    RegisterOutcome {
        response,
        changes: Vec::new(),
        auth,
    }
}

/// Adapts the message model's parsed credentials to the verifier's borrowed view.
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
