//! A fixed-delay jitter buffer for terminating media paths (playback
//! mixing, recording, IVR, transcoding). Packets are reordered by sequence
//! number; late and duplicate packets are dropped; a missing packet is
//! played as concealment (silence for G.711/G.722, Opus' own PLC).
//!
//! The caller pops once per packet interval from its media clock; playout
//! starts once `depth` packets' worth of sequence span is buffered, and the
//! buffer re-primes (adding the delay again) when it runs dry, e.g. after a
//! silence-suppressed gap. Slots keep their payload buffers, so after the
//! first few packets nothing is allocated.

use crate::codec::{Codec, CodecError};
use crate::rtp::sequence_after;

/// What [`JitterBuffer::push`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Stored for playout.
    Stored,
    /// Its sequence number was already played out: dropped.
    Late,
    /// Already buffered: dropped.
    Duplicate,
    /// So far ahead of playout that the buffer restarted from it.
    Resynced,
}

/// What [`JitterBuffer::pop`] yields for one packet interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playout<'a> {
    /// Still filling up to the configured delay: play silence.
    Buffering,
    /// The packet due now.
    Packet {
        /// Its sequence number.
        sequence: u16,
        /// Its RTP timestamp.
        timestamp: u32,
        /// Its payload.
        payload: &'a [u8],
    },
    /// The packet due now never arrived (or came too late).
    Missing {
        /// The sequence number that is missing.
        sequence: u16,
    },
}

/// Counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JitterStats {
    /// Packets stored.
    pub stored: u64,
    /// Packets played out.
    pub played: u64,
    /// Intervals with a missing packet.
    pub missing: u64,
    /// Packets dropped as late.
    pub late: u64,
    /// Packets dropped as duplicates.
    pub duplicates: u64,
    /// Restarts after a big sequence jump.
    pub resyncs: u64,
    /// Times playout ran dry and re-primed.
    pub underruns: u64,
}

#[derive(Debug, Clone, Default)]
struct Slot {
    filled: bool,
    sequence: u16,
    timestamp: u32,
    payload: Vec<u8>,
}

/// The buffer. See the module docs.
#[derive(Debug, Clone)]
pub struct JitterBuffer {
    depth: u16,
    slots: Vec<Slot>,
    next: Option<u16>,
    highest: Option<u16>,
    playing: bool,
    filled: usize,
    stats: JitterStats,
}

impl JitterBuffer {
    /// A buffer delaying playout by `depth` packets (at least 1), holding up
    /// to `capacity` packets (at least `2 × depth`, at least 4).
    pub fn new(depth: u16, capacity: usize) -> Self {
        let depth = depth.max(1);
        let capacity = capacity.max(usize::from(depth) * 2).max(4);
        Self {
            depth,
            slots: vec![Slot::default(); capacity],
            next: None,
            highest: None,
            playing: false,
            filled: 0,
            stats: JitterStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &JitterStats {
        &self.stats
    }

    /// Packets currently held.
    pub fn len(&self) -> usize {
        self.filled
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.filled == 0
    }

    fn index(&self, sequence: u16) -> usize {
        usize::from(sequence) % self.slots.len()
    }

    fn clear(&mut self) {
        for slot in &mut self.slots {
            slot.filled = false;
        }
        self.filled = 0;
        self.next = None;
        self.highest = None;
        self.playing = false;
    }

    /// Offers a received packet.
    pub fn push(&mut self, sequence: u16, timestamp: u32, payload: &[u8]) -> PushOutcome {
        let mut outcome = PushOutcome::Stored;
        if let Some(next) = self.next {
            let behind = sequence_after(next, sequence);
            if behind && self.playing {
                self.stats.late += 1;
                return PushOutcome::Late;
            }
            // How much sequence space the buffer would have to cover.
            let span = match behind {
                true => self.highest.unwrap_or(next).wrapping_sub(sequence),
                false => sequence.wrapping_sub(next),
            };
            if usize::from(span) >= self.slots.len() {
                self.clear();
                self.stats.resyncs += 1;
                outcome = PushOutcome::Resynced;
            }
        }
        let index = self.index(sequence);
        let slot = &mut self.slots[index];
        if slot.filled && slot.sequence == sequence {
            self.stats.duplicates += 1;
            return PushOutcome::Duplicate;
        }
        if !slot.filled {
            self.filled += 1;
        }
        slot.filled = true;
        slot.sequence = sequence;
        slot.timestamp = timestamp;
        slot.payload.clear();
        slot.payload.extend_from_slice(payload);
        self.stats.stored += 1;
        // Before playout, `next` is the earliest sequence seen.
        if self
            .next
            .is_none_or(|n| !self.playing && sequence_after(n, sequence))
        {
            self.next = Some(sequence);
        }
        if self.highest.is_none_or(|h| sequence_after(sequence, h)) {
            self.highest = Some(sequence);
        }
        if let (Some(next), Some(highest)) = (self.next, self.highest)
            && highest.wrapping_sub(next).saturating_add(1) >= self.depth
        {
            self.playing = true;
        }
        outcome
    }

    /// Takes what is due for this packet interval.
    pub fn pop(&mut self) -> Playout<'_> {
        let Some(sequence) = self.next.filter(|_| self.playing) else {
            return Playout::Buffering;
        };
        self.next = Some(sequence.wrapping_add(1));
        let index = self.index(sequence);
        let due = {
            let slot = &self.slots[index];
            slot.filled && slot.sequence == sequence
        };
        if !due {
            self.stats.missing += 1;
            if self.filled == 0 {
                // Ran dry: wait for `depth` packets again.
                self.stats.underruns += 1;
                self.clear();
            }
            return Playout::Missing { sequence };
        }
        self.filled -= 1;
        self.stats.played += 1;
        let slot = &mut self.slots[index];
        slot.filled = false;
        Playout::Packet {
            sequence,
            timestamp: slot.timestamp,
            payload: &slot.payload,
        }
    }

    /// Pops and decodes one interval into `out`: the packet decoded, the
    /// codec's concealment for a missing one, silence while buffering.
    /// Returns the samples written (one frame).
    pub fn pop_pcm(&mut self, codec: &mut dyn Codec, out: &mut [i16]) -> Result<usize, CodecError> {
        match self.pop() {
            Playout::Packet { payload, .. } => codec.decode_into(payload, out),
            Playout::Missing { .. } => codec.conceal_into(out),
            Playout::Buffering => {
                let n = codec.samples_per_frame().min(out.len());
                out[..n].fill(0);
                Ok(n)
            }
        }
    }
}

#[cfg(test)]
#[path = "jitter_tests.rs"]
mod tests;
