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
    // Echo set first and applied before any packet (see echo_leg_for).
    let local = echo_leg_for(&engine, leg.0, &peer).await;

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
    // The intruder's packet never reached the leg: the kernel dropped it,
    // the socket being connected to the latched peer.
    let stats = engine.stats();
    assert_eq!((stats.packets_received, stats.packets_dropped), (6, 0));
}

#[tokio::test]
async fn a_new_sdp_address_lets_another_source_latch() {
    let (engine, _events) = engine(24300, None);
    let mut first = Peer::new(0xEEEE_0001).await;
    let leg = LegId(5);
    let local = echo_leg_for(&engine, leg.0, &first).await;
    first.send_media(local, 0, &[1; 160]).await;
    assert!(first.recv().await.is_some(), "latched and echoing");
    // A re-INVITE moves the peer; media comes from yet another port (NAT).
    let sdp = Peer::new(2).await;
    let mut moved = Peer::new(0xEEEE_0002).await;
    engine.configure(leg, sdp.addr(), pcmu()).await.unwrap();
    engine.applied(leg).await.unwrap();
    moved.send_media(local, 0, &[2; 160]).await;
    let echo = moved.recv().await.expect("echo at the new source");
    assert_eq!(echo.payload, vec![2; 160]);
    // And the old peer is now the stranger.
    first.send_media(local, 0, &[3; 160]).await;
    assert!(first.recv_within(RELATCH_AFTER / 2).await.is_none());
    engine.destroy_leg(leg).await.unwrap();
}

#[tokio::test]
async fn a_quiet_peer_rebound_by_its_nat_is_followed_to_its_new_port() {
    let (engine, _events) = engine(24400, None);
    let mut before = Peer::new(0xF00D).await;
    let leg = LegId(6);
    let local = echo_leg_for(&engine, leg.0, &before).await;
    for k in 0..3u8 {
        before.send_media(local, 0, &[k; 160]).await;
        assert!(before.recv().await.is_some());
    }
    // The same stream (SSRC, numbering) from a new port, as after a NAT
    // rebinding: refused while the peer is live...
    let mut after = Peer::new(0xF00D).await;
    after.sequence = before.sequence;
    after.timestamp = before.timestamp;
    after.send_media(local, 0, &[7; 160]).await;
    assert!(after.recv_within(RELATCH_AFTER / 3).await.is_none());
    // ...and followed once the old port has been quiet for RELATCH_AFTER.
    // Sending until an echo comes back (the leg lets the old peer go on a
    // timer of its own) keeps the test free of guessed waits.
    let mut echoed = None;
    for _ in 0..40 {
        after.send_media(local, 0, &[8; 160]).await;
        if let Some(packet) = after.recv_within(RELATCH_AFTER / 3).await {
            echoed = Some(packet);
            break;
        }
    }
    let echoed = echoed.expect("echo at the rebound port");
    assert_eq!(echoed.payload, vec![8; 160]);
    assert!(!before.has_pending(), "nothing more to the old port");
    engine.destroy_leg(leg).await.unwrap();
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
    let local = echo_leg_for(&engine, leg.0, &peer).await;
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

/// The media thread reads a readable socket once per wait and relies on
/// the level-triggered epoll set to report it again while datagrams are
/// queued: a burst that arrives at once, with nothing after it, must all be
/// echoed (an edge-triggered read of one would leave the rest stranded).
#[tokio::test]
async fn a_burst_queued_at_once_is_echoed_whole_with_nothing_after_it() {
    let (engine, _events) = engine(24500, None);
    let mut peer = Peer::new(0xAAAA_0009).await;
    let leg = LegId(34);
    let local = echo_leg_for(&engine, leg.0, &peer).await;
    const BURST: u8 = 40;
    for k in 0..BURST {
        peer.send_media(local, 0, &[k; 160]).await;
    }
    let mut echoed = Vec::new();
    while echoed.len() < usize::from(BURST) {
        match peer.recv().await {
            Some(packet) => echoed.push(packet.payload[0]),
            None => break,
        }
    }
    assert_eq!(echoed, (0..BURST).collect::<Vec<u8>>());
    engine.destroy_leg(leg).await.unwrap();
}
