//! Channel events for the event socket: the FreeSWITCH event names and the
//! channel fields ESL headers are built from (`Unique-ID`,
//! `Channel-State`, `Caller-Caller-ID-Number`, ... see `ESL.md`). The
//! engine fills them; the control plane formats them.

use witswitch_types::HangupCause;

use crate::states::{AnswerState, CallDirection, CallState, ChannelState};

/// The event names the engine emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // FreeSWITCH's names, see `name`
pub enum EventName {
    ChannelCreate,
    ChannelProgress,
    ChannelProgressMedia,
    ChannelAnswer,
    ChannelOriginate,
    ChannelBridge,
    ChannelUnbridge,
    ChannelExecute,
    ChannelExecuteComplete,
    ChannelPark,
    ChannelHangup,
    ChannelHangupComplete,
    ChannelDestroy,
    /// CHANNEL_OUTGOING: an outgoing channel (bridge or originate leg) was made.
    ChannelOutgoing,
    /// CHANNEL_STATE: the channel's state changed (`Channel-State` is the new one).
    ChannelState,
    /// CHANNEL_CALLSTATE: the call state changed (`Original-Channel-Call-State`).
    ChannelCallstate,
    /// CHANNEL_DATA: the channel's headers and variables (an outbound socket's
    /// `connect` reply); never published by the engine itself.
    ChannelData,
    Dtmf,
    PlaybackStart,
    PlaybackStop,
    RecordStart,
    RecordStop,
}

impl EventName {
    /// `CHANNEL_CREATE`, `DTMF`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::ChannelCreate => "CHANNEL_CREATE",
            Self::ChannelProgress => "CHANNEL_PROGRESS",
            Self::ChannelProgressMedia => "CHANNEL_PROGRESS_MEDIA",
            Self::ChannelAnswer => "CHANNEL_ANSWER",
            Self::ChannelOriginate => "CHANNEL_ORIGINATE",
            Self::ChannelBridge => "CHANNEL_BRIDGE",
            Self::ChannelUnbridge => "CHANNEL_UNBRIDGE",
            Self::ChannelExecute => "CHANNEL_EXECUTE",
            Self::ChannelExecuteComplete => "CHANNEL_EXECUTE_COMPLETE",
            Self::ChannelPark => "CHANNEL_PARK",
            Self::ChannelHangup => "CHANNEL_HANGUP",
            Self::ChannelHangupComplete => "CHANNEL_HANGUP_COMPLETE",
            Self::ChannelDestroy => "CHANNEL_DESTROY",
            Self::ChannelData => "CHANNEL_DATA",
            Self::ChannelState => "CHANNEL_STATE",
            Self::ChannelOutgoing => "CHANNEL_OUTGOING",
            Self::ChannelCallstate => "CHANNEL_CALLSTATE",
            Self::Dtmf => "DTMF",
            Self::PlaybackStart => "PLAYBACK_START",
            Self::PlaybackStop => "PLAYBACK_STOP",
            Self::RecordStart => "RECORD_START",
            Self::RecordStop => "RECORD_STOP",
        }
    }

    /// Whether FreeSWITCH attaches every `variable_*` to this event.
    pub fn carries_variables(self) -> bool {
        matches!(
            self,
            Self::ChannelCreate
                | Self::ChannelAnswer
                | Self::ChannelBridge
                | Self::ChannelHangup
                | Self::ChannelHangupComplete
                | Self::ChannelExecute
                | Self::ChannelExecuteComplete
                | Self::ChannelPark
                | Self::ChannelDestroy
                | Self::ChannelData
        )
    }
}

/// A channel's fields at the time of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSnapshot {
    /// `Unique-ID`.
    pub uuid: String,
    /// `Channel-Call-UUID` (the A leg's uuid for both legs of a bridge).
    pub call_uuid: String,
    /// `Channel-Name` (`sofia/internal/1000@127.0.0.1`).
    pub name: String,
    /// `Call-Direction`.
    pub direction: CallDirection,
    /// `Channel-State`.
    pub state: ChannelState,
    /// `Channel-Call-State`.
    pub call_state: CallState,
    /// `Answer-State`.
    pub answer_state: AnswerState,
    /// The SIP profile.
    pub profile: String,
    /// `Caller-Caller-ID-Name`.
    pub caller_id_name: String,
    /// `Caller-Caller-ID-Number`.
    pub caller_id_number: String,
    /// `Caller-Destination-Number`.
    pub destination_number: String,
    /// `Caller-Context`.
    pub context: String,
    /// `Caller-Network-Addr`.
    pub network_addr: String,
    /// `Caller-Username`.
    pub username: String,
    /// `Channel-Read-Codec-Name` / `-Rate` (write is the same codec).
    pub codec: Option<(String, u32)>,
    /// `Caller-Channel-Created-Time` (µs since the epoch).
    pub created_us: u64,
    /// `Caller-Channel-Answered-Time` (0 when not answered).
    pub answered_us: u64,
    /// `Caller-Channel-Hangup-Time` (0 while up).
    pub hangup_us: u64,
    /// `Hangup-Cause`.
    pub hangup_cause: Option<HangupCause>,
    /// `Other-Leg-Unique-ID`: the bridged or originating leg.
    pub other_leg_uuid: Option<String>,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelEvent {
    /// The event name.
    pub name: EventName,
    /// `Event-Date-Timestamp` (µs since the epoch).
    pub timestamp_us: u64,
    /// The channel.
    pub channel: ChannelSnapshot,
    /// Event-specific headers: `DTMF-Digit`, `DTMF-Duration`, `Application`,
    /// `Application-Data`, `Playback-File-Path`, `Record-File-Path`,
    /// `Bridge-A-Unique-ID`, `Bridge-B-Unique-ID`, ...
    pub headers: Vec<(&'static str, String)>,
    /// Every channel variable, for events that carry them (a shared snapshot).
    pub variables: Option<crate::vars::VarSnapshot>,
}

impl ChannelEvent {
    /// The value of an event-specific header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}
