//! The states a channel goes through (defined in `witswitch-types`, shared with
//! the event socket) and the direction it was created in.

pub use witswitch_types::{AnswerState, CallState, ChannelState};

/// Which way a channel was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallDirection {
    /// An INVITE we received (an A leg).
    Inbound,
    /// An INVITE we sent (a B leg of a bridge or an originate).
    Outbound,
}

impl CallDirection {
    /// `inbound` / `outbound`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
        }
    }
}
