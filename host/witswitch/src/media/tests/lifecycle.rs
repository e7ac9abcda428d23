//! Legs come and go: port pairs, exhaustion, `execute`'s events, unknown
//! legs, bad codecs, and the RTP timeout.

use std::time::Duration;

use tokio::time::{Instant, interval};

use super::harness::*;
use crate::media::{
    LegId, MediaCommand, MediaConfig, MediaEngine, MediaError, MediaEvent, MediaFailure, MediaStats,
};

#[tokio::test]
async fn ports_come_in_even_odd_pairs_run_out_with_a_typed_error_and_come_back() {
    let config = MediaConfig {
        port_min: 23400,
        port_max: 23403,
        local_ip: LOCALHOST,
        rtp_timeout: None,
        relatch_after: Duration::from_secs(2),
        pack: crate::media::threads::PACK,
        event_capacity: 16,
        // Two threads whatever the machine: bridges then move legs across.
        threads: 2,
    };
    let (engine, _events) = MediaEngine::new(config).unwrap();
    let mut created = Vec::new();
    let error = loop {
        let id = LegId(100 + created.len() as u64);
        match engine.create_leg(id, None).await {
            Ok(local) => {
                assert_eq!(local.port() % 2, 0);
                assert!((23400..=23402).contains(&local.port()));
                // The odd port is ours too: binding it fails.
                assert!(std::net::UdpSocket::bind((LOCALHOST, local.port() + 1)).is_err());
                created.push((id, local));
            }
            Err(e) => break e,
        }
        assert!(created.len() <= 2, "more legs than pairs");
    };
    assert!(
        matches!(
            error,
            MediaError::PortsExhausted {
                min: 23400,
                max: 23403
            }
        ),
        "{error}"
    );
    // Destroying returns only once the ports are closed: the pair is free.
    let (id, freed) = created.pop().expect("at least one pair was free");
    engine.destroy_leg(id).await.unwrap();
    let again = engine.create_leg(LegId(200), None).await.unwrap();
    assert_eq!(again, freed);
    assert!(matches!(
        engine.create_leg(LegId(200), None).await,
        Err(MediaError::LegExists(LegId(200)))
    ));
    let stats: MediaStats = engine.stats();
    assert_eq!(
        (stats.legs_created, stats.legs_destroyed),
        (created.len() as u64 + 2, 1)
    );
    assert!(stats.tasks_running >= 1);
}

#[tokio::test]
async fn execute_answers_with_events_and_unknown_legs_are_errors() {
    let (engine, mut events) = engine(23500, None);
    engine
        .execute(MediaCommand::CreateLeg {
            leg: LegId(20),
            local_ip: Some(LOCALHOST),
        })
        .await
        .unwrap();
    match events.next().await {
        MediaEvent::LegReady { leg, local } => {
            assert_eq!(leg, LegId(20));
            assert_eq!(local.ip(), LOCALHOST);
        }
        other => panic!("unexpected {other:?}"),
    }
    engine
        .execute(MediaCommand::CreateLeg {
            leg: LegId(20),
            local_ip: None,
        })
        .await
        .unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            leg: LegId(20),
            what: MediaFailure::Create(MediaError::LegExists(_))
        }
    ));
    engine.echo(LegId(99)).await.unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            leg: LegId(99),
            what: MediaFailure::UnknownLeg
        }
    ));
    let mut odd = pcmu();
    odd.ptime_ms = 25;
    let peer = Peer::new(1).await;
    engine.configure(LegId(20), peer.addr(), odd).await.unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            leg: LegId(20),
            what: MediaFailure::Codec(_)
        }
    ));
    engine
        .record_start(
            LegId(20),
            "/nonexistent/dir/x.wav".into(),
            witswitch_media::RecordLayout::Mono,
        )
        .await
        .unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            what: MediaFailure::NotConfigured,
            ..
        }
    ));
    // Fire-and-forget destroy; afterwards the leg is unknown.
    engine
        .execute(MediaCommand::DestroyLeg { leg: LegId(20) })
        .await
        .unwrap();
    engine.stop_play(LegId(20)).await.unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            leg: LegId(20),
            what: MediaFailure::UnknownLeg
        }
    ));
}

#[tokio::test]
async fn silence_from_the_peer_raises_one_rtp_timeout() {
    let (engine, mut events) = engine(23600, Some(Duration::from_millis(300)));
    let mut peer = Peer::new(0x9001).await;
    let leg = LegId(21);
    let local = leg_for(&engine, 21, &peer, pcmu()).await;
    // While packets flow (every 20 ms, for twice the timeout) nothing fires.
    let mut ticker = interval(Duration::from_millis(20));
    let until = Instant::now() + Duration::from_millis(600);
    while Instant::now() < until {
        ticker.tick().await;
        peer.send_media(local, 0, &[0xFF; 160]).await;
    }
    let flowing = events.drain();
    assert!(
        !flowing
            .iter()
            .any(|e| matches!(e, MediaEvent::RtpTimeout { .. })),
        "timed out while media flowed: {flowing:?}"
    );
    // Then the peer goes quiet: exactly one timeout.
    match events.next().await {
        MediaEvent::RtpTimeout { leg: l } => assert_eq!(l, leg),
        other => panic!("unexpected {other:?}"),
    }
    engine.destroy_leg(leg).await.unwrap();
    assert!(events.drain().is_empty(), "the timeout fired once");
}

#[tokio::test]
async fn a_held_leg_has_no_rtp_timeout_and_sends_nowhere() {
    let (engine, mut events) = engine(23700, Some(Duration::from_millis(100)));
    let peer = Peer::new(0x9002).await;
    let leg = LegId(22);
    engine.create_leg(leg, None).await.unwrap();
    let hold = "0.0.0.0:0".parse().unwrap();
    engine.configure(leg, hold, pcmu()).await.unwrap();
    // An un-held leg with the same settings times out within 100 ms; give
    // the held one several times that, while checking something else.
    engine
        .configure(LegId(999), peer.addr(), pcmu())
        .await
        .unwrap();
    assert!(matches!(
        events.next().await,
        MediaEvent::Error {
            what: MediaFailure::UnknownLeg,
            ..
        }
    ));
    let other = LegId(23);
    leg_for(&engine, 23, &peer, pcmu()).await;
    match events.next().await {
        MediaEvent::RtpTimeout { leg: l } => assert_eq!(l, other, "only the un-held leg"),
        e => panic!("unexpected {e:?}"),
    }
    engine.destroy_leg(leg).await.unwrap();
    engine.destroy_leg(other).await.unwrap();
    assert!(events.drain().is_empty());
}

/// A task that panics (a bug) loses its own leg, reported gone and timed
/// out so its call ends; the other calls on the same media thread go on.
#[tokio::test]
async fn a_failing_task_loses_only_its_own_leg() {
    let config = MediaConfig {
        port_min: 24600,
        port_max: 24699,
        local_ip: LOCALHOST,
        rtp_timeout: None,
        relatch_after: RELATCH_AFTER,
        pack: crate::media::threads::PACK,
        event_capacity: 64,
        // One thread: both legs share it.
        threads: 1,
    };
    let (engine, events) = MediaEngine::new(config).unwrap();
    let mut events = Events(events);
    let (faulty_peer, mut healthy_peer) = (Peer::new(0xF1).await, Peer::new(0xF2).await);
    let faulty = echo_leg_for(&engine, 60, &faulty_peer).await;
    let healthy = echo_leg_for(&engine, 61, &healthy_peer).await;
    engine
        .execute(MediaCommand::Fault { leg: LegId(60) })
        .await
        .unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match events.next().await {
            MediaEvent::Error {
                leg: LegId(60),
                what: MediaFailure::TaskGone,
            } => seen.push("gone"),
            MediaEvent::RtpTimeout { leg: LegId(60) } => seen.push("timeout"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, ["gone", "timeout"]);
    // The other leg on the same thread still echoes.
    healthy_peer.send_media(healthy, 0, &[0x55; 160]).await;
    let echoed = healthy_peer.recv().await.expect("echo on the healthy leg");
    assert_eq!(echoed.payload, [0x55; 160]);
    // The failed leg's sockets are closed: its ports can be bound again.
    assert!(std::net::UdpSocket::bind(faulty).is_ok());
    assert_eq!(engine.stats().tasks_running, 1);
    engine.destroy_leg(LegId(61)).await.unwrap();
}
