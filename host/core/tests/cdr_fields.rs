//! The CDR of an answered, bridged call: one record per leg with uuids,
//! times from the injected wall clock, billsec, cause, SIP code, codec,
//! script and RECORD_* variables; and its JSON line.

mod common;

use std::time::Duration;

use common::{EPOCH_US, Harness, answer_pcmu};
use witswitch_core::{
    Action, CallDirection, HangupCause, MediaCommand, MediaEvent, ScriptIdent, SipInput,
};

#[test]
fn both_legs_get_complete_records() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    let a_uuid = h.uuid(a);
    h.advance(Duration::from_millis(250));
    let script = ScriptIdent {
        name: "default".into(),
        version: "sha256:abcd".into(),
    };
    h.engine.handle_route_result(
        h.now,
        a,
        Some(script.clone()),
        Ok(vec![
            Action::Set {
                name: "RECORD_STEREO".into(),
                value: "true".into(),
            },
            Action::RecordSession("/tmp/rec/${uuid}.wav".into()),
            Action::Bridge("sofia/internal/1001@10.0.0.5".into()),
        ]),
    );
    h.settle();
    let (b, _) = h.outgoing_invites()[0].clone();
    let b_uuid = h.uuid(b);
    h.advance(Duration::from_secs(3));
    h.sip(
        b,
        SipInput::Answered {
            sdp: Some(answer_pcmu(40000)),
        },
    );
    h.advance(Duration::from_millis(61_500));
    h.sip(b, SipInput::Bye { reason: None });
    // A's CDR waits for its recording to be closed (its length goes in it).
    assert!(h.cdrs().iter().all(|c| c.uuid != a_uuid));
    let path = format!("/tmp/rec/{a_uuid}.wav");
    assert!(h.media_commands().contains(&MediaCommand::RecordStop {
        leg: a.leg(),
        path: path.clone()
    }));
    h.advance(Duration::from_millis(3));
    h.media(MediaEvent::RecordDone {
        leg: a.leg(),
        path,
        ms: 61_500,
    });

    let a_cdr = h.cdr_of(&a_uuid);
    let b_cdr = h.cdr_of(&b_uuid);
    assert_eq!(a_cdr.direction, CallDirection::Inbound);
    assert_eq!(b_cdr.direction, CallDirection::Outbound);
    assert_eq!(a_cdr.call_uuid, a_uuid);
    assert_eq!(b_cdr.call_uuid, a_uuid);
    assert_eq!(a_cdr.other_leg_uuid.as_deref(), Some(b_uuid.as_str()));
    assert_eq!(b_cdr.other_leg_uuid.as_deref(), Some(a_uuid.as_str()));
    assert_eq!(
        (
            a_cdr.caller_id_number.as_str(),
            a_cdr.destination_number.as_str()
        ),
        ("1000", "1001")
    );
    assert_eq!(a_cdr.context, "public");
    assert_eq!(a_cdr.network_addr, "10.0.0.1");
    assert_eq!(b_cdr.callee, "1001");

    assert_eq!(a_cdr.created_us, EPOCH_US);
    assert_eq!(a_cdr.answered_us, Some(EPOCH_US + 3_250_000));
    assert_eq!(a_cdr.ended_us, EPOCH_US + 64_750_000);
    assert_eq!(a_cdr.duration, 64);
    assert_eq!(a_cdr.billsec, 61);
    assert_eq!(b_cdr.created_us, EPOCH_US + 250_000);
    assert_eq!(b_cdr.billsec, 61);

    assert_eq!(a_cdr.hangup_cause, HangupCause::NormalClearing);
    assert_eq!(a_cdr.hangup_cause_q850, 16);
    assert_eq!(a_cdr.sip_term_status, Some(200));
    assert_eq!(a_cdr.sip_hangup_disposition, "send_bye");
    assert_eq!(b_cdr.sip_hangup_disposition, "recv_bye");
    assert_eq!(a_cdr.read_codec.as_deref(), Some("PCMU"));
    assert_eq!(a_cdr.read_rate, Some(8000));
    assert_eq!(a_cdr.script.as_ref(), Some(&script));
    assert_eq!(b_cdr.script, None);
    assert_eq!(
        a_cdr.recording.get("RECORD_STEREO").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        a_cdr
            .recording
            .get("record_session_path")
            .map(String::as_str),
        Some(format!("/tmp/rec/{a_uuid}.wav").as_str())
    );
    let recorded = |name: &str| a_cdr.recording.get(name).map(String::as_str);
    assert_eq!(recorded("record_ms"), Some("61500"));
    assert_eq!(recorded("record_seconds"), Some("61"));
    assert_eq!(recorded("record_samples"), Some("492000"));

    let line = a_cdr.to_json_line().expect("serializes");
    assert!(line.ends_with('\n'));
    let json: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
    assert_eq!(json["hangup_cause"], "NORMAL_CLEARING");
    assert_eq!(json["direction"], "inbound");
    assert_eq!(json["billsec"], 61);
    assert_eq!(json["script"]["version"], "sha256:abcd");
    assert_eq!(json["uuid"], a_uuid);
}
