//! A caller that hangs up at once after the answer: its ACK is lost (or simply
//! overtaken) and its BYE arrives first. The BYE ends the session (RFC 3261
//! §15.1.2); nothing keeps waiting for that ACK, so no AckTimeout (and no
//! RECOVERY_ON_TIMER_EXPIRE hangup) comes 64*T1 later, and the 2xx is no longer
//! retransmitted (§13.3.1.4).

mod dialog_support;

use dialog_support::*;
use witswitch_sip::dialog::{TerminationReason, UaEvent};

#[test]
fn a_bye_after_a_lost_ack_ends_the_session_and_nothing_waits_for_the_ack() {
    let mut net = Net::pair();
    net.drop_when(|sent| sent.label() == "ACK");
    let (ours, theirs) = inbound_call(&mut net);
    assert!(
        net.sent_by(A).iter().any(|s| s.label() == "200"),
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
