//! Timer F (RFC 3261 §17.1.2.2): a non-INVITE client with no final response after
//! 64*T1 tells the TU it timed out and terminates, whether or not a provisional came.

mod txn_support;

use txn_support::{Harness, outgoing, reply};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{Timer, TxEvent, TxKey};

fn timed_out(h: &mut Harness, key: witswitch_sip::transaction::ClientTxKey) {
    assert_eq!(
        h.events(),
        [
            TxEvent::Timeout {
                key: TxKey::Client(key),
                timer: Timer::F
            },
            TxEvent::Terminated {
                key: TxKey::Client(key)
            },
        ]
    );
    assert_eq!(h.layer.client_state(key), None);
}

#[test]
fn no_response_times_out_at_64_t1() {
    let mut h = Harness::new();
    let key = h.send(outgoing("OPTIONS", "z9hG4bKf-silent", 1), Transport::Udp);
    h.run_until(31_999);
    assert!(h.events().is_empty());
    h.run_until(32_000);
    timed_out(&mut h, key);
}

#[test]
fn provisional_only_still_times_out_at_64_t1() {
    let mut h = Harness::new();
    let request = outgoing("SUBSCRIBE", "z9hG4bKf-provisional", 1);
    let key = h.send(request.clone(), Transport::Udp);
    h.receive(reply(&request, 100), Transport::Udp);
    assert_eq!(h.events().len(), 1, "the 100 goes to the TU");
    h.run_until(32_000);
    timed_out(&mut h, key);
}

#[test]
fn timer_f_also_runs_on_reliable_transports() {
    let mut h = Harness::new();
    let key = h.send(outgoing("OPTIONS", "z9hG4bKf-tcp", 1), Transport::Tcp);
    h.transmits();
    assert!(h.run_until(32_000).is_empty(), "no retransmission over TCP");
    timed_out(&mut h, key);
}
