//! The media engine's vocabulary: the commands of `docs/call-engine.md`'s
//! table, the events that come back, the negotiated codec of a leg, and
//! the typed errors. Conversions from and to `witswitch_core`'s
//! `MediaCommand`/`MediaEvent`/`NegotiatedCodec` are at the bottom; the
//! call task's adapter (`calls/media_link.rs`) adds path resolution.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use witswitch_media::dtmf::DtmfError;
use witswitch_media::player::PlayError;
use witswitch_media::recorder::RecordError;
use witswitch_media::{CodecError, PlaySource, RecordLayout};
use witswitch_sdp::{CodecName, Direction};
pub use witswitch_types::LegId;

/// The codec a leg uses on the wire, as SDP offer/answer settled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegotiatedCodec {
    /// Payload type of the audio codec on the wire.
    pub payload_type: u8,
    /// Which codec.
    pub name: CodecName,
    /// RTP clock rate (8000 for G.711 and G.722, 48000 for Opus).
    pub clock_rate: u32,
    /// Packet time in ms (what we send; 20 unless SDP said otherwise).
    pub ptime_ms: u32,
    /// RFC 4733 `telephone-event` payload type, if both sides use it.
    pub telephone_event_pt: Option<u8>,
    /// Our direction after offer/answer (RFC 3264 §6.1): a leg whose peer
    /// holds it (`sendonly`/`inactive` offers answered `recvonly`/`inactive`)
    /// sends nothing; one that expects nothing has no RTP timeout.
    pub direction: Direction,
}

impl NegotiatedCodec {
    /// The usual parameters for `name` with its static payload type (or 96 for
    /// Opus), 20 ms packets and `telephone-event` on 101.
    pub fn standard(name: CodecName) -> Self {
        Self {
            payload_type: name.static_payload_type().unwrap_or(96),
            name,
            clock_rate: name.rtp_clock_rate(),
            ptime_ms: 20,
            telephone_event_pt: Some(101),
            direction: Direction::SendRecv,
        }
    }
}

/// Which received digits end a playback (FreeSWITCH's `playback_terminators`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Interrupt {
    /// Digits are reported but never stop the playback.
    #[default]
    Never,
    /// Any digit stops it.
    AnyDigit,
    /// Only these digits stop it (e.g. `"#*"`).
    Digits(String),
}

impl Interrupt {
    /// Whether `digit` ends a playback with this setting.
    pub fn stops_on(&self, digit: char) -> bool {
        match self {
            Self::Never => false,
            Self::AnyDigit => true,
            Self::Digits(set) => set.chars().any(|c| c.eq_ignore_ascii_case(&digit)),
        }
    }
}

/// How a playback ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaybackEnd {
    /// The source ran out.
    Completed,
    /// A received digit the playback was interruptible by.
    Interrupted(char),
    /// `stop_play`, a new `play`, `bridge`, or the leg went away.
    Stopped,
    /// The source could not be opened (an `Error` event says why, first).
    Failed,
}

impl PlaybackEnd {
    /// The digit that interrupted the playback, as the call engine's
    /// `PlaybackDone { interrupted_by }` carries it.
    pub fn interrupted_by(self) -> Option<char> {
        match self {
            Self::Interrupted(digit) => Some(digit),
            _ => None,
        }
    }
}

/// One command of the table in `docs/call-engine.md`.
#[derive(Debug)]
pub enum MediaCommand {
    /// Makes the leg's task panic (tests that a failing task loses only
    /// its own legs).
    #[cfg(test)]
    Fault {
        /// The leg.
        leg: LegId,
    },
    /// Bind an RTP port (even) and RTCP (odd) from the range; answered by
    /// `LegReady` (or `Error`) when sent through `MediaEngine::execute`.
    CreateLeg {
        /// The new leg.
        leg: LegId,
        /// Address to bind; `None` uses the engine's configured one.
        local_ip: Option<IpAddr>,
    },
    /// Where to send and in which codec (again on re-INVITE). An
    /// unspecified address (`0.0.0.0`, port 0: SDP hold) means "nowhere
    /// until the peer sends" (symmetric RTP latches then) and no RTP timeout.
    Configure {
        /// The leg.
        leg: LegId,
        /// The peer's address from SDP (symmetric RTP may replace it).
        remote: SocketAddr,
        /// The negotiated codec.
        codec: NegotiatedCodec,
    },
    /// Play a file, `tone_stream://` or `silence_stream://`.
    Play {
        /// The leg.
        leg: LegId,
        /// What and how.
        request: PlayRequest,
    },
    /// End the current playback (`PlaybackEnd::Stopped`).
    StopPlay {
        /// The leg.
        leg: LegId,
    },
    /// Send received audio back to the sender.
    Echo {
        /// The leg.
        leg: LegId,
    },
    /// Stop echoing (and playing); send silence (FreeSWITCH's `park`).
    Idle {
        /// The leg.
        leg: LegId,
    },
    /// Connect two legs' audio: relay without decoding when they share a
    /// codec, transcode otherwise.
    Bridge {
        /// One leg.
        a: LegId,
        /// The other.
        b: LegId,
    },
    /// Separate `leg` from whatever it is bridged to; both go idle.
    Unbridge {
        /// The leg.
        leg: LegId,
    },
    /// Record both parties of `leg` to a WAV file.
    RecordStart {
        /// The leg.
        leg: LegId,
        /// The WAV to create.
        path: PathBuf,
        /// Mono mix or stereo.
        layout: RecordLayout,
    },
    /// Report `Silence` once the leg's peer has been silent for `silence_ms`
    /// (mean absolute amplitude below `threshold`) during the recording to
    /// `path` (`record`'s silence detection).
    WatchSilence {
        /// The leg.
        leg: LegId,
        /// The recording.
        path: PathBuf,
        /// Energy threshold.
        threshold: u32,
        /// How long.
        silence_ms: u32,
    },
    /// Write silence instead of the parties' audio to the recording at
    /// `path` while `masked` (`uuid_record mask|unmask`).
    MaskRecording {
        /// The leg.
        leg: LegId,
        /// The recording's path.
        path: PathBuf,
        /// Blank from now on (or stop blanking).
        masked: bool,
    },
    /// Finish a recording (`path` `all` finishes every one); `RecordDone`.
    RecordStop {
        /// The leg.
        leg: LegId,
        /// The recording's path.
        path: PathBuf,
    },
    /// Send RFC 4733 digits: `"123#"`, optionally `"123#@500"` for 500 ms each.
    SendDtmf {
        /// The leg.
        leg: LegId,
        /// The digits.
        digits: String,
    },
    /// Close the leg's sockets (finishing recordings and playback first).
    DestroyLeg {
        /// The leg.
        leg: LegId,
    },
}

/// What to play on a leg.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayRequest {
    /// The source (`PlaySource::parse` reads FreeSWITCH's syntax).
    pub source: PlaySource,
    /// Echoed back in `PlaybackDone`.
    pub play_id: u64,
    /// Which digits stop it.
    pub interrupt: Interrupt,
}

/// What the engine reports, on the one event channel of the engine.
#[derive(Debug)]
pub enum MediaEvent {
    /// A leg created through `MediaEngine::execute` is listening here.
    LegReady {
        /// The leg.
        leg: LegId,
        /// Its RTP address (RTCP is the next port).
        local: SocketAddr,
    },
    /// A key press received as RFC 4733 telephone-events (reported once,
    /// whatever the number of end-packet retransmissions).
    Dtmf {
        /// The leg it arrived on.
        leg: LegId,
        /// `0-9 * # A-D`, or `F` for flash.
        digit: char,
        /// How long the key was held.
        duration_ms: u32,
    },
    /// A playback ended.
    PlaybackDone {
        /// The leg.
        leg: LegId,
        /// The `play_id` of the request.
        play_id: u64,
        /// Why it ended.
        end: PlaybackEnd,
    },
    /// A recording was finished and its WAV header completed.
    RecordDone {
        /// The leg.
        leg: LegId,
        /// The file.
        path: PathBuf,
        /// Audio length in milliseconds.
        ms: u64,
    },
    /// The peer has been silent as `WatchSilence` asked (reported once).
    Silence {
        /// The leg.
        leg: LegId,
        /// The recording.
        path: PathBuf,
    },
    /// No RTP from the peer for the configured time (hang up with MEDIA_TIMEOUT).
    RtpTimeout {
        /// The leg.
        leg: LegId,
    },
    /// A command could not be carried out (`Create` answers a failed
    /// `CreateLeg` sent through `execute`; `Play` comes just before the
    /// `PlaybackDone` with `PlaybackEnd::Failed`).
    Error {
        /// The leg.
        leg: LegId,
        /// Why.
        what: MediaFailure,
    },
}

/// Why a fire-and-forget command failed (carried by `MediaEvent::Error`).
#[derive(Debug, thiserror::Error)]
pub enum MediaFailure {
    /// No leg with that id.
    #[error("no such media leg")]
    UnknownLeg,
    /// The leg could not be created.
    #[error(transparent)]
    Create(#[from] MediaError),
    /// The command needs `configure` first (it needs a codec and a remote).
    #[error("leg has no codec yet (configure first)")]
    NotConfigured,
    /// The negotiated codec cannot be run.
    #[error("codec: {0}")]
    Codec(#[from] CodecError),
    /// A playback source could not be opened.
    #[error("playback: {0}")]
    Play(#[from] PlayError),
    /// A recording could not be written.
    #[error("recording {path}: {source}")]
    Record {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: RecordError,
    },
    /// `record_stop` named a file the leg is not recording.
    #[error("not recording {0}")]
    NotRecording(PathBuf),
    /// `send_dtmf` got a character that is not a key, or a bad duration.
    #[error("dtmf: {0}")]
    Dtmf(#[from] DtmfError),
    /// `send_dtmf` on a leg that negotiated no telephone-event.
    #[error("no telephone-event payload type negotiated")]
    NoTelephoneEvent,
    /// `bridge(a, a)`.
    #[error("cannot bridge a leg to itself")]
    SelfBridge,
    /// A leg's task ended unexpectedly (a bug; the leg is gone).
    #[error("media task for the leg ended")]
    TaskGone,
    /// Moving a leg's sockets to another media thread failed (the leg is gone).
    #[error("cannot move the leg's sockets to another media thread: {0}")]
    Moved(std::io::Error),
}

/// Errors returned directly by `MediaEngine` methods.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Every even/odd port pair in the range is in use.
    #[error("no free RTP/RTCP port pair in {min}-{max}")]
    PortsExhausted {
        /// Range start.
        min: u16,
        /// Range end.
        max: u16,
    },
    /// Binding failed for a reason other than the port being taken.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The configured range holds no even/odd pair.
    #[error("RTP port range {min}-{max} holds no even/odd pair")]
    EmptyRange {
        /// Range start.
        min: u16,
        /// Range end.
        max: u16,
    },
    /// `create_leg` for an id that exists.
    #[error("media leg {0} exists")]
    LegExists(LegId),
    /// The engine's tasks have stopped (runtime shutting down).
    #[error("media engine stopped")]
    Stopped,
    /// A media thread or its runtime could not be started.
    #[error("cannot start a media thread: {0}")]
    Thread(std::io::Error),
}

impl From<&witswitch_core::NegotiatedCodec> for NegotiatedCodec {
    /// The core's codec as the engine runs it (its `fmtp` is not used: Opus
    /// runs with default settings).
    fn from(codec: &witswitch_core::NegotiatedCodec) -> Self {
        Self {
            payload_type: codec.payload_type,
            name: codec.codec,
            clock_rate: codec.clock_rate,
            ptime_ms: codec.ptime,
            telephone_event_pt: codec.telephone_event_pt,
            direction: codec.direction,
        }
    }
}

/// The media crate's recording layout for the core's.
pub fn record_layout(layout: witswitch_core::RecordLayout) -> RecordLayout {
    match layout {
        witswitch_core::RecordLayout::Mono => RecordLayout::Mono,
        witswitch_core::RecordLayout::Stereo => RecordLayout::Stereo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interrupt_sets() {
        assert!(!Interrupt::Never.stops_on('1'));
        assert!(Interrupt::AnyDigit.stops_on('#'));
        let some = Interrupt::Digits("#a".into());
        assert!(some.stops_on('#') && some.stops_on('A'));
        assert!(!some.stops_on('1'));
    }

    #[test]
    fn standard_codecs_use_static_payload_types() {
        assert_eq!(NegotiatedCodec::standard(CodecName::Pcma).payload_type, 8);
        let opus = NegotiatedCodec::standard(CodecName::Opus);
        assert_eq!((opus.payload_type, opus.clock_rate), (96, 48000));
        assert_eq!(PlaybackEnd::Interrupted('5').interrupted_by(), Some('5'));
        assert_eq!(PlaybackEnd::Stopped.interrupted_by(), None);
    }

    #[test]
    fn the_cores_codec_converts() {
        let core = witswitch_core::NegotiatedCodec {
            codec: CodecName::G722,
            payload_type: 9,
            clock_rate: 8000,
            ptime: 30,
            fmtp: None,
            telephone_event_pt: None,
            direction: witswitch_sdp::Direction::SendOnly,
        };
        let ours = NegotiatedCodec::from(&core);
        assert_eq!(
            (
                ours.name,
                ours.payload_type,
                ours.ptime_ms,
                ours.telephone_event_pt,
                ours.direction
            ),
            (
                CodecName::G722,
                9,
                30,
                None,
                witswitch_sdp::Direction::SendOnly
            )
        );
        assert_eq!(
            record_layout(witswitch_core::RecordLayout::Stereo),
            RecordLayout::Stereo
        );
    }
}
