//! The server side of the layer: matching received requests (§17.2.3), starting
//! server transactions, absorbing retransmissions, CANCEL lookup (§9.2), and sending
//! the TU's responses.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::SocketAddr;
use std::time::Instant;

use crate::headers::Transport;
use crate::message::{HeaderName, Message, Method, Request, Response};

use super::common::RetransmitAction;
use super::error::TransactionError;
use super::event::{CancelTarget, Transmit, TxEvent};
use super::fsm::{ServerFsm, ServerState};
use super::layer::{ServerTransaction, TransactionLayer};
use super::matching::{ServerMatchKey, ServerTxKey, TxKey};
use super::server_invite::{AckAction, InviteServer, InviteServerState};
use super::server_non_invite::NonInviteServer;

/// Retry-After (seconds) on the stateless 503 sent when the table is full.
const OVERLOAD_RETRY_AFTER: &str = "5";

impl TransactionLayer {
    /// Sends the TU's response on server transaction `key` to the request's source.
    /// 2xx to INVITE moves it to RFC 6026 Accepted; the TU retransmits its 2xx
    /// (§13.3.1.4) by calling this again while it is Accepted.
    pub fn send_response(
        &mut self,
        now: Instant,
        key: ServerTxKey,
        response: Response,
    ) -> Result<(), TransactionError> {
        let status = response.status;
        if !(100..=699).contains(&status) {
            return Err(TransactionError::InvalidStatus(status));
        }
        let tx = self
            .servers
            .get_mut(&key)
            .ok_or(TransactionError::UnknownServer(key))?;
        tx.fsm
            .on_tu_response(now, status)
            .map_err(|state| TransactionError::ResponseNotAllowed { status, state })?;
        // Only the RFC 2543 ACK match needs our To tag; skip the parse otherwise.
        if status >= 200 && tx.match_key.is_legacy() {
            tx.response_to_tag = to_tag(response.to().ok());
        }
        self.transmits.push_back(Transmit {
            dest: tx.source,
            transport: tx.transport.clone(),
            message: Message::Response(response.clone()),
            key: Some(TxKey::Server(key)),
        });
        tx.last_response = Some(response);
        self.after_change(TxKey::Server(key));
        Ok(())
    }

    /// A request arrived: route it to its transaction or start one.
    pub(super) fn on_request(
        &mut self,
        now: Instant,
        request: Request,
        source: SocketAddr,
        transport: Transport,
    ) -> Result<(), TransactionError> {
        let match_key = request
            .validate()
            .map_err(TransactionError::from)
            .and_then(|()| {
                ServerMatchKey::of_request(&request.method, &request.uri, &request.headers)
                    .map_err(TransactionError::from)
            })
            .inspect_err(|_| self.stats.invalid_dropped += 1)?;
        if let Some(key) = self.match_server(&match_key, &request) {
            self.on_matched_request(now, key, request, source);
            return Ok(());
        }
        if request.method == Method::Ack {
            // ACK for a 2xx: a new branch, so no transaction; the dialog layer takes it.
            let event = TxEvent::Ack {
                key: None,
                request,
                source,
                transport,
            };
            self.events.push_back(event);
            return Ok(());
        }
        if !self.make_room() {
            self.reject_overloaded(&request, source, transport);
            return Err(TransactionError::Overloaded);
        }
        self.start_server(now, match_key, request, source, transport);
        Ok(())
    }

    /// §17.2.3 lookup, plus the RFC 2543 To-tag comparison for legacy keys.
    fn match_server(&self, match_key: &ServerMatchKey, request: &Request) -> Option<ServerTxKey> {
        let key = *self.server_index.get(match_key)?;
        if !match_key.is_legacy() {
            return Some(key);
        }
        let tx = self.servers.get(&key)?;
        let tag = to_tag(request.to().ok());
        let expected = match request.method {
            Method::Ack => &tx.response_to_tag,
            _ => &tx.request_to_tag,
        };
        (&tag == expected).then_some(key)
    }

    /// A retransmission or an ACK for an existing transaction.
    fn on_matched_request(
        &mut self,
        now: Instant,
        key: ServerTxKey,
        request: Request,
        source: SocketAddr,
    ) {
        let Some(tx) = self.servers.get_mut(&key) else {
            return;
        };
        if request.method == Method::Ack {
            let action = match &mut tx.fsm {
                ServerFsm::Invite(fsm) => fsm.on_ack(now),
                ServerFsm::NonInvite(_) => AckAction::Absorb,
            };
            match action {
                AckAction::PassToTu => {
                    let transport = tx.transport.clone();
                    self.events.push_back(TxEvent::Ack {
                        key: Some(key),
                        request,
                        source,
                        transport,
                    });
                }
                AckAction::Absorb => self.stats.retransmissions_absorbed += 1,
            }
        } else {
            self.stats.retransmissions_absorbed += 1;
            if tx.fsm.on_retransmission() == RetransmitAction::ResendLastResponse
                && let Some(response) = &tx.last_response
            {
                self.transmits.push_back(Transmit {
                    dest: tx.source,
                    transport: tx.transport.clone(),
                    message: Message::Response(response.clone()),
                    key: Some(TxKey::Server(key)),
                });
            }
        }
        self.after_change(TxKey::Server(key));
    }

    /// Creates the server transaction for a new request and tells the TU.
    fn start_server(
        &mut self,
        now: Instant,
        match_key: ServerMatchKey,
        request: Request,
        source: SocketAddr,
        transport: Transport,
    ) {
        let key = ServerTxKey(self.allocate_id());
        let reliable = transport.is_reliable();
        let timers = self.config.timers;
        let fsm = match request.method {
            Method::Invite => ServerFsm::Invite(InviteServer::start(timers, reliable)),
            _ => ServerFsm::NonInvite(NonInviteServer::start(timers, reliable)),
        };
        let target =
            (request.method == Method::Cancel).then(|| self.cancel_target(&match_key, &request));
        let request_to_tag = match_key
            .is_legacy()
            .then(|| to_tag(request.to().ok()))
            .flatten();
        self.server_index.insert(match_key.clone(), key);
        self.servers.insert(
            key,
            ServerTransaction {
                fsm,
                match_key,
                source,
                transport: transport.clone(),
                request_to_tag,
                response_to_tag: None,
                last_response: None,
                scheduled: None,
                lingering: false,
            },
        );
        if request.method == Method::Invite {
            self.send_trying(now, key, &request);
        }
        let event = match target {
            Some(target) => TxEvent::Cancel {
                key,
                target,
                request,
                source,
                transport,
            },
            None => TxEvent::NewRequest {
                key,
                request,
                source,
                transport,
            },
        };
        self.events.push_back(event);
    }

    /// §17.2.1: 100 Trying, sent at once rather than after 200 ms. The layer cannot know
    /// how long the TU (a dialplan script, perhaps waiting on HTTP) will take, and an
    /// immediate 100 stops the client's Timer A retransmissions at the first hop.
    fn send_trying(&mut self, now: Instant, key: ServerTxKey, request: &Request) {
        let mut trying = Response::for_request(request, 100, "Trying");
        // §8.2.6.1: a 100 copies the Timestamp header.
        if let Some(timestamp) = request.header(&HeaderName::Timestamp) {
            trying.headers.push(HeaderName::Timestamp, timestamp);
        }
        // Cannot fail: the transaction was just created in Proceeding.
        let _ = self.send_response(now, key, trying);
    }

    /// §9.2: the INVITE transaction a CANCEL refers to has the same §17.2.3 key apart
    /// from the method.
    fn cancel_target(&self, cancel_key: &ServerMatchKey, cancel: &Request) -> CancelTarget {
        let invite_key = cancel_key.with_method(Method::Invite);
        let Some(key) = self.match_server(&invite_key, cancel) else {
            return CancelTarget::NotFound;
        };
        match self.servers.get(&key).map(|tx| tx.fsm.state()) {
            Some(ServerState::Invite(InviteServerState::Proceeding)) => CancelTarget::Pending(key),
            Some(_) => CancelTarget::Answered(key),
            None => CancelTarget::NotFound,
        }
    }

    /// Queues a server transaction for eviction once it only absorbs retransmissions.
    pub(super) fn note_lingering(&mut self, key: ServerTxKey) {
        let Some(tx) = self.servers.get_mut(&key) else {
            return;
        };
        if tx.lingering || !tx.fsm.is_lingering() {
            return;
        }
        tx.lingering = true;
        // Drop entries of transactions that ended meanwhile, so the queue stays close
        // to the number of lingering transactions (all of them end within 64*T1).
        while let Some(front) = self.lingering.front() {
            if self.servers.contains_key(front) {
                break;
            }
            self.lingering.pop_front();
        }
        self.lingering.push_back(key);
    }

    /// True when a new server transaction fits, evicting the oldest lingering one if
    /// the table is full.
    fn make_room(&mut self) -> bool {
        if self.servers.len() < self.config.max_server_transactions {
            return true;
        }
        while let Some(key) = self.lingering.pop_front() {
            if self
                .servers
                .get(&key)
                .is_some_and(|tx| tx.fsm.is_lingering())
            {
                self.remove(TxKey::Server(key));
                self.stats.evicted += 1;
                self.events.push_back(TxEvent::Terminated {
                    key: TxKey::Server(key),
                });
                return true;
            }
        }
        false
    }

    /// Answers a request statelessly with 503 (RFC 3261 §21.5.4) when the table is full.
    /// The To tag is derived from the request so a retransmission gets the same one
    /// (§8.2.7).
    fn reject_overloaded(&mut self, request: &Request, source: SocketAddr, transport: Transport) {
        self.stats.overload_rejected += 1;
        let mut response = Response::for_request(request, 503, "Service Unavailable");
        let mut hasher = DefaultHasher::new();
        request.header(&HeaderName::Via).hash(&mut hasher);
        request.header(&HeaderName::CallId).hash(&mut hasher);
        let tag = format!("{:016x}", hasher.finish());
        if request
            .to()
            .ok()
            .and_then(|to| to.tag().map(str::to_owned))
            .is_none()
        {
            // Cannot fail: validate() already parsed the To header.
            let _ = response.headers.set_to_tag(&tag);
        }
        response
            .headers
            .push(HeaderName::RetryAfter, OVERLOAD_RETRY_AFTER);
        self.send_stateless(Message::Response(response), source, transport);
    }
}

/// The tag parameter of a To header, owned.
fn to_tag(to: Option<crate::headers::NameAddr>) -> Option<String> {
    to.and_then(|to| to.tag().map(str::to_owned))
}
