//! `play-and-get-digits`: the prompt, a regex check, the invalid prompt
//! after every failed try, and `None` after the last try; also the
//! dialplan's `execute play_and_get_digits` filling a variable.

mod common;

use std::time::Duration;

use common::Harness;
use witswitch_core::{
    Action, AppRequest, AppResponse, ChannelId, MediaCommand, MediaEvent, PlayAndGetDigitsOptions,
    RequestId,
};

fn options() -> PlayAndGetDigitsOptions {
    PlayAndGetDigitsOptions {
        min_digits: 1,
        max_digits: 1,
        tries: 3,
        timeout_ms: 5000,
        digit_timeout_ms: 3000,
        terminators: "#".into(),
        prompt: "ivr/menu.wav".into(),
        invalid_prompt: Some("ivr/invalid.wav".into()),
        valid_regex: Some("^[12]$".into()),
    }
}

fn app_call() -> (Harness, ChannelId) {
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
    (h, a)
}

fn finish_play(h: &mut Harness, a: ChannelId) -> String {
    let (play_id, source) = h.last_play(a);
    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id,
        interrupted_by: None,
    });
    source
}

fn plays(h: &Harness) -> Vec<String> {
    h.media_commands()
        .into_iter()
        .filter_map(|m| match m {
            MediaCommand::Play { source, .. } => Some(source),
            _ => None,
        })
        .collect()
}

#[test]
fn three_wrong_answers_hear_invalid_three_times_then_none() {
    let (mut h, a) = app_call();
    h.app(a, 1, AppRequest::PlayAndGetDigits(options()));
    for _ in 0..3 {
        assert_eq!(h.last_play(a).1, "ivr/menu.wav");
        // The caller presses 9 during the prompt: the prompt stops.
        h.media(MediaEvent::Dtmf {
            leg: a.leg(),
            digit: '9',
            duration_ms: 80,
        });
        assert_eq!(
            h.media_commands().last(),
            Some(&MediaCommand::StopPlay { leg: a.leg() })
        );
        finish_play(&mut h, a);
        assert_eq!(finish_play(&mut h, a), "ivr/invalid.wav");
    }
    assert_eq!(
        plays(&h),
        ["ivr/menu.wav", "ivr/invalid.wav"]
            .repeat(3)
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        h.app_replies(a),
        vec![(RequestId(1), Ok(AppResponse::ValidDigits(None)))]
    );
}

#[test]
fn silence_times_out_each_try() {
    let (mut h, a) = app_call();
    let mut opts = options();
    opts.invalid_prompt = None;
    opts.tries = 2;
    h.app(a, 1, AppRequest::PlayAndGetDigits(opts));
    finish_play(&mut h, a);
    h.advance(Duration::from_secs(5));
    assert_eq!(h.last_play(a).1, "ivr/menu.wav", "second try prompts again");
    finish_play(&mut h, a);
    h.advance(Duration::from_secs(5));
    assert_eq!(
        h.app_replies(a),
        vec![(RequestId(1), Ok(AppResponse::ValidDigits(None)))]
    );
    assert_eq!(plays(&h).len(), 2);
}

#[test]
fn valid_input_on_the_second_try() {
    let (mut h, a) = app_call();
    h.app(a, 1, AppRequest::PlayAndGetDigits(options()));
    finish_play(&mut h, a);
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: '5',
        duration_ms: 80,
    });
    finish_play(&mut h, a); // invalid prompt
    finish_play(&mut h, a); // menu again
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: '2',
        duration_ms: 80,
    });
    assert_eq!(
        h.app_replies(a),
        vec![(RequestId(1), Ok(AppResponse::ValidDigits(Some("2".into()))))]
    );
}

#[test]
fn a_bad_regex_is_an_invalid_argument() {
    let (mut h, a) = app_call();
    let mut opts = options();
    opts.valid_regex = Some("([".into());
    h.app(a, 1, AppRequest::PlayAndGetDigits(opts));
    assert!(matches!(
        h.app_replies(a).as_slice(),
        [(_, Err(witswitch_core::AppError::InvalidArgument(_)))]
    ));
}

#[test]
fn dialplan_execute_sets_the_variable() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::Execute {
                name: "play_and_get_digits".into(),
                data: "2 4 1 4000 # ivr/pin.wav silence_stream://250 pin \\d+ 2000".into(),
            },
            Action::Park,
        ],
    );
    finish_play(&mut h, a);
    for d in ['4', '2', '#'] {
        h.media(MediaEvent::Dtmf {
            leg: a.leg(),
            digit: d,
            duration_ms: 80,
        });
    }
    assert_eq!(h.engine.channel_var(a, "pin"), Some("42"));
}
