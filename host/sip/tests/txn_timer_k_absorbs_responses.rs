//! Timer K (RFC 3261 §17.1.2.2): after a final response a non-INVITE client stays
//! Completed for T4 on UDP, absorbing retransmitted responses, then terminates.

mod txn_support;

use txn_support::{Harness, outgoing, reply};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{ClientState, NonInviteClientState, TxEvent, TxKey};

#[test]
fn final_response_retransmissions_are_absorbed_until_t4() {
    let mut h = Harness::new();
    let request = outgoing("BYE", "z9hG4bKk-absorb", 2);
    let key = h.send(request.clone(), Transport::Udp);
    h.transmits();
    h.run_until(200);
    let ok = reply(&request, 200);
    h.receive(ok.clone(), Transport::Udp);
    assert_eq!(
        h.events(),
        [TxEvent::Response {
            key,
            response: ok.clone()
        }]
    );
    assert_eq!(
        h.layer.client_state(key),
        Some(ClientState::NonInvite(NonInviteClientState::Completed))
    );
    // Timer E is gone: nothing is retransmitted while Completed.
    for at in [700, 2_000, 5_199] {
        assert!(h.run_until(at).is_empty());
        h.receive(ok.clone(), Transport::Udp);
        assert!(h.events().is_empty(), "absorbed at {at} ms");
    }
    h.run_until(5_200); // 200 ms + T4
    assert_eq!(
        h.events(),
        [TxEvent::Terminated {
            key: TxKey::Client(key)
        }]
    );
    assert_eq!(h.layer.stats().retransmissions_absorbed, 3);
}
