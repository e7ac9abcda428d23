//! Small dialplan applications: ring_ready, sleep on virtual time, log,
//! unset, multiset, unknown applications (logged, skipped), and the
//! authenticated caller's `user_context`.

mod common;

use std::time::Duration;

use common::{Harness, final_command};
use witswitch_core::{
    Action, AuthenticatedUser, Effect, EventName, HangupCause, InboundGateway, InboundInvite,
    LogLevel, SipCommand,
};

#[test]
fn ring_sleep_log_and_unknown_apps() {
    let mut h = Harness::new();
    let a = h.invite("100");
    h.route(
        a,
        vec![
            Action::RingReady,
            Action::Set {
                name: "greeting".into(),
                value: "hi ${caller_id_number}".into(),
            },
            Action::Log {
                level: LogLevel::Notice,
                message: "${greeting}".into(),
            },
            Action::Execute {
                name: "lua".into(),
                data: "menu.lua".into(),
            },
            Action::Execute {
                name: "multiset".into(),
                data: "x=1 y=2".into(),
            },
            Action::Unset("x".into()),
            Action::Sleep(1500),
            Action::Hangup(HangupCause::CallRejected),
        ],
    );
    assert_eq!(
        h.sip_commands(a),
        vec![SipCommand::Progress {
            status: 180,
            sdp: None
        }]
    );
    let logs: Vec<(LogLevel, String)> = h
        .log
        .iter()
        .filter_map(|e| match e {
            Effect::Log { level, message, .. } => Some((*level, message.clone())),
            _ => None,
        })
        .collect();
    assert!(logs.contains(&(LogLevel::Notice, "hi 1000".into())));
    assert!(logs.contains(&(LogLevel::Err, "Invalid Application lua".into())));
    assert_eq!(h.engine.channel_var(a, "x"), None);
    assert_eq!(h.engine.channel_var(a, "y"), Some("2"));
    assert!(h.media_commands().is_empty(), "none of these needs media");

    h.advance(Duration::from_millis(1499));
    assert_eq!(final_command(&h.sip_commands(a)), None);
    h.advance(Duration::from_millis(1));
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Reject {
            status: 603,
            cause: HangupCause::CallRejected,
            retry_after: None
        })
    );
    // EXECUTE / EXECUTE_COMPLETE pair up per application.
    assert_eq!(h.events(EventName::ChannelExecute).len(), 8);
    assert_eq!(h.events(EventName::ChannelExecuteComplete).len(), 7);
    assert_eq!(
        h.events(EventName::ChannelExecute)[6].header("Application"),
        Some("sleep")
    );
}

#[test]
fn authenticated_caller_routes_in_user_context() {
    let mut h = Harness::new();
    let invite = InboundInvite {
        profile: "internal".into(),
        call_id: "c1".into(),
        request_user: "1001".into(),
        from_display: Some("Alice".into()),
        from_user: "1000".into(),
        from_host: "example.com".into(),
        to_user: "1001".into(),
        sdp: Some(common::OFFER_PCMU.as_bytes().to_vec()),
        auth: Some(AuthenticatedUser {
            user: "1000".into(),
            domain: "example.com".into(),
            variables: vec![
                ("user_context".into(), "default".into()),
                ("effective_caller_id_number".into(), "1000".into()),
            ],
        }),
        ..InboundInvite::default()
    };
    let a = h.engine.handle_invite(h.now, invite);
    h.settle();
    let info = h
        .log
        .iter()
        .find_map(|e| match e {
            Effect::Route { channel, call_info } if *channel == a => Some(call_info.clone()),
            _ => None,
        })
        .expect("routed");
    assert_eq!(info.context, "default");
    assert_eq!(info.username.as_deref(), Some("1000"));
    assert_eq!(info.caller_id_name, "Alice");
    assert!(
        info.variables
            .iter()
            .any(|(k, v)| k == "effective_caller_id_number" && v == "1000")
    );
}

/// A carrier sends the call to the Contact our gateway registered
/// (`sip:gw+carrier@...;gw=carrier`): it routes in the gateway's context, the
/// number dialled is the To user, and `sip_gateway_name` names the gateway.
#[test]
fn a_call_through_a_gateway_registration_routes_in_the_gateways_context() {
    let mut h = Harness::new();
    let invite = InboundInvite {
        profile: "external".into(),
        call_id: "gw1".into(),
        request_user: "gw+carrier".into(),
        from_user: "15551230000".into(),
        from_host: "carrier.example".into(),
        to_user: "18005550100".into(),
        sdp: Some(common::OFFER_PCMU.as_bytes().to_vec()),
        gateway: Some(InboundGateway {
            name: "carrier".into(),
            context: "from-carrier".into(),
        }),
        ..InboundInvite::default()
    };
    let a = h.engine.handle_invite(h.now, invite);
    h.settle();
    let info = h
        .log
        .iter()
        .find_map(|e| match e {
            Effect::Route { channel, call_info } if *channel == a => Some(call_info.clone()),
            _ => None,
        })
        .expect("routed");
    assert_eq!(info.context, "from-carrier");
    assert_eq!(info.destination_number, "18005550100");
    assert!(
        info.variables
            .iter()
            .any(|(k, v)| k == "sip_gateway_name" && v == "carrier")
    );
}

#[test]
fn hangup_from_the_api_and_unknown_channels() {
    let mut h = Harness::new();
    let a = h.invite("9196");
    h.route(a, vec![Action::Answer, Action::Park]);
    let uuid = h.uuid(a);
    assert_eq!(h.engine.find_channel(&uuid), Some(a));
    h.engine.hangup(h.now, a, HangupCause::ManagerRequest);
    h.settle();
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Bye {
            cause: HangupCause::ManagerRequest
        })
    );
    // Inputs for a channel that is gone are ignored.
    h.sip(a, witswitch_core::SipInput::Bye { reason: None });
    h.route(a, vec![Action::Answer]);
    assert_eq!(h.cdrs().len(), 1);
}
