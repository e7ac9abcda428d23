//! `playback` holds the dialplan until the media engine reports the end;
//! a terminator digit stops it early and is recorded.

mod common;

use std::time::Duration;

use common::{Harness, final_command};
use witswitch_core::{Action, EventName, HangupCause, MediaCommand, MediaEvent, SipCommand};

#[test]
fn next_action_runs_only_after_playback_done() {
    let mut h = Harness::new();
    let a = h.invite("9197");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::Playback("tone_stream://%(1000,0,440);loops=3".into()),
            Action::Hangup(HangupCause::NormalClearing),
        ],
    );
    let (play_id, source) = h.last_play(a);
    assert_eq!(source, "tone_stream://%(1000,0,440);loops=3");
    assert_eq!(h.events(EventName::PlaybackStart).len(), 1);

    // Time passes; nothing happens until the media engine says the prompt ended.
    h.advance(Duration::from_secs(30));
    assert_eq!(final_command(&h.sip_commands(a)), None);

    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id,
        interrupted_by: None,
    });
    assert_eq!(h.events(EventName::PlaybackStop).len(), 1);
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Bye {
            cause: HangupCause::NormalClearing
        })
    );
}

#[test]
fn playback_pre_answers_and_star_interrupts() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Playback("/sounds/welcome.wav".into()),
            Action::Set {
                name: "after".into(),
                value: "yes".into(),
            },
            Action::Park,
        ],
    );
    // No explicit answer: playback gives early media (183 with SDP).
    assert!(h.sip_commands(a).iter().any(|c| matches!(
        c,
        SipCommand::Progress {
            status: 183,
            sdp: Some(_)
        }
    )));
    let (play_id, _) = h.last_play(a);

    // '1' is not a terminator (default `*`): buffered, playback goes on.
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: '1',
        duration_ms: 100,
    });
    assert!(
        !h.media_commands()
            .contains(&MediaCommand::StopPlay { leg: a.leg() })
    );
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: '*',
        duration_ms: 100,
    });
    assert!(
        h.media_commands()
            .contains(&MediaCommand::StopPlay { leg: a.leg() })
    );
    assert_eq!(h.engine.channel_var(a, "after"), None);

    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id,
        interrupted_by: None,
    });
    assert_eq!(
        h.engine.channel_var(a, "playback_terminator_used"),
        Some("*")
    );
    assert_eq!(h.engine.channel_var(a, "after"), Some("yes"));
    assert_eq!(h.events(EventName::Dtmf).len(), 2);
    assert_eq!(h.events(EventName::ChannelPark).len(), 1);
}

#[test]
fn a_missing_file_is_logged_and_the_dialplan_goes_on() {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::Playback("/nope.wav".into()),
            Action::Hangup(HangupCause::UserBusy),
        ],
    );
    let (play_id, _) = h.last_play(a);
    h.media(MediaEvent::PlaybackFailed {
        leg: a.leg(),
        play_id,
        error: witswitch_core::PlaybackError::NotFound("/nope.wav".into()),
    });
    assert_eq!(
        final_command(&h.sip_commands(a)),
        Some(SipCommand::Bye {
            cause: HangupCause::UserBusy
        })
    );
    assert!(h.log.iter().any(|e| matches!(e, witswitch_core::Effect::Log { message, .. } if message.contains("/nope.wav"))));
}
