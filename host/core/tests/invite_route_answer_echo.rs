//! INVITE → Route (call info, context) → answer + echo → BYE: the basic
//! 9196 echo call.

mod common;

use common::{Harness, final_command};
use witswitch_core::{
    Action, ChannelState, Effect, EventName, HangupCause, MediaCommand, SipCommand, SipInput,
};
use witswitch_sdp::SessionDescription;

#[test]
fn echo_call_from_invite_to_bye() {
    let mut h = Harness::new();
    let a = h.invite("9196");

    // Routing: one Route effect with the caller profile.
    let route = h.log.iter().find_map(|e| match e {
        Effect::Route { channel, call_info } if *channel == a => Some(call_info.clone()),
        _ => None,
    });
    let info = route.expect("a Route effect");
    assert_eq!(info.destination_number, "9196");
    assert_eq!(info.context, "public");
    assert_eq!(info.caller_id_number, "1000");
    assert_eq!(info.network_addr, "10.0.0.1");
    assert_eq!(info.network_port, 5060);
    assert_eq!(
        info.sip_headers,
        vec![("X-Test".to_owned(), "yes".to_owned())]
    );
    assert!(
        info.variables
            .iter()
            .any(|(k, v)| k == "sip_call_id" && v.starts_with("call-"))
    );
    assert_eq!(
        h.engine.channel_snapshot(a).map(|s| s.state),
        Some(ChannelState::Routing)
    );
    assert!(
        h.sip_commands(a).is_empty(),
        "nothing sent before the dialplan decides"
    );

    h.route(a, vec![Action::Answer, Action::Echo]);

    // 200 OK with our answer: PCMU on the bound port, telephone-event kept.
    let answer = h
        .sip_commands(a)
        .into_iter()
        .find_map(|c| match c {
            SipCommand::Answer { sdp } => Some(sdp),
            _ => None,
        })
        .expect("200 OK");
    let sdp = SessionDescription::parse(&answer).expect("valid SDP");
    let (_, audio) = sdp.audio().expect("audio m-line");
    assert_eq!(audio.formats[0].encoding, "PCMU");
    assert!(
        audio
            .formats
            .iter()
            .any(|f| f.encoding == "telephone-event")
    );
    assert_eq!(sdp.media_address(audio).map(|s| s.port()), Some(20002));

    // Media: leg created, configured toward the phone, then echo.
    let media = h.media_commands();
    let configure = media
        .iter()
        .position(|m| matches!(m, MediaCommand::Configure { .. }));
    let echo = media
        .iter()
        .position(|m| matches!(m, MediaCommand::Echo { leg } if *leg == a.leg()));
    assert!(matches!(media[0], MediaCommand::CreateLeg { .. }));
    assert!(configure.expect("configure") < echo.expect("echo"));
    if let Some(MediaCommand::Configure { remote, codec, .. }) = configure.map(|i| &media[i]) {
        assert_eq!(
            remote.map(|r| r.to_string()),
            Some("10.0.0.1:30000".to_owned())
        );
        assert_eq!(codec.payload_type, 0);
        assert_eq!(codec.telephone_event_pt, Some(101));
    }
    assert_eq!(h.events(EventName::ChannelAnswer).len(), 1);
    assert_eq!(h.engine.channel_var(a, "read_codec"), Some("PCMU"));

    // The caller hangs up: no SIP from us (the UA answered the BYE), leg freed, CDR.
    h.sip(a, SipInput::Bye { reason: None });
    assert_eq!(final_command(&h.sip_commands(a)), None);
    assert!(
        h.media_commands()
            .contains(&MediaCommand::DestroyLeg { leg: a.leg() })
    );
    let cdrs = h.cdrs();
    assert_eq!(cdrs.len(), 1);
    assert_eq!(cdrs[0].hangup_cause, HangupCause::NormalClearing);
    assert_eq!(cdrs[0].sip_hangup_disposition, "recv_bye");
    assert!(h.destroyed(a));
    assert_eq!(h.engine.channel_count(), 0);
    let names: Vec<_> = h
        .log
        .iter()
        .filter_map(|e| match e {
            Effect::Event(ev) => Some(ev.name),
            _ => None,
        })
        .collect();
    let order = [
        EventName::ChannelCreate,
        EventName::ChannelAnswer,
        EventName::ChannelHangup,
        EventName::ChannelHangupComplete,
        EventName::ChannelDestroy,
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|n| names.iter().position(|x| x == n).expect("event"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{names:?}");
}
