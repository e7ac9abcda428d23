use std::time::Duration;

use super::*;
use crate::rtp::{RtpHeader, parse, write};

const MS20: Duration = Duration::from_millis(20);

fn packet(pt: u8, seq: u16, ts: u32, ssrc: u32, marker: bool) -> Vec<u8> {
    let header = RtpHeader {
        payload_type: pt,
        marker,
        sequence: seq,
        timestamp: ts,
        ssrc,
    };
    let mut buf = [0u8; 200];
    let payload: Vec<u8> = (0..160).map(|i| (i as u8) ^ (seq as u8)).collect();
    let n = write(&header, &payload, &mut buf).unwrap();
    buf[..n].to_vec()
}

fn relay(r: &mut RelayRewriter, now: Instant, mut data: Vec<u8>) -> (RtpHeader, Vec<u8>, bool) {
    let before = parse(&data).unwrap().1.to_vec();
    let out = r.rewrite(now, &mut data).unwrap();
    assert_eq!(out.len, data.len());
    let (header, payload) = parse(&data).unwrap();
    assert_eq!(payload, &before[..], "payload must pass untouched");
    (header, payload.to_vec(), out.new_source)
}

#[test]
fn rewrites_ssrc_sequence_and_timestamp_with_constant_offsets() {
    let t0 = Instant::now();
    let mut r = RelayRewriter::new(0xB0B0, 500, 1_000_000, 8000);
    let mut out = Vec::new();
    // in: 10, 11, 13 (12 lost), 12 (late) — gaps and order survive as sent
    for (i, seq) in [10u16, 11, 13, 12].into_iter().enumerate() {
        let ts = 16_000 + u32::from(seq - 10) * 160;
        out.push(relay(
            &mut r,
            t0 + MS20 * i as u32,
            packet(0, seq, ts, 0xA1, false),
        ));
    }
    let seqs: Vec<u16> = out.iter().map(|o| o.0.sequence).collect();
    assert_eq!(seqs, vec![500, 501, 503, 502]);
    let stamps: Vec<u32> = out.iter().map(|o| o.0.timestamp).collect();
    assert_eq!(stamps, vec![1_000_000, 1_000_160, 1_000_480, 1_000_320]);
    assert!(out.iter().all(|o| o.0.ssrc == 0xB0B0));
    assert!(out[0].2 && out[0].0.marker);
    assert!(out[1..].iter().all(|o| !o.2 && !o.0.marker));
}

#[test]
fn stays_monotonic_across_a_source_change() {
    let t0 = Instant::now();
    let mut r = RelayRewriter::new(0xB0B0, 65534, u32::MAX - 200, 8000);
    let mut last = None;
    for i in 0..3u32 {
        let (h, _, _) = relay(
            &mut r,
            t0 + MS20 * i,
            packet(0, 100 + i as u16, i * 160, 0xA1, false),
        );
        last = Some(h);
    }
    let last = last.unwrap();
    assert_eq!(last.sequence, 0); // wrapped 65534, 65535, 0
    // re-INVITE: new SSRC with unrelated numbers, 60 ms after the last packet
    let t1 = t0 + MS20 * 2 + Duration::from_millis(60);
    let (h, _, new_source) = relay(&mut r, t1, packet(0, 40_000, 7_777_777, 0xC3, false));
    assert!(new_source && h.marker);
    assert_eq!(h.ssrc, 0xB0B0);
    assert_eq!(h.sequence, last.sequence.wrapping_add(1));
    assert_eq!(h.timestamp, last.timestamp.wrapping_add(480)); // 60 ms at 8 kHz
    let (h2, _, _) = relay(&mut r, t1 + MS20, packet(0, 40_001, 7_777_937, 0xC3, false));
    assert_eq!(h2.sequence, h.sequence.wrapping_add(1));
    assert_eq!(h2.timestamp, h.timestamp.wrapping_add(160));
    assert_eq!(r.stats().source_changes, 1);
    assert_eq!(r.stats().forwarded, 5);
}

#[test]
fn sequence_jump_or_explicit_reset_starts_a_new_source() {
    let t0 = Instant::now();
    let mut r = RelayRewriter::new(1, 0, 0, 8000);
    relay(&mut r, t0, packet(0, 10, 0, 5, false));
    // Same SSRC, sequence restarted far away (RFC 3550 A.1 dropout).
    let (h, _, new_source) = relay(&mut r, t0 + MS20, packet(0, 30_000, 99, 5, false));
    assert!(new_source);
    assert_eq!((h.sequence, h.timestamp), (1, 160));
    // Engine says the far end changed: next packet restarts even with same numbers.
    r.reset_source();
    let (h, _, new_source) = relay(&mut r, t0 + MS20 * 2, packet(0, 30_001, 259, 5, false));
    assert!(new_source);
    assert_eq!((h.sequence, h.timestamp), (2, 320));
}

#[test]
fn dtmf_keeps_its_event_timestamp_and_payload_types_are_mapped() {
    let t0 = Instant::now();
    let mut r = RelayRewriter::new(1, 0, 1000, 8000);
    r.map_payload_type(101, 96);
    relay(&mut r, t0, packet(0, 1, 160, 9, false));
    let event_ts = 320;
    let mut stamps = Vec::new();
    for i in 0..4u16 {
        let (h, _, _) = relay(
            &mut r,
            t0 + MS20 * u32::from(i + 1),
            packet(101, 2 + i, event_ts, 9, i == 0),
        );
        assert_eq!(h.payload_type, 96);
        stamps.push(h.timestamp);
        assert_eq!(h.marker, i == 0, "marker passes through");
    }
    assert!(stamps.iter().all(|t| *t == 1000 + 160));
}

#[test]
fn rejects_rtcp_and_garbage_without_touching_state() {
    let t0 = Instant::now();
    let mut r = RelayRewriter::new(1, 0, 0, 8000);
    let mut rtcp = [0x81u8, 201, 0, 1, 0, 0, 0, 1];
    assert!(matches!(r.rewrite(t0, &mut rtcp), Err(RelayError::Rtcp)));
    let mut short = [0x80u8, 0, 1];
    assert!(matches!(
        r.rewrite(t0, &mut short),
        Err(RelayError::Malformed(_))
    ));
    assert_eq!(short, [0x80, 0, 1]);
    assert_eq!(r.stats().rejected, 2);
    let (h, _, _) = relay(&mut r, t0, packet(0, 77, 0, 2, false));
    assert_eq!(h.sequence, 0);
}
