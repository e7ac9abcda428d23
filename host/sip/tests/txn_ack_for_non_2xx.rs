//! RFC 3261 §17.1.1.3: the INVITE client transaction itself ACKs a 300-699 response.
//! The ACK has the INVITE's Request-URI, Call-ID, From, CSeq number and Route set, one
//! Via equal to the INVITE's top Via (same branch), the response's To (with its tag),
//! CSeq method ACK, and goes to the INVITE's destination.

mod txn_support;

use txn_support::{Harness, only_request, outgoing, peer, reply};
use witswitch_sip::transaction::TxKey;
use witswitch_sip::{CSeq, HeaderName, Method, Transport};

#[test]
fn ack_for_a_failure_carries_the_rfc_fields() {
    let mut h = Harness::new();
    let invite = outgoing("INVITE", "z9hG4bKack-fields", 41);
    let key = h.send(invite.clone(), Transport::Udp);
    h.transmits();
    h.receive(reply(&invite, 180), Transport::Udp);
    h.receive(reply(&invite, 404), Transport::Udp);

    let sent = h.transmits();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].dest, peer());
    assert_eq!(sent[0].transport, Transport::Udp);
    assert_eq!(sent[0].key, Some(TxKey::Client(key)));
    let ack = only_request(&sent);

    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.uri, invite.uri);
    let vias: Vec<&str> = ack.headers.get_all(&HeaderName::Via).collect();
    assert_eq!(vias, [invite.headers.get(&HeaderName::Via).unwrap()]);
    assert_eq!(ack.via_top().unwrap().branch(), Some("z9hG4bKack-fields"));
    assert_eq!(ack.to().unwrap().tag(), Some("uas-tag"));
    assert_eq!(ack.to().unwrap().uri, invite.to().unwrap().uri);
    assert_eq!(ack.from().unwrap(), invite.from().unwrap());
    assert_eq!(ack.call_id().unwrap(), invite.call_id().unwrap());
    assert_eq!(ack.cseq().unwrap(), CSeq::new(41, Method::Ack));
    let routes: Vec<&str> = ack.headers.get_all(&HeaderName::Route).collect();
    let invite_routes: Vec<&str> = invite.headers.get_all(&HeaderName::Route).collect();
    assert_eq!(routes, invite_routes);
    assert!(ack.body.is_empty());
    assert!(ack.headers.get(&HeaderName::Contact).is_none());
    assert_eq!(ack.validate(), Ok(()));
}

#[test]
fn no_ack_is_generated_for_2xx() {
    let mut h = Harness::new();
    let invite = outgoing("INVITE", "z9hG4bKack-2xx", 1);
    h.send(invite.clone(), Transport::Udp);
    h.transmits();
    h.receive(reply(&invite, 200), Transport::Udp);
    assert!(h.transmits().is_empty(), "the TU ACKs a 2xx, end to end");
}
