//! RFC 3261 §9.2: a CANCEL is its own non-INVITE server transaction, matched to the
//! INVITE server transaction with the same branch and sent-by (method aside), so the TU
//! can answer the CANCEL 200 and the INVITE 487 — or 481 when nothing matches.

mod txn_support;

use txn_support::{Harness, invite, only_response, reply, request, statuses};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{CancelTarget, ServerTxKey, TxEvent};

fn cancel_event(h: &mut Harness) -> (ServerTxKey, CancelTarget) {
    let events = h.events();
    match &events[..] {
        [
            TxEvent::Cancel {
                key,
                target,
                request,
                ..
            },
        ] => {
            assert_eq!(request.method, witswitch_sip::Method::Cancel);
            (*key, *target)
        }
        other => panic!("expected one Cancel event, got {other:?}"),
    }
}

#[test]
fn cancel_of_a_ringing_invite_finds_it() {
    let mut h = Harness::new();
    let inv = invite("z9hG4bKcancel-ring");
    let invite_key = h.accept(inv.clone(), Transport::Udp);
    h.respond(invite_key, reply(&inv, 180));
    h.transmits();

    let cancel = request("CANCEL", "z9hG4bKcancel-ring", 1);
    h.receive(cancel.clone(), Transport::Udp);
    assert!(h.transmits().is_empty(), "no automatic response to CANCEL");
    let (cancel_key, target) = cancel_event(&mut h);
    assert_eq!(target, CancelTarget::Pending(invite_key));
    assert_ne!(cancel_key, invite_key);

    // The TU answers both; the ACK for the 487 ends the INVITE transaction.
    h.respond(cancel_key, reply(&cancel, 200));
    h.respond(invite_key, reply(&inv, 487));
    let sent: Vec<(u64, _)> = h.transmits().into_iter().map(|t| (0, t)).collect();
    assert_eq!(statuses(&sent), [(0, 200), (0, 487)]);
    h.receive(request("ACK", "z9hG4bKcancel-ring", 1), Transport::Udp);
    assert!(h.events().is_empty(), "ACK for 487 absorbed");

    // A retransmitted CANCEL gets its 200 again, not a second event.
    h.receive(cancel, Transport::Udp);
    assert_eq!(only_response(&h.transmits()).status, 200);
    assert!(h.events().is_empty());
}

#[test]
fn cancel_after_the_final_response_is_answered_but_not_pending() {
    let mut h = Harness::new();
    let inv = invite("z9hG4bKcancel-late");
    let invite_key = h.accept(inv.clone(), Transport::Udp);
    h.respond(invite_key, reply(&inv, 200));
    h.receive(request("CANCEL", "z9hG4bKcancel-late", 1), Transport::Udp);
    let (_, target) = cancel_event(&mut h);
    assert_eq!(target, CancelTarget::Answered(invite_key));
}

#[test]
fn cancel_without_an_invite_is_not_found() {
    let mut h = Harness::new();
    h.accept(invite("z9hG4bKcancel-other"), Transport::Udp);
    h.receive(request("CANCEL", "z9hG4bKcancel-none", 1), Transport::Udp);
    let (cancel_key, target) = cancel_event(&mut h);
    assert_eq!(target, CancelTarget::NotFound);
    assert!(h.layer.server_state(cancel_key).is_some());
}

#[test]
fn cancel_from_another_sent_by_does_not_match() {
    let mut h = Harness::new();
    h.accept(invite("z9hG4bKcancel-spoof"), Transport::Udp);
    let mut cancel = request("CANCEL", "z9hG4bKcancel-spoof", 1);
    cancel.headers.set(
        witswitch_sip::HeaderName::Via,
        "SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bKcancel-spoof",
    );
    h.receive(cancel, Transport::Udp);
    let (cancel_key, target) = cancel_event(&mut h);
    assert_eq!(target, CancelTarget::NotFound);
    assert!(h.layer.server_state(cancel_key).is_some());
    assert_eq!(h.layer.server_count(), 2, "the INVITE is untouched");
}
