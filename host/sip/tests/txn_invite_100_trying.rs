//! RFC 3261 §17.2.1: the INVITE server transaction sends 100 Trying. This layer sends it
//! immediately (it cannot know that the TU will answer within 200 ms), copying the
//! Via, From, To (without adding a tag), Call-ID, CSeq and Timestamp headers.

mod txn_support;

use txn_support::{Harness, invite, only_response, peer, request};
use witswitch_sip::transaction::{TxEvent, TxKey};
use witswitch_sip::{HeaderName, Transport};

#[test]
fn invite_gets_100_trying_at_once_and_reaches_the_tu() {
    let mut h = Harness::new();
    let mut request = invite("z9hG4bKtrying");
    request.headers.push(HeaderName::Timestamp, "54.2");
    h.receive(request.clone(), Transport::Udp);

    let sent = h.transmits();
    let trying = only_response(&sent);
    assert_eq!(sent[0].dest, peer());
    assert_eq!(trying.status, 100);
    assert_eq!(trying.reason, "Trying");
    for name in [
        HeaderName::Via,
        HeaderName::From,
        HeaderName::To,
        HeaderName::CallId,
        HeaderName::CSeq,
        HeaderName::Timestamp,
    ] {
        assert_eq!(
            trying.headers.get(&name),
            request.headers.get(&name),
            "{name}"
        );
    }
    assert_eq!(trying.to().unwrap().tag(), None);

    let events = h.events();
    let [
        TxEvent::NewRequest {
            key,
            request: got,
            source,
            transport,
        },
    ] = &events[..]
    else {
        panic!("expected one NewRequest, got {events:?}");
    };
    assert_eq!(got, &request);
    assert_eq!(*source, peer());
    assert_eq!(*transport, Transport::Udp);
    assert_eq!(sent[0].key, Some(TxKey::Server(*key)));
}

#[test]
fn non_invite_requests_get_no_automatic_response() {
    let mut h = Harness::new();
    h.receive(
        request("OPTIONS", "z9hG4bKtrying-options", 1),
        Transport::Udp,
    );
    assert!(h.transmits().is_empty());
    assert!(matches!(h.events()[..], [TxEvent::NewRequest { .. }]));
}
