//! Timer I (RFC 3261 §17.2.1): after the ACK for a 300-699 the INVITE server stays
//! Confirmed for T4 on UDP, absorbing ACK retransmissions without telling the TU.

mod txn_support;

use txn_support::{Harness, invite, reply, request};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{InviteServerState, ServerState, TxEvent, TxKey};

#[test]
fn ack_retransmissions_are_absorbed_for_t4() {
    let mut h = Harness::new();
    let invite = invite("z9hG4bKi-confirmed");
    let key = h.accept(invite.clone(), Transport::Udp);
    h.respond(key, reply(&invite, 404));
    h.transmits();
    h.run_until(100);
    let ack = request("ACK", "z9hG4bKi-confirmed", 1);
    h.receive(ack.clone(), Transport::Udp);
    assert_eq!(
        h.layer.server_state(key),
        Some(ServerState::Invite(InviteServerState::Confirmed))
    );
    assert!(
        h.events().is_empty(),
        "the ACK of a non-2xx stays in the transaction"
    );
    for at in [600, 2_000, 5_099] {
        h.run_until(at);
        h.receive(ack.clone(), Transport::Udp);
        assert!(h.events().is_empty());
        assert!(h.transmits().is_empty());
    }
    h.run_until(5_100); // 100 ms + T4
    assert_eq!(
        h.events(),
        [TxEvent::Terminated {
            key: TxKey::Server(key)
        }]
    );
}
