//! API `originate`: an outgoing leg with no A leg. The outcome comes back as
//! `Effect::Originated` (`+OK <uuid>` / `-ERR <CAUSE>`); the answered leg runs
//! `&app(args)` or is routed to an extension in a context, with the caller id
//! of `origination_caller_id_*`.

mod common;

use std::time::Duration;

use common::{Harness, answer_pcmu};
use witswitch_core::{
    Action, Effect, EventName, HangupCause, MediaCommand, OriginateJob, OriginateRequest,
    OriginateTo, RegisteredContact, SipCommand, SipInput,
};

fn request(dial: &str, to: OriginateTo) -> OriginateRequest {
    OriginateRequest {
        dial: dial.into(),
        to,
        caller_id_name: None,
        caller_id_number: None,
        timeout_secs: None,
    }
}

fn echo() -> OriginateTo {
    OriginateTo::App {
        name: "echo".into(),
        data: String::new(),
    }
}

fn originate(h: &mut Harness, job: u64, req: OriginateRequest) {
    h.engine.originate(h.now, OriginateJob(job), req);
    h.settle();
}

fn outcomes(h: &Harness) -> Vec<(OriginateJob, Result<String, HangupCause>)> {
    h.log
        .iter()
        .filter_map(|e| match e {
            Effect::Originated { job, result } => Some((*job, result.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn answered_leg_reports_its_uuid_and_runs_the_app() {
    let mut h = Harness::new();
    originate(
        &mut h,
        7,
        request("{my_var=hello}sofia/internal/1001@127.0.0.1:5070", echo()),
    );
    let invites = h.outgoing_invites();
    assert_eq!(invites.len(), 1);
    let b = invites[0].0;
    let SipCommand::Invite {
        caller_id_name,
        caller_id_number,
        ..
    } = &h.sip_commands(b)[0]
    else {
        panic!("INVITE")
    };
    assert_eq!(
        (caller_id_name.as_str(), caller_id_number.as_str()),
        ("FreeSWITCH", "0000000000"),
        "FreeSWITCH's default originate caller id"
    );
    assert_eq!(h.engine.channel_var(b, "my_var"), Some("hello"));
    assert!(outcomes(&h).is_empty(), "no outcome while ringing");
    assert_eq!(h.events(EventName::ChannelCreate).len(), 1);
    let outgoing = h.events(EventName::ChannelOutgoing);
    assert_eq!(outgoing.len(), 1, "CHANNEL_OUTGOING for the new leg");
    assert_eq!(outgoing[0].channel.uuid, h.uuid(b));
    assert!(
        outgoing[0].variables.is_none(),
        "no variables, as FreeSWITCH"
    );
    h.sip(
        b,
        SipInput::Provisional {
            status: 180,
            sdp: None,
        },
    );
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    assert_eq!(outcomes(&h), vec![(OriginateJob(7), Ok(h.uuid(b)))]);
    assert_eq!(h.events(EventName::ChannelAnswer).len(), 1);
    assert!(
        h.media_commands()
            .iter()
            .any(|c| matches!(c, MediaCommand::Echo { leg } if *leg == b.leg())),
        "the answered leg echoes"
    );
    let execute = h.events(EventName::ChannelExecute);
    assert_eq!(execute[0].header("Application"), Some("echo"));
    // The far end hangs up: the channel is gone, no second outcome.
    h.sip(b, SipInput::Bye { reason: None });
    assert!(h.destroyed(b));
    assert_eq!(outcomes(&h).len(), 1);
}

#[test]
fn extension_target_routes_with_the_origination_caller_id() {
    let mut h = Harness::new();
    let mut req = request(
        "{origination_caller_id_number=5551234}sofia/internal/1001@127.0.0.1:5070",
        OriginateTo::Extension {
            extension: "9196".into(),
            dialplan: None,
            context: None,
        },
    );
    req.caller_id_name = Some("Dialer".into());
    req.caller_id_number = Some("999".into());
    originate(&mut h, 1, req);
    let b = h.outgoing_invites()[0].0;
    let SipCommand::Invite {
        caller_id_name,
        caller_id_number,
        ..
    } = &h.sip_commands(b)[0]
    else {
        panic!("INVITE")
    };
    assert_eq!(caller_id_name, "Dialer", "the cid_name argument");
    assert_eq!(
        caller_id_number, "5551234",
        "{{vars}} win over the argument"
    );
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    assert_eq!(h.routes(b), 1, "routed like an inbound call");
    let Some(Effect::Route { call_info, .. }) = h
        .log
        .iter()
        .find(|e| matches!(e, Effect::Route { channel, .. } if *channel == b))
    else {
        panic!("Route")
    };
    assert_eq!(call_info.destination_number, "9196");
    assert_eq!(call_info.context, "default");
    assert_eq!(call_info.caller_id_number, "5551234");
    assert_eq!(call_info.caller_id_name, "Dialer");
    h.route(b, vec![Action::Echo]);
    assert!(
        h.media_commands()
            .iter()
            .any(|c| matches!(c, MediaCommand::Echo { leg } if *leg == b.leg()))
    );
}

#[test]
fn unregistered_user_fails_with_user_not_registered() {
    let mut h = Harness::new();
    originate(&mut h, 3, request("user/1005@example.com", echo()));
    let lookups = h.lookups();
    assert_eq!(lookups.len(), 1);
    h.locate(lookups[0].0, Vec::new());
    assert_eq!(
        outcomes(&h),
        vec![(OriginateJob(3), Err(HangupCause::UserNotRegistered))]
    );
    assert_eq!(h.engine.channel_count(), 0);
}

#[test]
fn registered_user_is_called_at_its_contact() {
    let mut h = Harness::new();
    originate(&mut h, 4, request("user/1001@example.com", echo()));
    let lookup = h.lookups()[0].0;
    h.locate(
        lookup,
        vec![RegisteredContact {
            profile: "internal".into(),
            uri: "sip:1001@10.0.0.5:5060".into(),
            source: None,
        }],
    );
    let b = h.outgoing_invites()[0].0;
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    assert_eq!(outcomes(&h), vec![(OriginateJob(4), Ok(h.uuid(b)))]);
}

#[test]
fn timeout_argument_ends_ringing_with_no_answer() {
    let mut h = Harness::new();
    let mut req = request("sofia/internal/ring@127.0.0.1:5070", echo());
    req.timeout_secs = Some(5);
    originate(&mut h, 5, req);
    let b = h.outgoing_invites()[0].0;
    h.advance(Duration::from_millis(4999));
    assert!(outcomes(&h).is_empty());
    h.advance(Duration::from_millis(1));
    assert_eq!(
        h.sip_commands(b).last(),
        Some(&SipCommand::Cancel {
            cause: HangupCause::NoAnswer
        })
    );
    assert_eq!(
        outcomes(&h),
        vec![(OriginateJob(5), Err(HangupCause::NoAnswer))]
    );
}

#[test]
fn refused_leg_reports_the_mapped_cause_and_bad_strings_fail_at_once() {
    let mut h = Harness::new();
    originate(
        &mut h,
        6,
        request("sofia/internal/busy@127.0.0.1:5070", echo()),
    );
    let b = h.outgoing_invites()[0].0;
    h.sip(
        b,
        SipInput::Failed {
            status: 486,
            reason: None,
        },
    );
    originate(&mut h, 8, request("sofia/gateway/nope/123", echo()));
    originate(&mut h, 9, request("", echo()));
    let got = outcomes(&h);
    assert_eq!(got[0], (OriginateJob(6), Err(HangupCause::UserBusy)));
    assert_eq!(got[1], (OriginateJob(8), Err(HangupCause::InvalidGateway)));
    assert_eq!(got[2].0, OriginateJob(9));
    assert!(got[2].1.is_err());
}

#[test]
fn origination_uuid_names_the_channel() {
    let mut h = Harness::new();
    originate(
        &mut h,
        10,
        request(
            "{origination_uuid=0d6b7c1e-aaaa-4bbb-8ccc-000000000001}sofia/internal/1001@127.0.0.1:5070",
            echo(),
        ),
    );
    let b = h.outgoing_invites()[0].0;
    assert_eq!(h.uuid(b), "0d6b7c1e-aaaa-4bbb-8ccc-000000000001");
    assert_eq!(
        h.engine
            .find_channel("0d6b7c1e-aaaa-4bbb-8ccc-000000000001"),
        Some(b)
    );
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    assert_eq!(
        outcomes(&h),
        vec![(
            OriginateJob(10),
            Ok("0d6b7c1e-aaaa-4bbb-8ccc-000000000001".to_owned())
        )]
    );
}

#[test]
fn the_session_limits_hold_for_originate_too() {
    let mut config = common::default_config();
    config.sessions_per_second = 1;
    let mut h = Harness::with_config(config);
    originate(
        &mut h,
        1,
        request("sofia/internal/1001@127.0.0.1:5070", echo()),
    );
    originate(
        &mut h,
        2,
        request("sofia/internal/1002@127.0.0.1:5070", echo()),
    );
    assert_eq!(h.outgoing_invites().len(), 1, "the second is not dialed");
    assert_eq!(
        outcomes(&h),
        [(OriginateJob(2), Err(HangupCause::NormalCircuitCongestion))]
    );
    h.advance(Duration::from_secs(1));
    originate(
        &mut h,
        3,
        request("sofia/internal/1003@127.0.0.1:5070", echo()),
    );
    assert_eq!(h.outgoing_invites().len(), 2, "a second later it is");
}
