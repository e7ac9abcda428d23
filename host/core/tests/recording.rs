//! `record_session` (mono, or stereo with RECORD_STEREO) runs alongside the
//! dialplan, waits for media, stops on request or hangup; an app's
//! `record` ends on a terminator or its time limit.

mod common;

use std::time::Duration;

use common::Harness;
use witswitch_core::{
    Action, AppRequest, AppResponse, EventName, MediaCommand, MediaEvent, RecordLayout,
    RecordOptions, Recording, RequestId, SipInput,
};

#[test]
fn record_session_starts_with_media_and_stops_at_hangup() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            Action::RecordSession("/rec/a.wav".into()),
            Action::Set {
                name: "RECORD_STEREO".into(),
                value: "true".into(),
            },
            Action::RecordSession("/rec/b.wav".into()),
            Action::Answer,
            Action::Park,
        ],
    );
    let starts: Vec<_> = h
        .media_commands()
        .into_iter()
        .filter_map(|m| match m {
            MediaCommand::RecordStart { path, layout, .. } => Some((path, layout)),
            _ => None,
        })
        .collect();
    // Both wait for the answer's media; the layout is read when each starts.
    assert_eq!(
        starts,
        vec![
            ("/rec/a.wav".into(), RecordLayout::Stereo),
            ("/rec/b.wav".into(), RecordLayout::Stereo)
        ]
    );
    let configure = h
        .media_commands()
        .iter()
        .position(|m| matches!(m, MediaCommand::Configure { .. }));
    let first_start = h
        .media_commands()
        .iter()
        .position(|m| matches!(m, MediaCommand::RecordStart { .. }));
    assert!(configure < first_start);
    assert_eq!(h.events(EventName::RecordStart).len(), 2);

    h.sip(a, SipInput::Bye { reason: None });
    let media = h.media_commands();
    let stops = media
        .iter()
        .filter(|m| matches!(m, MediaCommand::RecordStop { .. }))
        .count();
    let stop_pos = media
        .iter()
        .rposition(|m| matches!(m, MediaCommand::RecordStop { .. }));
    let destroy_pos = media
        .iter()
        .position(|m| matches!(m, MediaCommand::DestroyLeg { .. }));
    assert_eq!(stops, 2);
    assert!(
        stop_pos < destroy_pos,
        "files are closed before the leg goes"
    );
    assert_eq!(h.events(EventName::RecordStop).len(), 2);
}

#[test]
fn stop_record_session_stops_one_path() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::RecordSession("/rec/a.wav".into()),
            Action::StopRecordSession("/rec/a.wav".into()),
            Action::Park,
        ],
    );
    assert!(h.media_commands().contains(&MediaCommand::RecordStop {
        leg: a.leg(),
        path: "/rec/a.wav".into()
    }));
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path: "/rec/a.wav".into(),
        ms: 1500,
    });
    assert_eq!(h.engine.channel_var(a, "record_ms"), Some("1500"));
    assert_eq!(h.events(EventName::RecordStop).len(), 1);
}

#[test]
fn app_record_ends_on_terminator_or_time_limit() {
    let mut h = Harness::new();
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
    let options = RecordOptions {
        path: "/rec/msg.wav".into(),
        max_seconds: 30,
        silence_seconds: 0,
        silence_threshold: 200,
        terminators: "#".into(),
    };
    h.app(a, 1, AppRequest::Record(options.clone()));
    assert!(h.media_commands().contains(&MediaCommand::RecordStart {
        leg: a.leg(),
        path: "/rec/msg.wav".into(),
        layout: RecordLayout::Mono
    }));
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: '#',
        duration_ms: 80,
    });
    assert!(h.media_commands().contains(&MediaCommand::RecordStop {
        leg: a.leg(),
        path: "/rec/msg.wav".into()
    }));
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path: "/rec/msg.wav".into(),
        ms: 4200,
    });
    assert_eq!(
        h.app_replies(a),
        vec![(
            RequestId(1),
            Ok(AppResponse::Recorded(Recording {
                path: "/rec/msg.wav".into(),
                duration_ms: 4200,
                terminator: Some('#')
            }))
        )]
    );

    h.app(a, 2, AppRequest::Record(options));
    h.advance(Duration::from_secs(30));
    let stops = h
        .media_commands()
        .iter()
        .filter(|m| matches!(m, MediaCommand::RecordStop { .. }))
        .count();
    assert_eq!(stops, 2);
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path: "/rec/msg.wav".into(),
        ms: 30_000,
    });
    assert!(matches!(
        h.app_replies(a).last(),
        Some((
            RequestId(2),
            Ok(AppResponse::Recorded(Recording {
                terminator: None,
                duration_ms: 30_000,
                ..
            }))
        ))
    ));
}
