//! The stream a leg sends: one SSRC for the leg's life, one sequence space,
//! one timestamp clock — whatever produces the audio (silence, playback,
//! echo, a relayed or transcoded peer, DTMF). Receivers key their jitter
//! buffers on these numbers (RFC 3550 §5.1), so a switch between sources
//! must continue the sequence at +1 and move the timestamp on by the real
//! time that passed, with the marker bit set (RFC 3551 §4.1).
//!
//! `RtpSession` in the sans-IO crate keeps its own send counters; relaying
//! with `RelayRewriter` keeps another. This type is the single owner: the
//! relay path reports every packet it rewrote ([`Outgoing::note_relayed`])
//! and a rewriter is (re)started from [`Outgoing::next_position`].

use std::time::{Duration, Instant};

use witswitch_media::rtp::{self, RtpError, RtpHeader};

/// A gap longer than this between two packets of ours is a pause: the
/// timestamp jumps by the real time and the next packet carries the marker.
const PAUSE: Duration = Duration::from_millis(60);

/// Where the outgoing stream stands.
#[derive(Debug, Clone)]
pub struct Outgoing {
    ssrc: u32,
    clock_rate: u32,
    next_sequence: u16,
    next_timestamp: u32,
    last_sent: Option<Instant>,
    marker: bool,
    packets: u64,
}

impl Outgoing {
    /// A stream with a random `ssrc` and random starting numbers (RFC 3550 §5.1).
    pub fn new(ssrc: u32, sequence: u16, timestamp: u32, clock_rate: u32) -> Self {
        Self {
            ssrc,
            clock_rate: clock_rate.max(1),
            next_sequence: sequence,
            next_timestamp: timestamp,
            last_sent: None,
            marker: true,
            packets: 0,
        }
    }

    /// Our SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Packets sent so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// A new codec clock (re-INVITE): later timestamps count in `clock_rate`.
    pub fn set_clock_rate(&mut self, clock_rate: u32) {
        self.clock_rate = clock_rate.max(1);
        self.marker = true;
    }

    /// Moves the timestamp on by the time since our last packet, if that
    /// was a pause rather than the normal packet interval; called before
    /// each packet, it is a no-op while packets flow steadily.
    pub fn catch_up(&mut self, now: Instant, frame_ticks: u32) {
        let Some(last) = self.last_sent else {
            return;
        };
        let gap = now.saturating_duration_since(last);
        if gap <= PAUSE {
            return;
        }
        let ticks = gap.as_micros() * u128::from(self.clock_rate) / 1_000_000;
        let ticks = u32::try_from(ticks).unwrap_or(u32::MAX);
        // One frame was already added when the last packet went out.
        self.next_timestamp = self
            .next_timestamp
            .wrapping_add(ticks.saturating_sub(frame_ticks));
        self.marker = true;
    }

    /// The sequence number and timestamp the next packet would carry, after
    /// catching up to `now` (a relay rewriter starts here).
    pub fn next_position(&mut self, now: Instant, frame_ticks: u32) -> (u16, u32) {
        self.catch_up(now, frame_ticks);
        (self.next_sequence, self.next_timestamp)
    }

    /// Writes a media packet at the current timestamp and moves the clock
    /// on by `advance` ticks (the frame's duration).
    pub fn write_media(
        &mut self,
        now: Instant,
        payload_type: u8,
        payload: &[u8],
        advance: u32,
        buf: &mut [u8],
    ) -> Result<usize, RtpError> {
        self.catch_up(now, advance);
        let timestamp = self.next_timestamp;
        let n = self.write(now, payload_type, timestamp, payload, buf)?;
        self.next_timestamp = self.next_timestamp.wrapping_add(advance);
        Ok(n)
    }

    /// Writes a telephone-event packet: `timestamp` is the event's start
    /// (RFC 4733 §2.5.1.2); the media clock is moved with [`Self::skip`].
    pub fn write_event(
        &mut self,
        now: Instant,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
        buf: &mut [u8],
    ) -> Result<usize, RtpError> {
        self.marker = marker;
        self.write(now, payload_type, timestamp, payload, buf)
    }

    /// The timestamp the next media frame will carry, after catching up to `now`.
    pub fn next_timestamp(&mut self, now: Instant, frame_ticks: u32) -> u32 {
        self.catch_up(now, frame_ticks);
        self.next_timestamp
    }

    /// Moves the media clock by `ticks` without sending (a frame's worth
    /// of time spent sending DTMF instead of audio).
    pub fn skip(&mut self, now: Instant, ticks: u32) {
        self.next_timestamp = self.next_timestamp.wrapping_add(ticks);
        self.last_sent = Some(now);
    }

    /// Records a packet the relay rewriter stamped with `sequence` and
    /// `timestamp`, so the stream continues from there afterwards.
    /// A reordered (older) packet or a DTMF packet (which keeps its
    /// event's start timestamp) never moves the position backwards.
    pub fn note_relayed(&mut self, now: Instant, sequence: u16, timestamp: u32, advance: u32) {
        let last = self.next_sequence.wrapping_sub(1);
        if self.packets == 0 || rtp::sequence_after(sequence, last) {
            self.next_sequence = sequence.wrapping_add(1);
        }
        let end = timestamp.wrapping_add(advance);
        // Serial-number comparison modulo 2^32 (RFC 1982).
        if self.packets == 0 || (end.wrapping_sub(self.next_timestamp) as i32) > 0 {
            self.next_timestamp = end;
        }
        self.last_sent = Some(now);
        self.marker = false;
        self.packets += 1;
    }

    fn write(
        &mut self,
        now: Instant,
        payload_type: u8,
        timestamp: u32,
        payload: &[u8],
        buf: &mut [u8],
    ) -> Result<usize, RtpError> {
        let header = RtpHeader {
            payload_type,
            marker: self.marker,
            sequence: self.next_sequence,
            timestamp,
            ssrc: self.ssrc,
        };
        let n = rtp::write(&header, payload, buf)?;
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.marker = false;
        self.last_sent = Some(now);
        self.packets += 1;
        Ok(n)
    }
}

/// Reads the sequence number and timestamp of an RTP packet in `packet`
/// (after the relay rewrote it), without parsing the rest.
pub fn sequence_and_timestamp(packet: &[u8]) -> Option<(u16, u32)> {
    let sequence = u16::from_be_bytes(packet.get(2..4)?.try_into().ok()?);
    let timestamp = u32::from_be_bytes(packet.get(4..8)?.try_into().ok()?);
    Some((sequence, timestamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(buf: &[u8]) -> RtpHeader {
        rtp::parse(buf).map(|(h, _)| h).unwrap()
    }

    #[test]
    fn steady_frames_count_up_and_only_the_first_has_the_marker() {
        let t0 = Instant::now();
        let mut out = Outgoing::new(7, 65534, 1000, 8000);
        let mut buf = [0u8; 200];
        let mut headers = Vec::new();
        for i in 0..4u32 {
            let now = t0 + Duration::from_millis(20 * u64::from(i));
            let n = out
                .write_media(now, 0, &[0xFF; 160], 160, &mut buf)
                .unwrap();
            headers.push(parse(&buf[..n]));
        }
        let seqs: Vec<u16> = headers.iter().map(|h| h.sequence).collect();
        assert_eq!(seqs, [65534, 65535, 0, 1]);
        let stamps: Vec<u32> = headers.iter().map(|h| h.timestamp).collect();
        assert_eq!(stamps, [1000, 1160, 1320, 1480]);
        assert!(headers[0].marker && !headers[1].marker);
        assert!(headers.iter().all(|h| h.ssrc == 7));
        assert_eq!(out.packets(), 4);
    }

    #[test]
    fn a_pause_moves_the_timestamp_by_real_time_and_marks_the_restart() {
        let t0 = Instant::now();
        let mut out = Outgoing::new(7, 0, 0, 8000);
        let mut buf = [0u8; 200];
        out.write_media(t0, 0, &[0; 160], 160, &mut buf).unwrap();
        let later = t0 + Duration::from_millis(1000);
        let n = out.write_media(later, 0, &[0; 160], 160, &mut buf).unwrap();
        let header = parse(&buf[..n]);
        assert_eq!((header.sequence, header.timestamp), (1, 8000));
        assert!(header.marker);
    }

    #[test]
    fn relayed_packets_and_events_keep_one_sequence_space() {
        let t0 = Instant::now();
        let mut out = Outgoing::new(7, 100, 5000, 8000);
        let mut buf = [0u8; 200];
        assert_eq!(out.next_position(t0, 160), (100, 5000));
        out.note_relayed(t0, 340, 90_000, 160);
        let t1 = t0 + Duration::from_millis(20);
        let start = out.next_timestamp(t1, 160);
        assert_eq!(start, 90_160);
        let n = out
            .write_event(t1, 101, true, start, &[1, 0, 0, 160], &mut buf)
            .unwrap();
        out.skip(t1, 160);
        let event = parse(&buf[..n]);
        assert_eq!(
            (event.sequence, event.timestamp, event.marker),
            (341, 90_160, true)
        );
        let n = out
            .write_media(t1 + Duration::from_millis(20), 0, &[0; 160], 160, &mut buf)
            .unwrap();
        let media = parse(&buf[..n]);
        assert_eq!(
            (media.sequence, media.timestamp, media.marker),
            (342, 90_320, false)
        );
        // An older relayed packet (reordered) does not move the stream back.
        out.note_relayed(t1, 300, 80_000, 160);
        assert_eq!(out.next_position(t1, 160), (343, 90_480));
        assert_eq!(sequence_and_timestamp(&buf[..n]), Some((342, 90_320)));
        assert_eq!(sequence_and_timestamp(&buf[..5]), None);
    }
}
