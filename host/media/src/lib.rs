//! Codecs, RTP sessions, DTMF, tones, WAV; sans-IO.
//!
//! Nothing here opens a socket or reads the clock: time arrives as an
//! argument (`now: Instant`) and packets as byte slices, so the call engine
//! and its tests drive every state machine with virtual time.

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
