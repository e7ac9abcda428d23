//! Timer E (RFC 3261 §17.1.2.2): a non-INVITE client on UDP retransmits at T1, then
//! doubles the interval up to T2; once Proceeding it retransmits every T2.

mod txn_support;

use txn_support::{Harness, methods, outgoing, reply};
use witswitch_sip::Transport;

fn retransmission_times(sent: &[(u64, witswitch_sip::transaction::Transmit)]) -> Vec<u64> {
    methods(sent).iter().map(|(at, _)| *at).collect()
}

#[test]
fn trying_doubles_the_interval_up_to_t2() {
    let mut h = Harness::new();
    h.send(outgoing("OPTIONS", "z9hG4bKe-trying", 1), Transport::Udp);
    h.transmits();
    let sent = h.run_until(20_000);
    // Intervals 500, 1000, 2000, then capped at T2 = 4000.
    assert_eq!(
        retransmission_times(&sent),
        [500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500]
    );
    assert!(methods(&sent).iter().all(|(_, m)| m == "OPTIONS"));
}

#[test]
fn proceeding_retransmits_every_t2() {
    let mut h = Harness::new();
    let request = outgoing("REGISTER", "z9hG4bKe-proceeding", 1);
    h.send(request.clone(), Transport::Udp);
    h.transmits();
    h.run_until(600); // retransmission at 500, next one armed for 1500
    h.receive(reply(&request, 100), Transport::Udp);
    let sent = h.run_until(14_000);
    // The already armed 1500 fires, then T2 from each firing.
    assert_eq!(retransmission_times(&sent), [1_500, 5_500, 9_500, 13_500]);
}
