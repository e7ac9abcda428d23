//! Timer B (RFC 3261 §17.1.1.2): an INVITE client that hears nothing for 64*T1 tells
//! the TU it timed out and terminates.

mod txn_support;

use txn_support::{Harness, methods, outgoing};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{Timer, TimerConfig, TxEvent, TxKey};

#[test]
fn silence_for_64_t1_times_out_with_timer_b() {
    let mut h = Harness::new();
    let key = h.send(outgoing("INVITE", "z9hG4bKb-timeout", 1), Transport::Udp);
    h.transmits();
    let sent = h.run_until(31_999);
    assert!(h.events().is_empty(), "no event before 64*T1");
    assert_eq!(methods(&sent).len(), 6);
    assert!(h.run_until(32_000).is_empty());
    assert_eq!(
        h.events(),
        [
            TxEvent::Timeout {
                key: TxKey::Client(key),
                timer: Timer::B
            },
            TxEvent::Terminated {
                key: TxKey::Client(key)
            },
        ]
    );
    assert_eq!(h.layer.client_state(key), None);
    assert_eq!(h.layer.client_count(), 0);
    assert_eq!(h.layer.stats().timeouts, 1);
}

#[test]
fn timer_b_follows_a_configured_t1() {
    let mut h = Harness::with_timers(TimerConfig {
        t1: std::time::Duration::from_millis(100),
        ..TimerConfig::default()
    });
    let key = h.send(outgoing("INVITE", "z9hG4bKb-t1", 1), Transport::Udp);
    h.transmits();
    let sent = h.run_until(6_400);
    let times: Vec<u64> = methods(&sent).iter().map(|(at, _)| *at).collect();
    assert_eq!(times, [100, 300, 700, 1_500, 3_100, 6_300]);
    assert!(h.events().contains(&TxEvent::Timeout {
        key: TxKey::Client(key),
        timer: Timer::B
    }));
}

#[test]
fn a_zero_t1_from_configuration_cannot_stall_the_timers() {
    let mut h = Harness::with_timers(TimerConfig {
        t1: std::time::Duration::ZERO,
        t2: std::time::Duration::ZERO,
        t4: std::time::Duration::ZERO,
    });
    assert_eq!(
        h.layer.config().timers.t1,
        std::time::Duration::from_millis(1)
    );
    let key = h.send(outgoing("INVITE", "z9hG4bKb-zero", 1), Transport::Udp);
    h.transmits();
    // T1 becomes 1 ms: A at 1, 3, 7, 15, 31, 63 ms, then B at 64 ms.
    let sent = h.run_until(64);
    let times: Vec<u64> = methods(&sent).iter().map(|(at, _)| *at).collect();
    assert_eq!(times, [1, 3, 7, 15, 31, 63]);
    assert!(h.events().contains(&TxEvent::Timeout {
        key: TxKey::Client(key),
        timer: Timer::B
    }));
}
