//! Timer D (RFC 3261 §17.1.1.2): after a 300-699 the INVITE client stays Completed for
//! at least 32 s on UDP, answering each retransmitted final response with the same ACK
//! and hiding it from the TU, then terminates.

mod txn_support;

use txn_support::{Harness, only_request, outgoing, reply};
use witswitch_sip::transaction::{ClientState, InviteClientState, TxEvent, TxKey};
use witswitch_sip::{Method, Transport};

#[test]
fn retransmitted_failure_is_re_acked_not_passed_up_then_timer_d_ends() {
    let mut h = Harness::new();
    let invite = outgoing("INVITE", "z9hG4bKd-absorb", 1);
    let key = h.send(invite.clone(), Transport::Udp);
    h.transmits();
    let busy = reply(&invite, 486);
    h.receive(busy.clone(), Transport::Udp);
    let first_ack = only_request(&h.transmits()).clone();
    assert_eq!(first_ack.method, Method::Ack);
    assert_eq!(
        h.events(),
        [TxEvent::Response {
            key,
            response: busy.clone()
        }]
    );
    assert_eq!(
        h.layer.client_state(key),
        Some(ClientState::Invite(InviteClientState::Completed))
    );

    for at in [500, 1_500, 3_500, 31_999] {
        h.run_until(at);
        h.receive(busy.clone(), Transport::Udp);
        assert_eq!(
            only_request(&h.transmits()),
            &first_ack,
            "same ACK at {at} ms"
        );
        assert!(h.events().is_empty(), "retransmission hidden from the TU");
    }
    assert_eq!(h.layer.stats().retransmissions_absorbed, 4);

    assert!(h.run_until(32_000).is_empty(), "Timer D sends nothing");
    assert_eq!(
        h.events(),
        [TxEvent::Terminated {
            key: TxKey::Client(key)
        }]
    );
    // After termination the response is stray and dropped.
    h.receive(busy, Transport::Udp);
    assert!(h.transmits().is_empty());
    assert_eq!(h.layer.stats().stray_responses, 1);
}
