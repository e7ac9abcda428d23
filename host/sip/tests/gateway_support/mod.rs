//! A scripted carrier for gateway scenarios: a registrar that challenges with the
//! crate's own server-side digest verifier, and an OPTIONS answerer.

#![allow(dead_code)] // each test file uses a different subset

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use witswitch_sip::auth::{
    Credential, DigestAnswer, DigestConfig, DigestVerifier, NonceIssuer, Verdict,
};
use witswitch_sip::gateway::{Gateway, GatewayEvent, GatewaySettings, GatewayState};
use witswitch_sip::transaction::{TransactionLayer, TxEvent};
use witswitch_sip::{DigestCredentials, HeaderName, Host, Method, Request, Response};

#[path = "../dialog_support/mod.rs"]
pub mod net;

use net::{Net, Node, addr_a, addr_b};

pub const REALM: &str = "carrier.example";

/// How the carrier answers REGISTER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterPolicy {
    /// Challenge, then 200 granting this many seconds to a correct answer.
    Auth { granted: u32 },
    /// Always this status.
    Status(u16),
    /// 423 with this Min-Expires to anything shorter, then `Auth`.
    MinExpires(u32),
    /// Never answer.
    Silent,
}

/// What the carrier saw and how it behaves; shared with the test.
pub struct Carrier {
    pub base: Instant,
    pub register: RegisterPolicy,
    /// Status for OPTIONS; `None` never answers.
    pub options: Option<u16>,
    /// (ms since start, request) for every REGISTER received.
    pub registers: Vec<(u64, Request)>,
    /// ms since start of every OPTIONS received.
    pub pings: Vec<u64>,
    pub verdicts: Vec<Verdict>,
    verifier: DigestVerifier,
}

pub fn settings(expire_seconds: u32) -> GatewaySettings {
    let mut s = GatewaySettings::new("carrier", REALM, addr_b(), Host::from(addr_a().ip()), 5060);
    s.username = Some("acct".into());
    s.password = Some("s3cret".into());
    s.expire_seconds = expire_seconds;
    s
}

/// witswitch (A, a bare layer with one gateway) and the carrier (B).
pub fn network(settings: GatewaySettings, policy: RegisterPolicy) -> (Net, Rc<RefCell<Carrier>>) {
    let mut a = Node::bare(addr_a());
    a.gateways
        .push(Gateway::new(settings, net::ids(3)).expect("valid settings"));
    let mut net = Net::new(vec![a, Node::bare(addr_b())]);
    let secret = b"carrier-secret-carrier-secret-0123";
    let carrier = Rc::new(RefCell::new(Carrier {
        base: net.base,
        register: policy,
        options: Some(200),
        registers: Vec::new(),
        pings: Vec::new(),
        verdicts: Vec::new(),
        verifier: DigestVerifier::new(
            NonceIssuer::new(secret, net.base, Duration::from_secs(300)),
            secret,
            DigestConfig::default(),
        ),
    }));
    let shared = Rc::clone(&carrier);
    net.nodes[1].responder = Some(Box::new(move |now, layer, event| {
        shared.borrow_mut().serve(now, layer, event);
    }));
    (net, carrier)
}

fn accounts() -> HashMap<String, Credential> {
    HashMap::from([("acct".to_owned(), Credential::Password("s3cret".to_owned()))])
}

impl Carrier {
    fn serve(&mut self, now: Instant, layer: &mut TransactionLayer, event: TxEvent) {
        let TxEvent::NewRequest { key, request, .. } = event else {
            return;
        };
        let at = (now - self.base).as_millis() as u64;
        let response = match request.method {
            Method::Register => {
                self.registers.push((at, request.clone()));
                self.answer_register(now, &request)
            }
            Method::Options => {
                self.pings.push(at);
                self.options.map(|status| reply(&request, status, &[]))
            }
            _ => Some(reply(&request, 405, &[])),
        };
        if let Some(response) = response {
            layer.send_response(now, key, response).unwrap();
        }
    }

    fn answer_register(&mut self, now: Instant, request: &Request) -> Option<Response> {
        let asked = request.expires().ok().flatten().unwrap_or(3600);
        match self.register {
            RegisterPolicy::Silent => None,
            RegisterPolicy::Status(status) => Some(reply(request, status, &[])),
            RegisterPolicy::MinExpires(min) if asked < min && asked > 0 => Some(reply(
                request,
                423,
                &[(HeaderName::MinExpires, min.to_string())],
            )),
            RegisterPolicy::MinExpires(min) => Some(self.authenticate(now, request, min)),
            RegisterPolicy::Auth { granted } => Some(self.authenticate(now, request, granted)),
        }
    }

    fn authenticate(&mut self, now: Instant, request: &Request, granted: u32) -> Response {
        let Some(value) = request.header(&HeaderName::Authorization) else {
            return self.challenge(now, request);
        };
        let c = DigestCredentials::parse(value).expect("Authorization parses");
        let answer = DigestAnswer {
            username: Some(&c.username),
            realm: Some(&c.realm),
            nonce: Some(&c.nonce),
            uri: Some(&c.uri),
            response: Some(&c.response),
            algorithm: c.algorithm.as_ref().map(|a| a.as_str()),
            qop: c.qop.as_deref(),
            nonce_count: c.nc.as_deref(),
            cnonce: c.cnonce.as_deref(),
            userhash: None,
        };
        let verdict = self
            .verifier
            .verify(now, "REGISTER", REALM, &answer, &accounts());
        self.verdicts.push(verdict.clone());
        match verdict {
            Verdict::Authenticated { .. } => {
                let asked = request.expires().ok().flatten().unwrap_or(3600);
                let expires = if asked == 0 { 0 } else { granted };
                let contact = request.header(&HeaderName::Contact).unwrap_or_default();
                let contact = format!("{contact};expires={expires}");
                reply(request, 200, &[(HeaderName::Contact, contact)])
            }
            _ => reply(request, 403, &[]),
        }
    }

    fn challenge(&mut self, now: Instant, request: &Request) -> Response {
        let challenges: Vec<(HeaderName, String)> = self
            .verifier
            .challenges(now, REALM, false)
            .into_iter()
            .map(|c| (HeaderName::WwwAuthenticate, c.to_string()))
            .collect();
        reply(request, 401, &challenges)
    }
}

fn reply(request: &Request, status: u16, headers: &[(HeaderName, String)]) -> Response {
    let mut response = Response::for_request(request, status, Response::default_reason(status));
    response.headers.set_to_tag("carrier-tag").unwrap();
    for (name, value) in headers {
        response.headers.push(name.clone(), value.clone());
    }
    response
}

/// The states of the gateway events, for compact assertions.
pub fn states(events: &[GatewayEvent]) -> Vec<GatewayState> {
    events.iter().map(|e| e.state).collect()
}
