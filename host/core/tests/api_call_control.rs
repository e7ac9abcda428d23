//! Event socket call control on live channels: `uuid_answer`, `uuid_bridge`,
//! `uuid_record`, `uuid_transfer [-bleg|-both]` of bridged calls, and `sendmsg`
//! `execute` on a parked or echoing channel.

mod common;

use common::{Harness, answer_pcmu, final_command};
use witswitch_core::{
    Action, ApiOpError, ChannelId, EventName, HangupCause, MediaCommand, MediaEvent, SipCommand,
    SipInput, TransferLegs,
};

fn parked(h: &mut Harness, dest: &str) -> ChannelId {
    let a = h.invite(dest);
    h.route(a, vec![Action::Answer, Action::Park]);
    a
}

/// A from an inbound call bridged to an answered B leg.
fn bridged(h: &mut Harness, after: Vec<Action>) -> (ChannelId, ChannelId) {
    let a = h.invite("1001");
    let mut actions = vec![Action::Bridge("sofia/internal/1001@127.0.0.1:5070".into())];
    actions.extend(after);
    h.route(a, actions);
    let b = h.outgoing_invites()[0].0;
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    assert_eq!(h.events(EventName::ChannelBridge).len(), 2);
    (a, b)
}

#[test]
fn uuid_answer_answers_a_parked_inbound_call() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(a, vec![Action::Park]);
    assert!(
        !h.sip_commands(a)
            .iter()
            .any(|c| matches!(c, SipCommand::Answer { .. }))
    );
    let now = h.now;
    assert_eq!(h.engine.answer_api(now, a), Ok(()));
    h.settle();
    assert!(
        h.sip_commands(a)
            .iter()
            .any(|c| matches!(c, SipCommand::Answer { .. }))
    );
    assert_eq!(h.events(EventName::ChannelAnswer).len(), 1);
    assert_eq!(
        h.engine.answer_api(now, ChannelId(999)),
        Err(ApiOpError::NoChannel)
    );
}

#[test]
fn uuid_bridge_links_two_parked_calls_and_a_hangup_ends_both() {
    let mut h = Harness::new();
    let a = parked(&mut h, "1001");
    let c = parked(&mut h, "1002");
    let now = h.now;
    assert_eq!(h.engine.bridge_api(now, a, c), Ok(()));
    h.settle();
    assert!(h.media_commands().contains(&MediaCommand::Bridge {
        a: a.leg(),
        b: c.leg()
    }));
    let bridge = h.events(EventName::ChannelBridge);
    assert_eq!(bridge.len(), 2);
    assert_eq!(
        bridge[0].header("Bridge-B-Unique-ID"),
        Some(h.uuid(c).as_str())
    );
    assert_eq!(
        h.engine.channel_var(a, "bridge_uuid"),
        Some(h.uuid(c).as_str())
    );
    h.sip(c, SipInput::Bye { reason: None });
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Bye {
            cause: HangupCause::NormalClearing
        }),
        "the other leg hangs up too"
    );
    assert_eq!(h.engine.bridge_api(h.now, a, c), Err(ApiOpError::NoChannel));
}

#[test]
fn uuid_record_starts_and_stops_a_session_recording() {
    let mut h = Harness::new();
    let a = parked(&mut h, "1001");
    let now = h.now;
    assert_eq!(
        h.engine.record_api(now, a, true, "/tmp/a.wav", None),
        Ok(())
    );
    h.settle();
    assert!(h.media_commands().iter().any(
        |c| matches!(c, MediaCommand::RecordStart { leg, path, .. } if *leg == a.leg() && path == "/tmp/a.wav")
    ));
    assert_eq!(
        h.engine.record_api(now, a, false, "/tmp/a.wav", None),
        Ok(())
    );
    h.settle();
    assert!(h.media_commands().iter().any(
        |c| matches!(c, MediaCommand::RecordStop { leg, path } if *leg == a.leg() && path == "/tmp/a.wav")
    ));
}

#[test]
fn transfer_of_the_a_leg_hangs_up_the_dialed_leg() {
    let mut h = Harness::new();
    let (a, b) = bridged(&mut h, Vec::new());
    let now = h.now;
    assert_eq!(
        h.engine
            .transfer_legs(now, a, TransferLegs::This, "9196", None),
        Ok(())
    );
    h.settle();
    assert_eq!(h.routes(a), 2, "A routed again");
    assert_eq!(
        h.sip_commands(b).last(),
        Some(&SipCommand::Bye {
            cause: HangupCause::NormalClearing
        })
    );
    assert_eq!(h.events(EventName::ChannelUnbridge).len(), 2);
    h.route(a, vec![Action::Echo]);
    assert!(
        h.media_commands()
            .iter()
            .any(|c| matches!(c, MediaCommand::Echo { leg } if *leg == a.leg()))
    );
}

#[test]
fn transfer_both_routes_both_legs() {
    let mut h = Harness::new();
    let (a, b) = bridged(&mut h, Vec::new());
    let now = h.now;
    assert_eq!(
        h.engine
            .transfer_legs(now, a, TransferLegs::Both, "9664", Some("default")),
        Ok(())
    );
    h.settle();
    assert_eq!(h.routes(a), 2);
    assert_eq!(h.routes(b), 1, "the dialed leg runs the dialplan now");
    assert!(
        h.media_commands()
            .iter()
            .any(|c| matches!(c, MediaCommand::Unbridge { .. }))
    );
    assert_eq!(final_command(&h.sip_commands(a)), None, "nobody hung up");
    assert_eq!(h.engine.channel_var(b, "destination_number"), Some("9664"));
}

#[test]
fn transfer_bleg_moves_the_peer_and_a_continues_its_dialplan() {
    let mut h = Harness::new();
    let (a, b) = bridged(&mut h, vec![Action::Playback("after.wav".into())]);
    let now = h.now;
    assert_eq!(
        h.engine
            .transfer_legs(now, a, TransferLegs::Peer, "5000", None),
        Ok(())
    );
    h.settle();
    assert_eq!(h.routes(b), 1);
    assert_eq!(h.routes(a), 1, "A is not routed again");
    assert_eq!(h.last_play(a).1, "after.wav", "A's next action runs");
}

#[test]
fn execute_during_echo_runs_the_app_then_the_echo_goes_on() {
    let mut h = Harness::new();
    let a = h.invite("9196");
    h.route(a, vec![Action::Answer, Action::Echo]);
    h.settle();
    let echo = MediaCommand::Echo { leg: a.leg() };
    let echoes = |h: &Harness| h.media_commands().iter().filter(|c| **c == echo).count();
    assert_eq!(echoes(&h), 1, "echoing");
    let now = h.now;
    assert_eq!(
        h.engine
            .execute_api(now, a, ("playback", "tone.wav"), 1, None),
        Ok(())
    );
    h.settle();
    let (play_id, source) = h.last_play(a);
    assert_eq!(source, "tone.wav", "runs now, inside the echo");
    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id,
        interrupted_by: None,
    });
    assert_eq!(echoes(&h), 2, "the echo resumed");
    let echo_runs = h
        .events(EventName::ChannelExecute)
        .iter()
        .filter(|e| e.header("Application") == Some("echo"))
        .count();
    assert_eq!(echo_runs, 1, "no second CHANNEL_EXECUTE echo");
    assert_eq!(final_command(&h.sip_commands(a)), None, "still up");
}

#[test]
fn execute_on_a_parked_channel_runs_the_app_then_parks_again() {
    let mut h = Harness::new();
    let a = parked(&mut h, "1001");
    let now = h.now;
    assert_eq!(
        h.engine
            .execute_api(now, a, ("playback", "tone.wav"), 2, Some("app-1")),
        Ok(())
    );
    h.settle();
    let (play_id, source) = h.last_play(a);
    assert_eq!(source, "tone.wav");
    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id,
        interrupted_by: None,
    });
    let (second, _) = h.last_play(a);
    assert_ne!(second, play_id, "loops: 2 plays it twice");
    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id: second,
        interrupted_by: None,
    });
    // Back in the same park: FreeSWITCH runs sendmsg'd applications inside it,
    // so the client sees neither a second CHANNEL_PARK nor a second park EXECUTE.
    assert_eq!(h.events(EventName::ChannelPark).len(), 1, "one park");
    let parks = h
        .events(EventName::ChannelExecute)
        .iter()
        .filter(|e| e.header("Application") == Some("park"))
        .count();
    assert_eq!(parks, 1, "park executed once");
    assert_eq!(final_command(&h.sip_commands(a)), None, "still up");
    // Still parked: the next sendmsg runs at once.
    assert_eq!(
        h.engine
            .execute_api(h.now, a, ("playback", "again.wav"), 1, None),
        Ok(())
    );
    h.settle();
    assert_eq!(h.last_play(a).1, "again.wav");
    let complete: Vec<String> = h
        .events(EventName::ChannelExecuteComplete)
        .iter()
        .filter_map(|e| e.header("Application").map(str::to_owned))
        .collect();
    assert_eq!(complete, ["answer", "playback", "playback"]);
    let tagged: Vec<Option<&str>> = h
        .events(EventName::ChannelExecuteComplete)
        .iter()
        .map(|e| e.header("Application-UUID"))
        .map(|u| u.map(|_| "tagged"))
        .collect();
    assert_eq!(
        tagged,
        [None, Some("tagged"), Some("tagged")],
        "Application-UUID of the sendmsg on its executions only"
    );
}

#[test]
fn uuid_record_limit_stops_that_recording_only() {
    let mut h = Harness::new();
    let a = parked(&mut h, "1001");
    let now = h.now;
    let stops = |h: &Harness, file: &str| {
        h.media_commands()
            .iter()
            .filter(|c| matches!(c, MediaCommand::RecordStop { path, .. } if path == file))
            .count()
    };
    assert_eq!(
        h.engine.record_api(now, a, true, "short.wav", Some(5)),
        Ok(())
    );
    assert_eq!(h.engine.record_api(now, a, true, "long.wav", None), Ok(()));
    h.settle();
    h.advance(std::time::Duration::from_millis(4999));
    assert_eq!(stops(&h, "short.wav"), 0);
    h.advance(std::time::Duration::from_millis(1));
    assert_eq!(stops(&h, "short.wav"), 1, "the limit stops it");
    assert_eq!(stops(&h, "long.wav"), 0, "the other recording goes on");
    // A limit voided by an early stop does not cut a later recording short.
    let now = h.now;
    assert_eq!(
        h.engine.record_api(now, a, true, "again.wav", Some(2)),
        Ok(())
    );
    assert_eq!(
        h.engine.record_api(now, a, false, "again.wav", None),
        Ok(())
    );
    assert_eq!(h.engine.record_api(now, a, true, "again.wav", None), Ok(()));
    h.settle();
    h.advance(std::time::Duration::from_secs(3));
    assert_eq!(stops(&h, "again.wav"), 1, "only the explicit stop");
}

#[test]
fn uuid_record_mask_blanks_a_running_recording_only() {
    let mut h = Harness::new();
    let a = parked(&mut h, "1001");
    let now = h.now;
    assert_eq!(
        h.engine.mask_record_api(a, "call.wav", true),
        Err(ApiOpError::NotRecording),
        "nothing to mask yet"
    );
    assert_eq!(h.engine.record_api(now, a, true, "call.wav", None), Ok(()));
    h.settle();
    assert_eq!(h.engine.mask_record_api(a, "call.wav", true), Ok(()));
    assert_eq!(h.engine.mask_record_api(a, "call.wav", false), Ok(()));
    h.settle();
    let masks: Vec<bool> = h
        .media_commands()
        .iter()
        .filter_map(|c| match c {
            MediaCommand::MaskRecording { leg, path, masked } if *leg == a.leg() => {
                assert_eq!(path, "call.wav");
                Some(*masked)
            }
            _ => None,
        })
        .collect();
    assert_eq!(masks, [true, false]);
    assert_eq!(
        h.engine.mask_record_api(ChannelId(999), "call.wav", true),
        Err(ApiOpError::NoChannel)
    );
}
