//! The SIP side of one profile without any I/O: bytes in, transmissions out.
//!
//! [`ProfileCore`] owns the sans-IO pieces of the `sip` crate (transaction layer,
//! registrar, auth-failure limiter) and acts as their transaction user: access control,
//! REGISTER, OPTIONS, and clear answers for what this build does not do yet. The driver
//! loop around it only moves bytes and time. Every output, stateless ones included,
//! leaves through [`ProfileCore::poll_transmit`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use witswitch_sip::auth::CredentialStore;
use witswitch_sip::limiter::{Admission, AuthFailureLimiter, BanAction};
use witswitch_sip::options::{Capabilities, options_response};
use witswitch_sip::registrar::{Aor, AuthEvent, Binding, BindingChange, Registrar};
use witswitch_sip::transaction::{CancelTarget, ServerTxKey, TransactionLayer, Transmit, TxEvent};
use witswitch_sip::{HeaderName, Limits, Message, Method, Request, Response, Transport};

pub use self::call_side::CallSide;
use super::via::stamp_received;
use crate::transport::Counters;
use crate::transport::bad_request::error_response;

/// Which source addresses may use a profile (the profile's ACLs, FreeSWITCH
/// `apply-register-acl` and `apply-inbound-acl`).
pub trait AccessPolicy: Send + Sync + std::fmt::Debug {
    /// May `ip` send REGISTER?
    fn may_register(&self, ip: IpAddr) -> bool;
    /// May `ip` send anything else (calls, OPTIONS...)?
    fn may_call(&self, ip: IpAddr) -> bool;
}

/// The secrets of the profile's directory users.
pub trait UserDirectory: CredentialStore + Send + Sync + std::fmt::Debug {}
impl<T: CredentialStore + Send + Sync + std::fmt::Debug> UserDirectory for T {}

/// Everything a profile core needs besides time and bytes.
#[derive(Debug)]
pub struct CoreParts {
    /// Profile name (`internal`), for log lines.
    pub profile: String,
    /// The transaction layer, configured with the profile's timers.
    pub transactions: TransactionLayer,
    /// The registrar.
    pub registrar: Registrar,
    /// The auth-failure limiter, when `[auth-ban]` is enabled.
    pub limiter: Option<AuthFailureLimiter>,
    /// ACL decisions.
    pub access: Arc<dyn AccessPolicy>,
    /// Directory users.
    pub users: Arc<dyn UserDirectory>,
    /// What OPTIONS advertises (also the Allow of 405 answers).
    pub capabilities: Capabilities,
    /// Log the fail2ban line at WARNING.
    pub log_auth_failures: bool,
    /// Caps for parsing datagrams.
    pub limits: Limits,
    /// Drop/answer counters shared with the transports.
    pub counters: Arc<Counters>,
    /// Told about every registration change (the event socket's `sofia::register`).
    pub bindings: Option<Arc<dyn BindingObserver>>,
}

/// Hears registration changes of a profile.
pub trait BindingObserver: Send + Sync + std::fmt::Debug {
    /// A binding was added, refreshed or removed on `profile`.
    fn binding_changed(&self, profile: &str, change: &BindingChange, now: Instant);

    /// A gateway of `profile` changed state or status (`sofia::gateway_state`).
    fn gateway_changed(&self, _profile: &str, _event: &witswitch_sip::gateway::GatewayEvent) {}
}

/// One profile's SIP state machine plus its transaction user.
#[derive(Debug)]
pub struct ProfileCore {
    parts: CoreParts,
    user_agent: String,
    /// INVITE sessions and gateways, once the call task is attached.
    calls: Option<CallSide>,
}

impl ProfileCore {
    /// A core from its parts.
    pub fn new(parts: CoreParts) -> Self {
        ProfileCore {
            parts,
            user_agent: format!("witswitch/{}", env!("CARGO_PKG_VERSION")),
            calls: None,
        }
    }

    /// Handles one message's bytes (a datagram, or a framed stream message).
    pub fn handle_bytes(
        &mut self,
        now: Instant,
        data: &[u8],
        source: SocketAddr,
        transport: Transport,
    ) {
        let banned = match &self.parts.limiter {
            Some(limiter) => limiter.admission(source.ip(), now),
            None => Admission::Allow,
        };
        if banned == Admission::Banned(BanAction::Drop) {
            Counters::bump(&self.parts.counters.dropped);
            return;
        }
        let message = match Message::parse_with_limits(data, &self.parts.limits) {
            Ok(parsed) => parsed.message,
            Err(error) => {
                tracing::debug!("unparsable message from {source} over {transport}: {error}");
                match error_response(data, &error) {
                    Some(response) => {
                        Counters::bump(&self.parts.counters.bad_requests);
                        self.send_stateless(response, source, transport);
                    }
                    None => Counters::bump(&self.parts.counters.dropped),
                }
                return;
            }
        };
        let message = match message {
            Message::Request(request) => {
                let Some(request) = self.admit_request(request, banned, source, &transport) else {
                    return;
                };
                Message::Request(request)
            }
            response @ Message::Response(_) => response,
        };
        if let Err(e) = self
            .parts
            .transactions
            .handle_incoming(now, message, source, transport)
        {
            Counters::bump(&self.parts.counters.dropped);
            tracing::debug!("message from {source} not handled: {e}");
        }
        self.drain_events(now);
    }

    /// Validation, banned-with-403, and the §18.2.1 Via stamp, before the transaction
    /// layer sees a request. `None` when it was answered or dropped here.
    fn admit_request(
        &mut self,
        mut request: Request,
        banned: Admission,
        source: SocketAddr,
        transport: &Transport,
    ) -> Option<Request> {
        if let Err(error) = request.validate() {
            tracing::debug!("invalid {} from {source}: {error}", request.method);
            self.answer_statelessly(&request, error.status_code(), source, transport);
            return None;
        }
        if banned == Admission::Banned(BanAction::Forbidden) {
            self.answer_statelessly(&request, 403, source, transport);
            return None;
        }
        stamp_received(&mut request, source);
        Some(request)
    }

    /// A response outside any transaction (bad or banned requests).
    fn answer_statelessly(
        &mut self,
        request: &Request,
        status: u16,
        source: SocketAddr,
        transport: &Transport,
    ) {
        if request.method == Method::Ack || request.headers.via_top().is_err() {
            Counters::bump(&self.parts.counters.dropped);
            return;
        }
        let mut response = Response::for_request(request, status, Response::default_reason(status));
        let tag = self.parts.registrar.tags().tag_for(request);
        let _ = response.headers.set_to_tag(&tag);
        if status == 400 {
            Counters::bump(&self.parts.counters.bad_requests);
        }
        self.send_stateless(response, source, transport.clone());
    }

    fn send_stateless(&mut self, mut response: Response, dest: SocketAddr, transport: Transport) {
        self.decorate(&mut response);
        self.parts
            .transactions
            .send_stateless(Message::Response(response), dest, transport);
    }

    /// Fires due timers of the transaction layer, registrar and limiter.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.parts.transactions.handle_timeout(now);
        self.calls_handle_timeout(now);
        for change in self.parts.registrar.expire(now) {
            self.binding_changed(&change, now);
        }
        if let Some(limiter) = &mut self.parts.limiter {
            for ended in limiter.expire(now) {
                tracing::info!("auth-failure ban on {} lifted", ended.source);
            }
        }
        self.drain_events(now);
    }

    /// The earliest deadline of any part.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        [
            self.parts.transactions.poll_timeout(),
            self.parts.registrar.poll_timeout(),
            self.parts
                .limiter
                .as_ref()
                .and_then(AuthFailureLimiter::poll_timeout),
            self.calls_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The next message to put on the wire.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.parts.transactions.poll_transmit()
    }

    /// A send for transaction-owned message failed (connection gone, host unreachable).
    pub fn transport_error(&mut self, now: Instant, transmit: &Transmit) {
        if let Some(key) = transmit.key {
            self.parts.transactions.handle_transport_error(key);
            self.drain_events(now);
        }
    }

    /// The live contacts of `aor`, each with the source address and transport its
    /// REGISTER came from: requests to a NATed phone go there, not to its Contact.
    pub fn contacts(&self, aor: &Aor) -> &[Binding] {
        self.parts.registrar.lookup(aor)
    }

    fn drain_events(&mut self, now: Instant) {
        loop {
            let Some(event) = self.parts.transactions.poll_event() else {
                // Dialog events may queue more transaction work (responses, ACKs).
                if self.drain_call_events(now) {
                    continue;
                }
                break;
            };
            let Some(event) = self.offer_to_calls(now, event) else {
                continue;
            };
            match event {
                TxEvent::NewRequest {
                    key,
                    request,
                    source,
                    transport,
                } => self.on_request(now, key, &request, source, transport),
                TxEvent::Cancel {
                    key,
                    target,
                    request,
                    ..
                } => self.on_cancel(now, key, target, &request),
                TxEvent::Timeout { key, timer } => {
                    tracing::debug!("transaction {key:?} timed out (timer {timer:?})");
                }
                TxEvent::TransportError { key } => {
                    tracing::debug!("transaction {key:?}: transport error");
                }
                // No dialogs and no client transactions yet: ACKs for 2xx, responses
                // and terminations need no action.
                TxEvent::Ack { .. } | TxEvent::Response { .. } | TxEvent::Terminated { .. } => {}
            }
        }
    }

    fn on_request(
        &mut self,
        now: Instant,
        key: ServerTxKey,
        request: &Request,
        source: SocketAddr,
        transport: Transport,
    ) {
        let allowed = if request.method == Method::Register {
            self.parts.access.may_register(source.ip())
        } else {
            self.parts.access.may_call(source.ip())
        };
        if !allowed {
            tracing::info!("{} from {source} denied by ACL", request.method);
            self.respond(now, key, request, 403);
            return;
        }
        match &request.method {
            Method::Register => self.on_register(now, key, request, source, transport),
            Method::Options => {
                let tag = self.parts.registrar.tags().tag_for(request);
                let mut response = options_response(request, &self.parts.capabilities, &tag);
                self.finish(now, key, &mut response);
            }
            // The call engine is a later stage: say so instead of pretending to route.
            Method::Invite => {
                tracing::info!(
                    "INVITE {} from {source}: no call engine in this build",
                    request.uri
                );
                self.respond(now, key, request, 480);
            }
            // Out-of-dialog requests that need a dialog (§12.2.2).
            Method::Bye | Method::Info | Method::Prack | Method::Update => {
                self.respond(now, key, request, 481);
            }
            Method::Subscribe
            | Method::Notify
            | Method::Refer
            | Method::Message
            | Method::Publish => {
                let mut response = self.response_for(request, 405);
                response
                    .headers
                    .push(HeaderName::Allow, self.parts.capabilities.allow.join(", "));
                self.finish(now, key, &mut response);
            }
            _ => self.respond(now, key, request, 501),
        }
    }

    fn on_register(
        &mut self,
        now: Instant,
        key: ServerTxKey,
        request: &Request,
        source: SocketAddr,
        transport: Transport,
    ) {
        let users = Arc::clone(&self.parts.users);
        let mut outcome =
            self.parts
                .registrar
                .handle_register(now, request, source, transport, users.as_ref());
        match &outcome.auth {
            Some(AuthEvent::Failed(failure)) => {
                if self.parts.log_auth_failures {
                    // The fail2ban line: the Display text verbatim, nothing after it.
                    tracing::warn!("{failure}");
                }
                if let Some(limiter) = &mut self.parts.limiter
                    && let Some(ban) = limiter.record_failure(source.ip(), now)
                {
                    tracing::warn!(
                        "banning {} on sofia profile '{}' for {} s after {} auth failures",
                        ban.source,
                        self.parts.profile,
                        ban.until.saturating_duration_since(now).as_secs(),
                        ban.failures
                    );
                }
            }
            Some(AuthEvent::Challenged(notice)) => tracing::debug!("{notice}"),
            Some(AuthEvent::Authenticated { .. }) | None => {}
        }
        for change in &outcome.changes {
            self.binding_changed(change, now);
        }
        if let Some(BindingChange::Added(b) | BindingChange::Refreshed(b)) = outcome.changes.first()
        {
            tracing::debug!("{} has {} contact(s)", b.aor, self.contacts(&b.aor).len());
        }
        self.finish(now, key, &mut outcome.response);
    }

    fn on_cancel(
        &mut self,
        now: Instant,
        key: ServerTxKey,
        target: CancelTarget,
        request: &Request,
    ) {
        match target {
            CancelTarget::Pending(invite) => {
                self.respond(now, key, request, 200);
                // §9.2: the INVITE itself ends with 487; its request is the CANCEL's twin
                // for the headers a response copies (Via, From, To, Call-ID; CSeq differs
                // in method only, fixed below).
                let mut terminated = self.response_for(request, 487);
                if let Ok(cseq) = request.headers.cseq() {
                    terminated
                        .headers
                        .set(HeaderName::CSeq, format!("{} INVITE", cseq.seq));
                }
                self.finish(now, invite, &mut terminated);
            }
            CancelTarget::Answered(_) => self.respond(now, key, request, 200),
            CancelTarget::NotFound => self.respond(now, key, request, 481),
        }
    }

    fn response_for(&self, request: &Request, status: u16) -> Response {
        let mut response = Response::for_request(request, status, Response::default_reason(status));
        let has_tag = response.headers.to().is_ok_and(|to| to.tag().is_some());
        if !has_tag {
            let tag = self.parts.registrar.tags().tag_for(request);
            let _ = response.headers.set_to_tag(&tag);
        }
        response
    }

    fn respond(&mut self, now: Instant, key: ServerTxKey, request: &Request, status: u16) {
        let mut response = self.response_for(request, status);
        self.finish(now, key, &mut response);
    }

    fn finish(&mut self, now: Instant, key: ServerTxKey, response: &mut Response) {
        self.decorate(response);
        if let Err(e) = self.parts.transactions.send_response(
            now,
            key,
            std::mem::replace(response, Response::new(500, "")),
        ) {
            tracing::debug!("response for {key:?} not sent: {e}");
        }
    }

    fn binding_changed(&self, change: &BindingChange, now: Instant) {
        log_binding_change(change);
        if let Some(observer) = &self.parts.bindings {
            observer.binding_changed(&self.parts.profile, change, now);
        }
    }

    /// A User-Agent like FreeSWITCH's (the printer adds Content-Length).
    fn decorate(&self, response: &mut Response) {
        if !response.headers.contains(&HeaderName::UserAgent) {
            response
                .headers
                .push(HeaderName::UserAgent, self.user_agent.clone());
        }
    }
}

fn log_binding_change(change: &BindingChange) {
    match change {
        BindingChange::Added(b) => tracing::info!(
            "registered {} contact {} from {} {}",
            b.aor,
            b.contact,
            b.transport,
            b.source
        ),
        BindingChange::Refreshed(b) => tracing::debug!(
            "refreshed {} contact {} from {} {}",
            b.aor,
            b.contact,
            b.transport,
            b.source
        ),
        BindingChange::Removed { binding, reason } => tracing::info!(
            "unregistered {} contact {} ({reason:?})",
            binding.aor,
            binding.contact
        ),
    }
}

#[path = "admin.rs"]
pub mod admin;
#[path = "call_side.rs"]
mod call_side;

#[cfg(test)]
#[path = "core_tests.rs"]
mod tests;
