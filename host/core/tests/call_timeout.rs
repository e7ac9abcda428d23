//! `call_timeout` ends an unanswered bridge group with NO_ANSWER (default
//! 60 s), cancelling its legs; `leg_timeout` ends one leg.

mod common;

use std::time::Duration;

use common::Harness;
use witswitch_core::{Action, HangupCause, SipCommand, SipInput};

#[test]
fn call_timeout_cancels_and_hangs_up_a_with_no_answer() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            Action::Set {
                name: "call_timeout".into(),
                value: "5".into(),
            },
            Action::Bridge("sofia/internal/ring@127.0.0.1:5070".into()),
        ],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Provisional {
            status: 180,
            sdp: None,
        },
    );
    h.advance(Duration::from_millis(4999));
    assert_eq!(h.sip_commands(b).len(), 1, "still ringing");
    h.advance(Duration::from_millis(1));
    assert_eq!(
        h.sip_commands(b).last(),
        Some(&SipCommand::Cancel {
            cause: HangupCause::NoAnswer
        })
    );
    assert_eq!(
        h.sip_commands(a).last(),
        Some(&SipCommand::Reject {
            status: 480,
            cause: HangupCause::NoAnswer,
            retry_after: None
        })
    );
}

#[test]
fn default_call_timeout_is_sixty_seconds() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![Action::Bridge("sofia/internal/ring@127.0.0.1:5070".into())],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.advance(Duration::from_secs(59));
    assert_eq!(h.sip_commands(b).len(), 1);
    h.advance(Duration::from_secs(1));
    assert_eq!(
        h.sip_commands(b).last(),
        Some(&SipCommand::Cancel {
            cause: HangupCause::NoAnswer
        })
    );
}

#[test]
fn timeout_moves_to_the_next_failover_group() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![Action::Bridge(
            "{call_timeout=10}sofia/internal/a@10.0.0.7|sofia/internal/b@10.0.0.8".into(),
        )],
    );
    h.advance(Duration::from_secs(10));
    let invites = h.outgoing_invites();
    assert_eq!(invites.len(), 2);
    assert!(
        h.sip_commands(a)
            .iter()
            .all(|c| !matches!(c, SipCommand::Reject { .. }))
    );
}

#[test]
fn leg_timeout_ends_one_leg_only() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![Action::Bridge(
            "[leg_timeout=3]sofia/internal/a@10.0.0.7,sofia/internal/b@10.0.0.8".into(),
        )],
    );
    let invites = h.outgoing_invites();
    let (short, long) = (invites[0].0, invites[1].0);
    h.advance(Duration::from_secs(3));
    assert_eq!(
        h.sip_commands(short).last(),
        Some(&SipCommand::Cancel {
            cause: HangupCause::NoAnswer
        })
    );
    assert_eq!(h.sip_commands(long).len(), 1, "the other leg still rings");
}
