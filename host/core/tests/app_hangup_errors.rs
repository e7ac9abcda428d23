//! An app on a call that hangs up: the open request gets `hangup`, later
//! requests too, the channel (and its CDR) waits until the app returns;
//! an app that returns lets the dialplan continue; a crashed app ends the
//! call with its cause.

mod common;

use std::time::Duration;

use common::{Harness, final_command};
use witswitch_core::{
    Action, AppError, AppOutcome, AppRequest, AppResponse, HangupCause, RequestId, SipCommand,
    SipInput,
};

#[test]
fn hangup_during_a_request_and_after() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::App {
                name: "ivr".into(),
                args: String::new(),
            },
        ],
    );
    h.app(a, 1, AppRequest::Sleep(10_000));
    h.sip(a, SipInput::Bye { reason: None });
    assert_eq!(
        h.app_replies(a),
        vec![(
            RequestId(1),
            Err(AppError::Hangup(HangupCause::NormalClearing))
        )]
    );
    assert!(
        h.cdrs().is_empty(),
        "the channel is kept until the app returns"
    );

    h.app(a, 2, AppRequest::GetVar("uuid".into()));
    assert_eq!(
        h.app_replies(a).last(),
        Some(&(
            RequestId(2),
            Err(AppError::Hangup(HangupCause::NormalClearing))
        ))
    );
    // The sleep's timer does not fire a second reply.
    h.advance(Duration::from_secs(20));
    assert_eq!(h.app_replies(a).len(), 2);

    h.engine
        .handle_app_finished(h.now, a, AppOutcome::CallEnded(HangupCause::NormalClearing));
    h.settle();
    assert_eq!(h.cdrs().len(), 1);
    assert!(h.destroyed(a));
}

#[test]
fn a_returning_app_continues_the_dialplan() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::App {
                name: "ivr".into(),
                args: String::new(),
            },
            Action::Hangup(HangupCause::UserBusy),
        ],
    );
    h.app(
        a,
        1,
        AppRequest::SetVar {
            name: "choice".into(),
            value: "2".into(),
        },
    );
    h.app(a, 2, AppRequest::GetVar("choice".into()));
    assert_eq!(
        h.app_replies(a).last(),
        Some(&(RequestId(2), Ok(AppResponse::Var(Some("2".into())))))
    );
    assert_eq!(final_command(&h.sip_commands(a)), None);
    h.engine
        .handle_app_finished(h.now, a, AppOutcome::Completed);
    h.settle();
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Bye {
            cause: HangupCause::UserBusy
        })
    );
}

#[test]
fn a_crashed_app_hangs_up_with_its_cause() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::App {
                name: "loop".into(),
                args: String::new(),
            },
            Action::Park,
        ],
    );
    h.engine.handle_app_finished(
        h.now,
        a,
        AppOutcome::ScriptFailed {
            message: "CPU deadline".into(),
            cause: HangupCause::Crash,
        },
    );
    h.settle();
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Reject {
            status: 500,
            cause: HangupCause::Crash,
            retry_after: None
        })
    );
}

#[test]
fn app_transfer_routes_again_when_the_app_returns() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::App {
                name: "ivr".into(),
                args: String::new(),
            },
            Action::Park,
        ],
    );
    h.app(
        a,
        1,
        AppRequest::Transfer {
            extension: "9196".into(),
            context: Some("default".into()),
        },
    );
    h.app(a, 2, AppRequest::Play("x.wav".into()));
    assert!(matches!(
        h.app_replies(a).last(),
        Some((RequestId(2), Err(AppError::Failed(_))))
    ));
    assert_eq!(h.routes(a), 1);
    h.engine
        .handle_app_finished(h.now, a, AppOutcome::Completed);
    h.settle();
    assert_eq!(h.routes(a), 2);
    assert_eq!(h.engine.channel_var(a, "destination_number"), Some("9196"));
}

#[test]
fn app_bridge_returns_the_outcome() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::App {
                name: "ivr".into(),
                args: String::new(),
            },
        ],
    );
    h.app(
        a,
        1,
        AppRequest::Bridge("sofia/internal/1001@10.0.0.5".into()),
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
        h.app_replies(a),
        vec![(
            RequestId(1),
            Ok(AppResponse::Bridged(witswitch_core::BridgeOutcome::Failed(
                HangupCause::UserBusy
            )))
        )]
    );
    assert_eq!(
        final_command(&h.sip_commands(a)),
        None,
        "the app decides what happens next"
    );
}
