//! RFC 3261 §17.2.3 fallback for RFC 2543 peers (branch without `z9hG4bK`): requests
//! match by Request-URI, From tag, Call-ID, CSeq, top Via and To tag; the ACK matches
//! when its To tag is the one of our response.

mod txn_support;

use txn_support::{Harness, invite, only_response, reply, request};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{InviteServerState, ServerState, TxEvent};

#[test]
fn legacy_invite_retransmission_and_ack_match() {
    let mut h = Harness::new();
    let inv = invite("oldstyle-1");
    let key = h.accept(inv.clone(), Transport::Udp);
    h.receive(inv.clone(), Transport::Udp);
    assert_eq!(only_response(&h.transmits()).status, 100);
    assert!(h.events().is_empty());

    h.respond(key, reply(&inv, 486));
    h.transmits();
    // An ACK with a To tag other than ours does not match.
    let mut wrong = request("ACK", "oldstyle-1", 1);
    wrong.headers.set_to_tag("someone-else").unwrap();
    h.receive(wrong, Transport::Udp);
    assert!(matches!(h.events()[..], [TxEvent::Ack { key: None, .. }]));
    assert_eq!(
        h.layer.server_state(key),
        Some(ServerState::Invite(InviteServerState::Completed))
    );

    let mut ack = request("ACK", "oldstyle-1", 1);
    ack.headers.set_to_tag("uas-tag").unwrap();
    h.receive(ack, Transport::Udp);
    assert!(h.events().is_empty());
    assert_eq!(
        h.layer.server_state(key),
        Some(ServerState::Invite(InviteServerState::Confirmed))
    );
}

#[test]
fn legacy_requests_differing_in_cseq_are_distinct() {
    let mut h = Harness::new();
    h.accept(request("OPTIONS", "oldstyle-2", 1), Transport::Udp);
    h.accept(request("OPTIONS", "oldstyle-2", 2), Transport::Udp);
    assert_eq!(h.layer.server_count(), 2);
}
