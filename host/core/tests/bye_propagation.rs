//! BYE from either side of a bridge ends both legs (and SIP INFO digits
//! cross it); `hangup_after_bridge`
//! and the dialplan's next actions decide what A does when B leaves.

mod common;

use common::{Harness, answer_pcmu, final_command};
use witswitch_core::{
    Action, ChannelId, EventName, HangupCause, MediaCommand, SipCommand, SipInput,
};

fn bridged(actions_after: Vec<Action>) -> (Harness, ChannelId, ChannelId) {
    let mut h = Harness::new();
    let a = h.invite("1001");
    let mut actions = vec![Action::Bridge("sofia/internal/1001@10.0.0.5".into())];
    actions.extend(actions_after);
    h.route(a, actions);
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    assert!(h.media_commands().contains(&MediaCommand::Bridge {
        a: a.leg(),
        b: b.leg()
    }));
    (h, a, b)
}

#[test]
fn bye_from_b_ends_a_when_nothing_follows() {
    let (mut h, a, b) = bridged(Vec::new());
    h.sip(b, SipInput::Bye { reason: None });
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Bye {
            cause: HangupCause::NormalClearing
        })
    );
    assert_eq!(
        final_command(&h.sip_commands(b)),
        None,
        "B sent the BYE itself"
    );
    assert!(
        h.media_commands()
            .contains(&MediaCommand::Unbridge { a: a.leg() })
    );
    assert_eq!(h.events(EventName::ChannelUnbridge).len(), 1);
    assert_eq!(h.cdrs().len(), 2);
    assert_eq!(h.engine.channel_count(), 0);
}

#[test]
fn bye_from_a_sends_bye_to_b() {
    let (mut h, a, b) = bridged(Vec::new());
    h.sip(a, SipInput::Bye { reason: None });
    assert_eq!(
        final_command(&h.sip_commands(b)),
        Some(SipCommand::Bye {
            cause: HangupCause::NormalClearing
        })
    );
    let b_cdr = h
        .cdrs()
        .into_iter()
        .find(|c| c.direction == witswitch_core::CallDirection::Outbound)
        .expect("B CDR");
    assert_eq!(b_cdr.sip_hangup_disposition, "send_bye");
    assert_eq!(h.engine.channel_count(), 0);
}

#[test]
fn dialplan_continues_after_the_bridge_and_sees_the_cause() {
    let (mut h, a, b) = bridged(vec![
        Action::Set {
            name: "after".into(),
            value: "${bridge_hangup_cause}".into(),
        },
        Action::Park,
    ]);
    h.sip(
        b,
        SipInput::Bye {
            reason: Some(HangupCause::UserBusy),
        },
    );
    assert_eq!(h.engine.channel_var(a, "after"), Some("USER_BUSY"));
    assert_eq!(final_command(&h.sip_commands(a)), None, "A is parked");
}

#[test]
fn hangup_after_bridge_ends_a_at_once() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            Action::Set {
                name: "hangup_after_bridge".into(),
                value: "true".into(),
            },
            Action::Bridge("sofia/internal/1001@10.0.0.5".into()),
            Action::Park,
        ],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    h.sip(b, SipInput::Bye { reason: None });
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Bye {
            cause: HangupCause::NormalClearing
        })
    );
}

#[test]
fn sip_info_digits_cross_the_bridge() {
    let (mut h, a, b) = bridged(Vec::new());
    h.sip(
        a,
        SipInput::Dtmf {
            digit: '5',
            duration_ms: 100,
        },
    );
    assert!(h.media_commands().contains(&MediaCommand::SendDtmf {
        leg: b.leg(),
        digits: "5".into()
    }));
    assert_eq!(h.events(EventName::Dtmf).len(), 1);
}
