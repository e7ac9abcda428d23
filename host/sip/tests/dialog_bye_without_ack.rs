//! A caller that hangs up at once after the answer: its ACK is lost (or simply
//! overtaken) and its BYE arrives first. The BYE ends the session (RFC 3261
//! §15.1.2); nothing keeps waiting for that ACK, so no AckTimeout (and no
//! RECOVERY_ON_TIMER_EXPIRE hangup) comes 64*T1 later, and the 2xx is no longer
//! retransmitted (§13.3.1.4).

mod dialog_support;

use dialog_support::*;
use witswitch_sip::dialog::{OutgoingInvite, TerminationReason, UaEvent};
use witswitch_sip::{NameAddr, Uri};

#[test]
fn a_bye_after_a_lost_ack_ends_the_session_and_nothing_waits_for_the_ack() {
    let mut net = Net::pair();
    net.drop_when(|sent| sent.label() == "ACK");
    let mut spec = OutgoingInvite::new(
        Uri::parse("sip:1000@192.0.2.1:5060").unwrap(),
        NameAddr::parse("<sip:caller@example.net>").unwrap(),
        NameAddr::parse("<sip:1000@192.0.2.1:5060>").unwrap(),
        addr_a(),
    );
    spec.sdp = Some(OFFER.to_vec());
    let theirs = net
        .ua(B, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap();
    net.flush();
    let ours = match net.node(A).take_events().as_slice() {
        [UaEvent::IncomingInvite { dialog, .. }] => *dialog,
        other => panic!("{other:?}"),
    };
    net.ua(A, |ua, now, layer| ua.answer(now, layer, ours, ANSWER))
        .unwrap();
    net.flush();
    assert!(
        net.node(B)
            .take_events()
            .iter()
            .any(|e| matches!(e, UaEvent::Answered { .. })),
        "the caller got the 200"
    );
    net.ua(B, |ua, now, layer| ua.bye(now, layer, theirs))
        .unwrap();
    net.flush();
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
    net.clear_log();
    net.run_until(40_000);
    assert_eq!(net.node(A).take_events(), [], "no AckTimeout after the BYE");
    let resent: Vec<String> = net.sent_by(A).iter().map(|s| s.label()).collect();
    assert!(
        !resent.iter().any(|label| label == "200"),
        "the 2xx is not retransmitted after the BYE: {resent:?}"
    );
}
