//! Shared vocabulary: identifiers, hangup causes, call states, events.

pub mod cause;
pub mod ids;
pub mod states;

pub use cause::{HangupCause, UnknownCause};
pub use ids::{ChannelId, LegId, Uuid};
pub use states::{AnswerState, CallState, ChannelState};
