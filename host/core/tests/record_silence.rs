//! `record`'s silence detection (the app method and FreeSWITCH's `record`
//! application) and the CDR of a channel whose recordings are still being
//! closed when it hangs up.

mod common;

use std::time::Duration;

use common::Harness;
use witswitch_core::{
    Action, AppRequest, AppResponse, MediaCommand, MediaEvent, RecordOptions, Recording, RequestId,
    SipInput,
};
use witswitch_types::ChannelId;

fn in_app(h: &mut Harness) -> ChannelId {
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::App {
                name: "vm".into(),
                args: String::new(),
            },
        ],
    );
    a
}

fn watches(h: &Harness) -> Vec<(String, u32, u32)> {
    h.media_commands()
        .into_iter()
        .filter_map(|m| match m {
            MediaCommand::WatchSilence {
                path,
                threshold,
                silence_ms,
                ..
            } => Some((path, threshold, silence_ms)),
            _ => None,
        })
        .collect()
}

fn stops(h: &Harness) -> usize {
    h.media_commands()
        .iter()
        .filter(|m| matches!(m, MediaCommand::RecordStop { .. }))
        .count()
}

#[test]
fn app_record_stops_when_the_media_engine_hears_silence() {
    let mut h = Harness::new();
    let a = in_app(&mut h);
    let options = RecordOptions {
        path: "msg.wav".into(),
        max_seconds: 30,
        silence_seconds: 3,
        silence_threshold: 200,
        terminators: "#".into(),
    };
    h.app(a, 1, AppRequest::Record(options));
    assert_eq!(watches(&h), vec![("msg.wav".into(), 200, 3000)]);
    assert_eq!(
        h.engine.channel_var(a, "silence_hits_exhausted"),
        Some("false")
    );
    // Silence of another recording (a record_session) is not this one's.
    h.media(MediaEvent::Silence {
        leg: a.leg(),
        path: "other.wav".into(),
    });
    assert_eq!(stops(&h), 0);
    h.advance(Duration::from_millis(4500));
    h.media(MediaEvent::Silence {
        leg: a.leg(),
        path: "msg.wav".into(),
    });
    assert_eq!(stops(&h), 1);
    assert_eq!(
        h.engine.channel_var(a, "silence_hits_exhausted"),
        Some("true")
    );
    // A second report changes nothing; the time limit is disarmed.
    h.media(MediaEvent::Silence {
        leg: a.leg(),
        path: "msg.wav".into(),
    });
    h.advance(Duration::from_secs(40));
    assert_eq!(stops(&h), 1);
    assert!(h.app_replies(a).is_empty(), "the reply waits for the file");
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path: "msg.wav".into(),
        ms: 4500,
    });
    assert_eq!(
        h.app_replies(a),
        vec![(
            RequestId(1),
            Ok(AppResponse::Recorded(Recording {
                path: "msg.wav".into(),
                duration_ms: 4500,
                terminator: None,
            }))
        )]
    );
    assert_eq!(h.engine.channel_var(a, "record_ms"), Some("4500"));
    assert_eq!(h.engine.channel_var(a, "record_samples"), Some("36000"));
}

#[test]
fn app_record_without_silence_seconds_watches_nothing() {
    let mut h = Harness::new();
    let a = in_app(&mut h);
    let options = RecordOptions {
        path: "msg.wav".into(),
        max_seconds: 5,
        silence_seconds: 0,
        silence_threshold: 200,
        terminators: String::new(),
    };
    h.app(a, 1, AppRequest::Record(options));
    assert!(watches(&h).is_empty());
}

#[test]
fn the_record_application_takes_limit_threshold_and_hits_then_continues() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::Set {
                name: "playback_terminators".into(),
                value: "#".into(),
            },
            Action::Execute {
                name: "record".into(),
                data: "/tmp/${destination_number}.wav 20 300 2".into(),
            },
            Action::Set {
                name: "after".into(),
                value: "${record_seconds}".into(),
            },
            Action::Park,
        ],
    );
    assert!(h.media_commands().contains(&MediaCommand::RecordStart {
        leg: a.leg(),
        path: "/tmp/5000.wav".into(),
        layout: witswitch_core::RecordLayout::Mono,
    }));
    assert_eq!(watches(&h), vec![("/tmp/5000.wav".into(), 300, 2000)]);
    // `*` is not a terminator here (playback_terminators is `#`).
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: '*',
        duration_ms: 80,
    });
    assert_eq!(stops(&h), 0);
    h.advance(Duration::from_secs(7));
    h.media(MediaEvent::Silence {
        leg: a.leg(),
        path: "/tmp/5000.wav".into(),
    });
    assert_eq!(stops(&h), 1);
    assert_eq!(h.engine.channel_var(a, "after"), None, "record still runs");
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path: "/tmp/5000.wav".into(),
        ms: 7000,
    });
    // The dialplan went on to the next action.
    assert_eq!(h.engine.channel_var(a, "after"), Some("7"));
}

#[test]
fn the_record_application_stops_at_its_time_limit() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::Execute {
                name: "record".into(),
                data: "/tmp/t.wav 5".into(),
            },
            Action::Park,
        ],
    );
    assert!(watches(&h).is_empty(), "no threshold, no silence detection");
    h.advance(Duration::from_millis(4999));
    assert_eq!(stops(&h), 0);
    h.advance(Duration::from_millis(1));
    assert_eq!(stops(&h), 1);
}

/// record_session to `path`, then the caller hangs up.
fn recorded_call_hung_up(h: &mut Harness) -> (ChannelId, String) {
    let a = h.invite("1001");
    let uuid = h.uuid(a);
    h.route(
        a,
        vec![
            Action::Answer,
            Action::RecordSession("/rec/call.wav".into()),
            Action::Park,
        ],
    );
    h.advance(Duration::from_secs(10));
    h.sip(a, SipInput::Bye { reason: None });
    (a, uuid)
}

#[test]
fn the_cdr_waits_for_the_recording_to_close_and_carries_its_length() {
    let mut h = Harness::new();
    let (a, uuid) = recorded_call_hung_up(&mut h);
    assert!(h.cdrs().is_empty(), "no CDR before the file is complete");
    assert!(!h.destroyed(a));
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path: "/rec/call.wav".into(),
        ms: 9980,
    });
    let cdr = h.cdr_of(&uuid);
    let recorded = |name: &str| cdr.recording.get(name).map(String::as_str);
    assert_eq!(recorded("record_ms"), Some("9980"));
    assert_eq!(recorded("record_seconds"), Some("9"));
    assert_eq!(recorded("record_samples"), Some("79840"));
    assert_eq!(recorded("record_session_path"), Some("/rec/call.wav"));
    assert!(h.destroyed(a));
    // The grace timer was disarmed with the report.
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn a_lost_record_done_delays_the_cdr_by_the_grace_only() {
    let mut h = Harness::new();
    let (a, uuid) = recorded_call_hung_up(&mut h);
    h.advance(Duration::from_millis(1999));
    assert!(h.cdrs().is_empty());
    h.advance(Duration::from_millis(1));
    let cdr = h.cdr_of(&uuid);
    assert_eq!(cdr.recording.get("record_ms"), None);
    assert!(h.destroyed(a));
    // A late RecordDone for a channel that is gone is ignored.
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path: "/rec/call.wav".into(),
        ms: 9980,
    });
    assert_eq!(h.cdrs().len(), 1);
}

#[test]
fn shutdown_reports_channels_waiting_for_recordings_at_once() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    let uuid = h.uuid(a);
    h.route(
        a,
        vec![
            Action::Answer,
            Action::RecordSession("/rec/call.wav".into()),
            Action::Park,
        ],
    );
    h.engine
        .hangup_all(h.now, witswitch_types::HangupCause::SystemShutdown);
    h.settle();
    assert_eq!(h.cdr_of(&uuid).hangup_cause.name(), "SYSTEM_SHUTDOWN");
}
