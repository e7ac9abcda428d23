//! Relaying RTP between two legs without decoding: the packet is rewritten
//! in place in the caller's receive buffer, so the relay path allocates
//! nothing per packet.
//!
//! The outgoing stream carries our SSRC and our own sequence/timestamp
//! space. While the incoming source stays the same, its numbers are shifted
//! by constant offsets (gaps, reordering and DTMF timestamps survive as
//! sent). When the source changes — a new SSRC after a re-INVITE or
//! transfer, or a sequence jump (RFC 3550 A.1) — the offsets are recomputed
//! so the outgoing sequence continues at +1 and the timestamp advances by
//! the real time elapsed; the first packet then carries the marker bit so
//! the far end's jitter buffer resynchronises (RFC 3550 §5.1).

use std::time::Instant;

use rtp_types::RtpPacketMut;

use crate::rtp::{self, RtpError};

const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;

/// Why a datagram was not relayed.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// Not RTP.
    #[error(transparent)]
    Malformed(#[from] RtpError),
    /// RTCP on the RTP port; RTCP is terminated per leg, not relayed.
    #[error("RTCP on the RTP port")]
    Rtcp,
}

/// What happened to a relayed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relayed {
    /// Bytes to send (the packet keeps its length).
    pub len: usize,
    /// The packet starts a new incoming source.
    pub new_source: bool,
}

/// Counters for one relay direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelayStats {
    /// Packets rewritten for forwarding.
    pub forwarded: u64,
    /// Datagrams that were not RTP (including RTCP).
    pub rejected: u64,
    /// Incoming source changes handled.
    pub source_changes: u64,
}

#[derive(Debug, Clone, Copy)]
struct Source {
    ssrc: u32,
    highest_in_sequence: u16,
    sequence_offset: u16,
    timestamp_offset: u32,
}

/// Output position: the newest packet sent so far.
#[derive(Debug, Clone, Copy)]
struct Output {
    sequence: u16,
    timestamp: u32,
    at: Instant,
}

/// Rewrites one direction of a relayed call (leg A's packets going out on leg B).
#[derive(Debug, Clone)]
pub struct RelayRewriter {
    ssrc: u32,
    clock_rate: u32,
    initial_sequence: u16,
    initial_timestamp: u32,
    payload_map: [u8; 128],
    source: Option<Source>,
    output: Option<Output>,
    force_new_source: bool,
    stats: RelayStats,
}

impl RelayRewriter {
    /// A rewriter sending with `ssrc`, starting at the given (random) sequence
    /// and timestamp, for a codec with RTP clock `clock_rate`.
    pub fn new(ssrc: u32, initial_sequence: u16, initial_timestamp: u32, clock_rate: u32) -> Self {
        let mut payload_map = [0u8; 128];
        for (pt, slot) in payload_map.iter_mut().enumerate() {
            *slot = pt as u8;
        }
        Self {
            ssrc,
            clock_rate,
            initial_sequence,
            initial_timestamp,
            payload_map,
            source: None,
            output: None,
            force_new_source: false,
            stats: RelayStats::default(),
        }
    }

    /// Maps incoming payload type `from` to `to` on the way out (the legs
    /// negotiated different numbers, e.g. telephone-event 101 vs 96).
    /// Numbers above 127 are ignored.
    pub fn map_payload_type(&mut self, from: u8, to: u8) {
        if let Some(slot) = self.payload_map.get_mut(usize::from(from)) {
            *slot = to & 0x7F;
        }
    }

    /// Treats the next packet as a new source even with the same SSRC
    /// (the call engine knows a re-INVITE changed the far end).
    pub fn reset_source(&mut self) {
        self.force_new_source = true;
    }

    /// Counters so far.
    pub fn stats(&self) -> &RelayStats {
        &self.stats
    }

    fn is_new_source(&self, ssrc: u32, sequence: u16) -> bool {
        match &self.source {
            None => true,
            _ if self.force_new_source => true,
            Some(s) if s.ssrc != ssrc => true,
            Some(s) => {
                let delta = sequence.wrapping_sub(s.highest_in_sequence);
                delta >= MAX_DROPOUT && delta < 0u16.wrapping_sub(MAX_MISORDER)
            }
        }
    }

    /// Offsets that continue the output stream from the newest packet sent.
    fn start_source(&mut self, now: Instant, ssrc: u32, sequence: u16, timestamp: u32) -> Source {
        let (out_sequence, out_timestamp) = match self.output {
            None => (self.initial_sequence, self.initial_timestamp),
            Some(last) => {
                let elapsed = now.saturating_duration_since(last.at);
                let ticks = elapsed.as_micros() * u128::from(self.clock_rate) / 1_000_000;
                // At least one tick so the timestamp never repeats across sources.
                let ticks = u32::try_from(ticks).unwrap_or(u32::MAX).max(1);
                (
                    last.sequence.wrapping_add(1),
                    last.timestamp.wrapping_add(ticks),
                )
            }
        };
        if self.source.is_some() {
            self.stats.source_changes += 1;
        }
        let source = Source {
            ssrc,
            highest_in_sequence: sequence,
            sequence_offset: out_sequence.wrapping_sub(sequence),
            timestamp_offset: out_timestamp.wrapping_sub(timestamp),
        };
        self.source = Some(source);
        self.force_new_source = false;
        source
    }

    /// Rewrites the RTP packet in `packet` (received at `now`) for the
    /// other leg: SSRC, sequence, timestamp, payload type, marker.
    pub fn rewrite(&mut self, now: Instant, packet: &mut [u8]) -> Result<Relayed, RelayError> {
        if rtp::is_rtcp(packet) {
            self.stats.rejected += 1;
            return Err(RelayError::Rtcp);
        }
        let len = packet.len();
        let mut rtp = match RtpPacketMut::parse(packet) {
            Ok(rtp) => rtp,
            Err(err) => {
                self.stats.rejected += 1;
                return Err(RelayError::Malformed(err.into()));
            }
        };
        let (ssrc, sequence, timestamp) = (rtp.ssrc(), rtp.sequence_number(), rtp.timestamp());
        let new_source = self.is_new_source(ssrc, sequence);
        let source = match self.source {
            Some(source) if !new_source => source,
            _ => self.start_source(now, ssrc, sequence, timestamp),
        };
        let out_sequence = sequence.wrapping_add(source.sequence_offset);
        let out_timestamp = timestamp.wrapping_add(source.timestamp_offset);
        let newest = match self.output {
            None => true,
            Some(last) => new_source || rtp::sequence_after(out_sequence, last.sequence),
        };
        if newest {
            self.source = Some(Source {
                highest_in_sequence: sequence,
                ..source
            });
            self.output = Some(Output {
                sequence: out_sequence,
                timestamp: out_timestamp,
                at: now,
            });
        }
        let payload_type = self.payload_map[usize::from(rtp.payload_type() & 0x7F)];
        // Cannot fail: the map only holds values ≤ 127.
        let _ = rtp.set_payload_type(payload_type);
        rtp.set_ssrc(self.ssrc);
        rtp.set_sequence_number(out_sequence);
        rtp.set_timestamp(out_timestamp);
        if new_source {
            rtp.set_marker_bit(true);
        }
        self.stats.forwarded += 1;
        Ok(Relayed { len, new_source })
    }
}

#[cfg(test)]
#[path = "relay_tests.rs"]
mod tests;
