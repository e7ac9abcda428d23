//! Timer G (RFC 3261 §17.2.1): an INVITE server that sent a 300-699 over UDP resends it
//! at T1, then doubles the interval up to T2, until the ACK arrives.

mod txn_support;

use txn_support::{Harness, invite, reply, statuses};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{InviteServerState, ServerState};

#[test]
fn failure_is_resent_with_doubling_capped_at_t2() {
    let mut h = Harness::new();
    let request = invite("z9hG4bKg-double");
    let key = h.accept(request.clone(), Transport::Udp);
    h.respond(key, reply(&request, 486));
    assert_eq!(h.transmits().len(), 1);
    let sent = h.run_until(20_000);
    assert_eq!(
        statuses(&sent),
        [
            (500, 486),
            (1_500, 486),
            (3_500, 486),
            (7_500, 486),
            (11_500, 486),
            (15_500, 486),
            (19_500, 486)
        ]
    );
    assert!(sent.iter().all(|(_, t)| t.dest == txn_support::peer()));
}

#[test]
fn ack_stops_timer_g() {
    let mut h = Harness::new();
    let request = invite("z9hG4bKg-ack");
    let key = h.accept(request.clone(), Transport::Udp);
    h.respond(key, reply(&request, 603));
    h.transmits();
    assert_eq!(statuses(&h.run_until(1_600)).len(), 2);
    h.receive(
        txn_support::request("ACK", "z9hG4bKg-ack", 1),
        Transport::Udp,
    );
    assert_eq!(
        h.layer.server_state(key),
        Some(ServerState::Invite(InviteServerState::Confirmed))
    );
    assert!(
        h.run_until(4_000).is_empty(),
        "no retransmission after the ACK"
    );
}
