//! RFC 3261 §17: over a reliable transport (TCP) timers A, E and G never run, and the
//! wait timers D, I, J and K are zero, so transactions end as soon as they complete.

mod txn_support;

use txn_support::{Harness, invite, outgoing, reply, request};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{TxEvent, TxKey};

fn terminated(events: &[TxEvent], key: TxKey) -> bool {
    events.contains(&TxEvent::Terminated { key })
}

#[test]
fn invite_client_over_tcp_never_retransmits_and_skips_timer_d() {
    let mut h = Harness::new();
    let inv = outgoing("INVITE", "z9hG4bKtcp-ic", 1);
    let key = h.send(inv.clone(), Transport::Tcp);
    assert_eq!(h.transmits().len(), 1);
    assert!(h.run_until(31_000).is_empty(), "no Timer A over TCP");
    h.receive(reply(&inv, 503), Transport::Tcp);
    let sent = h.transmits();
    assert_eq!(sent.len(), 1, "the ACK is still sent");
    assert_eq!(sent[0].transport, Transport::Tcp);
    assert!(terminated(&h.events(), TxKey::Client(key)), "Timer D = 0");
}

#[test]
fn non_invite_client_over_tcp_never_retransmits_and_skips_timer_k() {
    let mut h = Harness::new();
    let options = outgoing("OPTIONS", "z9hG4bKtcp-nic", 1);
    let key = h.send(options.clone(), Transport::Tcp);
    h.transmits();
    assert!(h.run_until(20_000).is_empty(), "no Timer E over TCP");
    h.receive(reply(&options, 200), Transport::Tcp);
    assert!(terminated(&h.events(), TxKey::Client(key)), "Timer K = 0");
}

#[test]
fn invite_server_over_tcp_skips_timer_g_and_timer_i() {
    let mut h = Harness::new();
    let inv = invite("z9hG4bKtcp-is");
    let key = h.accept(inv.clone(), Transport::Tcp);
    h.respond(key, reply(&inv, 486));
    h.transmits();
    assert!(h.run_until(10_000).is_empty(), "no Timer G over TCP");
    h.receive(request("ACK", "z9hG4bKtcp-is", 1), Transport::Tcp);
    assert!(terminated(&h.events(), TxKey::Server(key)), "Timer I = 0");
}

#[test]
fn invite_server_over_tcp_still_runs_timer_h() {
    let mut h = Harness::new();
    let inv = invite("z9hG4bKtcp-h");
    let key = h.accept(inv.clone(), Transport::Tcp);
    h.respond(key, reply(&inv, 486));
    h.run_until(32_000);
    assert!(h.events().contains(&TxEvent::Timeout {
        key: TxKey::Server(key),
        timer: witswitch_sip::transaction::Timer::H
    }));
}

#[test]
fn non_invite_server_over_tcp_skips_timer_j() {
    let mut h = Harness::new();
    let options = request("OPTIONS", "z9hG4bKtcp-nis", 1);
    let key = h.accept(options.clone(), Transport::Tcp);
    h.respond(key, reply(&options, 200));
    assert!(terminated(&h.events(), TxKey::Server(key)), "Timer J = 0");
    assert_eq!(h.layer.server_count(), 0);
}
