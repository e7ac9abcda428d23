use super::*;

fn local(prefs: &str) -> LocalMedia {
    LocalMedia::new("192.0.2.10".parse().unwrap(), 30000, prefs.parse().unwrap())
}

fn origin() -> SdpOrigin {
    SdpOrigin::new(1000, "192.0.2.10".parse().unwrap())
}

fn sdp(media: &str) -> SessionDescription {
    let text = format!(
        "v=0\r\no=peer 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n{media}"
    );
    SessionDescription::parse(text.as_bytes()).unwrap()
}

const PCMA_PCMU_OPUS: &str = "m=audio 4000 RTP/AVP 8 0 111 101\r\n\
    a=rtpmap:111 opus/48000/2\r\n\
    a=fmtp:111 minptime=10;useinbandfec=1\r\n\
    a=rtpmap:101 telephone-event/8000\r\n\
    a=fmtp:101 0-16\r\n";

#[test]
fn greedy_uses_our_order_and_generous_the_offerers() {
    let offer = sdp(PCMA_PCMU_OPUS);
    let (_, media) = answer_offer(&local("PCMU,PCMA"), &mut origin(), &offer).unwrap();
    assert_eq!((media.codec, media.payload_type), (CodecName::Pcmu, 0));

    let mut generous = local("PCMU,PCMA");
    generous.policy = CodecPolicy::Generous;
    let (_, media) = answer_offer(&generous, &mut origin(), &offer).unwrap();
    assert_eq!((media.codec, media.payload_type), (CodecName::Pcma, 8));
}

#[test]
fn answer_keeps_the_offerers_dynamic_payload_types() {
    let offer = sdp(PCMA_PCMU_OPUS);
    let (answer, media) = answer_offer(&local("OPUS,PCMU"), &mut origin(), &offer).unwrap();
    assert_eq!((media.codec, media.payload_type), (CodecName::Opus, 111));
    assert_eq!(
        media.remote_fmtp.as_deref(),
        Some("minptime=10;useinbandfec=1")
    );
    // Opus runs at 48 kHz but only te/8000 was offered: use it rather than none.
    assert_eq!(media.telephone_event, Some((101, 8000)));
    let m = &answer.media[0];
    assert_eq!(m.fmt, "111 101");
    assert_eq!(
        m.format(111).unwrap().rtpmap_value().unwrap(),
        "111 opus/48000/2"
    );
    assert_eq!(m.format(101).unwrap().fmtp.as_deref(), Some("0-15"));
}

#[test]
fn answer_layout_matches_freeswitch() {
    let offer = sdp("m=audio 4000 RTP/AVP 0 8 101\r\n\
        a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
        a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n");
    let mut o = origin();
    let (answer, media) = answer_offer(&local("PCMU,PCMA,OPUS"), &mut o, &offer).unwrap();
    let text = String::from_utf8(answer.to_bytes()).unwrap();
    assert_eq!(
        text,
        "v=0\r\no=witswitch 1000 1001 IN IP4 192.0.2.10\r\ns=witswitch\r\n\
         c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0 101\r\n\
         a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-15\r\na=ptime:20\r\n"
    );
    assert_eq!(media.remote_rtp, Some("198.51.100.7:4000".parse().unwrap()));
    assert_eq!(
        media.remote_rtcp,
        Some("198.51.100.7:4001".parse().unwrap())
    );
    assert_eq!(media.direction, Direction::SendRecv);
    assert_eq!(media.samples_per_packet(), 160);
    // A re-INVITE answer gets the next version (RFC 3264 §8).
    let (again, _) = answer_offer(&local("PCMU"), &mut o, &offer).unwrap();
    assert_eq!(again.origin.version, 1002);
}

#[test]
fn no_common_codec_is_488_with_cause_88() {
    let offer = sdp("m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n");
    let err = answer_offer(&local("PCMU,PCMA"), &mut origin(), &offer).unwrap_err();
    assert_eq!(
        err,
        NegotiationError::NoCommonCodec {
            offered: "G729/8000".into()
        }
    );
    assert_eq!((err.sip_status(), err.q850_cause()), (488, 88));
    // telephone-event alone is not a codec
    let offer = sdp("m=audio 4000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n");
    assert!(matches!(
        answer_offer(&local("PCMU"), &mut origin(), &offer),
        Err(NegotiationError::NoCommonCodec { .. })
    ));
}

#[test]
fn no_audio_and_srtp_only_are_refused() {
    let video = sdp("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n");
    assert_eq!(
        answer_offer(&local("PCMU"), &mut origin(), &video).unwrap_err(),
        NegotiationError::NoAudio
    );
    let disabled = sdp("m=audio 0 RTP/AVP 0\r\n");
    assert_eq!(
        answer_offer(&local("PCMU"), &mut origin(), &disabled).unwrap_err(),
        NegotiationError::NoAudio
    );
    let srtp = sdp("m=audio 5000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\n");
    assert_eq!(
        answer_offer(&local("PCMU"), &mut origin(), &srtp).unwrap_err(),
        NegotiationError::UnsupportedTransport("RTP/SAVP".into())
    );
}

#[test]
fn other_streams_are_rejected_with_port_zero_in_order() {
    let offer = sdp("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n\
        m=audio 4000 RTP/AVP 0\r\n\
        m=audio 4002 RTP/AVP 8\r\n");
    let (answer, media) = answer_offer(&local("PCMU,PCMA"), &mut origin(), &offer).unwrap();
    assert_eq!(media.media_index, 1);
    let ports: Vec<u16> = answer.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, vec![0, 30000, 0]);
    assert_eq!(answer.media[0].fmt, "96");
    assert_eq!(answer.media[2].kind, "audio");
    // The printed answer parses back with the same structure.
    let reparsed = SessionDescription::parse(&answer.to_bytes()).unwrap();
    assert_eq!(reparsed.media.len(), 3);
}

#[test]
fn hold_directions_per_rfc_3264() {
    let base = "m=audio 4000 RTP/AVP 0\r\n";
    for (attribute, expected) in [
        ("a=sendonly\r\n", Direction::RecvOnly),
        ("a=recvonly\r\n", Direction::SendOnly),
        ("a=inactive\r\n", Direction::Inactive),
        ("a=sendrecv\r\n", Direction::SendRecv),
    ] {
        let offer = sdp(&format!("{base}{attribute}"));
        let (answer, media) = answer_offer(&local("PCMU"), &mut origin(), &offer).unwrap();
        assert_eq!(media.direction, expected, "{attribute}");
        let written = answer.media[0].direction;
        assert_eq!(
            written,
            (expected != Direction::SendRecv).then_some(expected)
        );
    }
    // RFC 2543 hold: c=0.0.0.0 — do not send there, answer recvonly.
    let old = SessionDescription::parse(
        b"v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
    )
    .unwrap();
    let (_, media) = answer_offer(&local("PCMU"), &mut origin(), &old).unwrap();
    assert_eq!(media.remote_rtp, None);
    assert_eq!(media.direction, Direction::RecvOnly);
    // We hold them: our wish limits the answer.
    let mut holding = local("PCMU");
    holding.direction = Direction::SendOnly;
    let (_, media) = answer_offer(&holding, &mut origin(), &sdp(base)).unwrap();
    assert_eq!(media.direction, Direction::SendOnly);
}

#[test]
fn ptime_offered_then_ours_then_default() {
    let offer = sdp("m=audio 4000 RTP/AVP 0\r\na=ptime:30\r\n");
    let (answer, media) = answer_offer(&local("PCMU"), &mut origin(), &offer).unwrap();
    assert_eq!(media.ptime, 30);
    assert_eq!(answer.media[0].ptime, Some(30));
    assert_eq!(media.samples_per_packet(), 240);
    let offer = sdp("m=audio 4000 RTP/AVP 0\r\na=ptime:25\r\n");
    let (_, media) = answer_offer(&local("PCMU@40i"), &mut origin(), &offer).unwrap();
    assert_eq!(media.ptime, 40);
    let (_, media) = answer_offer(&local("PCMU"), &mut origin(), &offer).unwrap();
    assert_eq!(media.ptime, 20);
}

#[test]
fn telephone_event_only_when_offered_and_enabled() {
    let plain = sdp("m=audio 4000 RTP/AVP 0\r\n");
    let (answer, media) = answer_offer(&local("PCMU"), &mut origin(), &plain).unwrap();
    assert_eq!(media.telephone_event, None);
    assert_eq!(answer.media[0].fmt, "0");
    let mut no_dtmf = local("PCMU");
    no_dtmf.telephone_event_pt = None;
    let (answer, media) = answer_offer(&no_dtmf, &mut origin(), &sdp(PCMA_PCMU_OPUS)).unwrap();
    assert_eq!(media.telephone_event, None);
    assert_eq!(answer.media[0].fmt, "0");
    // the matching clock rate is preferred
    let both = sdp(
        "m=audio 4000 RTP/AVP 111 101 102\r\na=rtpmap:111 opus/48000/2\r\n\
        a=rtpmap:101 telephone-event/8000\r\na=rtpmap:102 telephone-event/48000\r\n",
    );
    let (_, media) = answer_offer(&local("OPUS"), &mut origin(), &both).unwrap();
    assert_eq!(media.telephone_event, Some((102, 48000)));
}

#[test]
fn offer_lists_all_codecs_with_static_and_dynamic_types() {
    let mut o = origin();
    let offer = create_offer(&local("OPUS,G722,PCMU,PCMA"), &mut o);
    let m = &offer.media[0];
    assert_eq!(m.fmt, "96 9 0 8 97 101");
    assert_eq!(
        m.format(96).unwrap().rtpmap_value().unwrap(),
        "96 opus/48000/2"
    );
    assert_eq!(
        m.format(97).unwrap().rtpmap_value().unwrap(),
        "97 telephone-event/48000"
    );
    assert_eq!(m.format(101).unwrap().clock_rate, 8000);
    assert_eq!(m.direction, Some(Direction::SendRecv));
    assert_eq!(m.ptime, Some(20));
    assert_eq!(offer.origin.version, 1001);
    // the printed offer is valid SDP that we can answer ourselves
    let reparsed = SessionDescription::parse(&offer.to_bytes()).unwrap();
    assert_eq!(reparsed, offer);
    let (_, media) = answer_offer(&local("PCMA"), &mut origin(), &reparsed).unwrap();
    assert_eq!((media.codec, media.payload_type), (CodecName::Pcma, 8));
}

#[test]
fn dynamic_allocation_skips_the_telephone_event_type() {
    let mut l = local("OPUS");
    l.telephone_event_pt = Some(96);
    let offer = create_offer(&l, &mut origin());
    // Opus must not take 96; te/48000 then takes the next free one.
    assert_eq!(offer.media[0].fmt, "97 98");
}

#[test]
fn late_offer_round_trip_offer_in_200_answer_in_ack() {
    let us = local("PCMU,PCMA,OPUS");
    let mut o = origin();
    let offer = create_offer(&us, &mut o);
    // The peer prefers PCMA and answers with it plus te, on hold.
    let answer = sdp(
        "m=audio 6000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n\
        a=ptime:20\r\na=recvonly\r\n",
    );
    let media = accept_answer(&us, &offer, &answer).unwrap();
    assert_eq!((media.codec, media.payload_type), (CodecName::Pcma, 8));
    assert_eq!(media.telephone_event, Some((101, 8000)));
    assert_eq!(media.direction, Direction::SendOnly);
    assert_eq!(media.remote_rtp, Some("198.51.100.7:6000".parse().unwrap()));
}

#[test]
fn bad_answers_are_errors() {
    let us = local("PCMU");
    let offer = create_offer(&us, &mut origin());
    let two = sdp("m=audio 6000 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\n");
    assert_eq!(
        accept_answer(&us, &offer, &two).unwrap_err(),
        NegotiationError::MediaCountMismatch {
            offer: 1,
            answer: 2
        }
    );
    let rejected = sdp("m=audio 0 RTP/AVP 0\r\n");
    assert_eq!(
        accept_answer(&us, &offer, &rejected).unwrap_err(),
        NegotiationError::AudioRejected
    );
    let other = sdp("m=audio 6000 RTP/AVP 8\r\n");
    assert!(matches!(
        accept_answer(&us, &offer, &other),
        Err(NegotiationError::NoCommonCodec { .. })
    ));
}
