//! Timer H (RFC 3261 §17.2.1): an INVITE server whose 300-699 is never ACKed gives up
//! after 64*T1, tells the TU, and terminates.

mod txn_support;

use txn_support::{Harness, invite, reply, statuses};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{Timer, TxEvent, TxKey};

#[test]
fn missing_ack_times_out_with_timer_h() {
    let mut h = Harness::new();
    let request = invite("z9hG4bKh-noack");
    let key = h.accept(request.clone(), Transport::Udp);
    h.run_until(1_000);
    h.respond(key, reply(&request, 480));
    h.transmits();
    let sent = h.run_until(32_999);
    assert_eq!(statuses(&sent).len(), 10, "G keeps resending until H");
    assert!(h.events().is_empty());
    assert!(h.run_until(33_000).is_empty());
    assert_eq!(
        h.events(),
        [
            TxEvent::Timeout {
                key: TxKey::Server(key),
                timer: Timer::H
            },
            TxEvent::Terminated {
                key: TxKey::Server(key)
            },
        ]
    );
    assert_eq!(h.layer.server_count(), 0);
    // A late ACK now matches nothing and goes to the TU as a stray 2xx-style ACK.
    h.receive(
        txn_support::request("ACK", "z9hG4bKh-noack", 1),
        Transport::Udp,
    );
    assert!(matches!(h.events()[..], [TxEvent::Ack { key: None, .. }]));
}
