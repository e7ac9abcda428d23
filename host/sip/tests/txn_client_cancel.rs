//! RFC 3261 §9.1: the client CANCELs an INVITE only after a provisional response, as a
//! separate non-INVITE transaction with the INVITE's branch; the 487 that follows is
//! ACKed inside the INVITE transaction, and an INVITE that never gets its final response
//! after the CANCEL is destroyed after 64*T1.

mod txn_support;

use txn_support::{Harness, methods, only_request, outgoing, reply};
use witswitch_sip::transaction::{
    ClientState, InviteClientState, Timer, TransactionError, TxEvent, TxKey,
};
use witswitch_sip::{CSeq, Method, Transport};

#[test]
fn cancel_waits_for_a_provisional_response() {
    let mut h = Harness::new();
    let inv = outgoing("INVITE", "z9hG4bKcc-early", 9);
    let key = h.send(inv, Transport::Udp);
    assert_eq!(
        h.layer.cancel(h.now, key),
        Err(TransactionError::CancelNotAllowed {
            state: ClientState::Invite(InviteClientState::Calling)
        })
    );
}

#[test]
fn cancel_then_487_then_ack() {
    let mut h = Harness::new();
    let inv = outgoing("INVITE", "z9hG4bKcc-ring", 9);
    let invite_key = h.send(inv.clone(), Transport::Udp);
    h.transmits();
    h.receive(reply(&inv, 180), Transport::Udp);
    h.events();

    let cancel_key = h.layer.cancel(h.now, invite_key).expect("CANCEL allowed");
    let sent = h.transmits();
    let cancel = only_request(&sent);
    assert_eq!(cancel.method, Method::Cancel);
    assert_eq!(cancel.via_top().unwrap().branch(), Some("z9hG4bKcc-ring"));
    assert_eq!(cancel.cseq().unwrap(), CSeq::new(9, Method::Cancel));
    assert_eq!(cancel.to().unwrap(), inv.to().unwrap());

    // The CANCEL is retransmitted on Timer E like any non-INVITE request.
    let resent = h.run_until(500);
    assert_eq!(methods(&resent), [(500, "CANCEL".to_owned())]);

    // 200 to CANCEL and 487 to INVITE go to their own transactions.
    let cancel_ok = reply(cancel, 200);
    h.receive(cancel_ok.clone(), Transport::Udp);
    h.receive(reply(&inv, 487), Transport::Udp);
    let events = h.events();
    assert!(events.contains(&TxEvent::Response {
        key: cancel_key,
        response: cancel_ok
    }));
    assert!(events.iter().any(|e| matches!(
        e,
        TxEvent::Response { key, response } if *key == invite_key && response.status == 487
    )));
    let ack = only_request(&h.transmits()).clone();
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.cseq().unwrap(), CSeq::new(9, Method::Ack));
}

#[test]
fn invite_without_a_final_response_after_cancel_is_destroyed_after_64_t1() {
    let mut h = Harness::new();
    let inv = outgoing("INVITE", "z9hG4bKcc-dead", 3);
    let invite_key = h.send(inv.clone(), Transport::Udp);
    h.receive(reply(&inv, 183), Transport::Udp);
    h.run_until(5_000);
    let cancel_key = h.layer.cancel(h.now, invite_key).expect("CANCEL allowed");
    h.run_until(36_999);
    assert!(h.layer.client_state(invite_key).is_some());
    h.run_until(37_000);
    let events = h.events();
    assert!(events.contains(&TxEvent::Timeout {
        key: TxKey::Client(invite_key),
        timer: Timer::B
    }));
    assert!(events.contains(&TxEvent::Timeout {
        key: TxKey::Client(cancel_key),
        timer: Timer::F
    }));
    assert_eq!(h.layer.client_count(), 0);
}
