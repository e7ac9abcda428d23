//! Late offer (INVITE without SDP): we offer in the 200, the ACK carries
//! the answer, and media starts only then.

mod common;

use common::{Harness, answer_pcmu};
use witswitch_core::{Action, HangupCause, MediaCommand, SipCommand, SipInput};
use witswitch_sdp::SessionDescription;

#[test]
fn echo_waits_for_the_ack_answer() {
    let mut h = Harness::new();
    let a = h.invite_from("1000", "9196", None);
    assert_eq!(h.engine.channel_var(a, "sip_late_offer"), Some("true"));
    h.route(a, vec![Action::Answer, Action::Echo]);
    let offer = h.sip_commands(a).into_iter().find_map(|c| match c {
        SipCommand::Answer { sdp } => Some(sdp),
        _ => None,
    });
    let offer = SessionDescription::parse(&offer.expect("200 with an offer")).expect("SDP");
    let (_, audio) = offer.audio().expect("audio");
    assert!(
        audio.formats.len() >= 2,
        "an offer lists every codec we take"
    );
    assert!(
        !h.media_commands()
            .iter()
            .any(|m| matches!(m, MediaCommand::Echo { .. })),
        "no media before the ACK"
    );

    h.sip(
        a,
        SipInput::Ack {
            sdp: Some(answer_pcmu(30000)),
        },
    );
    let media = h.media_commands();
    assert!(media.iter().any(
        |m| matches!(m, MediaCommand::Configure { remote: Some(r), .. } if r.port() == 30000)
    ));
    assert!(media.contains(&MediaCommand::Echo { leg: a.leg() }));
}

#[test]
fn an_ack_without_the_answer_ends_the_call() {
    let mut h = Harness::new();
    let a = h.invite_from("1000", "9196", None);
    h.route(a, vec![Action::Answer, Action::Echo]);
    h.sip(a, SipInput::Ack { sdp: None });
    assert_eq!(
        h.sip_commands(a).last(),
        Some(&SipCommand::Bye {
            cause: HangupCause::IncompatibleDestination
        })
    );
}

#[test]
fn pre_answer_on_a_late_offer_answers_instead() {
    let mut h = Harness::new();
    let a = h.invite_from("1000", "5000", None);
    h.route(a, vec![Action::PreAnswer, Action::Park]);
    let commands = h.sip_commands(a);
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, SipCommand::Answer { .. }))
    );
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, SipCommand::Progress { .. }))
    );
}
