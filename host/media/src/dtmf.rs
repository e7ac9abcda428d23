//! RFC 4733 telephone events (DTMF over RTP): payload codec, a receiver
//! that reports each key once however many end packets arrive, and a
//! sender producing the packet sequence for one key.

use std::time::Duration;

/// Why a telephone-event payload or request was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DtmfError {
    /// Shorter than the 4-byte event block (RFC 4733 §2.3).
    #[error("telephone-event payload of {0} bytes, need 4")]
    Truncated(usize),
    /// An event code that is not a DTMF key (0-15) or flash (16).
    #[error("event {0} is not DTMF")]
    NotDtmf(u8),
    /// A character that is not a DTMF key.
    #[error("{0:?} is not a DTMF key")]
    BadDigit(char),
    /// A clock rate or packet interval of zero.
    #[error("clock rate and packet interval must be non-zero")]
    BadTiming,
}

/// A received or requested key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfEvent {
    /// `0`-`9`, `*`, `#`, `A`-`D`, or `F` for hook flash (event 16).
    pub digit: char,
    /// How long the key was held.
    pub duration: Duration,
}

/// Event code → key (RFC 4733 §3.2 table).
pub fn event_to_digit(event: u8) -> Option<char> {
    Some(match event {
        0..=9 => char::from(b'0' + event),
        10 => '*',
        11 => '#',
        12..=15 => char::from(b'A' + event - 12),
        16 => 'F',
        _ => return None,
    })
}

/// Key → event code (accepts lower-case a-d and f).
pub fn digit_to_event(digit: char) -> Option<u8> {
    Some(match digit.to_ascii_uppercase() {
        d @ '0'..='9' => d as u8 - b'0',
        '*' => 10,
        '#' => 11,
        d @ 'A'..='D' => d as u8 - b'A' + 12,
        'F' => 16,
        _ => return None,
    })
}

/// One RFC 4733 §2.3 event block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPayload {
    /// Event code.
    pub event: u8,
    /// E bit: this is (a retransmission of) the final packet.
    pub end: bool,
    /// Power level, 0 to -63 dBm0, as a positive number.
    pub volume: u8,
    /// Duration so far, in timestamp units.
    pub duration: u16,
}

impl EventPayload {
    /// Reads the first event block of a payload.
    pub fn parse(payload: &[u8]) -> Result<Self, DtmfError> {
        let [event, flags, high, low, ..] = *payload else {
            return Err(DtmfError::Truncated(payload.len()));
        };
        Ok(Self {
            event,
            end: flags & 0x80 != 0,
            volume: flags & 0x3F,
            duration: u16::from_be_bytes([high, low]),
        })
    }

    /// The 4 bytes on the wire (R bit zero).
    pub fn to_bytes(self) -> [u8; 4] {
        let [high, low] = self.duration.to_be_bytes();
        let end = if self.end { 0x80 } else { 0 };
        [self.event, end | (self.volume & 0x3F), high, low]
    }
}

fn samples_to_duration(samples: u32, clock_rate: u32) -> Duration {
    Duration::from_micros(u64::from(samples) * 1_000_000 / u64::from(clock_rate.max(1)))
}

#[derive(Debug, Clone, Copy)]
struct Current {
    timestamp: u32,
    event: u8,
    duration: u16,
}

/// Turns a stream of telephone-event packets into key presses. An event is
/// identified by its RTP timestamp (RFC 4733 §2.5.1.2): the first end packet
/// reports it, retransmitted end packets (usually three) are ignored. If a
/// new event starts before the previous one ended (its end packets were
/// lost), the previous one is reported with the last duration seen.
#[derive(Debug, Clone)]
pub struct DtmfReceiver {
    clock_rate: u32,
    current: Option<Current>,
    last_reported: Option<u32>,
}

impl DtmfReceiver {
    /// A receiver for telephone-event at `clock_rate`.
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate,
            current: None,
            last_reported: None,
        }
    }

    fn report(&mut self, current: Current) -> Option<DtmfEvent> {
        self.last_reported = Some(current.timestamp);
        self.current = None;
        Some(DtmfEvent {
            digit: event_to_digit(current.event)?,
            duration: samples_to_duration(u32::from(current.duration), self.clock_rate),
        })
    }

    /// Handles one telephone-event packet with RTP timestamp `timestamp`;
    /// returns up to two finished events (an unterminated earlier one, then this one).
    pub fn handle(&mut self, timestamp: u32, payload: &[u8]) -> Result<Vec<DtmfEvent>, DtmfError> {
        let block = EventPayload::parse(payload)?;
        if event_to_digit(block.event).is_none() {
            return Err(DtmfError::NotDtmf(block.event));
        }
        let mut finished = Vec::new();
        if self.last_reported == Some(timestamp) {
            return Ok(finished); // a retransmitted end packet (or a late one)
        }
        if let Some(previous) = self.current.filter(|c| c.timestamp != timestamp) {
            finished.extend(self.report(previous));
        }
        let current = Current {
            timestamp,
            event: block.event,
            duration: block.duration.max(self.current.map_or(0, |c| c.duration)),
        };
        self.current = Some(current);
        if block.end {
            finished.extend(self.report(current));
        }
        Ok(finished)
    }

    /// Reports an event still in progress (no end packet arrived, e.g. the
    /// stream stopped); call when the call engine gives up waiting.
    pub fn flush(&mut self) -> Option<DtmfEvent> {
        let current = self.current?;
        self.report(current)
    }
}

/// One packet from [`DtmfSender`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPacket {
    /// The 4-byte payload.
    pub payload: [u8; 4],
    /// Marker bit: set on the first packet of the event (RFC 4733 §2.5.1.3).
    pub marker: bool,
}

/// Number of times the final packet is sent (RFC 4733 §2.5.1.4 recommends three).
pub const END_PACKETS: u32 = 3;

/// Generates the packets for one key press: one every packet interval with
/// a growing duration, then the end packet three times. All carry the same
/// RTP timestamp (the event start), which the caller supplies to
/// `RtpSession::write_packet`. Durations are capped at 65535 timestamp
/// units (8.19 s at 8 kHz); longer presses are not segmented.
#[derive(Debug, Clone)]
pub struct DtmfSender {
    event: u8,
    volume: u8,
    step: u32,
    total: u32,
    sent: u32,
    ends_sent: u32,
}

impl DtmfSender {
    /// A sender for `digit` held `duration`, at telephone-event `clock_rate`,
    /// one packet every `ptime` (usually 20 ms). `volume` in -dBm0 (10 is usual).
    pub fn new(
        digit: char,
        duration: Duration,
        clock_rate: u32,
        ptime: Duration,
        volume: u8,
    ) -> Result<Self, DtmfError> {
        let event = digit_to_event(digit).ok_or(DtmfError::BadDigit(digit))?;
        let to_units = |d: Duration| d.as_micros() * u128::from(clock_rate) / 1_000_000;
        let step = u32::try_from(to_units(ptime))
            .unwrap_or(u32::MAX)
            .min(0xFFFF);
        if step == 0 {
            return Err(DtmfError::BadTiming);
        }
        let total = u32::try_from(to_units(duration))
            .unwrap_or(u32::MAX)
            .clamp(step, 0xFFFF);
        Ok(Self {
            event,
            volume: volume.min(63),
            step,
            total,
            sent: 0,
            ends_sent: 0,
        })
    }

    /// Whether every packet has been produced.
    pub fn is_finished(&self) -> bool {
        self.ends_sent >= END_PACKETS
    }

    /// The next packet to send (call once per packet interval), or `None` when done.
    pub fn next_packet(&mut self) -> Option<DtmfPacket> {
        if self.is_finished() {
            return None;
        }
        let marker = self.sent == 0 && self.ends_sent == 0;
        let next = (self.sent + self.step).min(self.total);
        let end = next >= self.total;
        if end {
            self.ends_sent += 1;
        }
        self.sent = next;
        let payload = EventPayload {
            event: self.event,
            end,
            volume: self.volume,
            duration: u16::try_from(next).unwrap_or(u16::MAX),
        };
        Some(DtmfPacket {
            payload: payload.to_bytes(),
            marker,
        })
    }
}

#[cfg(test)]
#[path = "dtmf_tests.rs"]
mod tests;
