//! A small virtual-time harness for transaction scenarios: a [`TransactionLayer`], a
//! base instant, and helpers that build messages through the real parser. Time only
//! moves when a test says so; nothing sleeps.

#![allow(dead_code)] // each test file uses a different subset

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use witswitch_sip::transaction::{
    ClientTxKey, ServerTxKey, TimerConfig, TransactionConfig, TransactionLayer, Transmit, TxEvent,
};
use witswitch_sip::{HeaderName, Message, Request, Response, Transport};

/// The remote peer (a phone or a gateway).
pub fn peer() -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 10], 5060))
}

/// Milliseconds as a Duration.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A transaction layer plus a virtual clock.
pub struct Harness {
    pub layer: TransactionLayer,
    pub base: Instant,
    pub now: Instant,
}

impl Harness {
    /// Default timers (T1 500 ms, T2 4 s, T4 5 s).
    pub fn new() -> Harness {
        Harness::with_config(TransactionConfig::default())
    }

    pub fn with_config(config: TransactionConfig) -> Harness {
        let base = Instant::now();
        Harness {
            layer: TransactionLayer::new(config),
            base,
            now: base,
        }
    }

    pub fn with_timers(timers: TimerConfig) -> Harness {
        Harness::with_config(TransactionConfig {
            timers,
            ..TransactionConfig::default()
        })
    }

    /// Milliseconds since the base instant.
    pub fn elapsed_ms(&self) -> u64 {
        (self.now - self.base).as_millis() as u64
    }

    /// Moves the clock to `base + at_ms`, firing every deadline on the way in order, and
    /// returns what was sent, stamped with the virtual time (ms) it was sent at.
    pub fn run_until(&mut self, at_ms: u64) -> Vec<(u64, Transmit)> {
        let target = self.base + ms(at_ms);
        let mut sent = Vec::new();
        while let Some(deadline) = self.layer.poll_timeout() {
            if deadline > target {
                break;
            }
            self.now = self.now.max(deadline);
            self.layer.handle_timeout(self.now);
            let stamp = self.elapsed_ms();
            sent.extend(self.transmits().into_iter().map(|t| (stamp, t)));
        }
        self.now = self.now.max(target);
        sent
    }

    /// Feeds a received message at the current time.
    pub fn receive(&mut self, message: impl Into<Message>, transport: Transport) {
        let result = self
            .layer
            .handle_incoming(self.now, message.into(), peer(), transport);
        assert_eq!(result, Ok(()), "message was refused");
    }

    /// Sends a request as the TU would, at the current time.
    pub fn send(&mut self, request: Request, transport: Transport) -> ClientTxKey {
        self.layer
            .send_request(self.now, request, peer(), transport)
            .expect("request accepted")
    }

    /// Answers a server transaction as the TU would, at the current time.
    pub fn respond(&mut self, key: ServerTxKey, response: Response) {
        self.layer
            .send_response(self.now, key, response)
            .expect("response accepted");
    }

    /// Drains every queued transmission.
    pub fn transmits(&mut self) -> Vec<Transmit> {
        std::iter::from_fn(|| self.layer.poll_transmit()).collect()
    }

    /// Drains every queued event.
    pub fn events(&mut self) -> Vec<TxEvent> {
        std::iter::from_fn(|| self.layer.poll_event()).collect()
    }

    /// Receives a new request and returns the server key from its NewRequest event,
    /// discarding the other events and transmissions it caused.
    pub fn accept(&mut self, request: Request, transport: Transport) -> ServerTxKey {
        self.receive(request, transport);
        self.transmits();
        self.events()
            .into_iter()
            .find_map(|e| match e {
                TxEvent::NewRequest { key, .. } => Some(key),
                _ => None,
            })
            .expect("a NewRequest event")
    }
}

/// Parses a message written with `\n` line ends.
pub fn parse(text: &str) -> Message {
    let wire = text.replace('\n', "\r\n");
    Message::parse(wire.as_bytes())
        .expect("test message parses")
        .message
}

pub fn parse_request(text: &str) -> Request {
    match parse(text) {
        Message::Request(r) => r,
        Message::Response(_) => panic!("expected a request"),
    }
}

/// A request the peer sends us, with the given method, branch and CSeq number.
pub fn request(method: &str, branch: &str, cseq: u32) -> Request {
    request_via(method, branch, cseq, "192.0.2.10:5060")
}

/// A request we send to the peer (our own Via).
pub fn outgoing(method: &str, branch: &str, cseq: u32) -> Request {
    request_via(method, branch, cseq, "192.0.2.1:5060")
}

fn request_via(method: &str, branch: &str, cseq: u32, sent_by: &str) -> Request {
    parse_request(&format!(
        "{method} sip:1000@192.0.2.1 SIP/2.0
Via: SIP/2.0/UDP {sent_by};branch={branch};rport
Route: <sip:edge.example.net;lr>
Max-Forwards: 70
From: \"Alice\" <sip:alice@example.net>;tag=from-{cseq}
To: <sip:1000@192.0.2.1>
Call-ID: call-{branch}@192.0.2.10
CSeq: {cseq} {method}
Contact: <sip:alice@192.0.2.10:5060>
Content-Length: 0

"
    ))
}

pub fn invite(branch: &str) -> Request {
    request("INVITE", branch, 1)
}

/// A response to `request` with a To tag (for any status but 100).
pub fn reply(request: &Request, status: u16) -> Response {
    let mut response = Response::for_request(request, status, Response::default_reason(status));
    if status != 100 {
        response.headers.set_to_tag("uas-tag").expect("To present");
    }
    response
}

/// The status codes of the responses among `sent`, with their time stamps.
pub fn statuses(sent: &[(u64, Transmit)]) -> Vec<(u64, u16)> {
    sent.iter()
        .filter_map(|(at, t)| match &t.message {
            Message::Response(r) => Some((*at, r.status)),
            Message::Request(_) => None,
        })
        .collect()
}

/// The methods of the requests among `sent`, with their time stamps.
pub fn methods(sent: &[(u64, Transmit)]) -> Vec<(u64, String)> {
    sent.iter()
        .filter_map(|(at, t)| match &t.message {
            Message::Request(r) => Some((*at, r.method.to_string())),
            Message::Response(_) => None,
        })
        .collect()
}

/// The single response in `sent`.
pub fn only_response(sent: &[Transmit]) -> &Response {
    match sent {
        [
            Transmit {
                message: Message::Response(r),
                ..
            },
        ] => r,
        other => panic!("expected exactly one response, got {other:?}"),
    }
}

/// The single request in `sent`.
pub fn only_request(sent: &[Transmit]) -> &Request {
    match sent {
        [
            Transmit {
                message: Message::Request(r),
                ..
            },
        ] => r,
        other => panic!("expected exactly one request, got {other:?}"),
    }
}

/// The header value of `name` in a message, for assertions.
pub fn header<'a>(request: &'a Request, name: &HeaderName) -> Option<&'a str> {
    request.headers.get(name)
}
