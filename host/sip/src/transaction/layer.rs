//! The transaction layer: owns every live transaction, routes received messages to
//! them, runs their timers, and queues what the driver must send and the TU must hear.
//!
//! Sans-IO: the driver feeds [`TransactionLayer::handle_incoming`] and
//! [`TransactionLayer::handle_timeout`] with the time as an argument, then drains
//! [`poll_transmit`](TransactionLayer::poll_transmit),
//! [`poll_event`](TransactionLayer::poll_event) and arms one timer at
//! [`poll_timeout`](TransactionLayer::poll_timeout).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use crate::headers::Transport;
use crate::message::{Message, Request, Response};

use super::common::TimerOutcome;
use super::error::TransactionError;
use super::event::{Transmit, TxEvent};
use super::fsm::{ClientFsm, ClientState, ServerFsm, ServerState};
use super::handle_map::HandleMap;
use super::matching::{ClientMatchKey, ClientTxKey, ServerMatchKey, ServerTxKey, TxKey};
use super::timer::TimerConfig;

/// Default cap on live server transactions (see [`TransactionConfig`]).
pub const DEFAULT_MAX_SERVER_TRANSACTIONS: usize = 65_536;

/// Settings of a [`TransactionLayer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionConfig {
    /// T1, T2 and T4 (brought into range by [`TimerConfig::sanitized`]).
    pub timers: TimerConfig,
    /// At most this many server transactions live at once. When full, a new request
    /// first evicts the oldest transaction that only absorbs retransmissions (INVITE
    /// Confirmed, non-INVITE Completed); if none exists it is answered 503 statelessly.
    pub max_server_transactions: usize,
}

impl Default for TransactionConfig {
    fn default() -> Self {
        TransactionConfig {
            timers: TimerConfig::default(),
            max_server_transactions: DEFAULT_MAX_SERVER_TRANSACTIONS,
        }
    }
}

/// Counters of what the layer dropped, absorbed or gave up on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransactionStats {
    /// Requests and responses re-sent by timers A, E and G.
    pub retransmissions_sent: u64,
    /// Received retransmissions a transaction consumed (requests and responses).
    pub retransmissions_absorbed: u64,
    /// Responses matching no client transaction, dropped (RFC 6026 §8.4).
    pub stray_responses: u64,
    /// Received messages dropped because mandatory headers were missing or malformed.
    pub invalid_dropped: u64,
    /// Timers B, F and H that fired.
    pub timeouts: u64,
    /// Lingering server transactions removed early to make room.
    pub evicted: u64,
    /// Requests answered 503 because the server table was full.
    pub overload_rejected: u64,
}

/// A client transaction: the state machine plus what it must resend.
#[derive(Debug)]
pub(super) struct ClientTransaction {
    pub(super) fsm: ClientFsm,
    pub(super) request: Request,
    pub(super) cseq: u32,
    pub(super) match_key: ClientMatchKey,
    pub(super) dest: SocketAddr,
    pub(super) transport: Transport,
    /// The §17.1.1.3 ACK, once a 300-699 arrived; resent for each retransmission.
    pub(super) ack: Option<Request>,
    /// The deadline queued in the heap for this transaction.
    pub(super) scheduled: Option<Instant>,
}

/// A server transaction: the state machine plus what it must resend.
#[derive(Debug)]
pub(super) struct ServerTransaction {
    pub(super) fsm: ServerFsm,
    pub(super) match_key: ServerMatchKey,
    pub(super) source: SocketAddr,
    pub(super) transport: Transport,
    /// The request's To tag, for the RFC 2543 match of retransmissions (legacy keys only).
    pub(super) request_to_tag: Option<String>,
    /// The To tag of our final response, for the RFC 2543 match of the ACK (legacy keys
    /// only).
    pub(super) response_to_tag: Option<String>,
    /// The most recent response, resent to absorb request retransmissions.
    pub(super) last_response: Option<Response>,
    pub(super) scheduled: Option<Instant>,
    /// Already queued in the eviction list.
    pub(super) lingering: bool,
}

/// Every live SIP transaction of one switch (RFC 3261 §17), sans-IO.
#[derive(Debug)]
pub struct TransactionLayer {
    pub(super) config: TransactionConfig,
    next_id: u64,
    pub(super) clients: HandleMap<ClientTxKey, ClientTransaction>,
    pub(super) client_index: HashMap<ClientMatchKey, ClientTxKey>,
    pub(super) servers: HandleMap<ServerTxKey, ServerTransaction>,
    pub(super) server_index: HashMap<ServerMatchKey, ServerTxKey>,
    /// Min-heap of (deadline, transaction). Entries go stale when a transaction re-arms
    /// or ends; they are recognised by comparing with `scheduled` and skipped.
    deadlines: BinaryHeap<Reverse<(Instant, TxKey)>>,
    /// Server transactions in lingering states, oldest first (eviction order).
    pub(super) lingering: VecDeque<ServerTxKey>,
    pub(super) transmits: VecDeque<Transmit>,
    pub(super) events: VecDeque<TxEvent>,
    pub(super) stats: TransactionStats,
}

impl Default for TransactionLayer {
    fn default() -> Self {
        TransactionLayer::new(TransactionConfig::default())
    }
}

impl TransactionLayer {
    /// An empty layer. The timer values are [sanitized](TimerConfig::sanitized).
    pub fn new(config: TransactionConfig) -> TransactionLayer {
        let config = TransactionConfig {
            timers: config.timers.sanitized(),
            ..config
        };
        TransactionLayer {
            config,
            next_id: 0,
            clients: HandleMap::default(),
            client_index: HashMap::new(),
            servers: HandleMap::default(),
            server_index: HashMap::new(),
            deadlines: BinaryHeap::new(),
            lingering: VecDeque::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: TransactionStats::default(),
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &TransactionConfig {
        &self.config
    }

    /// Counters since creation.
    pub fn stats(&self) -> TransactionStats {
        self.stats
    }

    /// Number of live client transactions.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// Number of live server transactions.
    pub fn server_count(&self) -> usize {
        self.servers.len()
    }

    /// The state of a live client transaction.
    pub fn client_state(&self, key: ClientTxKey) -> Option<ClientState> {
        self.clients.get(&key).map(|tx| tx.fsm.state())
    }

    /// The state of a live server transaction.
    pub fn server_state(&self, key: ServerTxKey) -> Option<ServerState> {
        self.servers.get(&key).map(|tx| tx.fsm.state())
    }

    /// Feeds a message received from `source` over `transport`. Requests go to their
    /// server transaction or start a new one; responses go to their client transaction
    /// or are dropped as stray. `Err` means the message was dropped (or, for
    /// [`TransactionError::Overloaded`], answered 503).
    pub fn handle_incoming(
        &mut self,
        now: Instant,
        message: Message,
        source: SocketAddr,
        transport: Transport,
    ) -> Result<(), TransactionError> {
        match message {
            Message::Request(request) => self.on_request(now, request, source, transport),
            Message::Response(response) => self.on_response(now, response),
        }
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(&Reverse((at, key))) = self.deadlines.peek() {
            if at > now {
                break;
            }
            self.deadlines.pop();
            if self.scheduled(key) != Some(at) {
                continue;
            }
            match key {
                TxKey::Client(key) => self.fire_client_timers(now, key),
                TxKey::Server(key) => self.fire_server_timers(now, key),
            }
        }
    }

    /// The driver failed to send a message of transaction `key` (§17.1.1.2, §17.1.2.2,
    /// §17.2.1, §17.2.2): the TU hears of it and the transaction usually terminates.
    pub fn handle_transport_error(&mut self, key: TxKey) {
        let known = match key {
            TxKey::Client(client) => match self.clients.get_mut(&client) {
                Some(tx) => {
                    tx.fsm.on_transport_error();
                    true
                }
                None => false,
            },
            TxKey::Server(server) => match self.servers.get_mut(&server) {
                Some(tx) => {
                    tx.fsm.on_transport_error();
                    true
                }
                None => false,
            },
        };
        if known {
            self.events.push_back(TxEvent::TransportError { key });
            self.after_change(key);
        }
    }

    /// Queues a message outside any transaction: the ACK for a 2xx (§13.2.2.4), or a
    /// stateless response.
    pub fn send_stateless(&mut self, message: Message, dest: SocketAddr, transport: Transport) {
        self.transmits.push_back(Transmit {
            dest,
            transport,
            message,
            key: None,
        });
    }

    /// The next message to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the TU.
    pub fn poll_event(&mut self) -> Option<TxEvent> {
        self.events.pop_front()
    }

    /// The earliest timer deadline: call [`handle_timeout`](Self::handle_timeout) then.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        while let Some(&Reverse((at, key))) = self.deadlines.peek() {
            if self.scheduled(key) == Some(at) {
                return Some(at);
            }
            self.deadlines.pop();
        }
        None
    }

    /// A fresh handle number.
    pub(super) fn allocate_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn scheduled(&self, key: TxKey) -> Option<Instant> {
        match key {
            TxKey::Client(key) => self.clients.get(&key).and_then(|tx| tx.scheduled),
            TxKey::Server(key) => self.servers.get(&key).and_then(|tx| tx.scheduled),
        }
    }

    fn fire_client_timers(&mut self, now: Instant, key: ClientTxKey) {
        let Some(tx) = self.clients.get_mut(&key) else {
            return;
        };
        tx.scheduled = None;
        while let Some((timer, outcome)) = tx.fsm.on_timer(now) {
            match outcome {
                TimerOutcome::Retransmit => {
                    self.stats.retransmissions_sent += 1;
                    self.transmits.push_back(Transmit {
                        dest: tx.dest,
                        transport: tx.transport.clone(),
                        message: Message::Request(tx.request.clone()),
                        key: Some(TxKey::Client(key)),
                    });
                }
                TimerOutcome::TimedOut => {
                    self.stats.timeouts += 1;
                    let key = TxKey::Client(key);
                    self.events.push_back(TxEvent::Timeout { key, timer });
                }
                TimerOutcome::Ended => {}
            }
        }
        self.after_change(TxKey::Client(key));
    }

    fn fire_server_timers(&mut self, now: Instant, key: ServerTxKey) {
        let Some(tx) = self.servers.get_mut(&key) else {
            return;
        };
        tx.scheduled = None;
        while let Some((timer, outcome)) = tx.fsm.on_timer(now) {
            match outcome {
                TimerOutcome::Retransmit => {
                    if let Some(response) = &tx.last_response {
                        self.stats.retransmissions_sent += 1;
                        self.transmits.push_back(Transmit {
                            dest: tx.source,
                            transport: tx.transport.clone(),
                            message: Message::Response(response.clone()),
                            key: Some(TxKey::Server(key)),
                        });
                    }
                }
                TimerOutcome::TimedOut => {
                    self.stats.timeouts += 1;
                    let key = TxKey::Server(key);
                    self.events.push_back(TxEvent::Timeout { key, timer });
                }
                TimerOutcome::Ended => {}
            }
        }
        self.after_change(TxKey::Server(key));
    }

    /// Bookkeeping after any input to a transaction: remove it when terminated,
    /// otherwise queue its next deadline and note when it starts lingering.
    pub(super) fn after_change(&mut self, key: TxKey) {
        let (terminated, next, scheduled) = match key {
            TxKey::Client(k) => match self.clients.get(&k) {
                Some(tx) => (tx.fsm.is_terminated(), tx.fsm.next_deadline(), tx.scheduled),
                None => return,
            },
            TxKey::Server(k) => match self.servers.get(&k) {
                Some(tx) => (tx.fsm.is_terminated(), tx.fsm.next_deadline(), tx.scheduled),
                None => return,
            },
        };
        if terminated {
            self.remove(key);
            self.events.push_back(TxEvent::Terminated { key });
            return;
        }
        if next != scheduled {
            self.set_scheduled(key, next);
            if let Some(at) = next {
                self.deadlines.push(Reverse((at, key)));
            }
        }
        if let TxKey::Server(k) = key {
            self.note_lingering(k);
        }
    }

    fn set_scheduled(&mut self, key: TxKey, at: Option<Instant>) {
        match key {
            TxKey::Client(k) => {
                if let Some(tx) = self.clients.get_mut(&k) {
                    tx.scheduled = at;
                }
            }
            TxKey::Server(k) => {
                if let Some(tx) = self.servers.get_mut(&k) {
                    tx.scheduled = at;
                }
            }
        }
    }

    /// Drops a transaction and its index entry.
    pub(super) fn remove(&mut self, key: TxKey) {
        match key {
            TxKey::Client(k) => {
                if let Some(tx) = self.clients.remove(&k) {
                    self.client_index.remove(&tx.match_key);
                }
            }
            TxKey::Server(k) => {
                if let Some(tx) = self.servers.remove(&k) {
                    self.server_index.remove(&tx.match_key);
                }
            }
        }
    }
}
