//! Codecs, RTP sessions, DTMF, tones, WAV; sans-IO.
//!
//! Nothing here opens a socket or reads the clock: time arrives as an
//! argument (`now: Instant`) and packets as byte slices, so the call engine
//! and its tests drive every state machine with virtual time.

pub mod g711;
