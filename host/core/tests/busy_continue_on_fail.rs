//! A busy callee gives USER_BUSY (RFC 3398: 486 → 17); without
//! `continue_on_fail` A is refused with 486, with it the dialplan goes on
//! and sees `last_bridge_hangup_cause`. An unregistered `user/` is
//! USER_NOT_REGISTERED.

mod common;

use common::{Harness, final_command};
use witswitch_core::{Action, HangupCause, SipCommand, SipInput};

#[test]
fn busy_without_continue_on_fail_rejects_a_with_486() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            Action::Bridge("sofia/internal/1001@10.0.0.5".into()),
            Action::Playback("never.wav".into()),
        ],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Failed {
            status: 486,
            reason: None,
        },
    );
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Reject {
            status: 486,
            cause: HangupCause::UserBusy,
            retry_after: None
        })
    );
}

#[test]
fn busy_with_continue_on_fail_continues_the_dialplan() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            Action::Set {
                name: "continue_on_fail".into(),
                value: "true".into(),
            },
            Action::Bridge("sofia/internal/1001@10.0.0.5".into()),
            Action::Set {
                name: "fallback".into(),
                value: "${last_bridge_hangup_cause}".into(),
            },
            Action::Park,
        ],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Failed {
            status: 486,
            reason: None,
        },
    );
    assert_eq!(h.engine.channel_var(a, "fallback"), Some("USER_BUSY"));
    assert_eq!(
        h.engine.channel_var(a, "originate_disposition"),
        Some("USER_BUSY")
    );
    assert_eq!(
        final_command(&h.sip_commands(a)),
        None,
        "A stays up (parked)"
    );
}

#[test]
fn continue_on_fail_with_a_cause_list() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            Action::Set {
                name: "continue_on_fail".into(),
                value: "NO_ANSWER,USER_BUSY".into(),
            },
            Action::Bridge("sofia/internal/1001@10.0.0.5".into()),
            Action::Park,
        ],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    // A Reason header wins over the status mapping (RFC 3326).
    h.sip(
        b,
        SipInput::Failed {
            status: 603,
            reason: Some(HangupCause::CallRejected),
        },
    );
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Reject {
            status: 603,
            cause: HangupCause::CallRejected,
            retry_after: None
        }),
        "CALL_REJECTED is not in the list"
    );
}

#[test]
fn unregistered_user_fails_with_user_not_registered() {
    let mut h = Harness::new();
    let a = h.invite("1005");
    h.route(
        a,
        vec![
            Action::Set {
                name: "continue_on_fail".into(),
                value: "true".into(),
            },
            Action::Bridge("user/1005".into()),
            Action::Hangup(HangupCause::NoRouteDestination),
        ],
    );
    let (lookup, user) = h.lookups()[0].clone();
    assert_eq!(user, "1005");
    h.locate(lookup, Vec::new());
    assert!(h.outgoing_invites().is_empty());
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Reject {
            status: 404,
            cause: HangupCause::NoRouteDestination,
            retry_after: None
        })
    );
    let cdr = &h.cdrs()[0];
    assert_eq!(
        cdr.last_bridge_hangup_cause.as_deref(),
        Some("USER_NOT_REGISTERED")
    );
    let mut h = Harness::new();
    let a = h.invite("1005");
    h.route(a, vec![Action::Bridge("user/1005".into())]);
    let (lookup, _) = h.lookups()[0].clone();
    h.locate(lookup, Vec::new());
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Reject {
            status: 480,
            cause: HangupCause::UserNotRegistered,
            retry_after: None
        })
    );
}
