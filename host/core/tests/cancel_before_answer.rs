//! CANCEL before answer: the UA answers 200/487 itself, the engine ends the
//! channel (CDR with ORIGINATOR_CANCEL, 487), cancels B legs, and ignores a
//! late route result.

mod common;

use common::Harness;
use witswitch_core::{Action, HangupCause, SipCommand, SipInput};

#[test]
fn cancel_while_routing_gives_487_and_cdr() {
    let mut h = Harness::new();
    let a = h.invite("9195");
    let uuid = h.uuid(a);
    h.sip(a, SipInput::Cancel { reason: None });
    assert_eq!(h.sip_commands(a), Vec::new(), "the UA sent the 487");
    let cdr = h.cdr_of(&uuid);
    assert_eq!(cdr.hangup_cause, HangupCause::OriginatorCancel);
    assert_eq!(cdr.sip_term_status, Some(487));
    assert_eq!(cdr.sip_hangup_disposition, "recv_cancel");
    assert_eq!(cdr.answered_us, None);
    assert_eq!(cdr.billsec, 0);

    // The dialplan answers after the caller left: nothing happens.
    h.route(a, vec![Action::Answer]);
    assert!(h.sip_commands(a).is_empty());
    assert_eq!(h.cdrs().len(), 1);
}

#[test]
fn cancel_while_ringing_a_bridge_cancels_the_b_leg() {
    let mut h = Harness::new();
    let a = h.invite("9195");
    h.route(
        a,
        vec![Action::Bridge("sofia/internal/ring@127.0.0.1:5070".into())],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Provisional {
            status: 180,
            sdp: None,
        },
    );
    assert!(h.sip_commands(a).contains(&SipCommand::Progress {
        status: 180,
        sdp: None
    }));

    h.sip(a, SipInput::Cancel { reason: None });
    assert!(
        !h.sip_commands(a)
            .iter()
            .any(|c| matches!(c, SipCommand::Reject { .. }))
    );
    // As FreeSWITCH: CANCEL toward the B leg with ORIGINATOR_CANCEL.
    assert_eq!(
        h.sip_commands(b).last(),
        Some(&SipCommand::Cancel {
            cause: HangupCause::OriginatorCancel
        })
    );
    assert_eq!(h.cdrs().len(), 2);
    assert_eq!(h.engine.channel_count(), 0);
}
