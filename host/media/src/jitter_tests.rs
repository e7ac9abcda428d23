use super::*;
use crate::codec::G711Codec;
use crate::g711::G711Law;

fn played(buffer: &mut JitterBuffer, pops: usize) -> Vec<Option<u16>> {
    (0..pops)
        .map(|_| match buffer.pop() {
            Playout::Packet {
                sequence, payload, ..
            } => {
                assert_eq!(payload, &[sequence as u8; 4][..]);
                Some(sequence)
            }
            Playout::Missing { .. } => None,
            Playout::Buffering => Some(u16::MAX),
        })
        .collect()
}

fn push(buffer: &mut JitterBuffer, sequence: u16) -> PushOutcome {
    buffer.push(sequence, u32::from(sequence) * 160, &[sequence as u8; 4])
}

const BUFFERING: Option<u16> = Some(u16::MAX);

#[test]
fn waits_for_depth_then_plays_in_order() {
    let mut jb = JitterBuffer::new(3, 16);
    assert_eq!(played(&mut jb, 1), vec![BUFFERING]);
    push(&mut jb, 11);
    push(&mut jb, 10); // reordered
    assert_eq!(played(&mut jb, 1), vec![BUFFERING]);
    push(&mut jb, 12);
    assert_eq!(jb.len(), 3);
    assert_eq!(played(&mut jb, 2), vec![Some(10), Some(11)]);
    push(&mut jb, 14);
    push(&mut jb, 13);
    assert_eq!(played(&mut jb, 3), vec![Some(12), Some(13), Some(14)]);
    assert_eq!(jb.stats().played, 5);
}

#[test]
fn gaps_are_reported_missing_and_late_or_duplicate_packets_dropped() {
    let mut jb = JitterBuffer::new(2, 16);
    for seq in [1, 2, 4, 5] {
        assert_eq!(push(&mut jb, seq), PushOutcome::Stored);
    }
    assert_eq!(push(&mut jb, 4), PushOutcome::Duplicate);
    assert_eq!(played(&mut jb, 3), vec![Some(1), Some(2), None]);
    assert_eq!(push(&mut jb, 3), PushOutcome::Late); // its slot already played as missing
    assert_eq!(played(&mut jb, 2), vec![Some(4), Some(5)]);
    let stats = jb.stats();
    assert_eq!((stats.missing, stats.late, stats.duplicates), (1, 1, 1));
}

#[test]
fn reprimes_after_running_dry() {
    let mut jb = JitterBuffer::new(2, 16);
    push(&mut jb, 1);
    push(&mut jb, 2);
    assert_eq!(played(&mut jb, 3), vec![Some(1), Some(2), None]);
    assert_eq!(jb.stats().underruns, 1);
    // A talkspurt after silence suppression: delay applies again.
    push(&mut jb, 40);
    assert_eq!(played(&mut jb, 1), vec![BUFFERING]);
    push(&mut jb, 41);
    assert_eq!(played(&mut jb, 2), vec![Some(40), Some(41)]);
}

#[test]
fn wraps_around_and_resyncs_on_a_jump() {
    let mut jb = JitterBuffer::new(2, 8);
    for seq in [65534, 65535, 0, 1] {
        push(&mut jb, seq);
    }
    assert_eq!(
        played(&mut jb, 4),
        vec![Some(65534), Some(65535), Some(0), Some(1)]
    );
    push(&mut jb, 2);
    assert_eq!(push(&mut jb, 30_000), PushOutcome::Resynced);
    assert_eq!(jb.len(), 1);
    push(&mut jb, 30_001);
    assert_eq!(played(&mut jb, 2), vec![Some(30_000), Some(30_001)]);
}

#[test]
fn pop_pcm_decodes_conceals_and_fills_silence() {
    let mut codec = G711Codec::new(G711Law::Ulaw, 20).unwrap();
    let mut jb = JitterBuffer::new(1, 8);
    let mut out = [7i16; 160];
    assert_eq!(jb.pop_pcm(&mut codec, &mut out).unwrap(), 160);
    assert!(out.iter().all(|s| *s == 0));
    let loud = [0x80u8; 160]; // μ-law +32124
    jb.push(5, 0, &loud);
    jb.push(7, 320, &loud);
    assert_eq!(jb.pop_pcm(&mut codec, &mut out).unwrap(), 160);
    assert!(out.iter().all(|s| *s == 32124));
    jb.pop_pcm(&mut codec, &mut out).unwrap(); // 6 is missing
    assert!(out.iter().all(|s| *s == 0));
    jb.pop_pcm(&mut codec, &mut out).unwrap();
    assert!(out.iter().all(|s| *s == 32124));
}
