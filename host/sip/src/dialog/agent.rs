//! [`UserAgent`]: owns every INVITE session of a profile and acts as the transaction
//! user for them. The transaction layer stays with its owner (the profile core); each
//! call here borrows it, so the registrar, OPTIONS answering and gateways can share it.
//!
//! The driver loop feeds every [`TxEvent`] to [`UserAgent::handle_tx_event`] first; the
//! agent returns the events that are not its business (REGISTER, out-of-dialog OPTIONS
//! and MESSAGE, responses to other users' client transactions) for the next consumer.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use crate::headers::{NameAddr, Transport, Via};
use crate::message::{HeaderName, Method, Request, Response};
use crate::transaction::{ClientTxKey, ServerTxKey, TransactionLayer, TxEvent, TxKey};
use crate::uri::{SipUri, Uri};

use super::config::UaConfig;
use super::error::UaError;
use super::event::{Body, TerminationReason, UaEvent};
use super::ids::{DialogKey, IdSource};
use super::leg::{ClientKind, ClientUse, Leg};
use super::state::Dialog;

/// The dialog layer of one SIP profile (RFC 3261 §12-§15), sans-IO.
#[derive(Debug)]
pub struct UserAgent {
    pub(super) config: UaConfig,
    pub(super) ids: IdSource,
    next_key: u64,
    pub(super) legs: HashMap<DialogKey, Leg>,
    /// (Call-ID, local tag) → session: how in-dialog requests and ACKs find theirs.
    pub(super) by_tag: HashMap<(String, String), DialogKey>,
    /// Client transactions we started.
    pub(super) clients: HashMap<ClientTxKey, ClientUse>,
    /// Server INVITE transactions of our sessions (for CANCEL and ACK matching).
    pub(super) servers: HashMap<ServerTxKey, DialogKey>,
    timers: BinaryHeap<Reverse<(Instant, DialogKey)>>,
    pub(super) events: VecDeque<UaEvent>,
}

impl UserAgent {
    /// An agent with no sessions. `ids` supplies the randomness for tags, branches,
    /// Call-IDs and cnonces.
    pub fn new(config: UaConfig, ids: IdSource) -> UserAgent {
        UserAgent {
            config,
            ids,
            next_key: 0,
            legs: HashMap::new(),
            by_tag: HashMap::new(),
            clients: HashMap::new(),
            servers: HashMap::new(),
            timers: BinaryHeap::new(),
            events: VecDeque::new(),
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &UaConfig {
        &self.config
    }

    /// The dialog state of a live session.
    pub fn dialog(&self, key: DialogKey) -> Option<&Dialog> {
        self.legs.get(&key).map(|leg| &leg.dialog)
    }

    /// Number of live sessions.
    pub fn len(&self) -> usize {
        self.legs.len()
    }

    /// True when no session is live.
    pub fn is_empty(&self) -> bool {
        self.legs.is_empty()
    }

    /// The next event for the call engine.
    pub fn poll_event(&mut self) -> Option<UaEvent> {
        self.events.pop_front()
    }

    /// The earliest deadline of the agent's own timers (2xx retransmission, ACK wait);
    /// call [`handle_timeout`](Self::handle_timeout) then. The transaction layer has
    /// its own.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        while let Some(&Reverse((at, key))) = self.timers.peek() {
            if self.legs.get(&key).and_then(|leg| leg.timer) == Some(at) {
                return Some(at);
            }
            self.timers.pop();
        }
        None
    }

    /// Fires the agent's timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant, layer: &mut TransactionLayer) {
        while let Some(&Reverse((at, key))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            let Some(leg) = self.legs.get_mut(&key) else {
                continue;
            };
            if leg.timer != Some(at) {
                continue;
            }
            leg.timer = None;
            self.on_ack_timer(now, layer, key);
        }
    }

    /// Takes one transaction-layer event. Returns it back when it is not the agent's:
    /// requests other than INVITE/ACK/CANCEL and in-dialog ones (REGISTER,
    /// out-of-dialog OPTIONS, ...), and anything about transactions it did not start.
    pub fn handle_tx_event(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        event: TxEvent,
    ) -> Option<TxEvent> {
        match event {
            TxEvent::NewRequest {
                key,
                request,
                source,
                transport,
            } => {
                if !self.claims(&request) {
                    return Some(TxEvent::NewRequest {
                        key,
                        request,
                        source,
                        transport,
                    });
                }
                self.on_request(now, layer, key, request, source, transport);
                None
            }
            TxEvent::Cancel {
                key,
                target,
                request,
                ..
            } => {
                self.on_cancel(now, layer, key, target, &request);
                None
            }
            TxEvent::Ack { key, request, .. } => {
                self.on_ack(now, layer, key, &request);
                None
            }
            TxEvent::Response { key, response } => {
                if !self.clients.contains_key(&key) {
                    return Some(TxEvent::Response { key, response });
                }
                self.on_response(now, layer, key, response);
                None
            }
            TxEvent::Timeout { key, timer } => {
                if !self.owns(key) {
                    return Some(TxEvent::Timeout { key, timer });
                }
                self.on_failure_of(now, layer, key, 408);
                None
            }
            TxEvent::TransportError { key } => {
                if !self.owns(key) {
                    return Some(TxEvent::TransportError { key });
                }
                self.on_failure_of(now, layer, key, 503);
                None
            }
            TxEvent::Terminated { key } => {
                let owned = match key {
                    TxKey::Client(k) => self.clients.remove(&k).is_some(),
                    TxKey::Server(k) => self.servers.remove(&k).is_some(),
                };
                (!owned).then_some(TxEvent::Terminated { key })
            }
        }
    }

    /// Which new requests are the agent's: every INVITE, any request with a To tag
    /// (it belongs to a dialog, §12.2.2) except REGISTER, and the methods that only make
    /// sense inside a dialog even without one (answered 481).
    fn claims(&self, request: &Request) -> bool {
        let in_dialog = request.to().is_ok_and(|to| to.tag().is_some());
        match request.method {
            Method::Invite => true,
            Method::Register => false,
            Method::Bye | Method::Info | Method::Prack | Method::Update => true,
            _ => in_dialog,
        }
    }

    fn owns(&self, key: TxKey) -> bool {
        match key {
            TxKey::Client(k) => self.clients.contains_key(&k),
            TxKey::Server(k) => self.servers.contains_key(&k),
        }
    }

    /// A timeout (408) or transport error (503) on one of our transactions.
    fn on_failure_of(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: TxKey,
        status: u16,
    ) {
        match key {
            TxKey::Client(k) => self.on_client_failure(now, layer, k, status),
            TxKey::Server(k) => {
                let Some(&dialog) = self.servers.get(&k) else {
                    return;
                };
                let initial_pending = self
                    .legs
                    .get(&dialog)
                    .and_then(|leg| leg.incoming.as_ref())
                    .is_some_and(|inc| inc.key == k && !inc.reinvite);
                // Timer H (our failure response unacknowledged) needs nothing; a send
                // failure on an INVITE we have not answered ends the session.
                if status == 503 && initial_pending {
                    if let Some(leg) = self.legs.get_mut(&dialog) {
                        leg.incoming = None;
                    }
                    self.terminate(now, layer, dialog, TerminationReason::TransportError);
                }
            }
        }
    }

    /// A fresh session key.
    pub(super) fn allocate_key(&mut self) -> DialogKey {
        self.next_key += 1;
        DialogKey(self.next_key)
    }

    /// Queues the leg's timer at `at`.
    pub(super) fn schedule(&mut self, key: DialogKey, at: Instant) {
        if let Some(leg) = self.legs.get_mut(&key) {
            leg.timer = Some(at);
            self.timers.push(Reverse((at, key)));
        }
    }

    /// A Via for a new request: our sent-by, a fresh branch, and `rport` (RFC 3581) so
    /// responses come back through NAT.
    pub(super) fn new_via(&mut self, transport: &Transport) -> Via {
        let branch = self.ids.branch();
        let mut via = Via::new(
            transport.clone(),
            self.config.host.clone(),
            Some(self.config.port),
            &branch,
        );
        via.params.push("rport", None);
        via
    }

    /// Our Contact: `sip:user@host:port`, with `transport=` for anything but UDP.
    pub(super) fn contact_for(&self, user: Option<&str>, transport: &Transport) -> SipUri {
        let mut uri = SipUri::new(self.config.host.clone());
        uri.user = user.filter(|u| !u.is_empty()).map(str::to_owned);
        uri.port = Some(self.config.port);
        if *transport != Transport::Udp {
            uri.params
                .set("transport", Some(&transport.as_str().to_ascii_lowercase()));
        }
        uri
    }

    /// Adds User-Agent (FreeSWITCH sends it on requests and responses alike).
    pub(super) fn decorate(&self, headers: &mut crate::message::Headers) {
        if let Some(agent) = &self.config.user_agent
            && !headers.contains(&HeaderName::UserAgent)
        {
            headers.push(HeaderName::UserAgent, agent.clone());
        }
    }

    /// Adds Allow and Supported (INVITEs, 2xx to INVITE, OPTIONS answers).
    pub(super) fn capabilities(&self, headers: &mut crate::message::Headers) {
        if !self.config.allow.is_empty() {
            headers.push(HeaderName::Allow, self.config.allow.join(", "));
        }
        if !self.config.supported.is_empty() {
            headers.push(HeaderName::Supported, self.config.supported.join(", "));
        }
    }

    /// A response to a request the agent answers itself (in-dialog requests, 481s),
    /// with a To tag when the request had none.
    pub(super) fn simple_response(&mut self, request: &Request, status: u16) -> Response {
        let mut response = Response::for_request(request, status, Response::default_reason(status));
        let has_tag = request.to().is_ok_and(|to| to.tag().is_some());
        if !has_tag {
            let tag = self.ids.tag();
            // Cannot fail: the transaction layer validated the To header.
            let _ = response.headers.set_to_tag(&tag);
        }
        self.decorate(&mut response.headers);
        response
    }

    /// Sends `response` on server transaction `key`; a refusal (the transaction is
    /// gone) has nobody to report to and is dropped.
    pub(super) fn reply(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ServerTxKey,
        response: Response,
    ) {
        let _ = layer.send_response(now, key, response);
    }

    /// Sends a request in the dialog of `key` (BYE, re-INVITE, INFO, OPTIONS) and
    /// records its client transaction.
    pub(super) fn send_in_dialog(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        method: Method,
        body: Option<Body>,
    ) -> Result<ClientTxKey, UaError> {
        let transport = self
            .legs
            .get(&key)
            .map(|leg| leg.transport.clone())
            .ok_or(UaError::UnknownDialog(key))?;
        let via = self.new_via(&transport);
        let mut extra = crate::message::Headers::new();
        self.decorate(&mut extra);
        if method == Method::Invite {
            self.capabilities(&mut extra);
        }
        let leg = self.legs.get_mut(&key).ok_or(UaError::UnknownDialog(key))?;
        let seq = leg.dialog.next_local_seq();
        let mut request = leg.dialog.request(method.clone(), seq, &via);
        if method == Method::Invite {
            let contact = NameAddr::new(Uri::Sip(leg.contact.clone()));
            request
                .headers
                .push(HeaderName::Contact, contact.to_string());
        }
        request.headers.extend(extra);
        if let Some(body) = body {
            request
                .headers
                .push(HeaderName::ContentType, body.content_type);
            request.body = body.bytes;
        }
        let dest = leg.dialog.next_hop(leg.routing, leg.peer);
        let kind = match method {
            Method::Invite => ClientKind::ReInvite,
            Method::Bye => ClientKind::Bye,
            Method::Info => ClientKind::Info,
            _ => ClientKind::Options,
        };
        let tx = layer.send_request(now, request.clone(), dest, transport.clone())?;
        self.clients.insert(
            tx,
            ClientUse {
                dialog: key,
                kind,
                request,
                auth: Default::default(),
                dest,
                transport,
                acks: Vec::new(),
            },
        );
        Ok(tx)
    }

    /// Ends a session: answers a still-pending INVITE from the peer with 487 (its
    /// transaction must not linger), forgets the leg and tells the engine.
    pub(super) fn terminate(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        reason: TerminationReason,
    ) {
        let Some(mut leg) = self.legs.remove(&key) else {
            return;
        };
        leg.dialog.state = super::state::DialogState::Terminated;
        if let Some(incoming) = leg.incoming.take() {
            let mut response = Response::for_request(&incoming.request, 487, "Request Terminated");
            if !incoming.request.to().is_ok_and(|to| to.tag().is_some()) {
                let _ = response.headers.set_to_tag(&leg.dialog.local_tag);
            }
            self.decorate(&mut response.headers);
            self.reply(now, layer, incoming.key, response);
        }
        self.by_tag
            .remove(&(leg.dialog.call_id.clone(), leg.dialog.local_tag.clone()));
        self.events.push_back(UaEvent::Terminated {
            dialog: key,
            reason,
        });
    }

    /// The session an in-dialog request or ACK names through its Call-ID and To tag.
    pub(super) fn find_by_to_tag(&self, request: &Request) -> Option<DialogKey> {
        let call_id = request.call_id().ok()?;
        let to = request.to().ok()?;
        let tag = to.tag()?;
        self.by_tag
            .get(&(call_id.to_owned(), tag.to_owned()))
            .copied()
    }

    /// Sends an ACK (or any stateless request) and returns where it went.
    pub(super) fn send_stateless_request(
        layer: &mut TransactionLayer,
        request: Request,
        dest: SocketAddr,
        transport: Transport,
    ) {
        layer.send_stateless(crate::message::Message::Request(request), dest, transport);
    }
}

#[cfg(test)]
mod tests {
    /// The driver runs the agent and its gateways inside a tokio task, which needs `Send`.
    #[test]
    fn agent_and_gateway_can_move_between_threads() {
        fn is_send<T: Send>() {}
        is_send::<super::UserAgent>();
        is_send::<crate::gateway::Gateway>();
    }
}
