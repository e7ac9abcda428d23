//! 2xx to INVITE (RFC 3261 §13.3.1.4, §17.1.1.2 as updated by RFC 6026): the client
//! passes every 2xx, retransmissions included, to the TU for Timer M; the server enters
//! Accepted, absorbs INVITE retransmissions, sends each 2xx the TU retransmits, hands a
//! matching ACK to the TU, and ends on Timer L.

mod txn_support;

use txn_support::{Harness, invite, only_response, outgoing, reply, request};
use witswitch_sip::transaction::{
    ClientState, InviteClientState, InviteServerState, ServerState, TxEvent, TxKey,
};
use witswitch_sip::{Message, Method, Transport};

#[test]
fn client_passes_each_2xx_to_the_tu_until_timer_m() {
    let mut h = Harness::new();
    let inv = outgoing("INVITE", "z9hG4bK2xx-client", 1);
    let key = h.send(inv.clone(), Transport::Udp);
    h.transmits();
    let ok = reply(&inv, 200);
    h.receive(ok.clone(), Transport::Udp);
    assert_eq!(
        h.events(),
        [TxEvent::Response {
            key,
            response: ok.clone()
        }]
    );
    assert_eq!(
        h.layer.client_state(key),
        Some(ClientState::Invite(InviteClientState::Accepted))
    );
    assert!(h.run_until(4_000).is_empty(), "Timer A stopped by the 2xx");
    h.receive(ok.clone(), Transport::Udp);
    assert_eq!(h.events(), [TxEvent::Response { key, response: ok }]);
    // The TU ACKs the 2xx itself, statelessly.
    let mut ack = request("ACK", "z9hG4bK2xx-client-ack", 1);
    ack.headers.set_to_tag("uas-tag").unwrap();
    h.layer
        .send_stateless(Message::Request(ack), txn_support::peer(), Transport::Udp);
    let sent = h.transmits();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].key, None);
    h.run_until(32_000);
    assert_eq!(
        h.events(),
        [TxEvent::Terminated {
            key: TxKey::Client(key)
        }]
    );
}

#[test]
fn server_accepted_absorbs_invites_sends_tu_retransmissions_and_passes_ack() {
    let mut h = Harness::new();
    let inv = invite("z9hG4bK2xx-server");
    let key = h.accept(inv.clone(), Transport::Udp);
    let ok = reply(&inv, 200);
    h.respond(key, ok.clone());
    assert_eq!(only_response(&h.transmits()), &ok);
    assert_eq!(
        h.layer.server_state(key),
        Some(ServerState::Invite(InviteServerState::Accepted))
    );
    assert!(
        h.run_until(10_000).is_empty(),
        "the layer never retransmits a 2xx"
    );

    h.receive(inv.clone(), Transport::Udp);
    assert!(h.transmits().is_empty(), "INVITE retransmission absorbed");
    assert!(h.events().is_empty());

    h.respond(key, ok.clone()); // the TU's own 2xx retransmission
    assert_eq!(only_response(&h.transmits()), &ok);

    // An ACK reusing the INVITE branch matches the Accepted transaction.
    let mut ack = request("ACK", "z9hG4bK2xx-server", 1);
    ack.headers.set_to_tag("uas-tag").unwrap();
    h.receive(ack, Transport::Udp);
    let events = h.events();
    assert!(matches!(
        &events[..],
        [TxEvent::Ack { key: Some(k), request, .. }] if *k == key && request.method == Method::Ack
    ));

    h.run_until(31_999);
    assert!(h.events().is_empty());
    h.run_until(32_000); // Timer L from the first 2xx at 0
    assert_eq!(
        h.events(),
        [TxEvent::Terminated {
            key: TxKey::Server(key)
        }]
    );
}

#[test]
fn ack_with_a_new_branch_goes_to_the_tu_without_a_key() {
    let mut h = Harness::new();
    let inv = invite("z9hG4bK2xx-newbranch");
    let key = h.accept(inv.clone(), Transport::Udp);
    h.respond(key, reply(&inv, 200));
    h.receive(request("ACK", "z9hG4bK2xx-ack-branch", 1), Transport::Udp);
    assert!(matches!(h.events()[..], [TxEvent::Ack { key: None, .. }]));
    assert_eq!(h.layer.server_count(), 1, "no transaction for an ACK");
}
