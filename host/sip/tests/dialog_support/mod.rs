//! A virtual network for dialog and gateway scenarios: nodes (a transaction layer plus
//! optionally a user agent and gateways) exchange messages as bytes through the real
//! printer and parser, and time only moves when a test says so.

#![allow(dead_code)] // each test file uses a different subset

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use witswitch_sip::dialog::{DialogKey, IdSource, OutgoingInvite, UaConfig, UaEvent, UserAgent};
use witswitch_sip::gateway::{Gateway, GatewayEvent};
use witswitch_sip::transaction::{TransactionLayer, TxEvent};
use witswitch_sip::{Host, Message, NameAddr, Request, Response, Transport, Uri};

/// witswitch.
pub const A: usize = 0;
/// The peer: a phone, another switch, or a carrier.
pub const B: usize = 1;

pub fn addr_a() -> SocketAddr {
    "192.0.2.1:5060".parse().unwrap()
}

pub fn addr_b() -> SocketAddr {
    "198.51.100.1:5080".parse().unwrap()
}

/// Deterministic randomness, different per seed.
pub fn ids(seed: u64) -> IdSource {
    let mut n = 0u64;
    IdSource::new(move || {
        n += 1;
        (seed << 32 | n).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    })
}

pub fn ua_config(addr: SocketAddr) -> UaConfig {
    UaConfig {
        host: Host::from(addr.ip()),
        port: addr.port(),
        ..UaConfig::default()
    }
}

/// One endpoint.
pub struct Node {
    pub addr: SocketAddr,
    pub layer: TransactionLayer,
    pub ua: Option<UserAgent>,
    pub gateways: Vec<Gateway>,
    pub events: VecDeque<UaEvent>,
    pub gateway_events: VecDeque<GatewayEvent>,
    /// Transaction events no agent or gateway claimed (REGISTER, OPTIONS, ...).
    pub unclaimed: VecDeque<TxEvent>,
    /// When set, takes the unclaimed events instead of `unclaimed` (a scripted peer).
    pub responder: Option<Responder>,
}

/// A scripted transaction user for a bare node.
pub type Responder = Box<dyn FnMut(Instant, &mut TransactionLayer, TxEvent)>;

impl Node {
    pub fn with_ua(addr: SocketAddr, seed: u64) -> Node {
        let mut node = Node::bare(addr);
        node.ua = Some(UserAgent::new(ua_config(addr), ids(seed)));
        node
    }

    /// A node with only a transaction layer; the test is its TU (`unclaimed`).
    pub fn bare(addr: SocketAddr) -> Node {
        Node {
            addr,
            layer: TransactionLayer::default(),
            ua: None,
            gateways: Vec::new(),
            events: VecDeque::new(),
            gateway_events: VecDeque::new(),
            unclaimed: VecDeque::new(),
            responder: None,
        }
    }

    /// Routes transaction events to the agent, then the gateways, then `unclaimed`, and
    /// collects what they report.
    pub fn pump(&mut self, now: Instant) {
        while let Some(event) = self.layer.poll_event() {
            let mut rest = match self.ua.as_mut() {
                Some(ua) => ua.handle_tx_event(now, &mut self.layer, event),
                None => Some(event),
            };
            for gateway in &mut self.gateways {
                if let Some(event) = rest.take() {
                    rest = gateway.handle_tx_event(now, &mut self.layer, event);
                }
            }
            match (self.responder.as_mut(), rest) {
                (Some(responder), Some(event)) => responder(now, &mut self.layer, event),
                (None, rest) => self.unclaimed.extend(rest),
                (Some(_), None) => {}
            }
        }
        if let Some(ua) = self.ua.as_mut() {
            self.events.extend(std::iter::from_fn(|| ua.poll_event()));
        }
        for gateway in &mut self.gateways {
            self.gateway_events
                .extend(std::iter::from_fn(|| gateway.poll_event()));
        }
    }

    pub fn poll_timeout(&mut self) -> Option<Instant> {
        let mut all = vec![self.layer.poll_timeout()];
        if let Some(ua) = self.ua.as_mut() {
            all.push(ua.poll_timeout());
        }
        all.extend(self.gateways.iter().map(Gateway::poll_timeout));
        all.into_iter().flatten().min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.pump(now);
        if let Some(ua) = self.ua.as_mut() {
            ua.handle_timeout(now, &mut self.layer);
        }
        for gateway in &mut self.gateways {
            gateway.handle_timeout(now, &mut self.layer);
        }
        self.pump(now);
    }

    pub fn take_events(&mut self) -> Vec<UaEvent> {
        self.events.drain(..).collect()
    }

    pub fn take_gateway_events(&mut self) -> Vec<GatewayEvent> {
        self.gateway_events.drain(..).collect()
    }

    pub fn take_unclaimed(&mut self) -> Vec<TxEvent> {
        self.unclaimed.drain(..).collect()
    }
}

/// A message on the wire, as the log keeps it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub at_ms: u64,
    pub from: SocketAddr,
    pub to: SocketAddr,
    pub message: Message,
}

impl Sent {
    pub fn request(&self) -> Option<&Request> {
        self.message.as_request()
    }

    pub fn response(&self) -> Option<&Response> {
        self.message.as_response()
    }

    /// `INVITE`, `ACK`, `200`, ... for compact assertions.
    pub fn label(&self) -> String {
        match &self.message {
            Message::Request(r) => r.method.to_string(),
            Message::Response(r) => r.status.to_string(),
        }
    }
}

type DropRule = Box<dyn FnMut(&Sent) -> bool>;
type EditRule = Box<dyn FnMut(&mut Sent)>;

/// Nodes on a lossless (unless told otherwise) network with a virtual clock.
pub struct Net {
    pub nodes: Vec<Node>,
    pub base: Instant,
    pub now: Instant,
    pub log: Vec<Sent>,
    drop: Option<DropRule>,
    /// Rewrites a message in flight (a proxy adding Record-Route, ...).
    edit: Option<EditRule>,
}

impl Net {
    pub fn new(nodes: Vec<Node>) -> Net {
        let base = Instant::now();
        Net {
            nodes,
            base,
            now: base,
            log: Vec::new(),
            drop: None,
            edit: None,
        }
    }

    /// witswitch (A) and a peer (B), both with user agents.
    pub fn pair() -> Net {
        Net::new(vec![Node::with_ua(addr_a(), 1), Node::with_ua(addr_b(), 2)])
    }

    pub fn elapsed_ms(&self) -> u64 {
        (self.now - self.base).as_millis() as u64
    }

    /// Drops messages for which `rule` is true (after logging them).
    pub fn drop_when(&mut self, rule: impl FnMut(&Sent) -> bool + 'static) {
        self.drop = Some(Box::new(rule));
    }

    pub fn edit_with(&mut self, edit: impl FnMut(&mut Sent) + 'static) {
        self.edit = Some(Box::new(edit));
    }

    pub fn node(&mut self, index: usize) -> &mut Node {
        &mut self.nodes[index]
    }

    /// Runs `f` on node `index`'s user agent and layer at the current time, then pumps.
    pub fn ua<R>(
        &mut self,
        index: usize,
        f: impl FnOnce(&mut UserAgent, Instant, &mut TransactionLayer) -> R,
    ) -> R {
        let now = self.now;
        let node = &mut self.nodes[index];
        let ua = node.ua.as_mut().expect("node has a user agent");
        let result = f(ua, now, &mut node.layer);
        node.pump(now);
        result
    }

    /// Runs `f` on node `index`'s gateway `g` at the current time, then pumps.
    pub fn gateway<R>(
        &mut self,
        index: usize,
        g: usize,
        f: impl FnOnce(&mut Gateway, Instant, &mut TransactionLayer) -> R,
    ) -> R {
        let now = self.now;
        let node = &mut self.nodes[index];
        let result = f(&mut node.gateways[g], now, &mut node.layer);
        node.pump(now);
        result
    }

    /// Delivers everything queued, and what that causes, until the network is quiet.
    pub fn flush(&mut self) {
        loop {
            let mut moved = false;
            for from in 0..self.nodes.len() {
                while let Some(transmit) = self.nodes[from].layer.poll_transmit() {
                    moved = true;
                    let mut sent = Sent {
                        at_ms: self.elapsed_ms(),
                        from: self.nodes[from].addr,
                        to: transmit.dest,
                        message: transmit.message,
                    };
                    if let Some(edit) = self.edit.as_mut() {
                        edit(&mut sent);
                    }
                    self.log.push(sent.clone());
                    if self.drop.as_mut().is_some_and(|rule| rule(&sent)) {
                        continue;
                    }
                    self.deliver(&sent, transmit.transport);
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn deliver(&mut self, sent: &Sent, transport: Transport) {
        let now = self.now;
        let Some(node) = self.nodes.iter_mut().find(|n| n.addr == sent.to) else {
            return;
        };
        // Through the printer and the parser, as on a real wire.
        let bytes = sent.message.to_bytes();
        let message = Message::parse(&bytes)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
            .message;
        if let Err(e) = node
            .layer
            .handle_incoming(now, message, sent.from, transport)
        {
            eprintln!("dropped by {}: {e}", node.addr);
        }
        node.pump(now);
    }

    /// Moves the clock to `base + at_ms`, firing every deadline on the way in order.
    pub fn run_until(&mut self, at_ms: u64) {
        let target = self.base + Duration::from_millis(at_ms);
        self.flush();
        loop {
            let next = self.nodes.iter_mut().filter_map(Node::poll_timeout).min();
            match next {
                Some(deadline) if deadline <= target => {
                    self.now = self.now.max(deadline);
                    let now = self.now;
                    for node in &mut self.nodes {
                        if node.poll_timeout().is_some_and(|d| d <= now) {
                            node.handle_timeout(now);
                        }
                    }
                    self.flush();
                }
                _ => break,
            }
        }
        self.now = self.now.max(target);
    }

    /// Moves the clock forward by `ms`.
    pub fn advance(&mut self, ms: u64) {
        let at = self.elapsed_ms() + ms;
        self.run_until(at);
    }

    /// The wire log entries sent by node `index`'s address.
    pub fn sent_by(&self, index: usize) -> Vec<&Sent> {
        let addr = self.nodes[index].addr;
        self.log.iter().filter(|s| s.from == addr).collect()
    }

    /// Clears the wire log.
    pub fn clear_log(&mut self) {
        self.log.clear();
    }
}

/// Parses a message written with `\n` line ends.
pub fn parse(text: &str) -> Message {
    let wire = text.replace('\n', "\r\n");
    Message::parse(wire.as_bytes())
        .unwrap_or_else(|e| panic!("{e}: {wire}"))
        .message
}

pub fn parse_request(text: &str) -> Request {
    match parse(text) {
        Message::Request(r) => r,
        Message::Response(_) => panic!("expected a request"),
    }
}

pub const OFFER: &[u8] = b"v=0\r\no=- 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=sendrecv\r\n";
pub const ANSWER: &[u8] = b"v=0\r\no=- 2 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 16384 RTP/AVP 0\r\na=sendrecv\r\n";
pub const HOLD: &[u8] = b"v=0\r\no=- 1 2 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=sendonly\r\n";

/// B (a phone) calls A (witswitch), A answers. Returns (A's key, B's key).
pub fn inbound_call(net: &mut Net) -> (DialogKey, DialogKey) {
    let mut spec = OutgoingInvite::new(
        Uri::parse("sip:1000@192.0.2.1:5060").unwrap(),
        NameAddr::parse("<sip:2000@198.51.100.1>").unwrap(),
        NameAddr::parse("<sip:1000@192.0.2.1>").unwrap(),
        addr_a(),
    );
    spec.sdp = Some(OFFER.to_vec());
    let theirs = net
        .ua(B, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap();
    net.flush();
    let ours = match net.node(A).take_events().as_slice() {
        [UaEvent::IncomingInvite { dialog, .. }] => *dialog,
        other => panic!("{other:?}"),
    };
    net.ua(A, |ua, now, layer| ua.answer(now, layer, ours, ANSWER))
        .unwrap();
    net.flush();
    net.node(A).take_events();
    net.node(B).take_events();
    (ours, theirs)
}
