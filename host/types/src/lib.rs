//! Shared vocabulary: identifiers, hangup causes, call states, events.

pub mod cause;
pub mod ids;

pub use cause::{HangupCause, UnknownCause};
pub use ids::{ChannelId, LegId, Uuid};
