//! BYE in both directions (RFC 3261 §15), built from the dialog state (§12.2.1.1).

mod dialog_support;

use dialog_support::*;
use witswitch_sip::dialog::{
    DialogKey, DialogState, OutgoingInvite, Reply, Role, TerminationReason, UaError, UaEvent,
};
use witswitch_sip::{HeaderName, NameAddr, Request, Uri};

/// `caller` calls `callee`, which answers; returns (caller's key, callee's key).
fn establish(net: &mut Net, caller: usize, callee: usize) -> (DialogKey, DialogKey) {
    let (target, dest) = if callee == A {
        ("sip:1000@192.0.2.1:5060", addr_a())
    } else {
        ("sip:2000@198.51.100.1:5080", addr_b())
    };
    let mut spec = OutgoingInvite::new(
        Uri::parse(target).unwrap(),
        NameAddr::parse("\"Caller\" <sip:caller@example.net>").unwrap(),
        NameAddr::parse(&format!("<{target}>")).unwrap(),
        dest,
    );
    spec.sdp = Some(OFFER.to_vec());
    let out = net
        .ua(caller, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap();
    net.flush();
    let inc = match net.node(callee).take_events().as_slice() {
        [UaEvent::IncomingInvite { dialog, .. }] => *dialog,
        other => panic!("{other:?}"),
    };
    net.ua(callee, |ua, now, layer| {
        ua.respond(now, layer, inc, Reply::new(180))?;
        ua.answer(now, layer, inc, ANSWER)
    })
    .unwrap();
    net.flush();
    assert!(matches!(
        net.node(caller).take_events().as_slice(),
        [UaEvent::Provisional { .. }, UaEvent::Answered { .. }]
    ));
    assert!(matches!(
        net.node(callee).take_events().as_slice(),
        [UaEvent::AckReceived { .. }]
    ));
    (out, inc)
}

fn last_request(net: &Net, from: usize, method: &str) -> Request {
    net.sent_by(from)
        .into_iter()
        .rev()
        .find(|s| s.label() == method)
        .and_then(|s| s.request().cloned())
        .unwrap_or_else(|| panic!("no {method}"))
}

#[test]
fn we_hang_up_an_inbound_call() {
    let mut net = Net::pair();
    let (theirs, ours) = establish(&mut net, B, A);
    let dialog = net.ua(A, |ua, _, _| ua.dialog(ours).cloned()).unwrap();
    assert_eq!(dialog.role, Role::Uas);
    assert_eq!(dialog.state, DialogState::Confirmed);
    let id = dialog.id().unwrap();

    net.ua(A, |ua, now, layer| ua.bye(now, layer, ours))
        .unwrap();
    net.flush();
    let bye = last_request(&net, A, "BYE");
    // §12.2.1.1: From carries our tag, To theirs; Request-URI is their Contact.
    assert_eq!(bye.from().unwrap().tag(), Some(id.local_tag.as_str()));
    assert_eq!(bye.to().unwrap().tag(), Some(id.remote_tag.as_str()));
    assert_eq!(bye.call_id().unwrap(), id.call_id);
    assert_eq!(bye.uri.to_string(), "sip:caller@198.51.100.1:5080");
    assert_eq!(bye.header(&HeaderName::Route), None);
    assert_eq!(net.log.last().map(|s| s.label()), Some("200".to_owned()));

    assert_eq!(
        net.node(A).take_events(),
        [UaEvent::Terminated {
            dialog: ours,
            reason: TerminationReason::LocalBye
        }]
    );
    assert_eq!(
        net.node(B).take_events(),
        [
            UaEvent::ByeReceived { dialog: theirs },
            UaEvent::Terminated {
                dialog: theirs,
                reason: TerminationReason::RemoteBye
            }
        ]
    );
}

#[test]
fn the_far_end_hangs_up_an_outbound_call() {
    let mut net = Net::pair();
    let (ours, theirs) = establish(&mut net, A, B);
    // Their BYE is their first request: CSeq from their own space.
    net.ua(B, |ua, now, layer| ua.bye(now, layer, theirs))
        .unwrap();
    net.flush();
    let bye = last_request(&net, B, "BYE");
    assert_eq!(bye.uri.to_string(), "sip:caller@192.0.2.1:5060");
    let ok = net
        .sent_by(A)
        .into_iter()
        .rev()
        .find_map(|s| s.response().cloned())
        .unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(ok.cseq().unwrap(), bye.cseq().unwrap());
    assert_eq!(
        net.node(A).take_events(),
        [
            UaEvent::ByeReceived { dialog: ours },
            UaEvent::Terminated {
                dialog: ours,
                reason: TerminationReason::RemoteBye
            }
        ]
    );
    // Hanging up again is refused: the dialog is gone.
    assert_eq!(
        net.ua(A, |ua, now, layer| ua.bye(now, layer, ours)),
        Err(UaError::UnknownDialog(ours))
    );
}

#[test]
fn bye_needs_a_confirmed_dialog_and_cseq_grows() {
    let mut net = Net::pair();
    let mut spec = OutgoingInvite::new(
        Uri::parse("sip:2000@198.51.100.1:5080").unwrap(),
        NameAddr::parse("<sip:1000@192.0.2.1>").unwrap(),
        NameAddr::parse("<sip:2000@198.51.100.1>").unwrap(),
        addr_b(),
    );
    spec.sdp = Some(OFFER.to_vec());
    let early = net
        .ua(A, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap();
    net.flush();
    assert_eq!(
        net.ua(A, |ua, now, layer| ua.bye(now, layer, early)),
        Err(UaError::NotConfirmed(early))
    );

    let mut net = Net::pair();
    let (ours, _) = establish(&mut net, A, B);
    net.ua(A, |ua, now, layer| ua.send_options(now, layer, ours))
        .unwrap();
    net.flush();
    net.ua(A, |ua, now, layer| ua.bye(now, layer, ours))
        .unwrap();
    net.flush();
    let seqs: Vec<(String, u32)> = net
        .sent_by(A)
        .iter()
        .filter_map(|s| s.request())
        .map(|r| (r.method.to_string(), r.cseq().unwrap().seq))
        .collect();
    assert_eq!(
        seqs,
        [
            ("INVITE".into(), 1),
            ("ACK".into(), 1),
            ("OPTIONS".into(), 2),
            ("BYE".into(), 3)
        ]
    );
    // The in-dialog OPTIONS was answered by the peer's agent with its capabilities.
    let options_ok = net
        .sent_by(B)
        .into_iter()
        .filter_map(|s| s.response())
        .find(|r| r.cseq().unwrap().seq == 2)
        .cloned()
        .unwrap();
    assert_eq!(options_ok.status, 200);
    assert!(options_ok.header(&HeaderName::Allow).is_some());
}
