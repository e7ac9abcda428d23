//! `bridge user/1001` with two registrations: both ring at once (each over
//! the flow it registered from), the first answer wins, the other is
//! cancelled with LOSE_RACE, and the media of A and the winner is bridged.

mod common;

use common::{Harness, answer_pcmu};
use witswitch_core::{
    Action, EventName, HangupCause, InviteTarget, MediaCommand, RegisteredContact, SipCommand,
    SipInput,
};

#[test]
fn first_answer_wins_and_the_other_leg_is_cancelled() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(a, vec![Action::Bridge("user/1001@example.com".into())]);

    let lookups = h.lookups();
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].1, "1001");
    h.locate(
        lookups[0].0,
        vec![
            RegisteredContact {
                profile: "internal".into(),
                uri: "sip:1001@10.0.0.5:5060".into(),
                source: Some("203.0.113.5:40000".parse().expect("addr")),
            },
            RegisteredContact {
                profile: "internal".into(),
                uri: "sip:1001@10.0.0.6:5062".into(),
                source: None,
            },
        ],
    );
    let invites = h.outgoing_invites();
    assert_eq!(invites.len(), 2, "both contacts ring in parallel");
    let (b1, b2) = (invites[0].0, invites[1].0);
    assert_eq!(
        invites[0].1,
        InviteTarget::Contact {
            user: "1001".into(),
            domain: "example.com".into(),
            uri: "sip:1001@10.0.0.5:5060".into(),
            source: Some("203.0.113.5:40000".parse().expect("addr")),
        }
    );
    // B legs carry the caller id of A in From and an SDP offer.
    let SipCommand::Invite {
        caller_id_number,
        sdp,
        ..
    } = &h.sip_commands(b1)[0]
    else {
        panic!("INVITE")
    };
    assert_eq!(caller_id_number, "1000");
    assert!(
        String::from_utf8_lossy(sdp).contains("RTP/AVP 0 8"),
        "PCMU first, as A uses it"
    );

    // Both ring: A gets one 180.
    h.sip(
        b1,
        SipInput::Provisional {
            status: 180,
            sdp: None,
        },
    );
    h.sip(
        b2,
        SipInput::Provisional {
            status: 180,
            sdp: None,
        },
    );
    let ringing = h
        .sip_commands(a)
        .iter()
        .filter(|c| matches!(c, SipCommand::Progress { status: 180, .. }))
        .count();
    assert_eq!(ringing, 1);

    // The second contact answers first.
    h.sip(
        b2,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    assert_eq!(
        h.sip_commands(b1).last(),
        Some(&SipCommand::Cancel {
            cause: HangupCause::LoseRace
        })
    );
    assert!(
        h.sip_commands(a)
            .iter()
            .any(|c| matches!(c, SipCommand::Answer { .. })),
        "A answered"
    );
    assert!(h.media_commands().contains(&MediaCommand::Bridge {
        a: a.leg(),
        b: b2.leg()
    }));
    let bridge_events = h.events(EventName::ChannelBridge);
    assert_eq!(bridge_events.len(), 2);
    assert_eq!(
        bridge_events[0].header("Bridge-B-Unique-ID"),
        Some(h.uuid(b2).as_str())
    );
    assert_eq!(
        h.engine.channel_var(a, "bridge_uuid"),
        Some(h.uuid(b2).as_str())
    );

    // The loser's CDR says LOSE_RACE; both live legs share A's call uuid.
    let loser = h
        .cdrs()
        .into_iter()
        .find(|c| c.hangup_cause == HangupCause::LoseRace)
        .expect("loser CDR");
    assert_eq!(loser.call_uuid, h.uuid(a));
    assert_eq!(h.engine.channel_count(), 2);
}

#[test]
fn early_media_of_one_leg_reaches_a() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![Action::Bridge("sofia/external/1001@10.0.0.9".into())],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Provisional {
            status: 183,
            sdp: Some(answer_pcmu(40010)),
        },
    );
    assert!(h.sip_commands(a).iter().any(|c| matches!(
        c,
        SipCommand::Progress {
            status: 183,
            sdp: Some(_)
        }
    )));
    assert!(h.media_commands().contains(&MediaCommand::Bridge {
        a: a.leg(),
        b: b.leg()
    }));
    assert_eq!(
        h.events(EventName::ChannelProgressMedia).len(),
        2,
        "B received and A sent early media"
    );
}

#[test]
fn ignore_early_media_turns_183_into_ringing() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![Action::Bridge(
            "{ignore_early_media=true}sofia/external/1001@10.0.0.9".into(),
        )],
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    h.sip(
        b,
        SipInput::Provisional {
            status: 183,
            sdp: Some(answer_pcmu(40010)),
        },
    );
    assert!(h.sip_commands(a).contains(&SipCommand::Progress {
        status: 180,
        sdp: None
    }));
    assert!(
        !h.media_commands()
            .iter()
            .any(|m| matches!(m, MediaCommand::Bridge { .. }))
    );
}
