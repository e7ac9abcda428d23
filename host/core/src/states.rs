//! FreeSWITCH's channel states, call states and answer states, with the
//! names ESL prints (`Channel-State`, `Channel-Call-State`, `Answer-State`).

use std::fmt;

/// The channel state machine (`switch_channel_state_t`). A channel moves
/// NEW → INIT → ROUTING → EXECUTE (→ EXCHANGE_MEDIA while bridged, PARK
/// while parked, CONSUME_MEDIA for outbound legs waiting for an answer) →
/// HANGUP → REPORTING → DESTROY. Transfer sends it back to ROUTING.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[allow(missing_docs)] // the names are FreeSWITCH's, see `name`
pub enum ChannelState {
    New,
    Init,
    Routing,
    SoftExecute,
    Execute,
    ExchangeMedia,
    Park,
    ConsumeMedia,
    Hibernate,
    Reset,
    Hangup,
    Reporting,
    Destroy,
}

impl ChannelState {
    /// `CS_NEW`, `CS_ROUTING`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::New => "CS_NEW",
            Self::Init => "CS_INIT",
            Self::Routing => "CS_ROUTING",
            Self::SoftExecute => "CS_SOFT_EXECUTE",
            Self::Execute => "CS_EXECUTE",
            Self::ExchangeMedia => "CS_EXCHANGE_MEDIA",
            Self::Park => "CS_PARK",
            Self::ConsumeMedia => "CS_CONSUME_MEDIA",
            Self::Hibernate => "CS_HIBERNATE",
            Self::Reset => "CS_RESET",
            Self::Hangup => "CS_HANGUP",
            Self::Reporting => "CS_REPORTING",
            Self::Destroy => "CS_DESTROY",
        }
    }

    /// `Channel-State-Number` (the enum's value in FreeSWITCH).
    pub fn number(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for ChannelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The call state (`switch_channel_callstate_t`) as ESL prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[allow(missing_docs)]
pub enum CallState {
    Down,
    Dialing,
    Ringing,
    Early,
    Active,
    Held,
    RingWait,
    Hangup,
}

impl CallState {
    /// `DOWN`, `RINGING`, `EARLY`, `ACTIVE`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::Down => "DOWN",
            Self::Dialing => "DIALING",
            Self::Ringing => "RINGING",
            Self::Early => "EARLY",
            Self::Active => "ACTIVE",
            Self::Held => "HELD",
            Self::RingWait => "RING_WAIT",
            Self::Hangup => "HANGUP",
        }
    }
}

impl fmt::Display for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `Answer-State` of ESL events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[allow(missing_docs)]
pub enum AnswerState {
    Ringing,
    Early,
    Answered,
    Hangup,
}

impl AnswerState {
    /// `ringing`, `early`, `answered`, `hangup`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ringing => "ringing",
            Self::Early => "early",
            Self::Answered => "answered",
            Self::Hangup => "hangup",
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_numbers_follow_freeswitch_order() {
        assert_eq!(ChannelState::New.number(), 0);
        assert_eq!(ChannelState::Routing.number(), 2);
        assert_eq!(ChannelState::Execute.number(), 4);
        assert_eq!(ChannelState::Hangup.number(), 10);
        assert_eq!(ChannelState::Destroy.number(), 12);
        assert_eq!(ChannelState::ExchangeMedia.to_string(), "CS_EXCHANGE_MEDIA");
        assert_eq!(CallState::RingWait.name(), "RING_WAIT");
    }
}
