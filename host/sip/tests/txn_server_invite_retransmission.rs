//! RFC 3261 §17.2.1: a retransmitted INVITE reaches the INVITE server transaction, not
//! the TU, and is answered with the most recent response.

mod txn_support;

use txn_support::{Harness, invite, only_response, reply};
use witswitch_sip::Transport;
use witswitch_sip::transaction::TxEvent;

#[test]
fn duplicate_invite_gets_the_last_response_again() {
    let mut h = Harness::new();
    let request = invite("z9hG4bKsi-dup");
    let key = h.accept(request.clone(), Transport::Udp);

    // Proceeding with only the automatic 100 Trying: the 100 is resent.
    h.receive(request.clone(), Transport::Udp);
    assert_eq!(only_response(&h.transmits()).status, 100);
    assert!(h.events().is_empty());

    // After a 180 the 180 is resent.
    let ringing = reply(&request, 180);
    h.respond(key, ringing.clone());
    h.transmits();
    h.receive(request.clone(), Transport::Udp);
    assert_eq!(only_response(&h.transmits()), &ringing);

    // Completed with a 486: the 486 is resent, byte for byte.
    let busy = reply(&request, 486);
    h.respond(key, busy.clone());
    h.transmits();
    h.receive(request.clone(), Transport::Udp);
    let resent = h.transmits();
    assert_eq!(only_response(&resent), &busy);
    assert_eq!(resent[0].message.to_bytes(), busy.to_bytes());

    assert!(h.events().is_empty(), "no retransmission reached the TU");
    assert_eq!(h.layer.stats().retransmissions_absorbed, 3);
    assert_eq!(h.layer.server_count(), 1);
}

#[test]
fn same_branch_from_another_sent_by_is_a_new_transaction() {
    let mut h = Harness::new();
    let request = invite("z9hG4bKsi-sentby");
    h.accept(request.clone(), Transport::Udp);
    let mut other = request;
    other.headers.set(
        witswitch_sip::HeaderName::Via,
        "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKsi-sentby",
    );
    h.receive(other, Transport::Udp);
    assert!(matches!(h.events()[..], [TxEvent::NewRequest { .. }]));
    assert_eq!(h.layer.server_count(), 2);
}
