//! Late offer (RFC 3264 §4 with RFC 3261 §13.2.1): an INVITE without SDP gets the offer
//! in the 200 and the answer in the ACK, which the engine supplies with `ack`.

mod dialog_support;

use dialog_support::*;
use witswitch_sip::dialog::{OutgoingInvite, UaError, UaEvent};
use witswitch_sip::{HeaderName, NameAddr, Uri};

#[test]
fn offerless_invite_waits_for_the_engines_answer_before_acking() {
    let mut net = Net::pair();
    let spec = OutgoingInvite::new(
        Uri::parse("sip:2000@198.51.100.1:5080").unwrap(),
        NameAddr::parse("<sip:1000@192.0.2.1>").unwrap(),
        NameAddr::parse("<sip:2000@198.51.100.1>").unwrap(),
        addr_b(),
    );
    let call = net
        .ua(A, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap();
    net.flush();
    let theirs = match net.node(B).take_events().as_slice() {
        [
            UaEvent::IncomingInvite {
                dialog, request, ..
            },
        ] => {
            assert!(request.body.is_empty());
            assert_eq!(request.header(&HeaderName::ContentType), None);
            *dialog
        }
        other => panic!("{other:?}"),
    };
    // The callee's 200 carries the offer.
    net.ua(B, |ua, now, layer| ua.answer(now, layer, theirs, OFFER))
        .unwrap();
    net.flush();
    assert!(matches!(
        net.node(A).take_events().as_slice(),
        [UaEvent::Answered { sdp: Some(sdp), .. }] if sdp == OFFER
    ));
    // No ACK yet; the 200's retransmission is neither ACKed nor treated as a fork.
    net.advance(600);
    let from_a: Vec<String> = net.sent_by(A).iter().map(|s| s.label()).collect();
    assert_eq!(from_a, ["INVITE"]);
    assert!(net.node(A).take_events().is_empty());

    net.ua(A, |ua, _, layer| ua.ack(layer, call, ANSWER))
        .unwrap();
    net.flush();
    let ack = net
        .sent_by(A)
        .into_iter()
        .find(|s| s.label() == "ACK")
        .and_then(|s| s.request().cloned())
        .unwrap();
    assert_eq!(ack.body, ANSWER);
    assert_eq!(ack.content_type(), Some("application/sdp"));
    assert_eq!(
        net.node(B).take_events(),
        [UaEvent::AckReceived {
            dialog: theirs,
            sdp: Some(ANSWER.to_vec())
        }]
    );
    assert_eq!(
        net.ua(A, |ua, _, layer| ua.ack(layer, call, ANSWER)),
        Err(UaError::NoAckPending(call))
    );
    // The ACK stopped the callee's 200 retransmissions.
    let before = net.sent_by(A).len();
    net.advance(5_000);
    assert_eq!(net.sent_by(A).len(), before, "B saw the ACK: no more 200s");
}
