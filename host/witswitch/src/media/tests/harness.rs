//! A UDP peer that speaks RTP, and engine helpers for the tests.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout_at};
use witswitch_media::rtp::{self, RtpHeader};
use witswitch_sdp::CodecName;

use crate::media::{LegId, MediaConfig, MediaEngine, MediaEvent, NegotiatedCodec};

/// How long any single wait may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// How long a latched peer must be quiet before a new address may take over.
pub const RELATCH_AFTER: Duration = Duration::from_millis(150);

pub const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// An engine on `[port_min, port_min + 99]` (each test file its own range).
pub fn engine(port_min: u16, rtp_timeout: Option<Duration>) -> (MediaEngine, Events) {
    let config = MediaConfig {
        port_min,
        port_max: port_min + 99,
        local_ip: LOCALHOST,
        rtp_timeout,
        // Short, so the NAT rebinding test waits little.
        relatch_after: RELATCH_AFTER,
        event_capacity: 256,
        // Two threads whatever the machine, legs placed alternately: bridges
        // then move legs across.
        threads: 2,
        pack: 1,
    };
    let (engine, events) = MediaEngine::new(config).expect("engine");
    (engine, Events(events))
}

/// A G.711 μ-law codec on the standard payload types.
pub fn pcmu() -> NegotiatedCodec {
    NegotiatedCodec::standard(CodecName::Pcmu)
}

/// A G.711 A-law codec on the standard payload types.
pub fn pcma() -> NegotiatedCodec {
    NegotiatedCodec::standard(CodecName::Pcma)
}

/// The engine's event receiver with deadline helpers.
#[derive(Debug)]
pub struct Events(pub mpsc::Receiver<MediaEvent>);

impl Events {
    /// The next event, or a panic after [`PATIENCE`].
    pub async fn next(&mut self) -> MediaEvent {
        match timeout_at(Instant::now() + PATIENCE, self.0.recv()).await {
            Ok(Some(event)) => event,
            Ok(None) => panic!("event channel closed"),
            Err(_) => panic!("no media event within {PATIENCE:?}"),
        }
    }

    /// Events received so far without waiting.
    pub fn drain(&mut self) -> Vec<MediaEvent> {
        let mut out = Vec::new();
        while let Ok(event) = self.0.try_recv() {
            out.push(event);
        }
        out
    }
}

/// A received RTP packet.
#[derive(Debug, Clone)]
pub struct Packet {
    pub header: RtpHeader,
    pub payload: Vec<u8>,
    pub from: SocketAddr,
}

/// An RTP endpoint on 127.0.0.1 with its own SSRC and numbering.
#[derive(Debug)]
pub struct Peer {
    pub socket: UdpSocket,
    pub ssrc: u32,
    pub sequence: u16,
    pub timestamp: u32,
}

impl Peer {
    pub async fn new(ssrc: u32) -> Self {
        Self {
            socket: UdpSocket::bind((LOCALHOST, 0)).await.expect("bind peer"),
            ssrc,
            sequence: 1000,
            timestamp: 50_000,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("peer address")
    }

    /// Sends one packet with explicit fields.
    pub async fn send_raw(&self, to: SocketAddr, header: RtpHeader, payload: &[u8]) {
        let mut buf = [0u8; 1600];
        let n = rtp::write(&header, payload, &mut buf).expect("write rtp");
        self.socket.send_to(&buf[..n], to).await.expect("send");
    }

    /// Sends a media packet and moves sequence/timestamp on by one 20 ms frame.
    pub async fn send_media(&mut self, to: SocketAddr, payload_type: u8, payload: &[u8]) {
        let header = RtpHeader {
            payload_type,
            marker: false,
            sequence: self.sequence,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
        };
        self.send_raw(to, header, payload).await;
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(160);
    }

    /// Sends one RFC 4733 key press the way phones do: growing durations,
    /// then the end packet three times, all with the event's start timestamp.
    pub async fn send_digit(&mut self, to: SocketAddr, payload_type: u8, event: u8, frames: u16) {
        let start = self.timestamp;
        for k in 1..=frames + 2 {
            let end = k >= frames;
            let duration = 160 * k.min(frames);
            let flags = if end { 0x80 | 10 } else { 10 };
            let [high, low] = duration.to_be_bytes();
            let header = RtpHeader {
                payload_type,
                marker: k == 1,
                sequence: self.sequence,
                timestamp: start,
                ssrc: self.ssrc,
            };
            self.send_raw(to, header, &[event, flags, high, low]).await;
            self.sequence = self.sequence.wrapping_add(1);
        }
        self.timestamp = self.timestamp.wrapping_add(160 * u32::from(frames));
    }

    /// The next RTP packet, or `None` after [`PATIENCE`].
    pub async fn recv(&self) -> Option<Packet> {
        self.recv_within(PATIENCE).await
    }

    /// The next RTP packet within `wait`.
    pub async fn recv_within(&self, wait: Duration) -> Option<Packet> {
        let mut buf = [0u8; 2048];
        let deadline = Instant::now() + wait;
        loop {
            let (n, from) = timeout_at(deadline, self.socket.recv_from(&mut buf))
                .await
                .ok()?
                .ok()?;
            if let Ok((header, payload)) = rtp::parse(&buf[..n]) {
                return Some(Packet {
                    header,
                    payload: payload.to_vec(),
                    from,
                });
            }
        }
    }

    /// Whether a datagram is waiting right now.
    pub fn has_pending(&self) -> bool {
        let mut buf = [0u8; 2048];
        self.socket.try_recv_from(&mut buf).is_ok()
    }
}

/// Creates a leg that echoes (set before the peer is known, so every packet
/// the peer gets is an echo), points it at `peer` in PCMU (applied before
/// this returns); returns its address.
pub async fn echo_leg_for(engine: &MediaEngine, id: u64, peer: &Peer) -> SocketAddr {
    let local = engine
        .create_leg(LegId(id), None)
        .await
        .expect("create leg");
    engine.echo(LegId(id)).await.expect("echo");
    engine
        .configure(LegId(id), peer.addr(), pcmu())
        .await
        .expect("configure");
    engine.applied(LegId(id)).await.expect("applied");
    local
}

/// Creates a leg, points it at `peer` with `codec` (applied before this
/// returns); returns its address.
pub async fn leg_for(
    engine: &MediaEngine,
    id: u64,
    peer: &Peer,
    codec: NegotiatedCodec,
) -> SocketAddr {
    let local = engine
        .create_leg(LegId(id), None)
        .await
        .expect("create leg");
    engine
        .configure(LegId(id), peer.addr(), codec)
        .await
        .expect("configure");
    // Packets the test sends next must meet the configured leg.
    engine.applied(LegId(id)).await.expect("applied");
    local
}

/// Checks that `packets` are one stream: one SSRC, sequence numbers +1 each.
pub fn assert_one_stream(packets: &[Packet]) {
    let Some(first) = packets.first() else {
        return;
    };
    for pair in packets.windows(2) {
        assert_eq!(pair[1].header.ssrc, first.header.ssrc, "SSRC changed");
        assert_eq!(
            pair[1].header.sequence,
            pair[0].header.sequence.wrapping_add(1),
            "sequence gap"
        );
    }
}

/// μ-law payload of a sine frame number `frame` (160 samples).
pub fn ulaw_tone(frequency: f64, frame: usize) -> Vec<u8> {
    let pcm = tone_frame(frequency, frame);
    let mut out = vec![0u8; 160];
    witswitch_media::g711::G711Law::Ulaw.encode(&pcm, &mut out);
    out
}

/// 160 samples of a sine at 8 kHz, frame `frame` of a continuous tone.
pub fn tone_frame(frequency: f64, frame: usize) -> Vec<i16> {
    (0..160)
        .map(|n| {
            let t = (frame * 160 + n) as f64 / 8000.0;
            (8000.0 * (2.0 * std::f64::consts::PI * frequency * t).sin()) as i16
        })
        .collect()
}

/// Decodes G.711 payloads into one PCM stream.
pub fn decode(law: witswitch_media::g711::G711Law, payloads: &[Vec<u8>]) -> Vec<i16> {
    let mut pcm = Vec::new();
    for payload in payloads {
        let mut frame = vec![0i16; payload.len()];
        law.decode(payload, &mut frame);
        pcm.extend_from_slice(&frame);
    }
    pcm
}
