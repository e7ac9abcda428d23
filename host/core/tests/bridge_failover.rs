//! `|` fails over in sequence: the second group is dialed only after the
//! first failed; `{}` vars apply to every leg, `[]` to one.

mod common;

use common::{Harness, answer_pcmu};
use witswitch_core::{Action, InviteTarget, MediaCommand, SipCommand, SipInput};

#[test]
fn second_gateway_after_the_first_fails() {
    let mut h = Harness::new();
    let a = h.invite("15551234567");
    h.route(
        a,
        vec![
            Action::Set { name: "effective_caller_id_number".into(), value: "4155550100".into() },
            Action::Bridge(
                "{origination_caller_id_name=Acme}[sip_h_X-Leg=one]sofia/gateway/carrier/${destination_number}|sofia/gateway/backup/${destination_number}"
                    .into(),
            ),
        ],
    );
    let invites = h.outgoing_invites();
    assert_eq!(invites.len(), 1, "only the first group rings");
    let (b1, target) = invites[0].clone();
    assert_eq!(
        target,
        InviteTarget::Gateway {
            name: "carrier".into(),
            number: "15551234567".into()
        }
    );
    let SipCommand::Invite {
        caller_id_name,
        caller_id_number,
        headers,
        ..
    } = &h.sip_commands(b1)[0]
    else {
        panic!("INVITE")
    };
    assert_eq!(caller_id_name, "Acme");
    assert_eq!(
        caller_id_number, "4155550100",
        "effective_caller_id_number of A"
    );
    assert_eq!(headers, &vec![("X-Leg".to_owned(), "one".to_owned())]);
    // The gateway lives on the external profile.
    assert!(h.log.iter().any(|e| matches!(e,
        witswitch_core::Effect::Sip { channel, profile, .. } if *channel == b1 && profile == "external")));

    h.sip(
        b1,
        SipInput::Failed {
            status: 503,
            reason: None,
        },
    );
    let invites = h.outgoing_invites();
    assert_eq!(invites.len(), 2);
    let (b2, target) = invites[1].clone();
    assert_eq!(
        target,
        InviteTarget::Gateway {
            name: "backup".into(),
            number: "15551234567".into()
        }
    );
    let SipCommand::Invite {
        headers,
        caller_id_name,
        ..
    } = &h.sip_commands(b2)[0]
    else {
        panic!("INVITE")
    };
    assert!(headers.is_empty(), "[] vars belonged to the first leg only");
    assert_eq!(caller_id_name, "Acme", "{{}} vars apply to every group");

    h.sip(
        b2,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    assert!(h.media_commands().contains(&MediaCommand::Bridge {
        a: a.leg(),
        b: b2.leg()
    }));
    let first = h
        .cdrs()
        .into_iter()
        .find(|c| c.sip_term_status == Some(503))
        .expect("failed leg CDR");
    assert_eq!(
        first.hangup_cause,
        witswitch_core::HangupCause::NormalTemporaryFailure
    );
    assert_eq!(first.sip_hangup_disposition, "recv_refuse");
}

#[test]
fn unknown_gateway_fails_over_without_a_channel() {
    let mut h = Harness::new();
    let a = h.invite("123");
    h.route(
        a,
        vec![Action::Bridge(
            "sofia/gateway/nosuch/123|sofia/gateway/carrier/123".into(),
        )],
    );
    let invites = h.outgoing_invites();
    assert_eq!(invites.len(), 1);
    assert_eq!(
        invites[0].1,
        InviteTarget::Gateway {
            name: "carrier".into(),
            number: "123".into()
        }
    );
}
