//! An offer with no codec in common is refused with 488 and Q.850 cause 88
//! before routing (FreeSWITCH capture `codec_488_g729.txt`).

mod common;

use common::{Harness, OFFER_G729};
use witswitch_core::{HangupCause, SipCommand};

#[test]
fn g729_only_offer_gets_488_and_a_cdr() {
    let mut h = Harness::new();
    let a = h.invite_from("1000", "9196", Some(OFFER_G729));
    assert_eq!(
        h.sip_commands(a),
        vec![SipCommand::Reject {
            status: 488,
            cause: HangupCause::IncompatibleDestination,
            retry_after: None
        }]
    );
    assert_eq!(h.routes(a), 0, "never routed");
    assert!(h.media_commands().is_empty(), "no RTP port bound");
    let cdr = &h.cdrs()[0];
    assert_eq!(cdr.hangup_cause, HangupCause::IncompatibleDestination);
    assert_eq!(cdr.hangup_cause_q850, 88);
    assert_eq!(cdr.sip_term_status, Some(488));
    assert!(h.destroyed(a));
}

#[test]
fn unparsable_sdp_is_refused_the_same_way() {
    let mut h = Harness::new();
    let a = h.invite_from("1000", "9196", Some("this is not SDP"));
    assert!(matches!(
        h.sip_commands(a).as_slice(),
        [SipCommand::Reject { status: 488, .. }]
    ));
}
