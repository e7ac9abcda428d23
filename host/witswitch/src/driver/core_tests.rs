//! Virtual-time tests of [`ProfileCore`]: bytes in, transmissions out, no sockets.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use witswitch_sip::auth::Credential;
use witswitch_sip::limiter::{AuthFailureLimiter, LimiterConfig};
use witswitch_sip::options::Capabilities;
use witswitch_sip::registrar::{Registrar, RegistrarConfig};
use witswitch_sip::transaction::{TransactionConfig, TransactionLayer, Transmit};
use witswitch_sip::{HeaderName, Limits, Message, Response, Transport};

use super::{AccessPolicy, CoreParts, ProfileCore};
use crate::transport::Counters;

/// Denies REGISTER from one address, allows everything else.
#[derive(Debug)]
struct DenyRegisterFrom(IpAddr);

impl AccessPolicy for DenyRegisterFrom {
    fn may_register(&self, ip: IpAddr) -> bool {
        ip != self.0
    }
    fn may_call(&self, _ip: IpAddr) -> bool {
        true
    }
}

const BAN: Duration = Duration::from_secs(600);

fn core(epoch: Instant) -> (ProfileCore, Arc<Counters>) {
    let counters = Arc::new(Counters::default());
    let mut users = HashMap::new();
    users.insert("1000".to_owned(), Credential::Password("secret".to_owned()));
    let parts = CoreParts {
        bindings: None,
        profile: "internal".to_owned(),
        transactions: TransactionLayer::new(TransactionConfig::default()),
        registrar: Registrar::new(RegistrarConfig::default(), &[7u8; 32], epoch),
        limiter: Some(AuthFailureLimiter::new(LimiterConfig {
            max_failures: 2,
            window: Duration::from_secs(60),
            ban_duration: BAN,
            ..LimiterConfig::default()
        })),
        access: Arc::new(DenyRegisterFrom("192.0.2.66".parse().unwrap())),
        users: Arc::new(users),
        capabilities: Capabilities::default(),
        log_auth_failures: true,
        limits: Limits::default(),
        counters: Arc::clone(&counters),
    };
    (ProfileCore::new(parts), counters)
}

fn request(method: &str, via: &str, call_id: &str, extra: &str) -> Vec<u8> {
    format!(
        "{method} sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {via};branch=z9hG4bK-{call_id};rport\r\n\
         From: <sip:1000@127.0.0.1>;tag=a\r\nTo: <sip:1000@127.0.0.1>\r\nCall-ID: {call_id}\r\n\
         CSeq: 1 {method}\r\nMax-Forwards: 70\r\n{extra}Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn transmits(core: &mut ProfileCore) -> Vec<Transmit> {
    std::iter::from_fn(|| core.poll_transmit()).collect()
}

fn only_response(core: &mut ProfileCore) -> (SocketAddr, Response) {
    let mut sent = transmits(core);
    assert_eq!(sent.len(), 1, "one transmission: {sent:?}");
    let t = sent.remove(0);
    match t.message {
        Message::Response(r) => (t.dest, r),
        Message::Request(r) => panic!("expected a response, got {r}"),
    }
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[test]
fn options_is_answered_to_the_source_with_received_and_rport() {
    let now = Instant::now();
    let (mut core, _) = core(now);
    let source = addr("198.51.100.7:40000");
    let bytes = request("OPTIONS", "10.0.0.1:5060", "o1", "");
    core.handle_bytes(now, &bytes, source, Transport::Udp);
    let (dest, response) = only_response(&mut core);
    assert_eq!(dest, source);
    assert_eq!(response.status, 200);
    let via = response.headers.via_top().unwrap();
    assert_eq!(via.received(), Some("198.51.100.7"));
    assert_eq!(via.rport(), Some(Some(40000)));
    assert!(response.headers.to().unwrap().tag().is_some());
    assert!(response.headers.get(&HeaderName::Allow).is_some());
}

#[test]
fn unparsable_input_gets_400_when_routable_and_is_dropped_otherwise() {
    let now = Instant::now();
    let (mut core, counters) = core(now);
    let source = addr("198.51.100.7:40000");
    core.handle_bytes(now, b"\0\0\0 garbage", source, Transport::Udp);
    assert!(transmits(&mut core).is_empty());
    assert_eq!(
        counters.dropped.load(std::sync::atomic::Ordering::Relaxed),
        1
    );

    let mut truncated = request("OPTIONS", "10.0.0.1:5060", "o2", "");
    let text = String::from_utf8(truncated.clone()).unwrap();
    truncated = text
        .replace("Content-Length: 0", "Content-Length: 50")
        .into_bytes();
    core.handle_bytes(now, &truncated, source, Transport::Udp);
    let (dest, response) = only_response(&mut core);
    assert_eq!((dest, response.status), (source, 400));
}

#[test]
fn register_acl_answers_403_before_any_challenge() {
    let now = Instant::now();
    let (mut core, _) = core(now);
    let bytes = request(
        "REGISTER",
        "192.0.2.66:5060",
        "r1",
        "Contact: <sip:1000@192.0.2.66>\r\n",
    );
    core.handle_bytes(now, &bytes, addr("192.0.2.66:5060"), Transport::Udp);
    assert_eq!(only_response(&mut core).1.status, 403);
    let bytes = request(
        "REGISTER",
        "192.0.2.67:5060",
        "r2",
        "Contact: <sip:1000@192.0.2.67>\r\n",
    );
    core.handle_bytes(now, &bytes, addr("192.0.2.67:5060"), Transport::Udp);
    assert_eq!(only_response(&mut core).1.status, 401);
}

/// Two wrong digests ban the source: its next request gets nothing, others are served,
/// and the ban lifts when its time has passed (virtual time).
#[test]
fn auth_failures_ban_then_the_ban_lifts() {
    let start = Instant::now();
    let (mut core, _) = core(start);
    let source = addr("203.0.113.5:5060");
    for n in 0..2 {
        let id = format!("bad{n}");
        let contact = "Contact: <sip:1000@203.0.113.5>\r\n";
        core.handle_bytes(
            start,
            &request("REGISTER", "203.0.113.5", &id, contact),
            source,
            Transport::Udp,
        );
        let (_, challenge) = only_response(&mut core);
        assert_eq!(challenge.status, 401);
        let nonce = &challenge
            .headers
            .digest_challenges(&HeaderName::WwwAuthenticate)
            .unwrap()[0]
            .nonce;
        let auth = format!(
            "{contact}Authorization: Digest username=\"1000\", realm=\"127.0.0.1\", nonce=\"{nonce}\", \
             uri=\"sip:127.0.0.1\", response=\"00000000000000000000000000000000\", algorithm=MD5\r\n"
        );
        let retry = request("REGISTER", "203.0.113.5", &format!("{id}-2"), &auth);
        core.handle_bytes(start, &retry, source, Transport::Udp);
        assert_eq!(only_response(&mut core).1.status, 403);
    }
    let options = request("OPTIONS", "203.0.113.5", "after", "");
    core.handle_bytes(start, &options, source, Transport::Udp);
    assert!(transmits(&mut core).is_empty(), "banned source answered");
    let other = addr("203.0.113.6:5060");
    core.handle_bytes(
        start,
        &request("OPTIONS", "203.0.113.6", "other", ""),
        other,
        Transport::Udp,
    );
    assert_eq!(only_response(&mut core).1.status, 200);

    let later = start + BAN + Duration::from_secs(1);
    core.handle_timeout(later);
    let _ = transmits(&mut core);
    core.handle_bytes(
        later,
        &request("OPTIONS", "203.0.113.5", "lifted", ""),
        source,
        Transport::Udp,
    );
    assert_eq!(only_response(&mut core).1.status, 200);
}
