//! Codecs, RTP sessions, DTMF, tones, WAV; sans-IO.
//!
//! Nothing here opens a socket or reads the clock: time arrives as an
//! argument (`now: Instant`) and packets as byte slices, so the call engine
//! and its tests drive every state machine with virtual time.
//!
//! How a leg uses it:
//! - [`RtpSession`] per leg: feed every datagram to `handle_packet(now, ..)`
//!   (symmetric RTP latching, stats), send to `remote()`, hang up with
//!   MEDIA_TIMEOUT when `is_timed_out(now)`; arm a timer at `poll_timeout()`.
//! - Bridged legs with the same codec: [`RelayRewriter::rewrite`] the
//!   receive buffer in place and send it on the other leg (no decoding,
//!   no allocation).
//! - Terminating paths (playback, record, IVR, transcoding): a
//!   [`JitterBuffer`] per incoming stream, a [`Codec`] from [`new_codec`],
//!   a [`Player`] for `playback` arguments, a [`Recorder`] for
//!   `record_session`, and [`DtmfReceiver`]/[`DtmfSender`] on the
//!   negotiated telephone-event payload type.
//!
//! Codecs: G.711 μ/A-law in-house ([`g711`]), G.722 via the pure-Rust
//! `audio-codec` crate, Opus via libopus (`opus` crate).

pub mod codec;
pub mod dtmf;
pub mod g711;
pub mod g722;
pub mod goertzel;
pub mod jitter;
pub mod opus_codec;
pub mod player;
pub mod recorder;
pub mod relay;
pub mod rtp;
pub mod session;
pub mod silence;
pub mod tone;
pub mod wav;

pub use codec::{Codec, CodecError, G711Codec, new_codec};
pub use dtmf::{DtmfEvent, DtmfReceiver, DtmfSender};
pub use g722::G722Codec;
pub use jitter::{JitterBuffer, Playout, PushOutcome};
pub use opus_codec::OpusCodec;
pub use player::{PlaySource, Player};
pub use recorder::{Party, RecordLayout, Recorder};
pub use relay::{RelayError, RelayRewriter, Relayed};
pub use session::{ReceiveError, ReceivedPacket, RtpSession, RtpSessionConfig, RtpStats};
pub use silence::SilenceDetector;
