//! RFC 3261 §17.2.2: a retransmitted non-INVITE request is absorbed silently while the
//! TU has not answered (Trying), and answered with the last response afterwards.

mod txn_support;

use txn_support::{Harness, only_response, reply, request};
use witswitch_sip::Transport;

#[test]
fn duplicate_request_is_absorbed_then_answered_with_the_last_response() {
    let mut h = Harness::new();
    let register = request("REGISTER", "z9hG4bKsn-dup", 3);
    let key = h.accept(register.clone(), Transport::Udp);

    h.receive(register.clone(), Transport::Udp);
    assert!(h.transmits().is_empty(), "Trying: nothing to resend");
    assert!(h.events().is_empty(), "Trying: not a new request");

    let trying = reply(&register, 100);
    h.respond(key, trying.clone());
    h.transmits();
    h.receive(register.clone(), Transport::Udp);
    assert_eq!(only_response(&h.transmits()), &trying);

    let challenge = reply(&register, 401);
    h.respond(key, challenge.clone());
    h.transmits();
    h.receive(register.clone(), Transport::Udp);
    assert_eq!(only_response(&h.transmits()), &challenge);
    assert!(h.events().is_empty());

    // A second final response is refused (§17.2.2) and nothing is sent.
    assert!(
        h.layer
            .send_response(h.now, key, reply(&register, 200))
            .is_err()
    );
    assert!(h.transmits().is_empty());
}

#[test]
fn a_new_cseq_with_a_new_branch_is_a_new_request() {
    let mut h = Harness::new();
    h.accept(request("REGISTER", "z9hG4bKsn-first", 3), Transport::Udp);
    let second = h.accept(request("REGISTER", "z9hG4bKsn-second", 4), Transport::Udp);
    assert_eq!(h.layer.server_count(), 2);
    assert!(h.layer.server_state(second).is_some());
}
