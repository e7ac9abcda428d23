//! SDP model and offer/answer negotiation (RFC 4566, RFC 3264) for audio calls.
//!
//! - [`SessionDescription`] parses and prints SDP (over the `sdp-types` crate)
//!   and gives the audio m-line's address, payload formats, ptime and direction.
//! - [`CodecPrefs`] reads FreeSWITCH-style codec lists (`PCMU,PCMA,OPUS,G722`).
//! - [`negotiate`] answers offers, creates offers (outbound legs and late
//!   offer) and checks answers; no match is [`NegotiationError`] → 488.

pub mod codec;
pub mod description;
pub mod direction;
pub mod negotiate;
pub mod payload;
mod write;

pub use codec::{CodecName, CodecPref, CodecPrefs, CodecPrefsError};
pub use description::{MediaDescription, Origin, SdpError, SessionDescription};
pub use direction::Direction;
pub use negotiate::{
    CodecPolicy, LocalMedia, NegotiatedMedia, NegotiationError, SdpOrigin, accept_answer,
    answer_offer, create_offer,
};
pub use payload::PayloadFormat;
