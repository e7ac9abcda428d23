//! Bridges: same codec relays payloads untouched in the far leg's own
//! stream; different codecs are transcoded and the audio survives.

use std::time::Duration;

use tokio::time::{Instant, interval};
use witswitch_media::g711::G711Law;
use witswitch_media::goertzel::{dominant_frequency, energy};

use super::harness::*;
use crate::media::{LegId, MediaEvent, MediaFailure};

/// Sends frames `payload(k)` from `from` to `to` every 20 ms and collects
/// what `far` receives until `wanted(received)` says enough (or the deadline).
async fn pump(
    from: &mut Peer,
    to: std::net::SocketAddr,
    payload_type: u8,
    payload: impl Fn(usize) -> Vec<u8>,
    far: &Peer,
    enough: impl Fn(&[Packet]) -> bool,
) -> Vec<Packet> {
    let deadline = Instant::now() + PATIENCE;
    let mut ticker = interval(Duration::from_millis(20));
    let mut received = Vec::new();
    let mut k = 0;
    while !enough(&received) {
        assert!(
            Instant::now() < deadline,
            "gave up after {} packets",
            received.len()
        );
        tokio::select! {
            _ = ticker.tick() => {
                from.send_media(to, payload_type, &payload(k)).await;
                k += 1;
            }
            packet = far.recv_within(Duration::from_millis(500)) => {
                if let Some(packet) = packet {
                    received.push(packet);
                }
            }
        }
    }
    received
}

/// A payload no silence frame looks like: frame number `k` in every byte
/// but the first, which marks it as ours.
fn marked(k: usize) -> Vec<u8> {
    let mut payload = vec![(k % 200) as u8 + 1; 160];
    payload[0] = 0x42;
    payload
}

#[tokio::test]
async fn same_codec_legs_relay_payloads_unchanged_in_each_legs_own_stream() {
    let (engine, _events) = engine(22900, None);
    let mut caller = Peer::new(0x1111).await;
    let mut callee = Peer::new(0x2222).await;
    let a_local = leg_for(&engine, 10, &caller, pcmu()).await;
    let b_local = leg_for(&engine, 11, &callee, pcmu()).await;
    engine.bridge(LegId(10), LegId(11)).await.unwrap();

    let relayed = |p: &Packet| p.payload.first() == Some(&0x42);
    let got = pump(&mut caller, a_local, 0, marked, &callee, |r| {
        r.iter().filter(|p| relayed(p)).count() >= 20
    })
    .await;
    // Before the bridge took effect leg B sent silence; the relayed packets
    // continue the very same stream (SSRC, sequence) without a gap.
    assert_one_stream(&got);
    assert!(got.iter().all(|p| p.from == b_local));
    assert_ne!(got[0].header.ssrc, caller.ssrc, "rewritten SSRC");
    let ours: Vec<&Packet> = got.iter().filter(|p| relayed(p)).collect();
    let first = usize::from(ours[0].payload[1]) - 1;
    for (n, packet) in ours.iter().enumerate() {
        assert_eq!(
            packet.payload,
            marked(first + n),
            "payload relayed unchanged"
        );
    }
    for pair in ours.windows(2) {
        let step = pair[1]
            .header
            .timestamp
            .wrapping_sub(pair[0].header.timestamp);
        assert_eq!(step, 160, "the caller's timestamp spacing is kept");
    }

    // And the other way round.
    let back = pump(&mut callee, b_local, 0, marked, &caller, |r| {
        r.iter().filter(|p| relayed(p)).count() >= 5
    })
    .await;
    assert_one_stream(&back);
    assert!(back.iter().all(|p| p.from == a_local));

    // Unbridged, both legs go back to silence in their own streams.
    engine.unbridge(LegId(10)).await.unwrap();
    let mut after = Vec::new();
    while after.len() < 5 {
        let packet = callee.recv().await.expect("silence after unbridge");
        if packet.payload.iter().all(|b| *b == 0xFF) {
            after.push(packet);
        }
    }
    assert_eq!(after[0].header.ssrc, got[0].header.ssrc);
    engine.destroy_leg(LegId(10)).await.unwrap();
    engine.destroy_leg(LegId(11)).await.unwrap();
}

#[tokio::test]
async fn pcmu_to_pcma_is_transcoded_and_the_tone_survives() {
    let (engine, _events) = engine(23000, None);
    let mut caller = Peer::new(0x3333).await;
    let callee = Peer::new(0x4444).await;
    let a_local = leg_for(&engine, 12, &caller, pcmu()).await;
    leg_for(&engine, 13, &callee, pcma()).await;
    engine.bridge(LegId(12), LegId(13)).await.unwrap();

    let tone = |k: usize| ulaw_tone(440.0, k);
    let got = pump(&mut caller, a_local, 0, tone, &callee, |r| {
        r.iter()
            .filter(|p| energy(&decode(G711Law::Alaw, std::slice::from_ref(&p.payload))) > 1e5)
            .count()
            >= 25
    })
    .await;
    assert!(got.iter().all(|p| p.header.payload_type == 8), "A-law out");
    assert_one_stream(&got);
    let loud: Vec<Vec<u8>> = got
        .iter()
        .map(|p| p.payload.clone())
        .filter(|p| energy(&decode(G711Law::Alaw, std::slice::from_ref(p))) > 1e5)
        .collect();
    let heard = decode(G711Law::Alaw, &loud[5..]);
    assert_eq!(
        dominant_frequency(&heard, 8000, &[350.0, 440.0, 620.0, 1000.0]),
        Some(440.0)
    );
    // The waveform itself came through, not just its pitch: each frame
    // correlates with a clean 440 Hz sine at its best phase.
    let mut scores: Vec<f64> = heard.chunks(160).map(best_sine_correlation).collect();
    scores.sort_by(f64::total_cmp);
    let median = scores[scores.len() / 2];
    assert!(median > 0.95, "median correlation {median}");
    engine.destroy_leg(LegId(12)).await.unwrap();
    engine.destroy_leg(LegId(13)).await.unwrap();
}

#[tokio::test]
async fn digits_cross_a_relay_with_the_far_legs_payload_type() {
    let (engine, mut events) = engine(23100, None);
    let mut caller = Peer::new(0x5555).await;
    let callee = Peer::new(0x6666).await;
    let a_local = leg_for(&engine, 14, &caller, pcmu()).await;
    let mut far = pcmu();
    far.telephone_event_pt = Some(96);
    leg_for(&engine, 15, &callee, far).await;
    engine.bridge(LegId(14), LegId(15)).await.unwrap();
    // Get audio flowing first so the relay is in place.
    pump(&mut caller, a_local, 0, marked, &callee, |r| {
        r.iter().any(|p| p.payload.first() == Some(&0x42))
    })
    .await;
    caller.send_digit(a_local, 101, 7, 4).await;
    let mut event_packets = Vec::new();
    while event_packets.len() < 6 {
        let packet = callee.recv().await.expect("relayed event");
        assert_ne!(packet.header.payload_type, 101);
        if packet.header.payload_type == 96 {
            event_packets.push(packet);
        }
    }
    assert!(event_packets.iter().all(|p| p.payload[0] == 7));
    let stamp = event_packets[0].header.timestamp;
    assert!(event_packets.iter().all(|p| p.header.timestamp == stamp));
    // The switch saw the digit too.
    loop {
        if let MediaEvent::Dtmf { leg, digit, .. } = events.next().await {
            assert_eq!((leg, digit), (LegId(14), '7'));
            break;
        }
    }
    engine.bridge(LegId(14), LegId(14)).await.unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            what: MediaFailure::SelfBridge,
            ..
        }
    ));
    engine.destroy_leg(LegId(14)).await.unwrap();
    engine.destroy_leg(LegId(15)).await.unwrap();
}

/// Normalised correlation of `frame` with a 440 Hz sine at 8 kHz, at the
/// best of 19 phases (one period).
fn best_sine_correlation(frame: &[i16]) -> f64 {
    (0..19)
        .map(|lag| {
            let reference: Vec<f64> = (0..frame.len())
                .map(|n| (2.0 * std::f64::consts::PI * 440.0 * (n + lag) as f64 / 8000.0).sin())
                .collect();
            let dot: f64 = frame
                .iter()
                .zip(&reference)
                .map(|(a, b)| f64::from(*a) * b)
                .sum();
            let norm_a: f64 = frame
                .iter()
                .map(|a| f64::from(*a).powi(2))
                .sum::<f64>()
                .sqrt();
            let norm_b: f64 = reference.iter().map(|b| b * b).sum::<f64>().sqrt();
            dot / (norm_a * norm_b).max(1e-9)
        })
        .fold(f64::MIN, f64::max)
}

/// The callee puts the call on hold (`a=sendonly` offer answered `recvonly`:
/// our direction towards it no longer sends): its music still reaches the
/// caller, nothing reaches the callee; unhold (`sendrecv` again) resumes the
/// relay towards it.
#[tokio::test]
async fn a_held_leg_receives_nothing_until_unhold_while_the_holder_is_still_heard() {
    use witswitch_sdp::Direction;
    let (engine, _events) = engine(24000, None);
    let mut caller = Peer::new(0x3131).await;
    let mut callee = Peer::new(0x3232).await;
    let a_local = leg_for(&engine, 30, &caller, pcmu()).await;
    let b_local = leg_for(&engine, 31, &callee, pcmu()).await;
    engine.bridge(LegId(30), LegId(31)).await.unwrap();
    let relayed = |p: &Packet| p.payload.first() == Some(&0x42);
    // Bridged and flowing towards the callee first.
    pump(&mut caller, a_local, 0, marked, &callee, |r| {
        r.iter().any(relayed)
    })
    .await;

    let held = crate::media::NegotiatedCodec {
        direction: Direction::RecvOnly,
        ..pcmu()
    };
    engine
        .configure(LegId(31), callee.addr(), held)
        .await
        .unwrap();
    // Drain what was in flight before the re-configure took effect.
    while callee
        .recv_within(Duration::from_millis(100))
        .await
        .is_some()
    {}
    // The holder's music still reaches the caller...
    let music = pump(&mut callee, b_local, 0, marked, &caller, |r| {
        r.iter().filter(|p| relayed(p)).count() >= 10
    })
    .await;
    assert!(music.iter().all(|p| p.from == a_local));
    // ...while 25 frames from the caller leave nothing at all for the callee.
    let mut ticker = interval(Duration::from_millis(20));
    for k in 0..25 {
        ticker.tick().await;
        caller.send_media(a_local, 0, &marked(k)).await;
    }
    assert!(
        callee
            .recv_within(Duration::from_millis(200))
            .await
            .is_none(),
        "a held leg got media"
    );

    engine
        .configure(LegId(31), callee.addr(), pcmu())
        .await
        .unwrap();
    let resumed = pump(&mut caller, a_local, 0, marked, &callee, |r| {
        r.iter().filter(|p| relayed(p)).count() >= 10
    })
    .await;
    assert!(resumed.iter().all(|p| p.from == b_local));
}
