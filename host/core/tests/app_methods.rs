//! The `call` methods of an app that drive media, one by one: `play` with
//! barge-in, a missing prompt as a clear error, `send-dtmf`, `sleep`, and a
//! hangup in the middle of `record` (the file is still closed and measured
//! before the CDR).

mod common;

use std::time::Duration;

use common::Harness;
use witswitch_core::{
    Action, AppError, AppOutcome, AppRequest, AppResponse, HangupCause, MediaCommand, MediaEvent,
    PlayOutcome, PlaybackError, RecordOptions, RequestId, SipInput,
};
use witswitch_types::ChannelId;

fn in_app(h: &mut Harness) -> ChannelId {
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
    a
}

#[test]
fn play_stops_on_any_digit_and_returns_it() {
    let mut h = Harness::new();
    let a = in_app(&mut h);
    h.app(a, 1, AppRequest::Play("sounds/ivr-welcome.wav".into()));
    let (play_id, source) = h.last_play(a);
    assert_eq!(source, "sounds/ivr-welcome.wav");
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: '7',
        duration_ms: 100,
    });
    assert!(
        h.media_commands()
            .contains(&MediaCommand::StopPlay { leg: a.leg() })
    );
    assert!(h.app_replies(a).is_empty(), "the reply waits for the stop");
    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id,
        interrupted_by: None,
    });
    assert_eq!(
        h.app_replies(a),
        vec![(
            RequestId(1),
            Ok(AppResponse::Played(PlayOutcome::Interrupted('7')))
        )]
    );
    // Played to the end: completed.
    h.app(a, 2, AppRequest::Play("sounds/ivr-goodbye.wav".into()));
    let (play_id, _) = h.last_play(a);
    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id,
        interrupted_by: None,
    });
    assert_eq!(
        h.app_replies(a).last(),
        Some(&(
            RequestId(2),
            Ok(AppResponse::Played(PlayOutcome::Completed))
        ))
    );
}

#[test]
fn a_missing_prompt_is_file_not_found_for_the_script() {
    let mut h = Harness::new();
    let a = in_app(&mut h);
    h.app(a, 1, AppRequest::Play("sounds/nope.wav".into()));
    let (play_id, _) = h.last_play(a);
    h.media(MediaEvent::PlaybackFailed {
        leg: a.leg(),
        play_id,
        error: PlaybackError::NotFound("/conf/sounds/nope.wav".into()),
    });
    assert_eq!(
        h.app_replies(a),
        vec![(
            RequestId(1),
            Err(AppError::FileNotFound("/conf/sounds/nope.wav".into()))
        )]
    );
    // The call goes on: the next request runs.
    h.app(a, 2, AppRequest::GetVar("destination_number".into()));
    assert_eq!(
        h.app_replies(a).last(),
        Some(&(RequestId(2), Ok(AppResponse::Var(Some("5000".into())))))
    );
}

#[test]
fn send_dtmf_goes_to_the_media_engine_and_bad_digits_are_refused() {
    let mut h = Harness::new();
    let a = in_app(&mut h);
    h.app(a, 1, AppRequest::SendDtmf("12#".into()));
    assert!(h.media_commands().contains(&MediaCommand::SendDtmf {
        leg: a.leg(),
        digits: "12#".into()
    }));
    assert_eq!(
        h.app_replies(a),
        vec![(RequestId(1), Ok(AppResponse::Done))]
    );
    h.app(a, 2, AppRequest::SendDtmf("1x".into()));
    assert!(matches!(
        h.app_replies(a).last(),
        Some((RequestId(2), Err(AppError::InvalidArgument(_))))
    ));
    let sent = h
        .media_commands()
        .iter()
        .filter(|m| matches!(m, MediaCommand::SendDtmf { .. }))
        .count();
    assert_eq!(sent, 1);
}

#[test]
fn sleep_returns_after_its_time_and_keeps_digits_for_the_next_collect() {
    let mut h = Harness::new();
    let a = in_app(&mut h);
    h.app(a, 1, AppRequest::Sleep(1500));
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: '4',
        duration_ms: 80,
    });
    h.advance(Duration::from_millis(1499));
    assert!(h.app_replies(a).is_empty(), "a digit does not end a sleep");
    h.advance(Duration::from_millis(1));
    assert_eq!(
        h.app_replies(a),
        vec![(RequestId(1), Ok(AppResponse::Done))]
    );
    let collect = witswitch_core::CollectOptions {
        max_digits: 1,
        first_digit_timeout_ms: 5000,
        inter_digit_timeout_ms: 5000,
        terminators: String::new(),
    };
    h.app(a, 2, AppRequest::CollectDigits(collect));
    assert!(matches!(
        h.app_replies(a).last(),
        Some((RequestId(2), Ok(AppResponse::Digits(d)))) if d.digits == "4"
    ));
}

#[test]
fn hangup_during_record_returns_hangup_and_the_cdr_has_the_files_length() {
    let mut h = Harness::new();
    let a = in_app(&mut h);
    let uuid = h.uuid(a);
    let options = RecordOptions {
        path: "msg.wav".into(),
        max_seconds: 60,
        silence_seconds: 3,
        silence_threshold: 200,
        terminators: "#".into(),
    };
    h.app(a, 1, AppRequest::Record(options));
    h.advance(Duration::from_secs(5));
    h.sip(a, SipInput::Bye { reason: None });
    assert_eq!(
        h.app_replies(a),
        vec![(
            RequestId(1),
            Err(AppError::Hangup(HangupCause::NormalClearing))
        )]
    );
    // The leg's end closes the file; the app cleans up and returns.
    assert!(
        h.media_commands()
            .contains(&MediaCommand::DestroyLeg { leg: a.leg() })
    );
    h.engine
        .handle_app_finished(h.now, a, AppOutcome::CallEnded(HangupCause::NormalClearing));
    h.settle();
    assert!(h.cdrs().is_empty(), "the CDR waits for the file");
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path: "msg.wav".into(),
        ms: 5000,
    });
    let cdr = h.cdr_of(&uuid);
    assert_eq!(
        cdr.recording.get("record_ms").map(String::as_str),
        Some("5000")
    );
}
