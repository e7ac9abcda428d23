//! A re-INVITE on one leg of a bridge (hold with `sendonly`, unhold with
//! `sendrecv`) is answered locally and passed to the other leg as our own
//! re-INVITE with the same direction (B2BUA, RFC 3264 §8.4).

mod common;

use common::{Harness, answer_pcmu, offer_with_direction};
use witswitch_core::{Action, CallState, MediaCommand, SipCommand, SipInput};
use witswitch_sdp::{Direction, SessionDescription};

fn direction_of(sdp: &[u8]) -> Direction {
    let sdp = SessionDescription::parse(sdp).expect("SDP");
    let (_, audio) = sdp.audio().expect("audio");
    sdp.media_direction(audio)
}

#[test]
fn hold_and_unhold_reach_the_other_leg() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![Action::Bridge("sofia/internal/1001@10.0.0.5".into())],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );

    h.sip(
        a,
        SipInput::ReInvite {
            sdp: Some(offer_with_direction("sendonly")),
        },
    );
    let reply = h.sip_commands(a).into_iter().find_map(|c| match c {
        SipCommand::RespondReInvite {
            status: 200,
            sdp: Some(sdp),
        } => Some(sdp),
        _ => None,
    });
    assert_eq!(
        direction_of(&reply.expect("200 to the re-INVITE")),
        Direction::RecvOnly
    );
    assert_eq!(
        h.engine.channel_snapshot(a).map(|s| s.call_state),
        Some(CallState::Held)
    );
    let passed = h.sip_commands(b).into_iter().find_map(|c| match c {
        SipCommand::ReInvite { sdp } => Some(sdp),
        _ => None,
    });
    assert_eq!(
        direction_of(&passed.expect("re-INVITE to B")),
        Direction::SendOnly
    );

    // B accepts: its media is reconfigured (we no longer receive from B).
    let configures_before = count_configures(&h, b);
    let mut answer = String::from_utf8(answer_pcmu(40000)).expect("utf8");
    answer.push_str("a=recvonly\r\n");
    h.sip(
        b,
        SipInput::ReInviteAnswered {
            sdp: Some(answer.into_bytes()),
        },
    );
    assert_eq!(count_configures(&h, b), configures_before + 1);

    // Unhold.
    h.sip(
        a,
        SipInput::ReInvite {
            sdp: Some(offer_with_direction("sendrecv")),
        },
    );
    let last_offer = h.sip_commands(b).into_iter().rev().find_map(|c| match c {
        SipCommand::ReInvite { sdp } => Some(sdp),
        _ => None,
    });
    assert_eq!(
        direction_of(&last_offer.expect("second re-INVITE")),
        Direction::SendRecv
    );
    assert_eq!(
        h.engine.channel_snapshot(a).map(|s| s.call_state),
        Some(CallState::Active)
    );
}

fn count_configures(h: &Harness, ch: witswitch_core::ChannelId) -> usize {
    h.media_commands()
        .iter()
        .filter(|m| matches!(m, MediaCommand::Configure { leg, .. } if *leg == ch.leg()))
        .count()
}

#[test]
fn an_unusable_reinvite_gets_488_and_keeps_the_call() {
    let mut h = Harness::new();
    let a = h.invite("9196");
    h.route(a, vec![Action::Answer, Action::Echo]);
    h.sip(
        a,
        SipInput::ReInvite {
            sdp: Some(common::OFFER_G729.as_bytes().to_vec()),
        },
    );
    assert!(h.sip_commands(a).contains(&SipCommand::RespondReInvite {
        status: 488,
        sdp: None
    }));
    assert_eq!(h.engine.channel_count(), 1);
}
