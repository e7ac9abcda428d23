//! Per-leg RTP state, sans-IO: our SSRC/sequence/timestamp for sending,
//! the peer's stream for receiving (symmetric RTP latching, RFC 3550 A.1
//! sequence tracking, A.3 loss, A.8 jitter), and RTP timeout.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::rtp::{self, RtpError, RtpHeader};

/// FreeSWITCH's default `rtp-timeout-sec`.
pub const DEFAULT_RTP_TIMEOUT: Duration = Duration::from_secs(300);

/// How long a latched peer must be silent before another address carrying its
/// SSRC may take its place (a NAT rebinding it).
pub const DEFAULT_RELATCH_AFTER: Duration = Duration::from_secs(2);

/// Sequence jump treated as a restart of the peer's stream (RFC 3550 A.1 MAX_DROPOUT).
/// Unlike A.1 we do not wait for a second packet to confirm the restart.
const MAX_DROPOUT: u16 = 3000;
/// Sequence numbers this far behind the highest are late packets, not a restart.
const MAX_MISORDER: u16 = 100;

/// How a session is set up. SSRC and initial sequence/timestamp are
/// random per RFC 3550 §5.1; the caller injects them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpSessionConfig {
    /// Our SSRC.
    pub ssrc: u32,
    /// First sequence number we send.
    pub initial_sequence: u16,
    /// First timestamp we send.
    pub initial_timestamp: u32,
    /// RTP clock rate of the negotiated codec.
    pub clock_rate: u32,
    /// The peer's address from SDP, if any.
    pub remote: Option<SocketAddr>,
    /// Symmetric RTP (RFC 4961 behaviour for NAT): send to where the peer's
    /// packets come from, and accept packets only from there once latched.
    pub symmetric: bool,
    /// Hang up after this long without a packet (`None`: never, e.g. on hold).
    pub timeout: Option<Duration>,
    /// A latched peer silent this long may be replaced by a new source
    /// address carrying the same SSRC (NAT rebinding).
    pub relatch_after: Duration,
}

impl RtpSessionConfig {
    /// Defaults: symmetric, 300 s timeout, re-latch after 2 s of silence.
    pub fn new(ssrc: u32, initial_sequence: u16, initial_timestamp: u32, clock_rate: u32) -> Self {
        Self {
            ssrc,
            initial_sequence,
            initial_timestamp,
            clock_rate,
            remote: None,
            symmetric: true,
            timeout: Some(DEFAULT_RTP_TIMEOUT),
            relatch_after: DEFAULT_RELATCH_AFTER,
        }
    }
}

/// Counters for one leg (reported in CDRs and `uuid_dump`-style output).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RtpStats {
    /// Packets accepted from the peer.
    pub packets_received: u64,
    /// Payload bytes accepted.
    pub bytes_received: u64,
    /// Packets we wrote.
    pub packets_sent: u64,
    /// Payload bytes we wrote.
    pub bytes_sent: u64,
    /// Expected minus received (RFC 3550 A.3), never negative.
    pub packets_lost: u64,
    /// Packets older than the highest sequence seen (reordered or duplicated).
    pub out_of_order: u64,
    /// Times the peer's stream restarted (new SSRC or sequence jump).
    pub source_changes: u64,
    /// Datagrams dropped because they came from an address we are not latched to.
    pub foreign_dropped: u64,
    /// Datagrams that were not RTP.
    pub malformed: u64,
    /// Interarrival jitter (RFC 3550 A.8), in timestamp units.
    pub jitter: u32,
}

/// Why a received datagram was not accepted as media.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Not RTP.
    #[error(transparent)]
    Malformed(#[from] RtpError),
    /// RTCP multiplexed on the RTP port (RFC 5761); hand it to RTCP handling.
    #[error("RTCP on the RTP port")]
    Rtcp,
    /// From an address other than the latched peer.
    #[error("RTP from unexpected source {0}")]
    ForeignSource(SocketAddr),
}

/// An accepted packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivedPacket<'a> {
    /// Its header.
    pub header: RtpHeader,
    /// Its payload (without padding).
    pub payload: &'a [u8],
    /// The first packet of a new peer stream (first ever, new SSRC or restart).
    pub new_source: bool,
}

/// The peer's stream as seen so far (RFC 3550 A.1 variables).
#[derive(Debug, Clone)]
struct SourceState {
    ssrc: u32,
    base_sequence: u16,
    max_sequence: u16,
    cycles: u64,
    received: u64,
    transit: Option<i64>,
    jitter: f64,
}

impl SourceState {
    fn new(header: &RtpHeader) -> Self {
        Self {
            ssrc: header.ssrc,
            base_sequence: header.sequence,
            max_sequence: header.sequence,
            cycles: 0,
            received: 0,
            transit: None,
            jitter: 0.0,
        }
    }

    fn expected(&self) -> u64 {
        self.cycles + u64::from(self.max_sequence) - u64::from(self.base_sequence) + 1
    }
}

/// RTP state of one leg. Feed it every datagram from the leg's RTP socket
/// with [`handle_packet`](Self::handle_packet); build outgoing packets with
/// [`write_media`](Self::write_media); send them to [`remote`](Self::remote).
#[derive(Debug, Clone)]
pub struct RtpSession {
    config: RtpSessionConfig,
    epoch: Instant,
    next_sequence: u16,
    next_timestamp: u32,
    sent_any: bool,
    latched: Option<SocketAddr>,
    source: Option<SourceState>,
    last_received: Option<Instant>,
    activity_base: Instant,
    stats: RtpStats,
    lost_before_current_source: u64,
}

impl RtpSession {
    /// A session created at `now`.
    pub fn new(now: Instant, config: RtpSessionConfig) -> Self {
        Self {
            next_sequence: config.initial_sequence,
            next_timestamp: config.initial_timestamp,
            config,
            epoch: now,
            sent_any: false,
            latched: None,
            source: None,
            last_received: None,
            activity_base: now,
            stats: RtpStats::default(),
            lost_before_current_source: 0,
        }
    }

    /// Our SSRC.
    pub fn ssrc(&self) -> u32 {
        self.config.ssrc
    }

    /// Counters so far.
    pub fn stats(&self) -> &RtpStats {
        &self.stats
    }

    /// Where to send: the latched source if symmetric and latched, else the SDP address.
    pub fn remote(&self) -> Option<SocketAddr> {
        self.latched.or(self.config.remote)
    }

    /// The peer's address once symmetric RTP has latched it.
    pub fn latched(&self) -> Option<SocketAddr> {
        self.latched
    }

    /// From when a latched peer counts as quiet, so that another address
    /// carrying its SSRC may take over (NAT rebinding); `None` until latched.
    pub fn relatch_deadline(&self) -> Option<Instant> {
        self.latched?;
        let last = self
            .last_received
            .map_or(self.activity_base, |t| t.max(self.activity_base));
        Some(last + self.config.relatch_after)
    }

    /// A new SDP address (re-INVITE): forget the latch so the next packet
    /// latches again, and restart the timeout from `now`.
    pub fn set_remote(&mut self, now: Instant, remote: Option<SocketAddr>) {
        self.config.remote = remote;
        self.latched = None;
        self.activity_base = now;
    }

    /// Changes the RTP timeout (`None` disables it, e.g. while on hold),
    /// counting from `now`.
    pub fn set_timeout(&mut self, now: Instant, timeout: Option<Duration>) {
        self.config.timeout = timeout;
        self.activity_base = now;
    }

    /// When the RTP timeout fires if nothing arrives before then.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let last = self
            .last_received
            .map_or(self.activity_base, |t| t.max(self.activity_base));
        self.config.timeout.map(|timeout| last + timeout)
    }

    /// Whether the peer has been silent for the whole timeout (→ MEDIA_TIMEOUT).
    pub fn is_timed_out(&self, now: Instant) -> bool {
        self.poll_timeout().is_some_and(|deadline| now >= deadline)
    }

    /// Decides whether a packet from `from` may be accepted, latching as needed.
    fn admit(&mut self, now: Instant, from: SocketAddr, ssrc: u32) -> Result<(), ReceiveError> {
        if !self.config.symmetric {
            return Ok(());
        }
        let Some(latched) = self.latched else {
            self.latched = Some(from);
            return Ok(());
        };
        if latched == from {
            return Ok(());
        }
        let quiet = self
            .last_received
            .is_none_or(|t| now.saturating_duration_since(t) >= self.config.relatch_after);
        let same_stream = self.source.as_ref().is_some_and(|s| s.ssrc == ssrc);
        if quiet && same_stream {
            self.latched = Some(from);
            return Ok(());
        }
        self.stats.foreign_dropped += 1;
        Err(ReceiveError::ForeignSource(from))
    }

    /// Updates sequence, loss and jitter state; returns whether the stream restarted.
    fn track(&mut self, now: Instant, header: &RtpHeader) -> bool {
        let restarted = match &self.source {
            None => true,
            Some(s) if s.ssrc != header.ssrc => true,
            Some(s) => {
                let delta = header.sequence.wrapping_sub(s.max_sequence);
                delta >= MAX_DROPOUT && delta < 0u16.wrapping_sub(MAX_MISORDER)
            }
        };
        if restarted {
            if let Some(old) = &self.source {
                self.lost_before_current_source += old.expected().saturating_sub(old.received);
                self.stats.source_changes += 1;
            }
            self.source = Some(SourceState::new(header));
        }
        let clock = u64::from(self.config.clock_rate);
        let Some(source) = self.source.as_mut() else {
            return restarted;
        };
        source.received += 1;
        if rtp::sequence_after(header.sequence, source.max_sequence) {
            if header.sequence < source.max_sequence {
                source.cycles += 1 << 16;
            }
            source.max_sequence = header.sequence;
        } else if !restarted {
            self.stats.out_of_order += 1;
        }
        // RFC 3550 A.8: arrival time in timestamp units minus the RTP timestamp.
        let arrival = (now.saturating_duration_since(self.epoch).as_micros() as u64 * clock
            / 1_000_000) as i64;
        let transit = arrival.wrapping_sub(i64::from(header.timestamp));
        if let Some(previous) = source.transit {
            let d = (transit - previous).abs() as f64;
            source.jitter += (d - source.jitter) / 16.0;
        }
        source.transit = Some(transit);
        self.stats.jitter = source.jitter as u32;
        self.stats.packets_lost =
            self.lost_before_current_source + source.expected().saturating_sub(source.received);
        restarted
    }

    /// Accepts one datagram received at `now` from `from`.
    pub fn handle_packet<'a>(
        &mut self,
        now: Instant,
        data: &'a [u8],
        from: SocketAddr,
    ) -> Result<ReceivedPacket<'a>, ReceiveError> {
        if rtp::is_rtcp(data) {
            return Err(ReceiveError::Rtcp);
        }
        let (header, payload) = rtp::parse(data).inspect_err(|_| self.stats.malformed += 1)?;
        self.admit(now, from, header.ssrc)?;
        let new_source = self.track(now, &header);
        self.last_received = Some(now);
        self.stats.packets_received += 1;
        self.stats.bytes_received += payload.len() as u64;
        Ok(ReceivedPacket {
            header,
            payload,
            new_source,
        })
    }

    /// The timestamp the next media frame will carry.
    pub fn next_timestamp(&self) -> u32 {
        self.next_timestamp
    }

    /// Moves the media timestamp on without sending (time passed with no packet).
    pub fn skip(&mut self, timestamp_increment: u32) {
        self.next_timestamp = self.next_timestamp.wrapping_add(timestamp_increment);
    }

    /// Writes a packet with the next sequence number and an explicit
    /// timestamp (DTMF events keep their start timestamp, RFC 4733 §2.5.1.2).
    pub fn write_packet(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
        buf: &mut [u8],
    ) -> Result<usize, RtpError> {
        let header = RtpHeader {
            payload_type,
            marker,
            sequence: self.next_sequence,
            timestamp,
            ssrc: self.config.ssrc,
        };
        let n = rtp::write(&header, payload, buf)?;
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.sent_any = true;
        self.stats.packets_sent += 1;
        self.stats.bytes_sent += payload.len() as u64;
        Ok(n)
    }

    /// Writes a media frame at the current timestamp, then advances the
    /// timestamp by `timestamp_increment`. The first packet carries the
    /// marker bit (start of a talkspurt, RFC 3551 §4.1).
    pub fn write_media(
        &mut self,
        payload_type: u8,
        payload: &[u8],
        timestamp_increment: u32,
        buf: &mut [u8],
    ) -> Result<usize, RtpError> {
        let marker = !self.sent_any;
        let n = self.write_packet(payload_type, marker, self.next_timestamp, payload, buf)?;
        self.skip(timestamp_increment);
        Ok(n)
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
