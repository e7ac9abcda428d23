//! RFC 4733 both ways: digits from the peer are reported once each (end
//! packets are retransmitted three times), can stop a playback, and digits
//! we send arrive as a proper event sequence in the leg's stream.

use std::time::Duration;

use witswitch_media::DtmfReceiver;
use witswitch_media::PlaySource;

use super::harness::*;
use crate::media::{Interrupt, LegId, MediaEvent, MediaFailure, PlayRequest, PlaybackEnd};

#[tokio::test]
async fn digits_from_the_peer_are_reported_once_each() {
    let (engine, mut events) = engine(22600, None);
    let mut peer = Peer::new(7).await;
    let leg = LegId(7);
    let local = leg_for(&engine, 7, &peer, pcmu()).await;
    // Some audio first (the leg latches), then 1, #, 9 with three end packets each.
    for _ in 0..3 {
        peer.send_media(local, 0, &[0xFF; 160]).await;
    }
    for event in [1u8, 11, 9] {
        peer.send_digit(local, 101, event, 5).await;
        peer.send_media(local, 0, &[0xFF; 160]).await;
    }
    let mut digits = String::new();
    while digits.len() < 3 {
        if let MediaEvent::Dtmf {
            leg: l,
            digit,
            duration_ms,
        } = events.next().await
        {
            assert_eq!(l, leg);
            assert_eq!(duration_ms, 100, "5 frames of 160 at 8 kHz");
            digits.push(digit);
        }
    }
    assert_eq!(digits, "1#9");
    // The retransmitted end packets produced nothing more: a destroy's
    // events are the next ones (none here, so the channel stays empty).
    engine.destroy_leg(leg).await.unwrap();
    assert!(
        events
            .drain()
            .iter()
            .all(|e| !matches!(e, MediaEvent::Dtmf { .. })),
        "a digit was reported twice"
    );
}

#[tokio::test]
async fn an_interruptible_playback_stops_on_a_digit() {
    let (engine, mut events) = engine(22700, None);
    let mut peer = Peer::new(8).await;
    let leg = LegId(8);
    let local = leg_for(&engine, 8, &peer, pcmu()).await;
    let request = PlayRequest {
        source: PlaySource::parse("tone_stream://%(1000,0,440);loops=-1").unwrap(),
        play_id: 42,
        interrupt: Interrupt::Digits("#".into()),
    };
    engine.play(leg, request).await.unwrap();
    // The digits must meet the playback (commands and packets race).
    engine.applied(leg).await.unwrap();
    // A digit that is not a terminator is reported but does not stop it.
    peer.send_digit(local, 101, 5, 3).await;
    peer.send_digit(local, 101, 11, 3).await;
    let mut seen = Vec::new();
    while seen.len() < 3 {
        match events.next().await {
            MediaEvent::Dtmf { digit, .. } => seen.push(format!("dtmf {digit}")),
            MediaEvent::PlaybackDone { play_id, end, .. } => {
                seen.push(format!("done {play_id} {end:?}"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, ["dtmf 5", "dtmf #", "done 42 Interrupted('#')"]);
    let _ = PlaybackEnd::Interrupted('#');
    engine.destroy_leg(leg).await.unwrap();
}

#[tokio::test]
async fn sent_digits_are_rfc_4733_events_in_the_legs_stream() {
    let (engine, mut events) = engine(22800, None);
    let peer = Peer::new(9).await;
    let leg = LegId(9);
    leg_for(&engine, 9, &peer, pcmu()).await;
    engine.send_dtmf(leg, "12@60").await.unwrap();
    let mut receiver = DtmfReceiver::new(8000);
    let mut digits = Vec::new();
    let mut packets = Vec::new();
    let mut event_packets = 0;
    // Until both digits' three end packets are in.
    while event_packets < 10 {
        let packet = peer.recv().await.expect("packet");
        if packet.header.payload_type == 101 {
            event_packets += 1;
            for key in receiver
                .handle(packet.header.timestamp, &packet.payload)
                .unwrap()
            {
                digits.push((key.digit, key.duration));
            }
        }
        packets.push(packet);
    }
    assert_eq!(
        digits,
        [
            ('1', Duration::from_millis(60)),
            ('2', Duration::from_millis(60))
        ]
    );
    // 60 ms at 20 ms packets: 3 packets, the last sent three times.
    assert_eq!(event_packets, 10);
    // Silence and events are one stream (one SSRC, no sequence gaps).
    assert_one_stream(&packets);
    let first_event = packets
        .iter()
        .find(|p| p.header.payload_type == 101)
        .unwrap();
    assert!(first_event.header.marker);

    // Bad requests are reported, not sent.
    engine.send_dtmf(leg, "1x").await.unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            what: MediaFailure::Dtmf(_),
            ..
        }
    ));
    let mut no_events = pcmu();
    no_events.telephone_event_pt = None;
    engine.configure(leg, peer.addr(), no_events).await.unwrap();
    engine.send_dtmf(leg, "1").await.unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            what: MediaFailure::NoTelephoneEvent,
            ..
        }
    ));
    engine.destroy_leg(leg).await.unwrap();
}
