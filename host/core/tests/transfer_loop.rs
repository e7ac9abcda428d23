//! `transfer` re-enters routing with the new destination/context; a
//! dialplan that keeps transferring is stopped after 10 transfers with
//! EXCHANGE_ROUTING_ERROR (SIP 483).

mod common;

use common::Harness;
use witswitch_core::{Action, Effect, HangupCause, SipCommand};

#[test]
fn transfer_routes_again_in_the_new_context() {
    let mut h = Harness::new();
    let a = h.invite("1000");
    h.route(
        a,
        vec![Action::Transfer {
            extension: "9196".into(),
            context: Some("default".into()),
        }],
    );
    let routes: Vec<_> = h
        .log
        .iter()
        .filter_map(|e| match e {
            Effect::Route { call_info, .. } => Some((
                call_info.destination_number.clone(),
                call_info.context.clone(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        routes,
        vec![
            ("1000".into(), "public".into()),
            ("9196".into(), "default".into())
        ]
    );
    h.route(a, vec![Action::Answer, Action::Echo]);
    assert!(
        h.sip_commands(a)
            .iter()
            .any(|c| matches!(c, SipCommand::Answer { .. }))
    );
}

#[test]
fn eleventh_transfer_hangs_up() {
    let mut h = Harness::new();
    let a = h.invite("loop");
    for _ in 0..10 {
        h.route(
            a,
            vec![Action::Transfer {
                extension: "loop".into(),
                context: None,
            }],
        );
        assert!(h.sip_commands(a).is_empty());
    }
    assert_eq!(h.routes(a), 11);
    h.route(
        a,
        vec![Action::Transfer {
            extension: "loop".into(),
            context: None,
        }],
    );
    assert_eq!(
        h.sip_commands(a),
        vec![SipCommand::Reject {
            status: 483,
            cause: HangupCause::ExchangeRoutingError,
            retry_after: None
        }]
    );
    assert_eq!(h.routes(a), 11);
}

#[test]
fn the_limit_is_configurable() {
    let mut config = common::default_config();
    config.max_transfers = 1;
    let mut h = Harness::with_config(config);
    let a = h.invite("loop");
    h.route(
        a,
        vec![Action::Transfer {
            extension: "x".into(),
            context: None,
        }],
    );
    h.route(
        a,
        vec![Action::Transfer {
            extension: "y".into(),
            context: None,
        }],
    );
    assert!(matches!(
        h.sip_commands(a).as_slice(),
        [SipCommand::Reject { status: 483, .. }]
    ));
}
