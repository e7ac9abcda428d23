//! Offer/answer against SDP captured from a real FreeSWITCH 1.10.12
//! (`shared/testdata/freeswitch-1.10.12/sip`), whose profile had codec
//! prefs `PCMU,PCMA,OPUS`.

use witswitch_sdp::{
    CodecName, Direction, LocalMedia, NegotiationError, SdpOrigin, SessionDescription, answer_offer,
};

fn capture(name: &str) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/freeswitch-1.10.12/sip/"
    );
    std::fs::read_to_string(format!("{path}{name}")).unwrap()
}

/// The SDP bodies of the datagrams whose first line starts with `start_line`.
fn sdp_bodies(transcript: &str, start_line: &str) -> Vec<String> {
    transcript
        .split("### #")
        .filter_map(|block| block.split_once('\n').map(|(_, datagram)| datagram))
        .filter(|datagram| datagram.starts_with(start_line))
        .filter_map(|datagram| datagram.split_once("\r\n\r\n").map(|(_, body)| body))
        .filter(|body| body.starts_with("v=0"))
        .map(str::to_owned)
        .collect()
}

fn freeswitch_profile() -> LocalMedia {
    LocalMedia::new(
        "127.0.0.1".parse().unwrap(),
        28386,
        "PCMU,PCMA,OPUS".parse().unwrap(),
    )
}

#[test]
fn invite_9196_is_answered_like_freeswitch() {
    let transcript = capture("invite_9196.txt");
    let offer = &sdp_bodies(&transcript, "INVITE ")[0];
    let freeswitch_answer = &sdp_bodies(&transcript, "SIP/2.0 200 OK")[0];
    let offer = SessionDescription::parse(offer.as_bytes()).unwrap();
    let expected = SessionDescription::parse(freeswitch_answer.as_bytes()).unwrap();

    let mut origin = SdpOrigin::new(1795667209, "192.0.2.2".parse().unwrap());
    let (ours, media) = answer_offer(&freeswitch_profile(), &mut origin, &offer).unwrap();
    assert_eq!(media.codec, CodecName::Pcmu);
    assert_eq!(media.telephone_event, Some((101, 8000)));
    assert_eq!(media.remote_rtp, Some("127.0.0.1:20600".parse().unwrap()));
    assert_eq!(media.direction, Direction::SendRecv);

    // Same media section as FreeSWITCH's answer: m-line, rtpmaps, fmtp 0-15, ptime, no direction.
    assert_eq!(ours.media, expected.media);
    assert_eq!(ours.connection, expected.connection);
    assert_eq!(ours.origin.version, expected.origin.version);
    // Only the product name differs in o=/s=.
    let printed = String::from_utf8(ours.to_bytes()).unwrap();
    assert_eq!(
        printed.replace("witswitch", "FreeSWITCH"),
        *freeswitch_answer
    );
}

#[test]
fn offers_freeswitch_refused_with_488_are_refused() {
    for (file, offered) in [
        ("codec_488_g729.txt", "G729/8000"),
        ("codec_488_dynamic.txt", "X-UNKNOWN/8000"),
    ] {
        let transcript = capture(file);
        let offer = &sdp_bodies(&transcript, "INVITE ")[0];
        let offer = SessionDescription::parse(offer.as_bytes()).unwrap();
        let mut origin = SdpOrigin::new(1, "127.0.0.1".parse().unwrap());
        let err = answer_offer(&freeswitch_profile(), &mut origin, &offer).unwrap_err();
        assert_eq!(
            err,
            NegotiationError::NoCommonCodec {
                offered: offered.into()
            },
            "{file}"
        );
        // FreeSWITCH sent exactly this status and cause.
        assert!(transcript.contains("SIP/2.0 488 Not Acceptable Here"));
        assert!(transcript.contains(&format!("Reason: Q.850;cause={}", err.q850_cause())));
        assert_eq!(err.sip_status(), 488);
    }
}
