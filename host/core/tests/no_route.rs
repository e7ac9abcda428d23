//! No route → NO_ROUTE_DESTINATION (404, RFC 3398 §7.2.4.1); a dialplan
//! that runs out of actions → NORMAL_CLEARING, which an unanswered call
//! gets as 480 (FreeSWITCH capture `no_route.txt`); script failures.

mod common;

use common::Harness;
use witswitch_core::{Action, HangupCause, RouteError, SipCommand};

fn reject(status: u16, cause: HangupCause) -> SipCommand {
    SipCommand::Reject {
        status,
        cause,
        retry_after: None,
    }
}

#[test]
fn no_route_is_404_no_route_destination() {
    let mut h = Harness::new();
    let a = h.invite("4444");
    h.engine
        .handle_route_result(h.now, a, None, Err(RouteError::NoRoute));
    h.settle();
    assert_eq!(
        h.sip_commands(a),
        vec![reject(404, HangupCause::NoRouteDestination)]
    );
    assert_eq!(h.cdrs()[0].hangup_cause, HangupCause::NoRouteDestination);
}

#[test]
fn actions_running_out_hang_up_with_normal_clearing_480() {
    let mut h = Harness::new();
    let a = h.invite("4444");
    h.route(
        a,
        vec![Action::Set {
            name: "outside_call".into(),
            value: "true".into(),
        }],
    );
    assert_eq!(
        h.sip_commands(a),
        vec![reject(480, HangupCause::NormalClearing)]
    );
}

#[test]
fn script_failures_have_documented_causes() {
    let mut h = Harness::new();
    let a = h.invite("1");
    h.engine
        .handle_route_result(h.now, a, None, Err(RouteError::ScriptFailed("trap".into())));
    h.settle();
    assert_eq!(h.sip_commands(a), vec![reject(500, HangupCause::Crash)]);

    let b = h.invite("2");
    h.engine.handle_route_result(
        h.now,
        b,
        None,
        Err(RouteError::ScriptUnavailable("not loaded".into())),
    );
    h.settle();
    assert_eq!(
        h.sip_commands(b),
        vec![reject(502, HangupCause::DestinationOutOfOrder)]
    );
}

#[test]
fn hangup_action_maps_causes_to_statuses() {
    for (cause, status) in [
        (HangupCause::UserBusy, 486),
        (HangupCause::CallRejected, 603),
        (HangupCause::NoAnswer, 480),
        (HangupCause::UnallocatedNumber, 404),
    ] {
        let mut h = Harness::new();
        let a = h.invite("1");
        h.route(a, vec![Action::Hangup(cause)]);
        assert_eq!(h.sip_commands(a), vec![reject(status, cause)]);
    }
}
