//! Hot-path costs: relaying one RTP packet (parse + rewrite in place), and
//! G.711 encode/decode of one 20 ms frame; codec and session costs for scale.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use witswitch_media::g711::G711Law;
use witswitch_media::rtp::{RtpHeader, write};
use witswitch_media::tone::sine;
use witswitch_media::{RelayRewriter, RtpSession, RtpSessionConfig, new_codec};
use witswitch_sdp::CodecName;

fn pcmu_packet(sequence: u16, timestamp: u32) -> Vec<u8> {
    let header = RtpHeader {
        payload_type: 0,
        marker: false,
        sequence,
        timestamp,
        ssrc: 0x1234_5678,
    };
    let mut buf = vec![0u8; 172];
    let n = write(&header, &[0xFF; 160], &mut buf).unwrap_or(0);
    buf.truncate(n);
    buf
}

fn relay(c: &mut Criterion) {
    let now = Instant::now();
    let mut rewriter = RelayRewriter::new(0xCAFE, 1, 1, 8000);
    let mut packet = pcmu_packet(100, 16_000);
    let mut sequence = 100u16;
    c.bench_function("relay_rewrite_pcmu_packet", |b| {
        b.iter(|| {
            // restore the source's numbers as the next packet would carry them
            sequence = sequence.wrapping_add(1);
            packet[2..4].copy_from_slice(&sequence.to_be_bytes());
            packet[8..12].copy_from_slice(&0x1234_5678u32.to_be_bytes());
            black_box(rewriter.rewrite(now, black_box(&mut packet)).ok());
        })
    });
}

fn g711(c: &mut Criterion) {
    let pcm = sine(8000, 1000.0, 8000.0, 160);
    let mut codes = [0u8; 160];
    let mut back = [0i16; 160];
    for (law, name) in [(G711Law::Ulaw, "pcmu"), (G711Law::Alaw, "pcma")] {
        c.bench_function(&format!("g711_{name}_encode_20ms"), |b| {
            b.iter(|| law.encode(black_box(&pcm), &mut codes))
        });
        law.encode(&pcm, &mut codes);
        c.bench_function(&format!("g711_{name}_decode_20ms"), |b| {
            b.iter(|| law.decode(black_box(&codes), &mut back))
        });
    }
}

fn other_codecs(c: &mut Criterion) {
    for name in [CodecName::G722, CodecName::Opus] {
        let Ok(mut codec) = new_codec(name, 20) else {
            continue;
        };
        let pcm = sine(
            codec.sample_rate(),
            1000.0,
            8000.0,
            codec.samples_per_frame(),
        );
        let mut payload = [0u8; 1500];
        let mut out = vec![0i16; codec.samples_per_frame()];
        c.bench_function(&format!("{name}_encode_20ms"), |b| {
            b.iter(|| codec.encode_into(black_box(&pcm), &mut payload).ok())
        });
        let n = codec.encode_into(&pcm, &mut payload).unwrap_or(0);
        c.bench_function(&format!("{name}_decode_20ms"), |b| {
            b.iter(|| codec.decode_into(black_box(&payload[..n]), &mut out).ok())
        });
    }
}

fn session_receive(c: &mut Criterion) {
    let start = Instant::now();
    let mut session = RtpSession::new(start, RtpSessionConfig::new(1, 1, 1, 8000));
    let from: SocketAddr = "127.0.0.1:4000"
        .parse()
        .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 4000)));
    let mut packet = pcmu_packet(0, 0);
    let mut i = 0u32;
    c.bench_function("rtp_session_handle_packet", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            packet[2..4].copy_from_slice(&(i as u16).to_be_bytes());
            packet[4..8].copy_from_slice(&(i * 160).to_be_bytes());
            let now = start + Duration::from_millis(u64::from(i) * 20);
            black_box(session.handle_packet(now, black_box(&packet), from).is_ok());
        })
    });
}

criterion_group!(benches, relay, g711, other_codecs, session_receive);
criterion_main!(benches);
