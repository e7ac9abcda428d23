//! Codecs, RTP sessions, DTMF, tones, WAV; sans-IO.
//!
//! Nothing here opens a socket or reads the clock: time arrives as an
//! argument (`now: Instant`) and packets as byte slices, so the call engine
//! and its tests drive every state machine with virtual time.

pub mod codec;
pub mod g711;
pub mod g722;
pub mod goertzel;
pub mod opus_codec;
pub mod tone;

pub use codec::{Codec, CodecError, G711Codec, new_codec};
pub use g722::G722Codec;
pub use opus_codec::OpusCodec;
