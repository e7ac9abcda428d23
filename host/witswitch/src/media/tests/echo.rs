//! Echo: payloads come back unchanged, re-stamped as the leg's own stream;
//! symmetric RTP sends them to where the peer really sends from.

use std::time::Duration;

use super::harness::*;
use crate::media::LegId;

#[tokio::test]
async fn echo_returns_the_same_payloads_in_the_legs_own_stream() {
    let (engine, _events) = engine(22000, None);
    let mut peer = Peer::new(0xAAAA_0001).await;
    let leg = LegId(1);
    let local = engine.create_leg(leg, None).await.unwrap();
    // Echo first: an echoing leg sends nothing of its own, so every
    // packet the peer gets is an echo.
    engine.echo(leg).await.unwrap();
    engine.configure(leg, peer.addr(), pcmu()).await.unwrap();
    // Commands are fire-and-forget: wait until the leg has them before
    // sending, or the first packet can arrive at an unconfigured leg.
    engine.applied(leg).await.unwrap();

    let mut sent = Vec::new();
    let mut echoed = Vec::new();
    for k in 0..30u8 {
        let payload: Vec<u8> = (0..160)
            .map(|i| k.wrapping_mul(7).wrapping_add(i as u8))
            .collect();
        peer.send_media(local, 0, &payload).await;
        sent.push(payload);
        echoed.push(peer.recv().await.expect("echo"));
    }
    let payloads: Vec<Vec<u8>> = echoed.iter().map(|p| p.payload.clone()).collect();
    assert_eq!(payloads, sent);
    assert_one_stream(&echoed);
    let first = &echoed[0].header;
    assert_ne!(first.ssrc, peer.ssrc, "re-stamped with the leg's SSRC");
    assert!(first.marker && !echoed[1].header.marker);
    assert!(
        echoed
            .iter()
            .all(|p| p.header.payload_type == 0 && p.from == local)
    );
    for pair in echoed.windows(2) {
        assert_eq!(
            pair[1]
                .header
                .timestamp
                .wrapping_sub(pair[0].header.timestamp),
            160
        );
    }
    engine.destroy_leg(leg).await.unwrap();
    let stats = engine.stats();
    assert_eq!((stats.packets_received, stats.packets_sent), (30, 30));
}

#[tokio::test]
async fn symmetric_rtp_answers_the_real_source_not_the_sdp_address() {
    let (engine, _events) = engine(22100, None);
    // SDP says `sdp_peer`; media really comes from `nat_peer` (another port).
    let sdp_peer = Peer::new(1).await;
    let mut nat_peer = Peer::new(0xBBBB_0002).await;
    let leg = LegId(2);
    let local = engine.create_leg(leg, None).await.unwrap();
    engine.echo(leg).await.unwrap();
    engine
        .configure(leg, sdp_peer.addr(), pcmu())
        .await
        .unwrap();
    engine.applied(leg).await.unwrap();
    for k in 0..5u8 {
        nat_peer.send_media(local, 0, &[k; 160]).await;
        let echo = nat_peer.recv().await.expect("echo at the latched address");
        assert_eq!(echo.payload, vec![k; 160]);
    }
    assert!(!sdp_peer.has_pending(), "nothing went to the SDP address");

    // Once latched, a third party cannot take the stream over.
    let mut intruder = Peer::new(0xCCCC_0003).await;
    intruder.send_media(local, 0, &[0x55; 160]).await;
    assert!(
        intruder
            .recv_within(Duration::from_millis(200))
            .await
            .is_none()
    );
    nat_peer.send_media(local, 0, &[9; 160]).await;
    assert_eq!(
        nat_peer.recv().await.expect("still echoing").payload,
        vec![9; 160]
    );
    engine.destroy_leg(leg).await.unwrap();
    assert_eq!(engine.stats().packets_dropped, 1, "the intruder's packet");
}

#[tokio::test]
async fn an_idle_answered_leg_keeps_sending_silence() {
    let (engine, _events) = engine(22200, None);
    let peer = Peer::new(3).await;
    let local = leg_for(&engine, 3, &peer, pcma()).await;
    let mut packets = Vec::new();
    for _ in 0..10 {
        packets.push(peer.recv().await.expect("silence frame"));
    }
    assert_one_stream(&packets);
    for packet in &packets {
        assert_eq!(packet.from, local);
        assert_eq!(packet.header.payload_type, 8);
        // A-law silence: 0xD5 (ITU-T G.711 code for +0).
        assert!(
            packet.payload.iter().all(|b| *b == 0xD5),
            "{:x?}",
            &packet.payload[..4]
        );
    }
    engine.destroy_leg(LegId(3)).await.unwrap();
}

#[tokio::test]
async fn idle_ends_echo_and_silence_continues_the_stream() {
    let (engine, _events) = engine(24200, None);
    let mut peer = Peer::new(0xDDDD_0004).await;
    let leg = LegId(24);
    let local = engine.create_leg(leg, None).await.unwrap();
    engine.echo(leg).await.unwrap();
    engine.configure(leg, peer.addr(), pcmu()).await.unwrap();
    // Commands are fire-and-forget: wait until the leg has them before
    // sending, or the first packet can arrive at an unconfigured leg.
    engine.applied(leg).await.unwrap();
    peer.send_media(local, 0, &[0x11; 160]).await;
    let echoed = peer.recv().await.expect("echo");
    assert_eq!(echoed.payload, vec![0x11; 160]);
    engine.idle(leg).await.unwrap();
    // Silence frames now, in the same stream; a packet sent now is not echoed.
    let mut packets = vec![echoed];
    while packets.len() < 6 {
        if packets.len() == 2 {
            peer.send_media(local, 0, &[0x22; 160]).await;
        }
        packets.push(peer.recv().await.expect("silence"));
    }
    assert!(packets[1..].iter().all(|p| p.payload == vec![0xFF; 160]));
    assert_one_stream(&packets);
    engine.destroy_leg(leg).await.unwrap();
}
