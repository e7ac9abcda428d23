use super::*;

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn packet(seq: u16, ts: u32, ssrc: u32) -> Vec<u8> {
    let header = RtpHeader {
        payload_type: 0,
        marker: false,
        sequence: seq,
        timestamp: ts,
        ssrc,
    };
    let mut buf = [0u8; 200];
    let n = rtp::write(&header, &[0xFF; 160], &mut buf).unwrap();
    buf[..n].to_vec()
}

fn session(now: Instant) -> RtpSession {
    let mut config = RtpSessionConfig::new(0xAAAA, 1000, 50_000, 8000);
    config.remote = Some(addr("10.0.0.1:4000"));
    RtpSession::new(now, config)
}

const MS20: Duration = Duration::from_millis(20);

#[test]
fn latches_to_where_packets_really_come_from() {
    let t0 = Instant::now();
    let mut s = session(t0);
    assert_eq!(s.remote(), Some(addr("10.0.0.1:4000")));
    // Behind NAT: the SDP says 10.0.0.1 but packets come from 203.0.113.5.
    let nat = addr("203.0.113.5:31000");
    let p = packet(1, 160, 7);
    let got = s.handle_packet(t0, &p, nat).unwrap();
    assert!(got.new_source);
    assert_eq!(got.payload.len(), 160);
    assert_eq!(s.remote(), Some(nat));
    // An attacker (or stale peer) cannot steal the stream while it is live.
    let intruder = addr("198.51.100.66:5000");
    let err = s
        .handle_packet(t0 + MS20, &packet(2, 320, 7), intruder)
        .unwrap_err();
    assert!(matches!(err, ReceiveError::ForeignSource(a) if a == intruder));
    assert_eq!(s.stats().foreign_dropped, 1);
    assert_eq!(s.remote(), Some(nat));
}

#[test]
fn relatches_after_nat_rebinding_and_after_new_sdp() {
    let t0 = Instant::now();
    let mut s = session(t0);
    let first = addr("203.0.113.5:31000");
    s.handle_packet(t0, &packet(1, 160, 7), first).unwrap();
    // Same SSRC from a new port after 3 s of silence: the NAT rebound.
    let rebound = addr("203.0.113.5:31002");
    let t1 = t0 + Duration::from_secs(3);
    s.handle_packet(t1, &packet(2, 320, 7), rebound).unwrap();
    assert_eq!(s.remote(), Some(rebound));
    // A re-INVITE gives a new address: the next packet latches, whatever its SSRC.
    s.set_remote(t1, Some(addr("10.0.0.9:6000")));
    assert_eq!(s.remote(), Some(addr("10.0.0.9:6000")));
    let moved = addr("203.0.113.77:7000");
    let p = packet(500, 9000, 8);
    let got = s.handle_packet(t1 + MS20, &p, moved).unwrap();
    assert!(got.new_source);
    assert_eq!(s.remote(), Some(moved));
    assert_eq!(s.stats().source_changes, 1);
}

#[test]
fn the_relatch_deadline_follows_the_last_packet_of_the_latched_peer() {
    let t0 = Instant::now();
    let mut s = session(t0);
    assert_eq!((s.latched(), s.relatch_deadline()), (None, None));
    let peer = addr("203.0.113.5:31000");
    s.handle_packet(t0, &packet(1, 160, 7), peer).unwrap();
    assert_eq!(s.latched(), Some(peer));
    assert_eq!(s.relatch_deadline(), Some(t0 + Duration::from_secs(2)));
    s.handle_packet(t0 + MS20, &packet(2, 320, 7), peer)
        .unwrap();
    assert_eq!(
        s.relatch_deadline(),
        Some(t0 + MS20 + Duration::from_secs(2))
    );
    // A new SDP address forgets the latch, and with it the deadline.
    s.set_remote(t0 + MS20, Some(addr("10.0.0.9:6000")));
    assert_eq!((s.latched(), s.relatch_deadline()), (None, None));
}

#[test]
fn without_symmetric_rtp_every_source_is_accepted_and_sdp_wins() {
    let t0 = Instant::now();
    let mut config = RtpSessionConfig::new(1, 1, 1, 8000);
    config.symmetric = false;
    config.remote = Some(addr("10.0.0.1:4000"));
    let mut s = RtpSession::new(t0, config);
    s.handle_packet(t0, &packet(1, 160, 7), addr("203.0.113.5:1"))
        .unwrap();
    s.handle_packet(t0, &packet(2, 320, 7), addr("203.0.113.6:1"))
        .unwrap();
    assert_eq!(s.remote(), Some(addr("10.0.0.1:4000")));
}

#[test]
fn counts_loss_reordering_and_sequence_wrap() {
    let t0 = Instant::now();
    let mut s = session(t0);
    let from = addr("10.0.0.1:4000");
    // 65534, 65535, (0 lost), 1, 3, 2 (late), 4
    for (i, seq) in [65534u16, 65535, 1, 3, 2, 4].into_iter().enumerate() {
        let ts = u32::from(seq.wrapping_sub(65534)) * 160;
        s.handle_packet(t0 + MS20 * i as u32, &packet(seq, ts, 9), from)
            .unwrap();
    }
    let stats = s.stats();
    assert_eq!(stats.packets_received, 6);
    assert_eq!(stats.packets_lost, 1); // seq 0
    assert_eq!(stats.out_of_order, 1); // seq 2
    assert_eq!(stats.bytes_received, 6 * 160);
}

#[test]
fn jitter_is_zero_for_a_perfect_stream_and_grows_with_variation() {
    let t0 = Instant::now();
    let mut steady = session(t0);
    let mut shaky = session(t0);
    let from = addr("10.0.0.1:4000");
    for i in 0..50u32 {
        let p = packet(i as u16, i * 160, 5);
        steady.handle_packet(t0 + MS20 * i, &p, from).unwrap();
        let wobble = Duration::from_millis(u64::from(i % 2) * 10);
        shaky
            .handle_packet(t0 + MS20 * i + wobble, &p, from)
            .unwrap();
    }
    assert_eq!(steady.stats().jitter, 0);
    // alternating 10 ms (80 samples) offsets converge towards 80
    assert!(
        (60..=80).contains(&shaky.stats().jitter),
        "{}",
        shaky.stats().jitter
    );
}

#[test]
fn timeout_after_silence_and_none_when_disabled() {
    let t0 = Instant::now();
    let mut s = session(t0);
    assert_eq!(s.poll_timeout(), Some(t0 + DEFAULT_RTP_TIMEOUT));
    let from = addr("10.0.0.1:4000");
    let t1 = t0 + Duration::from_secs(10);
    s.handle_packet(t1, &packet(1, 0, 1), from).unwrap();
    assert_eq!(s.poll_timeout(), Some(t1 + DEFAULT_RTP_TIMEOUT));
    assert!(!s.is_timed_out(t1 + Duration::from_secs(299)));
    assert!(s.is_timed_out(t1 + DEFAULT_RTP_TIMEOUT));
    s.set_timeout(t1, None); // on hold
    assert_eq!(s.poll_timeout(), None);
    assert!(!s.is_timed_out(t1 + Duration::from_secs(10_000)));
}

#[test]
fn writes_consecutive_packets_with_our_ssrc() {
    let t0 = Instant::now();
    let mut s = session(t0);
    let mut buf = [0u8; 400];
    let mut headers = Vec::new();
    for _ in 0..3 {
        let n = s.write_media(0, &[0xFF; 160], 160, &mut buf).unwrap();
        headers.push(rtp::parse(&buf[..n]).unwrap().0);
    }
    assert!(headers[0].marker);
    assert!(headers[1..].iter().all(|h| !h.marker));
    let seqs: Vec<u16> = headers.iter().map(|h| h.sequence).collect();
    assert_eq!(seqs, vec![1000, 1001, 1002]);
    let stamps: Vec<u32> = headers.iter().map(|h| h.timestamp).collect();
    assert_eq!(stamps, vec![50_000, 50_160, 50_320]);
    assert!(headers.iter().all(|h| h.ssrc == 0xAAAA));
    assert_eq!(s.stats().packets_sent, 3);
    // DTMF: explicit timestamp, sequence still advances, media timestamp untouched
    let n = s
        .write_packet(101, true, 50_480, &[1, 0, 0, 160], &mut buf)
        .unwrap();
    let (h, _) = rtp::parse(&buf[..n]).unwrap();
    assert_eq!(
        (h.sequence, h.timestamp, h.payload_type),
        (1003, 50_480, 101)
    );
    assert_eq!(s.next_timestamp(), 50_480);
}

#[test]
fn rtcp_and_garbage_are_told_apart() {
    let t0 = Instant::now();
    let mut s = session(t0);
    let from = addr("10.0.0.1:4000");
    let rr = [0x81, 201, 0, 1, 0, 0, 0, 1];
    assert!(matches!(
        s.handle_packet(t0, &rr, from),
        Err(ReceiveError::Rtcp)
    ));
    assert!(matches!(
        s.handle_packet(t0, &[1, 2, 3], from),
        Err(ReceiveError::Malformed(_))
    ));
    assert_eq!(s.stats().malformed, 1);
    assert_eq!(s.stats().packets_received, 0);
    // garbage does not latch
    assert_eq!(s.remote(), Some(from));
}
