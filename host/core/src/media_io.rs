//! The contract with the async media engine (`docs/call-engine.md`):
//! commands keyed by [`LegId`], and the events that come back.
//!
//! Ordering the media engine can rely on: `CreateLeg` comes first and
//! `DestroyLeg` last for a leg; `Configure` precedes `Play`, `Echo`,
//! `Bridge`, `RecordStart` and `SendDtmf` on a leg (the engine waits for
//! the SDP exchange before it starts media); `Configure` may repeat
//! (re-INVITE). `DestroyLeg` implies `Unbridge`, `StopPlay` and finishing
//! open recordings.

use std::net::{IpAddr, SocketAddr};

use witswitch_sdp::{CodecName, Direction, NegotiatedMedia};
use witswitch_types::LegId;

/// Names one playback so its `PlaybackDone` can be matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlayId(pub u64);

/// How a recording lays out the two parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RecordLayout {
    /// Both parties mixed into one channel (FreeSWITCH's default).
    Mono,
    /// This leg's party left, the other party right (`RECORD_STEREO=true`).
    Stereo,
}

/// The codec a leg uses after offer/answer: what the media engine needs to
/// packetize and to decide relay vs transcoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedCodec {
    /// The codec.
    pub codec: CodecName,
    /// Its payload type on the wire.
    pub payload_type: u8,
    /// RTP clock rate.
    pub clock_rate: u32,
    /// Packet time in ms.
    pub ptime: u32,
    /// The peer's `a=fmtp` for the codec.
    pub fmtp: Option<String>,
    /// RFC 4733 `telephone-event` payload type, when both sides use it.
    pub telephone_event_pt: Option<u8>,
    /// Our direction: `SendOnly`/`Inactive` while the peer holds us.
    pub direction: Direction,
}

impl From<&NegotiatedMedia> for NegotiatedCodec {
    fn from(media: &NegotiatedMedia) -> Self {
        Self {
            codec: media.codec,
            payload_type: media.payload_type,
            clock_rate: media.codec.rtp_clock_rate(),
            ptime: media.ptime,
            fmtp: media.remote_fmtp.clone(),
            telephone_event_pt: media.telephone_event.map(|(pt, _)| pt),
            direction: media.direction,
        }
    }
}

/// A command to the media engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaCommand {
    /// Bind an RTP (even) + RTCP (odd) port pair on `local_ip`; answered by
    /// [`MediaEvent::LegReady`] or [`MediaEvent::LegFailed`].
    CreateLeg {
        /// The leg.
        leg: LegId,
        /// The profile's `rtp-ip`.
        local_ip: IpAddr,
    },
    /// Where to send and how: after every offer/answer (also re-INVITEs).
    Configure {
        /// The leg.
        leg: LegId,
        /// The peer's RTP address from SDP; `None` when it gave none
        /// (`c=0.0.0.0` hold). Symmetric RTP latches to the real source.
        remote: Option<SocketAddr>,
        /// The codec.
        codec: NegotiatedCodec,
    },
    /// Play a file path, `tone_stream://...` or `silence_stream://ms`;
    /// answered by `PlaybackDone` or `PlaybackFailed`.
    Play {
        /// The leg.
        leg: LegId,
        /// The source as the dialplan wrote it (already `${}`-expanded).
        source: String,
        /// Echoed in the completion.
        play_id: PlayId,
    },
    /// End the current playback early (its `PlaybackDone` still comes).
    StopPlay {
        /// The leg.
        leg: LegId,
    },
    /// Send the leg's received audio back to it.
    Echo {
        /// The leg.
        leg: LegId,
    },
    /// Stop echoing and playing: the leg sends silence (a transfer away from `echo`).
    Idle {
        /// The leg.
        leg: LegId,
    },
    /// Relay media between two legs (without decoding when codecs match).
    Bridge {
        /// One leg.
        a: LegId,
        /// The other.
        b: LegId,
    },
    /// Stop relaying for `a` (and its peer).
    Unbridge {
        /// The leg.
        a: LegId,
    },
    /// Record this leg's call to a WAV file; `RecordDone` when it ends.
    RecordStart {
        /// The leg.
        leg: LegId,
        /// The file.
        path: String,
        /// Mono mix or stereo.
        layout: RecordLayout,
    },
    /// Report [`MediaEvent::Silence`] once the leg's caller has been silent
    /// (mean absolute amplitude of the decoded audio below `threshold`) for
    /// `silence_ms` while the recording to `path` runs (`record`'s silence
    /// detection; ends with the recording).
    WatchSilence {
        /// The leg.
        leg: LegId,
        /// The recording.
        path: String,
        /// Energy threshold (mean absolute 16-bit sample value).
        threshold: u32,
        /// How long the silence must last.
        silence_ms: u32,
    },
    /// Blank (or stop blanking) both parties in the recording to `path`:
    /// `uuid_record mask|unmask`, e.g. while a caller reads out a card number.
    MaskRecording {
        /// The leg.
        leg: LegId,
        /// The file.
        path: String,
        /// Silence instead of audio from now on.
        masked: bool,
    },
    /// Finish the recording to `path`.
    RecordStop {
        /// The leg.
        leg: LegId,
        /// The file.
        path: String,
    },
    /// Send RFC 4733 digits.
    SendDtmf {
        /// The leg.
        leg: LegId,
        /// `0-9*#A-D`.
        digits: String,
    },
    /// Free the leg's ports (last command for a leg).
    DestroyLeg {
        /// The leg.
        leg: LegId,
    },
}

/// Why a playback could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaybackError {
    /// The file does not exist or cannot be opened.
    NotFound(String),
    /// The source cannot be played (bad WAV, bad tone spec, ...).
    Invalid(String),
}

/// An event from the media engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// `CreateLeg` succeeded: our RTP address for SDP.
    LegReady {
        /// The leg.
        leg: LegId,
        /// The bound RTP address.
        local: SocketAddr,
    },
    /// `CreateLeg` failed (no free port, bind error).
    LegFailed {
        /// The leg.
        leg: LegId,
        /// Why.
        what: String,
    },
    /// An RFC 4733 digit (end of event, counted once).
    Dtmf {
        /// The leg.
        leg: LegId,
        /// `0-9*#A-D`.
        digit: char,
        /// Duration in ms.
        duration_ms: u32,
    },
    /// A playback ended: completely, or stopped by `StopPlay`.
    PlaybackDone {
        /// The leg.
        leg: LegId,
        /// The playback.
        play_id: PlayId,
        /// The digit that stopped it, when the media engine knows one; the
        /// call engine tracks barge-in digits itself and uses this only
        /// when it saw none.
        interrupted_by: Option<char>,
    },
    /// A playback could not start.
    PlaybackFailed {
        /// The leg.
        leg: LegId,
        /// The playback.
        play_id: PlayId,
        /// Why.
        error: PlaybackError,
    },
    /// A recording was finished and closed.
    RecordDone {
        /// The leg.
        leg: LegId,
        /// The file.
        path: String,
        /// Its length.
        ms: u64,
    },
    /// The caller has been silent as long as `WatchSilence` asked, during
    /// the recording to `path` (reported once).
    Silence {
        /// The leg.
        leg: LegId,
        /// The recording.
        path: String,
    },
    /// No RTP for `rtp-timeout-sec` (hang up with MEDIA_TIMEOUT).
    RtpTimeout {
        /// The leg.
        leg: LegId,
    },
    /// Something failed on the leg (logged; recording errors end that recording).
    Error {
        /// The leg.
        leg: LegId,
        /// What.
        what: String,
    },
}
