//! Playback: a tone stream arrives as one packet per ptime with continuous
//! numbering and the expected count, and decodes to the tone.

use witswitch_media::g711::G711Law;
use witswitch_media::goertzel::{dominant_frequency, energy};
use witswitch_media::{PlaySource, RecordLayout};

use super::harness::*;
use crate::media::{Interrupt, LegId, MediaEvent, MediaFailure, PlayRequest, PlaybackEnd};

fn tone(spec: &str, play_id: u64) -> PlayRequest {
    PlayRequest {
        source: PlaySource::parse(spec).unwrap(),
        play_id,
        interrupt: Interrupt::Never,
    }
}

#[tokio::test]
async fn a_tone_stream_arrives_frame_by_frame_and_decodes_to_the_tone() {
    let (engine, mut events) = engine(22300, None);
    let peer = Peer::new(4).await;
    let leg = LegId(4);
    leg_for(&engine, 4, &peer, pcmu()).await;
    // 500 ms of 1 kHz: 25 frames of 20 ms.
    engine
        .play(leg, tone("tone_stream://%(500,0,1000)", 77))
        .await
        .unwrap();
    match events.next().await {
        MediaEvent::PlaybackDone {
            leg: l,
            play_id,
            end,
        } => {
            assert_eq!((l, play_id, end), (leg, 77, PlaybackEnd::Completed));
        }
        other => panic!("unexpected {other:?}"),
    }
    // Everything the leg sent so far, plus a few silence frames after.
    let mut packets = Vec::new();
    let mut silent_after = 0;
    while silent_after < 3 {
        let packet = peer.recv().await.expect("packet");
        let silent = packet.payload.iter().all(|b| *b == 0xFF);
        let tone_seen = packets
            .iter()
            .any(|p: &Packet| p.payload.iter().any(|b| *b != 0xFF));
        if silent && tone_seen {
            silent_after += 1;
        }
        packets.push(packet);
    }
    assert_one_stream(&packets);
    let tone: Vec<&Packet> = packets
        .iter()
        .filter(|p| p.payload.iter().any(|b| *b != 0xFF))
        .collect();
    assert_eq!(tone.len(), 25, "500 ms in 20 ms frames");
    for pair in tone.windows(2) {
        assert_eq!(
            pair[1].header.sequence,
            pair[0].header.sequence.wrapping_add(1)
        );
        let step = pair[1]
            .header
            .timestamp
            .wrapping_sub(pair[0].header.timestamp);
        // 160 per frame; a multiple only if the machine stalled > 100 ms.
        assert!(step >= 160 && step % 160 == 0, "timestamp step {step}");
    }
    assert!(
        tone.iter()
            .all(|p| p.payload.len() == 160 && p.header.payload_type == 0)
    );
    let payloads: Vec<Vec<u8>> = tone.iter().map(|p| p.payload.clone()).collect();
    let pcm = decode(G711Law::Ulaw, &payloads);
    assert_eq!(
        dominant_frequency(&pcm, 8000, &[440.0, 697.0, 1000.0, 1209.0, 2000.0]),
        Some(1000.0)
    );
    assert!(energy(&pcm) > 1e6);
    engine.destroy_leg(leg).await.unwrap();
}

#[tokio::test]
async fn stop_play_a_new_play_and_a_missing_file_each_end_with_their_reason() {
    let (engine, mut events) = engine(22400, None);
    let peer = Peer::new(5).await;
    let leg = LegId(5);
    leg_for(&engine, 5, &peer, pcmu()).await;
    engine
        .play(leg, tone("silence_stream://-1", 1))
        .await
        .unwrap();
    engine
        .play(leg, tone("tone_stream://%(100,100,440)", 2))
        .await
        .unwrap();
    engine.stop_play(leg).await.unwrap();
    let mut ends = Vec::new();
    while ends.len() < 2 {
        if let MediaEvent::PlaybackDone { play_id, end, .. } = events.next().await {
            ends.push((play_id, end));
        }
    }
    assert_eq!(ends, [(1, PlaybackEnd::Stopped), (2, PlaybackEnd::Stopped)]);
    let missing = PlayRequest {
        source: PlaySource::File("/nonexistent/prompt.wav".into()),
        play_id: 3,
        interrupt: Interrupt::Never,
    };
    engine.play(leg, missing).await.unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            what: MediaFailure::Play(_),
            ..
        }
    ));
    assert!(matches!(
        events.next().await,
        MediaEvent::PlaybackDone {
            play_id: 3,
            end: PlaybackEnd::Failed,
            ..
        }
    ));
    engine.destroy_leg(leg).await.unwrap();
}

#[tokio::test]
async fn a_wav_file_plays_at_the_call_rate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prompt.wav");
    // 300 ms of 697 Hz at 16 kHz, played to an 8 kHz PCMU leg.
    let samples = witswitch_media::tone::sine(16000, 697.0, 8000.0, 4800);
    std::fs::write(
        &path,
        witswitch_media::wav::wav_bytes(16000, 1, &samples).unwrap(),
    )
    .unwrap();
    let (engine, mut events) = engine(22500, None);
    let peer = Peer::new(6).await;
    let leg = LegId(6);
    leg_for(&engine, 6, &peer, pcmu()).await;
    let request = PlayRequest {
        source: PlaySource::File(path.clone()),
        play_id: 9,
        interrupt: Interrupt::Never,
    };
    // Record what the leg hears too: party B of a lone leg is its playback.
    let wav = dir.path().join("heard.wav");
    engine
        .record_start(leg, wav.clone(), RecordLayout::Stereo)
        .await
        .unwrap();
    engine.play(leg, request).await.unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::PlaybackDone {
            play_id: 9,
            end: PlaybackEnd::Completed,
            ..
        }
    ));
    let mut payloads = Vec::new();
    while payloads.len() < 15 {
        let packet = peer.recv().await.expect("packet");
        if packet.payload.iter().any(|b| *b != 0xFF) {
            payloads.push(packet.payload);
        }
    }
    let pcm = decode(G711Law::Ulaw, &payloads);
    assert_eq!(
        dominant_frequency(&pcm, 8000, &[440.0, 697.0, 1000.0, 1209.0]),
        Some(697.0)
    );
    engine.record_stop(leg, wav.clone()).await.unwrap();
    match events.next().await {
        MediaEvent::RecordDone { path, ms, .. } => {
            assert_eq!(path, wav);
            assert!(ms >= 300, "{ms} ms");
        }
        other => panic!("unexpected {other:?}"),
    }
    let audio = witswitch_media::wav::read_wav(std::fs::File::open(&wav).unwrap()).unwrap();
    let right: Vec<i16> = audio.samples.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(
        dominant_frequency(&right, 8000, &[440.0, 697.0, 1000.0, 1209.0]),
        Some(697.0)
    );
    engine.destroy_leg(leg).await.unwrap();
}
