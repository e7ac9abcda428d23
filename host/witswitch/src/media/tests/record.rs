//! Recording both parties of a call to WAV: stereo keeps each party on its
//! channel across a relayed bridge, mono mixes a caller with its prompt,
//! and destroying the leg completes the file.

use std::time::Duration;

use tokio::time::{Instant, interval};
use witswitch_media::goertzel::{energy, goertzel_power};
use witswitch_media::wav::read_wav;
use witswitch_media::{PlaySource, RecordLayout};

use super::harness::*;
use crate::media::{Interrupt, LegId, MediaEvent, PlayRequest};

/// Both peers send their tone every 20 ms for `frames` frames.
async fn talk(
    a: (&mut Peer, std::net::SocketAddr, f64),
    b: Option<(&mut Peer, std::net::SocketAddr, f64)>,
    frames: usize,
) {
    let mut ticker = interval(Duration::from_millis(20));
    let (peer_a, to_a, tone_a) = a;
    let mut b = b;
    for k in 0..frames {
        ticker.tick().await;
        peer_a.send_media(to_a, 0, &ulaw_tone(tone_a, k)).await;
        if let Some((peer_b, to_b, tone_b)) = b.as_mut() {
            peer_b.send_media(*to_b, 0, &ulaw_tone(*tone_b, k)).await;
        }
    }
}

async fn record_done(events: &mut Events, expected: LegId) -> (std::path::PathBuf, u64) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(Instant::now() < deadline);
        if let MediaEvent::RecordDone { leg, path, ms } = events.next().await {
            assert_eq!(leg, expected);
            return (path, ms);
        }
    }
}

fn channels(samples: &[i16]) -> (Vec<i16>, Vec<i16>) {
    let left = samples.iter().step_by(2).copied().collect();
    let right = samples.iter().skip(1).step_by(2).copied().collect();
    (left, right)
}

#[tokio::test]
async fn stereo_recording_of_a_relayed_bridge_holds_each_party_on_its_side() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("call.wav");
    let (engine, mut events) = engine(23200, None);
    let mut caller = Peer::new(0x7001).await;
    let mut callee = Peer::new(0x7002).await;
    let a_local = leg_for(&engine, 16, &caller, pcmu()).await;
    let b_local = leg_for(&engine, 17, &callee, pcmu()).await;
    engine.bridge(LegId(16), LegId(17)).await.unwrap();
    engine
        .record_start(LegId(16), wav.clone(), RecordLayout::Stereo)
        .await
        .unwrap();
    talk(
        (&mut caller, a_local, 697.0),
        Some((&mut callee, b_local, 1209.0)),
        50,
    )
    .await;
    engine.record_stop(LegId(16), wav.clone()).await.unwrap();
    let (path, ms) = record_done(&mut events, LegId(16)).await;
    assert_eq!(path, wav);
    assert!((500..=1500).contains(&ms), "{ms} ms recorded");

    let audio = read_wav(std::fs::File::open(&wav).unwrap()).unwrap();
    assert_eq!((audio.channels, audio.sample_rate), (2, 8000));
    let (left, right) = channels(&audio.samples);
    // The caller (this leg's party) is on the left, the callee on the right.
    let power = |s: &[i16], f| goertzel_power(s, 8000, f);
    assert!(power(&left, 697.0) > 100.0 * power(&left, 1209.0));
    assert!(power(&right, 1209.0) > 100.0 * power(&right, 697.0));
    // A tone of amplitude 8000 has a mean energy of 3.2e7: most of the
    // file is the parties talking, not padding.
    assert!(energy(&left) > 1e7 && energy(&right) > 1e7);
    // The relay still carried the caller's audio untouched meanwhile.
    let relayed = callee.recv().await.expect("relayed audio");
    assert_eq!(relayed.header.payload_type, 0);
    engine.destroy_leg(LegId(16)).await.unwrap();
    engine.destroy_leg(LegId(17)).await.unwrap();
}

#[tokio::test]
async fn mono_recording_mixes_the_caller_with_its_prompt_and_destroy_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("ivr.wav");
    let (engine, mut events) = engine(23300, None);
    let mut caller = Peer::new(0x7003).await;
    let leg = LegId(18);
    let local = leg_for(&engine, 18, &caller, pcmu()).await;
    engine
        .record_start(leg, wav.clone(), RecordLayout::Mono)
        .await
        .unwrap();
    let prompt = PlayRequest {
        source: PlaySource::parse("tone_stream://%(1000,0,1209);loops=-1").unwrap(),
        play_id: 1,
        interrupt: Interrupt::Never,
    };
    engine.play(leg, prompt).await.unwrap();
    talk((&mut caller, local, 697.0), None, 40).await;
    // No record_stop: hanging up finishes the file.
    engine.destroy_leg(leg).await.unwrap();
    let (path, ms) = record_done(&mut events, leg).await;
    assert_eq!(path, wav);
    assert!(ms >= 400, "{ms} ms");
    let audio = read_wav(std::fs::File::open(&wav).unwrap()).unwrap();
    assert_eq!(audio.channels, 1);
    let power = |f| goertzel_power(&audio.samples, 8000, f);
    let noise = power(2000.0);
    assert!(power(697.0) > 100.0 * noise, "caller in the mix");
    assert!(power(1209.0) > 100.0 * noise, "prompt in the mix");
}
