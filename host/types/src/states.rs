//! FreeSWITCH's channel, call and answer states with the names and numbers ESL
//! prints (`Channel-State`, `Channel-Call-State`, `Answer-State`): one definition
//! for the call engine that moves channels through them and the event socket that
//! reports them.

use std::fmt;

/// The channel state machine (`switch_channel_state_t`); the discriminant is
/// `Channel-State-Number`. A channel moves NEW → INIT → ROUTING → EXECUTE (→
/// EXCHANGE_MEDIA while bridged, PARK while parked, CONSUME_MEDIA for outbound
/// legs waiting for an answer) → HANGUP → REPORTING → DESTROY. Transfer sends it
/// back to ROUTING.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[allow(missing_docs)] // the names are FreeSWITCH's, see `name`
pub enum ChannelState {
    New = 0,
    Init = 1,
    Routing = 2,
    SoftExecute = 3,
    Execute = 4,
    ExchangeMedia = 5,
    Park = 6,
    ConsumeMedia = 7,
    Hibernate = 8,
    Reset = 9,
    Hangup = 10,
    Reporting = 11,
    Destroy = 12,
}

impl ChannelState {
    /// Every state in number order.
    pub const ALL: [Self; 13] = [
        Self::New,
        Self::Init,
        Self::Routing,
        Self::SoftExecute,
        Self::Execute,
        Self::ExchangeMedia,
        Self::Park,
        Self::ConsumeMedia,
        Self::Hibernate,
        Self::Reset,
        Self::Hangup,
        Self::Reporting,
        Self::Destroy,
    ];

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

    /// `Channel-State-Number`.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The state named `CS_*`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for ChannelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The call state (`switch_channel_callstate_t`); the discriminant is
/// `Channel-Call-State-Number`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[allow(missing_docs)]
pub enum CallState {
    Down = 0,
    Dialing = 1,
    Ringing = 2,
    Early = 3,
    Active = 4,
    Held = 5,
    RingWait = 6,
    Hangup = 7,
    Unheld = 8,
}

impl CallState {
    /// Every call state in number order.
    pub const ALL: [Self; 9] = [
        Self::Down,
        Self::Dialing,
        Self::Ringing,
        Self::Early,
        Self::Active,
        Self::Held,
        Self::RingWait,
        Self::Hangup,
        Self::Unheld,
    ];

    /// `DOWN`, `RINGING`, `EARLY`, `ACTIVE`, ... as events and `show channels` print it.
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
            Self::Unheld => "UNHELD",
        }
    }

    /// `Channel-Call-State-Number`.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The call state of that name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `Answer-State` of channel events.
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

    /// The state of that name.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Ringing, Self::Early, Self::Answered, Self::Hangup]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_freeswitch_order() {
        assert_eq!(ChannelState::New.number(), 0);
        assert_eq!(ChannelState::Routing.number(), 2);
        assert_eq!(ChannelState::Execute.number(), 4);
        assert_eq!(ChannelState::Hangup.number(), 10);
        assert_eq!(ChannelState::Destroy.number(), 12);
        assert_eq!(ChannelState::ExchangeMedia.to_string(), "CS_EXCHANGE_MEDIA");
        assert_eq!(CallState::RingWait.name(), "RING_WAIT");
        assert_eq!(CallState::Unheld.number(), 8);
    }

    #[test]
    fn names_read_back() {
        for state in ChannelState::ALL {
            assert_eq!(ChannelState::from_name(state.name()), Some(state));
            assert_eq!(usize::from(state.number()), state as usize);
        }
        for state in CallState::ALL {
            assert_eq!(CallState::from_name(state.name()), Some(state));
        }
        for state in [
            AnswerState::Ringing,
            AnswerState::Early,
            AnswerState::Answered,
        ] {
            assert_eq!(AnswerState::from_name(state.name()), Some(state));
        }
        assert_eq!(ChannelState::from_name("CS_NOPE"), None);
    }
}
