//! Input that matches nothing or lacks mandatory headers is dropped and counted, never
//! a panic; the TU is not bothered with it.

mod txn_support;

use txn_support::{Harness, outgoing, parse, peer, reply};
use witswitch_sip::transaction::TransactionError;
use witswitch_sip::{HeaderName, Transport};

#[test]
fn response_for_an_unknown_transaction_is_dropped() {
    let mut h = Harness::new();
    let unknown = outgoing("INVITE", "z9hG4bKstray", 1);
    h.receive(reply(&unknown, 200), Transport::Udp);
    assert!(h.events().is_empty());
    assert!(h.transmits().is_empty());
    assert_eq!(h.layer.stats().stray_responses, 1);
}

#[test]
fn response_with_the_right_branch_but_other_method_is_stray() {
    let mut h = Harness::new();
    let inv = outgoing("INVITE", "z9hG4bKstray-method", 1);
    h.send(inv.clone(), Transport::Udp);
    let mut wrong = reply(&inv, 200);
    wrong.headers.set(HeaderName::CSeq, "1 CANCEL");
    h.receive(wrong, Transport::Udp);
    assert!(h.events().is_empty());
    assert_eq!(h.layer.stats().stray_responses, 1);
}

#[test]
fn request_without_call_id_is_refused() {
    let mut h = Harness::new();
    let message = parse(
        "OPTIONS sip:1000@192.0.2.1 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKbroken
From: <sip:a@example.net>;tag=1
To: <sip:1000@192.0.2.1>
CSeq: 1 OPTIONS
Content-Length: 0

",
    );
    let result = h
        .layer
        .handle_incoming(h.now, message, peer(), Transport::Udp);
    assert!(matches!(result, Err(TransactionError::Invalid(_))));
    assert!(h.events().is_empty());
    assert_eq!(h.layer.server_count(), 0);
    assert_eq!(h.layer.stats().invalid_dropped, 1);
}

#[test]
fn requests_the_tu_cannot_start_are_refused() {
    let mut h = Harness::new();
    let ack = outgoing("ACK", "z9hG4bKno-ack", 1);
    assert_eq!(
        h.layer.send_request(h.now, ack, peer(), Transport::Udp),
        Err(TransactionError::AckIsStateless)
    );
    let legacy = outgoing("OPTIONS", "no-cookie", 1);
    assert_eq!(
        h.layer.send_request(h.now, legacy, peer(), Transport::Udp),
        Err(TransactionError::BranchWithoutMagicCookie)
    );
    let first = outgoing("OPTIONS", "z9hG4bKtwice", 1);
    h.send(first.clone(), Transport::Udp);
    assert!(matches!(
        h.layer.send_request(h.now, first, peer(), Transport::Udp),
        Err(TransactionError::DuplicateBranch { .. })
    ));
}
