//! Timer J (RFC 3261 §17.2.2): a non-INVITE server stays Completed for 64*T1 on UDP,
//! answering each retransmitted request with its final response, then terminates.

mod txn_support;

use txn_support::{Harness, only_response, reply, request};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{TxEvent, TxKey};

#[test]
fn completed_resends_the_final_response_until_timer_j() {
    let mut h = Harness::new();
    let options = request("OPTIONS", "z9hG4bKj-completed", 5);
    let key = h.accept(options.clone(), Transport::Udp);
    let ok = reply(&options, 200);
    h.respond(key, ok.clone());
    h.transmits();
    for at in [500, 10_000, 31_999] {
        h.run_until(at);
        h.receive(options.clone(), Transport::Udp);
        assert_eq!(only_response(&h.transmits()), &ok, "resent at {at} ms");
        assert!(h.events().is_empty(), "not a new request");
    }
    h.run_until(32_000);
    assert_eq!(
        h.events(),
        [TxEvent::Terminated {
            key: TxKey::Server(key)
        }]
    );
    // After Timer J the same request is new again.
    h.receive(options, Transport::Udp);
    assert!(matches!(h.events()[..], [TxEvent::NewRequest { .. }]));
}
