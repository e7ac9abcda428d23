//! How audio crosses a bridge: relayed packet by packet without decoding
//! when both legs use the same codec and packet time, transcoded (decode →
//! resample → re-frame → encode) otherwise.

use std::time::Instant;

use witswitch_media::RelayRewriter;

use super::leg::{Leg, LegCodec};
use super::outgoing::sequence_and_timestamp;
use super::resample::{PcmFifo, StreamResampler};

/// PCM held between the two sides of a transcoding bridge: 200 ms at 48 kHz.
const FIFO_LIMIT: usize = 9600;

/// The path between the two legs of a task (index 0 and 1).
#[derive(Debug)]
pub enum BridgePath {
    /// A leg has no codec yet: nothing crosses.
    Waiting,
    /// Same codec: rewrite headers and forward.
    Relay(Box<Relay>),
    /// Different codecs: decode, convert, encode.
    Transcode(Box<Transcode>),
}

impl BridgePath {
    /// The path for legs `a` (index 0) and `b` (index 1).
    pub fn between(a: &Leg, b: &Leg) -> Self {
        match (a.codec, b.codec) {
            (Some(x), Some(y)) if x.relays_to(&y) => Self::Relay(Box::default()),
            (Some(x), Some(y)) => Self::Transcode(Box::new(Transcode::new(&x, &y))),
            _ => Self::Waiting,
        }
    }
}

#[derive(Debug)]
struct RelayDirection {
    rewriter: RelayRewriter,
    /// `to.out.packets()` right after our last forwarded packet: if the
    /// leg sent anything else since (digits, a prompt), the rewriter's
    /// offsets are stale and it restarts from the leg's stream position.
    packets_at: u64,
}

/// Both directions of a relayed bridge.
#[derive(Debug, Default)]
pub struct Relay {
    directions: [Option<RelayDirection>; 2],
}

impl Relay {
    /// Forwards the RTP packet in `packet`, received on leg `from_index`
    /// (codec `from`), out of leg `to`: rewritten in place (our SSRC, our
    /// sequence/timestamp space, the payload types `to` negotiated), no
    /// allocation.
    pub fn forward(
        &mut self,
        from_index: usize,
        from: &LegCodec,
        to: &mut Leg,
        packet: &mut [u8],
        now: Instant,
    ) {
        if to.output_overridden() {
            return; // its own prompt or digits replace what it hears
        }
        let Some(to_codec) = to.codec else {
            return;
        };
        let ticks = to_codec.frame_ticks;
        let Some(slot) = self.directions.get_mut(from_index) else {
            return;
        };
        if slot
            .as_ref()
            .is_none_or(|d| d.packets_at != to.out.packets())
        {
            let (sequence, timestamp) = to.out.next_position(now, ticks);
            let mut rewriter =
                RelayRewriter::new(to.out.ssrc(), sequence, timestamp, to_codec.clock_rate);
            rewriter.map_payload_type(from.payload_type, to_codec.payload_type);
            if let (Some(a), Some(b)) = (from.telephone_event_pt, to_codec.telephone_event_pt) {
                rewriter.map_payload_type(a, b);
            }
            *slot = Some(RelayDirection {
                rewriter,
                packets_at: to.out.packets(),
            });
        }
        let Some(direction) = slot.as_mut() else {
            return;
        };
        let Ok(relayed) = direction.rewriter.rewrite(now, packet) else {
            return; // the session already accepted it as RTP; cannot happen
        };
        let sent = packet.get(..relayed.len).unwrap_or_default();
        if let Some((sequence, timestamp)) = sequence_and_timestamp(sent) {
            to.out.note_relayed(now, sequence, timestamp, ticks);
        }
        direction.packets_at = to.out.packets();
        to.send(sent);
    }
}

/// Scratch buffers for encoding (owned by the task, reused every frame).
#[derive(Debug, Default)]
pub struct EncodeBuffers {
    /// Encoded payload.
    pub payload: Vec<u8>,
    /// RTP packet.
    pub packet: Vec<u8>,
    /// Resampled PCM.
    pub resampled: Vec<i16>,
    /// One frame of the target codec.
    pub frame: Vec<i16>,
}

/// Largest payload we encode (Opus' maximum frame is 1275 bytes).
pub const MAX_PAYLOAD: usize = 1500;
/// RTP packet buffer: the largest datagram we receive plus slack.
pub const PACKET_BUF: usize = 2048 + 64;

impl EncodeBuffers {
    /// Buffers sized for one packet.
    pub fn new() -> Self {
        Self {
            payload: vec![0; MAX_PAYLOAD],
            packet: vec![0; PACKET_BUF],
            resampled: Vec::new(),
            frame: Vec::new(),
        }
    }
}

#[derive(Debug)]
struct TranscodeDirection {
    resampler: StreamResampler,
    fifo: PcmFifo,
}

/// Both directions of a transcoding bridge.
#[derive(Debug)]
pub struct Transcode {
    directions: [TranscodeDirection; 2],
}

impl Transcode {
    /// Converters for legs with codecs `a` (index 0) and `b` (index 1).
    pub fn new(a: &LegCodec, b: &LegCodec) -> Self {
        let direction = |from: &LegCodec, to: &LegCodec| TranscodeDirection {
            resampler: StreamResampler::new(from.pcm_rate, to.pcm_rate),
            fifo: PcmFifo::new(FIFO_LIMIT),
        };
        Self {
            directions: [direction(a, b), direction(b, a)],
        }
    }

    /// Drops audio queued towards the other leg (it plays something else).
    pub fn clear(&mut self, from_index: usize) {
        if let Some(direction) = self.directions.get_mut(from_index) {
            direction.fifo.clear();
        }
    }

    /// Sends one decoded frame from leg `from_index` out of leg `to`,
    /// encoded in `to`'s codec, as many packets as whole frames are ready.
    pub fn forward(
        &mut self,
        from_index: usize,
        pcm: &[i16],
        to: &mut Leg,
        buffers: &mut EncodeBuffers,
        now: Instant,
    ) {
        let Some(direction) = self.directions.get_mut(from_index) else {
            return;
        };
        let Some(codec) = to.codec else {
            return;
        };
        let (payload_type, ticks) = (codec.payload_type, codec.frame_ticks);
        buffers.frame.resize(codec.frame_samples, 0);
        direction.resampler.process(pcm, &mut buffers.resampled);
        direction.fifo.push(&buffers.resampled);
        while direction.fifo.pop_into(&mut buffers.frame) {
            send_frame(to, payload_type, ticks, buffers, now);
        }
    }
}

/// Encodes `buffers.frame` with `leg`'s encoder and sends it.
pub fn send_frame(
    leg: &mut Leg,
    payload_type: u8,
    ticks: u32,
    buffers: &mut EncodeBuffers,
    now: Instant,
) {
    let Ok(encoder) = leg.encoder() else {
        leg.counters.send_failed += 1;
        return;
    };
    let Ok(n) = encoder.encode_into(&buffers.frame, &mut buffers.payload) else {
        leg.counters.send_failed += 1;
        return;
    };
    let payload = buffers.payload.get(..n).unwrap_or_default();
    match leg
        .out
        .write_media(now, payload_type, payload, ticks, &mut buffers.packet)
    {
        Ok(len) => leg.send(buffers.packet.get(..len).unwrap_or_default()),
        Err(_) => leg.counters.send_failed += 1,
    }
}
