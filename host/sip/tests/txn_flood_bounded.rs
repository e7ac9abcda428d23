//! Memory stays bounded under a flood of distinct requests: terminated transactions are
//! removed, a full table evicts transactions that only absorb retransmissions, and when
//! every slot holds live work a new request is answered 503 statelessly.

mod txn_support;

use txn_support::{Harness, only_response, reply, request};
use witswitch_sip::transaction::{TransactionConfig, TransactionError, TxEvent};
use witswitch_sip::{HeaderName, Transport};

fn small_table(max: usize) -> Harness {
    Harness::with_config(TransactionConfig {
        max_server_transactions: max,
        ..TransactionConfig::default()
    })
}

#[test]
fn answered_requests_are_evicted_to_make_room() {
    let mut h = small_table(8);
    for n in 0..1_000u32 {
        let options = request("OPTIONS", &format!("z9hG4bKflood-{n}"), n);
        let key = h.accept(options.clone(), Transport::Udp);
        h.respond(key, reply(&options, 200));
        h.transmits();
        assert!(h.layer.server_count() <= 8);
    }
    assert_eq!(h.layer.server_count(), 8);
    assert_eq!(h.layer.stats().evicted, 992);
    assert_eq!(h.layer.stats().overload_rejected, 0);
    // Everything still ends on Timer J; nothing is left afterwards.
    h.run_until(32_000);
    assert_eq!(h.layer.server_count(), 0);
    assert_eq!(h.layer.poll_timeout(), None);
}

#[test]
fn unanswered_requests_fill_the_table_then_get_503() {
    let mut h = small_table(4);
    for n in 0..4u32 {
        h.accept(
            request("INVITE", &format!("z9hG4bKbusy-{n}"), 1),
            Transport::Udp,
        );
    }
    let extra = request("INVITE", "z9hG4bKbusy-extra", 1);
    let result = h.layer.handle_incoming(
        h.now,
        extra.clone().into(),
        txn_support::peer(),
        Transport::Udp,
    );
    assert_eq!(result, Err(TransactionError::Overloaded));
    let sent = h.transmits();
    let rejection = only_response(&sent);
    assert_eq!(rejection.status, 503);
    assert_eq!(rejection.headers.get(&HeaderName::RetryAfter), Some("5"));
    assert!(
        rejection.to().unwrap().tag().is_some(),
        "a final response has a To tag"
    );
    assert_eq!(sent[0].key, None, "stateless");
    assert!(
        h.events()
            .iter()
            .all(|e| !matches!(e, TxEvent::NewRequest { .. }))
    );
    assert_eq!(h.layer.server_count(), 4);

    // The same request retransmitted gets the same To tag (RFC 3261 §8.2.7).
    let again = h
        .layer
        .handle_incoming(h.now, extra.into(), txn_support::peer(), Transport::Udp);
    assert_eq!(again, Err(TransactionError::Overloaded));
    let second = h.transmits();
    assert_eq!(only_response(&second), rejection);
}

#[test]
fn finished_transactions_leave_nothing_behind() {
    let mut h = Harness::new();
    for n in 0..500u32 {
        let options = request("OPTIONS", &format!("z9hG4bKgone-{n}"), n);
        let key = h.accept(options.clone(), Transport::Udp);
        h.respond(key, reply(&options, 200));
    }
    h.transmits();
    assert_eq!(h.layer.server_count(), 500);
    h.run_until(40_000);
    assert_eq!(h.layer.server_count(), 0);
    assert_eq!(h.layer.poll_timeout(), None);
}
