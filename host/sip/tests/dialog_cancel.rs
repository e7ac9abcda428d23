//! CANCEL both ways (RFC 3261 §9): ours waits for a provisional response; the peer's is
//! answered 200 and its INVITE 487 by the agent; a 2xx crossing our CANCEL is ACKed and
//! BYEd.

mod dialog_support;

use dialog_support::*;
use witswitch_sip::dialog::{
    DialogKey, OutgoingInvite, Reply, TerminationReason, UaError, UaEvent,
};
use witswitch_sip::{NameAddr, Uri};

fn call_b(net: &mut Net) -> DialogKey {
    let mut spec = OutgoingInvite::new(
        Uri::parse("sip:2000@198.51.100.1:5080").unwrap(),
        NameAddr::parse("<sip:1000@192.0.2.1>").unwrap(),
        NameAddr::parse("<sip:2000@198.51.100.1>").unwrap(),
        addr_b(),
    );
    spec.sdp = Some(OFFER.to_vec());
    net.ua(A, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap()
}

fn incoming(net: &mut Net, node: usize) -> DialogKey {
    let events = net.node(node).take_events();
    match events.as_slice() {
        [UaEvent::IncomingInvite { dialog, .. }] => *dialog,
        other => panic!("{other:?}"),
    }
}

fn labels(net: &Net) -> Vec<String> {
    net.log.iter().map(|s| s.label()).collect()
}

#[test]
fn our_cancel_waits_for_a_provisional_response() {
    let mut net = Net::pair();
    // Lose B's 100 Trying so that our INVITE stays in Calling.
    net.drop_when(|s| s.label() == "100" && s.from == addr_b());
    let call = call_b(&mut net);
    net.flush();
    let theirs = incoming(&mut net, B);
    net.ua(A, |ua, now, layer| ua.cancel(now, layer, call))
        .unwrap();
    net.flush();
    assert!(
        !labels(&net).contains(&"CANCEL".to_owned()),
        "no CANCEL before a 1xx"
    );

    net.advance(200);
    net.ua(B, |ua, now, layer| {
        ua.respond(now, layer, theirs, Reply::new(180))
    })
    .unwrap();
    net.flush();
    assert_eq!(
        labels(&net),
        ["INVITE", "100", "180", "CANCEL", "200", "487", "ACK"]
    );
    let events = net.node(A).take_events();
    assert!(
        matches!(
            events.as_slice(),
            [
                UaEvent::Provisional { status: 180, .. },
                UaEvent::Failed { status: 487, .. },
                UaEvent::Terminated {
                    reason: TerminationReason::LocalCancel,
                    ..
                },
            ]
        ),
        "{events:?}"
    );
    let peer = net.node(B).take_events();
    assert_eq!(
        peer,
        [
            UaEvent::Cancelled { dialog: theirs },
            UaEvent::Terminated {
                dialog: theirs,
                reason: TerminationReason::RemoteCancel
            }
        ]
    );
    // Both sides forgot the session; cancelling again is an error, not a panic.
    assert_eq!(
        net.ua(A, |ua, now, layer| ua.cancel(now, layer, call)),
        Err(UaError::UnknownDialog(call))
    );
    assert_eq!(net.ua(B, |ua, _, _| ua.len()), 0);
}

#[test]
fn incoming_cancel_is_answered_200_and_487() {
    let mut net = Net::pair();
    // B calls A this time: the agent under test (A) receives the CANCEL.
    let mut spec = OutgoingInvite::new(
        Uri::parse("sip:1000@192.0.2.1:5060").unwrap(),
        NameAddr::parse("<sip:2000@198.51.100.1>").unwrap(),
        NameAddr::parse("<sip:1000@192.0.2.1>").unwrap(),
        addr_a(),
    );
    spec.sdp = Some(OFFER.to_vec());
    let call = net
        .ua(B, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap();
    net.flush();
    let ours = incoming(&mut net, A);
    net.ua(A, |ua, now, layer| {
        ua.respond(now, layer, ours, Reply::new(180))
    })
    .unwrap();
    net.flush();
    net.ua(B, |ua, now, layer| ua.cancel(now, layer, call))
        .unwrap();
    net.flush();

    let from_a: Vec<(String, String)> = net
        .sent_by(A)
        .iter()
        .filter_map(|s| s.response())
        .map(|r| (r.status.to_string(), r.cseq().unwrap().method.to_string()))
        .collect();
    assert_eq!(
        from_a,
        [
            ("100".into(), "INVITE".into()),
            ("180".into(), "INVITE".into()),
            ("200".into(), "CANCEL".into()),
            ("487".into(), "INVITE".into()),
        ]
    );
    // The 487 carries the same To tag as the 180.
    let tags: Vec<Option<String>> = net
        .sent_by(A)
        .iter()
        .filter_map(|s| s.response())
        .filter(|r| matches!(r.status, 180 | 487))
        .map(|r| r.to().unwrap().tag().map(str::to_owned))
        .collect();
    assert_eq!(tags[0], tags[1]);
    assert_eq!(
        net.node(A).take_events(),
        [
            UaEvent::Cancelled { dialog: ours },
            UaEvent::Terminated {
                dialog: ours,
                reason: TerminationReason::RemoteCancel
            }
        ]
    );
    // The engine's late answer is refused cleanly.
    assert_eq!(
        net.ua(A, |ua, now, layer| ua.answer(now, layer, ours, ANSWER)),
        Err(UaError::UnknownDialog(ours))
    );
}

#[test]
fn a_2xx_crossing_our_cancel_is_acked_and_byed() {
    let mut net = Net::pair();
    let call = call_b(&mut net);
    net.flush();
    let theirs = incoming(&mut net, B);
    net.ua(B, |ua, now, layer| {
        ua.respond(now, layer, theirs, Reply::new(180))
    })
    .unwrap();
    net.flush();
    // The CANCEL is lost; B answers meanwhile.
    net.drop_when(|s| s.label() == "CANCEL");
    net.ua(A, |ua, now, layer| ua.cancel(now, layer, call))
        .unwrap();
    net.flush();
    net.ua(B, |ua, now, layer| ua.answer(now, layer, theirs, ANSWER))
        .unwrap();
    net.flush();

    let events = net.node(A).take_events();
    assert!(
        matches!(
            events.as_slice(),
            [
                UaEvent::Provisional { .. },
                UaEvent::Failed {
                    status: 487,
                    response: None,
                    ..
                },
                UaEvent::Terminated {
                    reason: TerminationReason::LocalCancel,
                    ..
                },
            ]
        ),
        "{events:?}"
    );
    let peer = net.node(B).take_events();
    assert!(
        matches!(
            peer.as_slice(),
            [
                UaEvent::AckReceived { .. },
                UaEvent::ByeReceived { .. },
                UaEvent::Terminated {
                    reason: TerminationReason::RemoteBye,
                    ..
                },
            ]
        ),
        "{peer:?}"
    );
    let from_a: Vec<String> = net.sent_by(A).iter().map(|s| s.label()).collect();
    assert_eq!(from_a, ["INVITE", "CANCEL", "ACK", "BYE"]);
}
