//! re-INVITE (RFC 3261 §14): a hold offer passes to the engine as an event and its
//! answer goes back in the 200; our own re-INVITE is ACKed automatically; glare gets
//! 491 on both sides with the §14.1 retry delays.

mod dialog_support;

use std::time::Duration;

use dialog_support::*;
use witswitch_sip::dialog::{Reply, UaError, UaEvent};

#[test]
fn hold_offer_passes_through_and_is_answered() {
    let mut net = Net::pair();
    let (ours, theirs) = inbound_call(&mut net);
    net.ua(B, |ua, now, layer| ua.reinvite(now, layer, theirs, HOLD))
        .unwrap();
    net.flush();
    let events = net.node(A).take_events();
    match events.as_slice() {
        [
            UaEvent::ReInvite {
                dialog,
                sdp,
                request,
            },
        ] => {
            assert_eq!(*dialog, ours);
            assert_eq!(sdp.as_deref(), Some(HOLD));
            assert_eq!(request.cseq().unwrap().seq, 2);
        }
        other => panic!("{other:?}"),
    }
    // While it is pending, our own re-INVITE would be glare: refused locally.
    assert_eq!(
        net.ua(A, |ua, now, layer| ua.reinvite(now, layer, ours, ANSWER)),
        Err(UaError::InviteInProgress(ours))
    );
    let held_answer = b"v=0\r\nm=audio 16384 RTP/AVP 0\r\na=recvonly\r\n".to_vec();
    net.ua(A, |ua, now, layer| {
        ua.respond(now, layer, ours, Reply::new(200).sdp(held_answer.clone()))
    })
    .unwrap();
    net.flush();
    assert!(matches!(
        net.node(B).take_events().as_slice(),
        [UaEvent::ReInviteResult { status: 200, sdp: Some(sdp), retry_after: None, .. }]
            if *sdp == held_answer
    ));
    assert_eq!(
        net.node(A).take_events(),
        [UaEvent::AckReceived {
            dialog: ours,
            sdp: None
        }]
    );
    // The ACK of the re-INVITE carries its CSeq number.
    let ack = net
        .sent_by(B)
        .into_iter()
        .rev()
        .find(|s| s.label() == "ACK")
        .and_then(|s| s.request().cloned())
        .unwrap();
    assert_eq!(ack.cseq().unwrap().seq, 2);

    // Unhold from our side now works, and the peer sees our offer.
    net.ua(A, |ua, now, layer| ua.reinvite(now, layer, ours, ANSWER))
        .unwrap();
    net.flush();
    assert!(matches!(
        net.node(B).take_events().as_slice(),
        [UaEvent::ReInvite { sdp: Some(sdp), .. }] if sdp == ANSWER
    ));
}

#[test]
fn glare_gets_491_both_ways_with_section_14_1_delays() {
    let mut net = Net::pair();
    let (ours, theirs) = inbound_call(&mut net);
    // Both send before either arrives.
    net.ua(A, |ua, now, layer| ua.reinvite(now, layer, ours, ANSWER))
        .unwrap();
    net.ua(B, |ua, now, layer| ua.reinvite(now, layer, theirs, HOLD))
        .unwrap();
    net.flush();
    let delay_of = |events: Vec<UaEvent>| -> Duration {
        match events.as_slice() {
            [
                UaEvent::ReInviteResult {
                    status: 491,
                    retry_after: Some(delay),
                    ..
                },
            ] => *delay,
            other => panic!("{other:?}"),
        }
    };
    // B placed the call, so B owns the Call-ID: 2.1-4 s; A waits 0-2 s.
    let a = delay_of(net.node(A).take_events());
    let b = delay_of(net.node(B).take_events());
    assert!(a <= Duration::from_secs(2), "{a:?}");
    assert!(
        (Duration::from_millis(2100)..=Duration::from_secs(4)).contains(&b),
        "{b:?}"
    );
    // After the 491s both sides may try again.
    net.ua(A, |ua, now, layer| ua.reinvite(now, layer, ours, ANSWER))
        .unwrap();
    net.flush();
    assert!(matches!(
        net.node(B).take_events().as_slice(),
        [UaEvent::ReInvite { .. }]
    ));
}
