//! Timer A (RFC 3261 §17.1.1.2): over UDP an INVITE client retransmits at T1, 2*T1,
//! 4*T1, ... with no T2 cap, and stops as soon as a provisional response arrives.

mod txn_support;

use txn_support::{Harness, methods, outgoing, reply};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{ClientState, InviteClientState};

#[test]
fn invite_retransmissions_double_without_t2_cap() {
    let mut h = Harness::new();
    h.send(outgoing("INVITE", "z9hG4bKa-double", 1), Transport::Udp);
    assert_eq!(h.transmits().len(), 1, "the original goes out at once");
    assert!(h.run_until(499).is_empty(), "nothing more before T1");
    let sent = h.run_until(31_999);
    let times: Vec<u64> = methods(&sent).iter().map(|(at, _)| *at).collect();
    // Intervals 500, 1000, 2000, 4000, 8000, 16000: doubling past T2 (4 s).
    assert_eq!(times, [500, 1_500, 3_500, 7_500, 15_500, 31_500]);
    assert!(methods(&sent).iter().all(|(_, m)| m == "INVITE"));
}

#[test]
fn first_transmission_is_immediate_and_identical_to_retransmissions() {
    let mut h = Harness::new();
    let invite = outgoing("INVITE", "z9hG4bKa-same", 1);
    h.send(invite.clone(), Transport::Udp);
    let first = h.transmits();
    assert_eq!(first.len(), 1);
    let retransmitted = h.run_until(500);
    assert_eq!(retransmitted.len(), 1);
    assert_eq!(retransmitted[0].1.message, first[0].message);
    assert_eq!(first[0].message, invite.into());
}

#[test]
fn provisional_response_stops_timer_a() {
    let mut h = Harness::new();
    let invite = outgoing("INVITE", "z9hG4bKa-stop", 1);
    let key = h.send(invite.clone(), Transport::Udp);
    h.run_until(600); // one retransmission at 500
    h.receive(reply(&invite, 180), Transport::Udp);
    assert_eq!(
        h.layer.client_state(key),
        Some(ClientState::Invite(InviteClientState::Proceeding))
    );
    assert!(
        h.run_until(120_000).is_empty(),
        "no retransmission after 180"
    );
    assert_eq!(
        h.layer.poll_timeout(),
        None,
        "Timer B does not run in Proceeding"
    );
}
