//! One media leg: its RTP/RTCP sockets, the sans-IO receive session, the
//! stream it sends, and what it is doing (echo, playback, DTMF out,
//! recording). A leg is owned by exactly one media task at a time and moves
//! between tasks whole (bridge/unbridge), sockets included.

use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use witswitch_media::player::PlayError;
use witswitch_media::{
    Codec, CodecError, DtmfReceiver, DtmfSender, JitterBuffer, Player, RtpSession,
    RtpSessionConfig, new_codec,
};

use witswitch_sdp::CodecName;

use super::api::{Interrupt, LegId, MediaFailure, NegotiatedCodec};
use super::outgoing::Outgoing;
use super::ports::PortPair;
use super::recording::Recording;
use super::rtp_socket::RtpSocket;

/// Jitter buffer depth on terminating paths (transcoding, recording), in
/// packets: 60 ms at 20 ms ptime absorbs loopback-to-WAN jitter.
const JITTER_DEPTH: u16 = 3;
/// Jitter buffer slots.
const JITTER_CAPACITY: usize = 16;
/// RFC 4733 volume we send (−10 dBm0, as FreeSWITCH).
const DTMF_VOLUME: u8 = 10;
/// Media frames of silence between two sent digits, so that receivers
/// that look only at the payload see separate presses.
const DTMF_GAP_FRAMES: u8 = 2;

/// The codec parameters a leg runs with, derived from [`NegotiatedCodec`]
/// (plain `Copy` data: the packet path reads it without allocating).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegCodec {
    /// Which codec.
    pub name: CodecName,
    /// Its payload type.
    pub payload_type: u8,
    /// RTP clock rate.
    pub clock_rate: u32,
    /// Packet time in ms.
    pub ptime_ms: u32,
    /// RFC 4733 payload type.
    pub telephone_event_pt: Option<u8>,
    /// PCM rate of the codec (8/16/48 kHz).
    pub pcm_rate: u32,
    /// PCM samples per packet.
    pub frame_samples: usize,
    /// RTP timestamp ticks per packet.
    pub frame_ticks: u32,
    /// The packet interval.
    pub ptime: Duration,
}

impl LegCodec {
    /// Checks that the codec can run at the negotiated ptime.
    pub fn new(negotiated: &NegotiatedCodec) -> Result<Self, CodecError> {
        let name = negotiated.name;
        let ptime_ms = negotiated.ptime_ms;
        if !name.supports_ptime(ptime_ms) {
            return Err(CodecError::UnsupportedPtime(ptime_ms));
        }
        let pcm_rate = name.pcm_sample_rate();
        let clock_rate = negotiated.clock_rate.max(1000);
        Ok(Self {
            name,
            payload_type: negotiated.payload_type & 0x7F,
            clock_rate,
            ptime_ms,
            telephone_event_pt: negotiated.telephone_event_pt.map(|pt| pt & 0x7F),
            pcm_rate,
            frame_samples: (pcm_rate / 1000 * ptime_ms) as usize,
            frame_ticks: clock_rate / 1000 * ptime_ms,
            ptime: Duration::from_millis(u64::from(ptime_ms)),
        })
    }

    /// Whether audio can be relayed between legs with these codecs without
    /// decoding (same codec, clock and packet time).
    pub fn relays_to(&self, other: &LegCodec) -> bool {
        self.name == other.name
            && self.clock_rate == other.clock_rate
            && self.ptime_ms == other.ptime_ms
    }

    /// A fresh codec instance (one per direction: Opus and G.722 keep state).
    pub fn instance(&self) -> Result<Box<dyn Codec>, CodecError> {
        new_codec(self.name, self.ptime_ms)
    }
}

/// Per-leg packet counters (added to the engine's totals when the leg ends).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegCounters {
    /// RTP packets accepted.
    pub received: u64,
    /// RTP packets sent.
    pub sent: u64,
    /// Datagrams that were not RTP for this leg (RTCP-mux, malformed, foreign).
    pub rejected: u64,
    /// Datagrams before `configure`.
    pub unconfigured: u64,
    /// Packets not sent: no remote known yet.
    pub no_remote: u64,
    /// Packets not sent: socket buffer full or send error.
    pub send_failed: u64,
    /// Packets not sent: SDP direction forbids sending (held by the peer).
    pub held: u64,
    /// RTCP datagrams received (read and discarded).
    pub rtcp: u64,
}

impl LegCounters {
    /// Everything that was dropped.
    pub fn dropped(&self) -> u64 {
        self.rejected + self.unconfigured + self.no_remote + self.send_failed
    }
}

/// A playback in progress.
#[derive(Debug)]
pub struct Playback {
    /// Yields frames at the leg's PCM rate.
    pub player: Player,
    /// From the request.
    pub play_id: u64,
    /// From the request.
    pub interrupt: Interrupt,
}

/// A file being opened and converted on a blocking thread (the leg's task
/// looks for the result at `check_at`, on whichever thread the leg is).
#[derive(Debug)]
pub struct Opening {
    /// Where the blocking job leaves the player.
    pub result: tokio::sync::oneshot::Receiver<Result<Player, PlayError>>,
    /// When the task looks at `result` next.
    pub check_at: Instant,
    /// From the request.
    pub play_id: u64,
    /// From the request.
    pub interrupt: Interrupt,
}

/// Digits waiting to be sent and the one being sent.
#[derive(Debug, Default)]
pub struct DtmfOut {
    /// Queued presses.
    pub queue: VecDeque<(char, Duration)>,
    /// The press in progress and its RTP timestamp.
    pub current: Option<(DtmfSender, u32)>,
    /// Media frames to send before the next press.
    pub gap: u8,
}

impl DtmfOut {
    /// Whether digits are being sent (audio is replaced meanwhile).
    pub fn busy(&self) -> bool {
        self.current.is_some() || !self.queue.is_empty()
    }

    /// The next telephone-event payload to send this frame, if any.
    pub fn next_packet(
        &mut self,
        clock_rate: u32,
        ptime: Duration,
        start_timestamp: impl FnOnce() -> u32,
    ) -> Option<(witswitch_media::dtmf::DtmfPacket, u32)> {
        if self.current.is_none() {
            if self.gap > 0 {
                self.gap -= 1;
                return None;
            }
            let (digit, duration) = self.queue.pop_front()?;
            // Digits were validated when queued.
            let sender = DtmfSender::new(digit, duration, clock_rate, ptime, DTMF_VOLUME).ok()?;
            self.current = Some((sender, start_timestamp()));
        }
        let (sender, start) = self.current.as_mut()?;
        let start = *start;
        let packet = sender.next_packet();
        if sender.is_finished() || packet.is_none() {
            self.current = None;
            self.gap = DTMF_GAP_FRAMES;
        }
        packet.map(|p| (p, start))
    }
}

/// The leg's incoming audio as PCM (terminating paths only).
#[derive(Debug)]
pub struct Decoding {
    /// Reorders and paces the peer's packets.
    pub jitter: JitterBuffer,
    /// Decodes the peer's codec.
    pub decoder: Box<dyn Codec>,
}

/// The timers of a leg's RTP session (from the engine's configuration).
#[derive(Debug, Clone, Copy)]
pub struct LegTiming {
    /// Silence from the peer this long raises `RtpTimeout`.
    pub rtp_timeout: Option<Duration>,
    /// A latched peer silent this long may be replaced (NAT rebinding).
    pub relatch_after: Duration,
}

/// One leg.
#[derive(Debug)]
pub struct Leg {
    /// Its id.
    pub id: LegId,
    /// RTP socket (even port), connected to the latched peer.
    pub rtp: RtpSocket,
    /// RTCP socket (odd port), read and discarded.
    pub rtcp: UdpSocket,
    /// Names the leg's sockets in its media thread's epoll set (given by
    /// the thread when the leg arrives there).
    pub token: u32,
    /// Receive side: latching, stats, timeout.
    pub session: RtpSession,
    /// Set by `configure`.
    pub codec: Option<LegCodec>,
    /// Send side.
    pub out: Outgoing,
    /// Base mode: echo received audio (otherwise silence when not bridged).
    pub echo: bool,
    /// Current playback.
    pub playback: Option<Playback>,
    /// A file playback being opened.
    pub opening: Option<Opening>,
    /// RFC 4733 receive.
    pub dtmf_in: DtmfReceiver,
    /// RFC 4733 send.
    pub dtmf_out: DtmfOut,
    /// When the ptime clock ticks next, while something needs it.
    pub next_tick: Option<Instant>,
    /// When to look at the RTP timeout (and a quiet latched peer) next.
    pub timeout_at: Option<Instant>,
    /// Incoming audio decoding, when something needs PCM.
    pub decoding: Option<Decoding>,
    /// Encoder for what we send (playback, silence, transcoding).
    pub encoder: Option<Box<dyn Codec>>,
    /// Active recordings.
    pub recordings: Vec<Recording>,
    /// Counters.
    pub counters: LegCounters,
    timing: LegTiming,
    /// Whether SDP lets us send (not while the peer holds this leg).
    sending: bool,
}

impl Leg {
    /// A leg on a bound pair (made non-blocking; a media thread registers
    /// it when the leg arrives there).
    pub fn new(id: LegId, pair: PortPair, timing: LegTiming) -> io::Result<Self> {
        let now = Instant::now();
        let ssrc = rand::random::<u32>();
        // 8000 until configure sets the codec's clock; nothing is received before.
        let mut config = RtpSessionConfig::new(ssrc, 0, 0, 8000);
        config.timeout = None;
        config.relatch_after = timing.relatch_after;
        pair.rtcp.set_nonblocking(true)?;
        Ok(Self {
            id,
            rtp: RtpSocket::new(pair.rtp)?,
            rtcp: pair.rtcp,
            token: 0,
            session: RtpSession::new(now, config),
            codec: None,
            out: Outgoing::new(ssrc, rand::random(), rand::random(), 8000),
            echo: false,
            playback: None,
            opening: None,
            dtmf_in: DtmfReceiver::new(8000),
            dtmf_out: DtmfOut::default(),
            next_tick: None,
            timeout_at: None,
            decoding: None,
            encoder: None,
            recordings: Vec::new(),
            counters: LegCounters::default(),
            timing,
            sending: true,
        })
    }

    /// The leg's RTP socket (for the media thread's epoll set).
    pub fn rtp_socket(&self) -> &UdpSocket {
        self.rtp.socket()
    }

    /// Applies SDP results (first time, or again on re-INVITE): the remote
    /// address (symmetric RTP latches afresh), the codec and the direction.
    /// An unspecified address (`c=0.0.0.0` hold, RFC 3264 §8.4) means nowhere
    /// to send until the peer sends, and no RTP timeout while held. A
    /// direction without send (the peer's `sendonly`/`inactive` hold) stops
    /// every packet, whatever produces it; one without receive (our own
    /// hold of the peer) has no RTP timeout, since the peer may fall silent.
    pub fn configure(
        &mut self,
        remote: SocketAddr,
        negotiated: &NegotiatedCodec,
    ) -> Result<(), MediaFailure> {
        let now = Instant::now();
        let codec = LegCodec::new(negotiated)?;
        let held = remote.ip().is_unspecified() || remote.port() == 0;
        let remote = (!held).then_some(remote);
        let timeout = match held || !negotiated.direction.receives() {
            true => None,
            false => self.timing.rtp_timeout,
        };
        self.sending = negotiated.direction.sends();
        // The peer may send from elsewhere now: hear every source until it latches.
        self.let_peer_go();
        if self.codec.is_some_and(|c| c.clock_rate == codec.clock_rate) {
            self.session.set_remote(now, remote);
        } else {
            let mut config = RtpSessionConfig::new(self.out.ssrc(), 0, 0, codec.clock_rate);
            config.remote = remote;
            config.relatch_after = self.timing.relatch_after;
            self.session = RtpSession::new(now, config);
            self.out.set_clock_rate(codec.clock_rate);
            self.dtmf_in = DtmfReceiver::new(codec.clock_rate);
        }
        self.session.set_timeout(now, timeout);
        if self.codec != Some(codec) {
            self.encoder = None;
            self.decoding = None;
        }
        self.codec = Some(codec);
        self.arm_timeout();
        Ok(())
    }

    /// Connects the RTP socket to the peer symmetric RTP latched (called
    /// after each accepted packet; the latch rarely moves).
    pub fn follow_latch(&mut self) {
        let Some(peer) = self.session.latched() else {
            return;
        };
        if self.rtp.peer() == Some(peer) {
            return;
        }
        match self.rtp.connect(peer) {
            // The relatch deadline now counts.
            Ok(()) => self.arm_timeout(),
            Err(e) => tracing::debug!("leg {:?}: connecting the RTP socket: {e}", self.id),
        }
    }

    /// At a timer wake: a connected peer that went quiet is let go, so that
    /// a rebound NAT's new source can reach the leg and relatch.
    pub fn release_quiet_peer(&mut self, now: Instant) {
        let quiet = self
            .session
            .relatch_deadline()
            .is_some_and(|deadline| now >= deadline);
        if quiet {
            self.let_peer_go();
        }
    }

    /// Disconnects the RTP socket: datagrams from anywhere reach the leg.
    fn let_peer_go(&mut self) {
        if let Err(e) = self.rtp.disconnect() {
            tracing::debug!("leg {:?}: disconnecting the RTP socket: {e}", self.id);
        }
    }

    /// Points the timeout timer at the session's next deadline: the RTP
    /// timeout, or while the socket is connected the moment the peer counts
    /// as quiet (one wake per period, not one timer reset per packet).
    pub fn arm_timeout(&mut self) {
        let relatch = self
            .rtp
            .peer()
            .and_then(|_| self.session.relatch_deadline());
        self.timeout_at = [self.session.poll_timeout(), relatch]
            .into_iter()
            .flatten()
            .min();
    }

    /// The earliest of its timers (ptime clock, timeout).
    pub fn next_deadline(&self) -> Option<Instant> {
        [self.next_tick, self.timeout_at]
            .into_iter()
            .flatten()
            .min()
    }

    /// Sends a datagram to where the peer's RTP comes from (or its SDP
    /// address until it has sent any). Never waits: a full socket buffer
    /// loses the packet, as the network would.
    pub fn send(&mut self, packet: &[u8]) {
        if !self.sending {
            self.counters.held += 1;
            return;
        }
        let Some(remote) = self.session.remote() else {
            self.counters.no_remote += 1;
            return;
        };
        match self.rtp.send_to(packet, remote) {
            Ok(_) => self.counters.sent += 1,
            Err(_) => self.counters.send_failed += 1,
        }
    }

    /// The encoder for what this leg sends, created on first use.
    pub fn encoder(&mut self) -> Result<&mut Box<dyn Codec>, MediaFailure> {
        let codec = self.codec.ok_or(MediaFailure::NotConfigured)?;
        if self.encoder.is_none() {
            self.encoder = Some(codec.instance()?);
        }
        self.encoder.as_mut().ok_or(MediaFailure::NotConfigured)
    }

    /// Starts (or stops) decoding incoming audio into PCM.
    pub fn set_decoding(&mut self, wanted: bool) -> Result<(), MediaFailure> {
        match (wanted, self.decoding.is_some()) {
            (true, false) => {
                let codec = self.codec.ok_or(MediaFailure::NotConfigured)?;
                self.decoding = Some(Decoding {
                    jitter: JitterBuffer::new(JITTER_DEPTH, JITTER_CAPACITY),
                    decoder: codec.instance()?,
                });
            }
            (false, true) => self.decoding = None,
            _ => {}
        }
        Ok(())
    }

    /// Starts or stops the ptime clock (the media thread runs `on_tick` at
    /// each `next_tick`, missed ones in a burst). Burst: a short stall (a busy
    /// core) is made up by sending the missed frames at once, so the RTP
    /// clock stays locked to real time without dropping audio; a long
    /// stall (> [`MAX_BURST`]) restarts the clock instead, see
    /// `Outgoing::catch_up`.
    pub fn set_ticking(&mut self, wanted: bool) {
        let ptime = self.codec.map(|c| c.ptime);
        match (wanted, ptime, self.next_tick.is_some()) {
            (true, Some(ptime), false) => self.next_tick = Some(Instant::now() + ptime),
            (false, _, true) | (true, None, true) => self.next_tick = None,
            _ => {}
        }
    }

    /// Whether something replaces the audio this leg would otherwise send
    /// (its own playback or digits).
    pub fn output_overridden(&self) -> bool {
        self.playback.is_some() || self.dtmf_out.busy()
    }

    /// Queues RFC 4733 digits: `"123#"` or `"123#@500"` (ms per digit).
    pub fn queue_dtmf(&mut self, digits: &str) -> Result<(), MediaFailure> {
        let codec = self.codec.ok_or(MediaFailure::NotConfigured)?;
        if codec.telephone_event_pt.is_none() {
            return Err(MediaFailure::NoTelephoneEvent);
        }
        let (keys, duration) = parse_dtmf_request(digits)?;
        // Validate every key before queueing any.
        for key in keys.chars() {
            DtmfSender::new(key, duration, 8000, Duration::from_millis(20), DTMF_VOLUME)?;
        }
        self.dtmf_out
            .queue
            .extend(keys.chars().map(|key| (key, duration)));
        Ok(())
    }
}

/// FreeSWITCH's default digit length: 2000 samples at 8 kHz.
pub const DEFAULT_DTMF_DURATION: Duration = Duration::from_millis(250);

/// Splits `"123#@500"` into keys and a per-key duration.
pub fn parse_dtmf_request(
    text: &str,
) -> Result<(&str, Duration), witswitch_media::dtmf::DtmfError> {
    use witswitch_media::dtmf::DtmfError;
    let (keys, duration) = match text.split_once('@') {
        None => (text, DEFAULT_DTMF_DURATION),
        Some((keys, ms)) => {
            let ms: u64 = ms.trim().parse().map_err(|_| DtmfError::BadTiming)?;
            if !(40..=8000).contains(&ms) {
                return Err(DtmfError::BadTiming);
            }
            (keys, Duration::from_millis(ms))
        }
    };
    Ok((keys.trim(), duration))
}

/// Longest stall made up by a burst of missed frames.
pub const MAX_BURST: Duration = Duration::from_millis(100);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_parameters_follow_the_negotiation() {
        let g722 = LegCodec::new(&NegotiatedCodec::standard(CodecName::G722)).unwrap();
        assert_eq!(
            (g722.pcm_rate, g722.frame_samples, g722.frame_ticks),
            (16000, 320, 160)
        );
        let mut opus = NegotiatedCodec::standard(CodecName::Opus);
        opus.ptime_ms = 40;
        let opus = LegCodec::new(&opus).unwrap();
        assert_eq!((opus.frame_samples, opus.frame_ticks), (1920, 1920));
        let mut bad = NegotiatedCodec::standard(CodecName::Pcmu);
        bad.ptime_ms = 25;
        assert_eq!(LegCodec::new(&bad), Err(CodecError::UnsupportedPtime(25)));
        let pcmu = LegCodec::new(&NegotiatedCodec::standard(CodecName::Pcmu)).unwrap();
        let pcma = LegCodec::new(&NegotiatedCodec::standard(CodecName::Pcma)).unwrap();
        assert!(pcmu.relays_to(&pcmu));
        assert!(!pcmu.relays_to(&pcma));
    }

    #[test]
    fn dtmf_requests_take_an_optional_duration() {
        assert_eq!(
            parse_dtmf_request("12#").unwrap(),
            ("12#", DEFAULT_DTMF_DURATION)
        );
        assert_eq!(
            parse_dtmf_request("5@100").unwrap(),
            ("5", Duration::from_millis(100))
        );
        assert!(parse_dtmf_request("5@x").is_err());
        assert!(parse_dtmf_request("5@5").is_err());
    }

    #[test]
    fn digits_go_out_one_after_another_with_a_gap() {
        let mut out = DtmfOut::default();
        out.queue.push_back(('1', Duration::from_millis(60)));
        out.queue.push_back(('2', Duration::from_millis(60)));
        let ptime = Duration::from_millis(20);
        let mut stamp = 1000;
        let mut sent = Vec::new();
        for _ in 0..30 {
            stamp += 160;
            let now = stamp;
            match out.next_packet(8000, ptime, || now) {
                Some((packet, start)) => sent.push((packet.payload[0], start, packet.marker)),
                None => sent.push((255, 0, false)),
            }
            if !out.busy() {
                break;
            }
        }
        // '1': 3 growing + 2 more end retransmissions = 5 packets, same start.
        let ones: Vec<_> = sent.iter().filter(|p| p.0 == 1).collect();
        let twos: Vec<_> = sent.iter().filter(|p| p.0 == 2).collect();
        assert_eq!((ones.len(), twos.len()), (5, 5));
        assert!(ones.iter().all(|p| p.1 == ones[0].1) && ones[0].2);
        assert!(twos[0].1 > ones[0].1 && twos[0].2);
        let gap = sent.iter().filter(|p| p.0 == 255).count();
        assert_eq!(gap, usize::from(DTMF_GAP_FRAMES));
    }
}
