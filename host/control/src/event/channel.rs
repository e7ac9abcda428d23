//! FreeSWITCH's header set for channel events, built from a plain struct of channel
//! fields (the call engine fills [`ChannelFields`]; this module knows the names and order).
//!
//! Order, as in the 1.10.12 recordings: core headers; event-specific leading headers
//! (`Original-Channel-Call-State`, `Hangup-Cause` of HANGUP_COMPLETE, `Bridge-*`); the
//! channel's basic data (`Channel-State` … `Answer-State`, `Hangup-Cause`, codecs);
//! the caller profile as `Caller-*`; the other leg as `Other-Type` + `Other-Leg-*`;
//! `variable_*` for the events that carry them; event-specific trailing headers
//! (`Application*`, added after the channel data as FreeSWITCH does).

use super::{CallSite, Event, EventFactory, EventTime, names};

pub use witswitch_types::{AnswerState, CallState, ChannelState};

/// A codec in use on one direction of a channel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodecInfo {
    /// `PCMU`, `OPUS`, ...
    pub name: String,
    /// Sample rate in Hz.
    pub rate: u32,
    /// Bit rate in bit/s.
    pub bit_rate: u32,
}

/// The microsecond timestamps of a caller profile (0 = has not happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct ProfileTimes {
    pub profile_created: i64,
    pub channel_created: i64,
    pub answered: i64,
    pub progress: i64,
    pub progress_media: i64,
    pub hangup: i64,
    pub transfer: i64,
    pub resurrect: i64,
    pub bridged: i64,
    pub last_hold: i64,
    pub hold_accum: i64,
}

/// A caller profile (`switch_caller_profile_t`): printed with a prefix, `Caller-` for the
/// channel's own, `Other-Leg-` for the peer, `Channel-` in an outbound `connect` reply.
/// Empty optional strings are left out, as FreeSWITCH does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct CallerProfile {
    pub direction: String,
    pub logical_direction: String,
    pub username: String,
    pub dialplan: String,
    pub caller_id_name: String,
    pub caller_id_number: String,
    pub orig_caller_id_name: String,
    pub orig_caller_id_number: String,
    pub callee_id_name: String,
    pub callee_id_number: String,
    pub network_addr: String,
    pub ani: String,
    pub aniii: String,
    pub destination_number: String,
    pub unique_id: String,
    pub source: String,
    pub transfer_source: String,
    pub context: String,
    pub rdnis: String,
    pub channel_name: String,
    pub profile_index: u32,
    pub times: ProfileTimes,
    pub screen_bit: bool,
    pub privacy_hide_name: bool,
    pub privacy_hide_number: bool,
}

/// Which side the other leg is (`Other-Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherLegType {
    /// The leg that originated this one (this channel is the B leg).
    Originator,
    /// The leg this one originated (this channel is the A leg).
    Originatee,
}

/// Everything a channel event says about its channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct ChannelFields {
    /// The running state (`Channel-State`).
    pub state: ChannelState,
    /// The state the channel is switching to, when a change is pending: FreeSWITCH
    /// prints its number as `Channel-State-Number` (CHANNEL_CREATE says `CS_INIT` with
    /// number 2 while routing starts). `None` = no change pending.
    pub next_state: Option<ChannelState>,
    pub call_state: CallState,
    pub name: String,
    pub uuid: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    pub presence_direction: String,
    pub hit_dialplan: bool,
    pub presence_id: Option<String>,
    pub presence_data: Option<String>,
    pub call_uuid: String,
    pub answer_state: AnswerState,
    /// Set once the channel is hanging up (a Q.850 name such as `NORMAL_CLEARING`).
    pub hangup_cause: Option<String>,
    pub read_codec: Option<CodecInfo>,
    pub write_codec: Option<CodecInfo>,
    pub caller: Option<CallerProfile>,
    pub other_leg: Option<(OtherLegType, CallerProfile)>,
    /// Channel variables in the order they were set (`variable_<name>` headers).
    pub variables: Vec<(String, String)>,
}

/// A channel event and its event-specific data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelEventKind<'a> {
    /// CHANNEL_CREATE.
    Create,
    /// CHANNEL_STATE (the state is in the fields).
    State,
    /// CHANNEL_CALLSTATE from `original` to the fields' call state.
    CallState {
        /// The call state before the change.
        original: CallState,
    },
    /// CHANNEL_PROGRESS (180).
    Progress,
    /// CHANNEL_PROGRESS_MEDIA (183 with media).
    ProgressMedia,
    /// CHANNEL_ANSWER.
    Answer,
    /// CHANNEL_EXECUTE: an application starts.
    Execute {
        /// Application name.
        application: &'a str,
        /// Its argument (left out when empty).
        data: &'a str,
        /// The execution's id.
        application_uuid: &'a str,
    },
    /// CHANNEL_EXECUTE_COMPLETE.
    ExecuteComplete {
        /// Application name.
        application: &'a str,
        /// Its argument (left out when empty).
        data: &'a str,
        /// Its result (`_none_`, `FILE PLAYED`, ...).
        response: &'a str,
        /// The execution's id.
        application_uuid: &'a str,
    },
    /// CHANNEL_BRIDGE between two legs.
    Bridge {
        /// A leg uuid.
        a: &'a str,
        /// B leg uuid.
        b: &'a str,
    },
    /// CHANNEL_UNBRIDGE.
    Unbridge {
        /// A leg uuid.
        a: &'a str,
        /// B leg uuid.
        b: &'a str,
    },
    /// CHANNEL_PARK.
    Park,
    /// CHANNEL_UNPARK.
    Unpark,
    /// CHANNEL_ORIGINATE.
    Originate,
    /// CHANNEL_HANGUP.
    Hangup,
    /// CHANNEL_HANGUP_COMPLETE (repeats `Hangup-Cause` first).
    HangupComplete,
    /// CHANNEL_DESTROY.
    Destroy,
    /// CHANNEL_DATA as `uuid_dump` prints it.
    Data,
    /// CHANNEL_DATA as an outbound socket's `connect` reply: the caller profile first
    /// with the `Channel-` prefix, then the usual data.
    ConnectData,
    /// Any other channel-related event name, with or without variables.
    Other {
        /// Event name.
        name: &'a str,
        /// Whether `variable_*` headers follow.
        with_variables: bool,
    },
}

impl ChannelEventKind<'_> {
    /// The `Event-Name`.
    pub fn event_name(&self) -> &str {
        match self {
            Self::Create => "CHANNEL_CREATE",
            Self::State => "CHANNEL_STATE",
            Self::CallState { .. } => "CHANNEL_CALLSTATE",
            Self::Progress => "CHANNEL_PROGRESS",
            Self::ProgressMedia => "CHANNEL_PROGRESS_MEDIA",
            Self::Answer => "CHANNEL_ANSWER",
            Self::Execute { .. } => "CHANNEL_EXECUTE",
            Self::ExecuteComplete { .. } => "CHANNEL_EXECUTE_COMPLETE",
            Self::Bridge { .. } => "CHANNEL_BRIDGE",
            Self::Unbridge { .. } => "CHANNEL_UNBRIDGE",
            Self::Park => "CHANNEL_PARK",
            Self::Unpark => "CHANNEL_UNPARK",
            Self::Originate => "CHANNEL_ORIGINATE",
            Self::Hangup => "CHANNEL_HANGUP",
            Self::HangupComplete => names::CHANNEL_HANGUP_COMPLETE,
            Self::Destroy => "CHANNEL_DESTROY",
            Self::Data | Self::ConnectData => names::CHANNEL_DATA,
            Self::Other { name, .. } => name,
        }
    }

    /// Whether FreeSWITCH adds the `variable_*` headers to this event.
    pub fn carries_variables(&self) -> bool {
        match self {
            Self::State | Self::CallState { .. } => false,
            Self::Other { with_variables, .. } => *with_variables,
            _ => true,
        }
    }
}

type Headers = Vec<(String, String)>;

fn push(headers: &mut Headers, name: impl Into<String>, value: impl Into<String>) {
    headers.push((name.into(), value.into()));
}

fn push_nonempty(headers: &mut Headers, name: String, value: &str) {
    if !value.is_empty() {
        headers.push((name, value.to_string()));
    }
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// Appends a caller profile with `prefix` (`Caller`, `Other-Leg`, `Channel`).
pub fn push_profile(headers: &mut Headers, prefix: &str, profile: &CallerProfile) {
    // Plain concatenation: this runs ~40 times per profile per event.
    let key = |suffix: &str| {
        let mut name = String::with_capacity(prefix.len() + 1 + suffix.len());
        name.push_str(prefix);
        name.push('-');
        name.push_str(suffix);
        name
    };
    push(headers, key("Direction"), profile.direction.as_str());
    push(
        headers,
        key("Logical-Direction"),
        profile.logical_direction.as_str(),
    );
    let optional = [
        ("Username", &profile.username),
        ("Dialplan", &profile.dialplan),
        ("Caller-ID-Name", &profile.caller_id_name),
        ("Caller-ID-Number", &profile.caller_id_number),
        ("Orig-Caller-ID-Name", &profile.orig_caller_id_name),
        ("Orig-Caller-ID-Number", &profile.orig_caller_id_number),
        ("Callee-ID-Name", &profile.callee_id_name),
        ("Callee-ID-Number", &profile.callee_id_number),
        ("Network-Addr", &profile.network_addr),
        ("ANI", &profile.ani),
        ("ANI-II", &profile.aniii),
        ("Destination-Number", &profile.destination_number),
        ("Unique-ID", &profile.unique_id),
        ("Source", &profile.source),
        ("Transfer-Source", &profile.transfer_source),
        ("Context", &profile.context),
        ("RDNIS", &profile.rdnis),
        ("Channel-Name", &profile.channel_name),
    ];
    for (suffix, value) in optional {
        push_nonempty(headers, key(suffix), value);
    }
    push(
        headers,
        key("Profile-Index"),
        profile.profile_index.to_string(),
    );
    let t = &profile.times;
    let times = [
        ("Profile-Created-Time", t.profile_created),
        ("Channel-Created-Time", t.channel_created),
        ("Channel-Answered-Time", t.answered),
        ("Channel-Progress-Time", t.progress),
        ("Channel-Progress-Media-Time", t.progress_media),
        ("Channel-Hangup-Time", t.hangup),
        ("Channel-Transfer-Time", t.transfer),
        ("Channel-Resurrect-Time", t.resurrect),
        ("Channel-Bridged-Time", t.bridged),
        ("Channel-Last-Hold", t.last_hold),
        ("Channel-Hold-Accum", t.hold_accum),
    ];
    for (suffix, value) in times {
        push(headers, key(suffix), value.to_string());
    }
    push(headers, key("Screen-Bit"), bool_text(profile.screen_bit));
    push(
        headers,
        key("Privacy-Hide-Name"),
        bool_text(profile.privacy_hide_name),
    );
    push(
        headers,
        key("Privacy-Hide-Number"),
        bool_text(profile.privacy_hide_number),
    );
}

fn push_codec(headers: &mut Headers, direction: &str, codec: &CodecInfo) {
    push(
        headers,
        format!("Channel-{direction}-Codec-Name"),
        codec.name.as_str(),
    );
    push(
        headers,
        format!("Channel-{direction}-Codec-Rate"),
        codec.rate.to_string(),
    );
    push(
        headers,
        format!("Channel-{direction}-Codec-Bit-Rate"),
        codec.bit_rate.to_string(),
    );
}

/// Appends the channel's basic data, caller and other-leg profiles
/// (`switch_channel_event_set_basic_data`).
pub fn push_basic_data(headers: &mut Headers, channel: &ChannelFields) {
    push(headers, "Channel-State", channel.state.name());
    push(headers, "Channel-Call-State", channel.call_state.name());
    let number = channel.next_state.unwrap_or(channel.state).number();
    push(headers, "Channel-State-Number", number.to_string());
    push(headers, "Channel-Name", channel.name.as_str());
    push(headers, "Unique-ID", channel.uuid.as_str());
    push(headers, "Call-Direction", channel.direction.as_str());
    push(
        headers,
        "Presence-Call-Direction",
        channel.presence_direction.as_str(),
    );
    push(
        headers,
        "Channel-HIT-Dialplan",
        bool_text(channel.hit_dialplan),
    );
    if let Some(id) = &channel.presence_id {
        push(headers, "Channel-Presence-ID", id.as_str());
    }
    if let Some(data) = &channel.presence_data {
        push(headers, "Channel-Presence-Data", data.as_str());
    }
    push(headers, "Channel-Call-UUID", channel.call_uuid.as_str());
    push(headers, "Answer-State", channel.answer_state.name());
    if let Some(cause) = &channel.hangup_cause {
        push(headers, "Hangup-Cause", cause.as_str());
    }
    if let Some(codec) = &channel.read_codec {
        push_codec(headers, "Read", codec);
    }
    if let Some(codec) = &channel.write_codec {
        push_codec(headers, "Write", codec);
    }
    if let Some(caller) = &channel.caller {
        push_profile(headers, "Caller", caller);
    }
    if let Some((kind, other)) = &channel.other_leg {
        let kind = match kind {
            OtherLegType::Originator => "originator",
            OtherLegType::Originatee => "originatee",
        };
        push(headers, "Other-Type", kind);
        push_profile(headers, "Other-Leg", other);
    }
}

/// Appends `variable_<name>` for every channel variable.
pub fn push_variables(headers: &mut Headers, channel: &ChannelFields) {
    headers.extend(channel.variables.iter().map(|(name, value)| {
        let mut header = String::with_capacity("variable_".len() + name.len());
        header.push_str("variable_");
        header.push_str(name);
        (header, value.clone())
    }));
}

/// Appends the channel headers of `kind` to `event` (which already has its core headers).
pub fn fill_channel_event(event: &mut Event, kind: &ChannelEventKind<'_>, channel: &ChannelFields) {
    let mut headers = Headers::with_capacity(64 + channel.variables.len());
    match kind {
        ChannelEventKind::CallState { original } => {
            push(&mut headers, "Original-Channel-Call-State", original.name());
            push(
                &mut headers,
                "Channel-Call-State-Number",
                channel.call_state.number().to_string(),
            );
        }
        ChannelEventKind::HangupComplete => {
            if let Some(cause) = &channel.hangup_cause {
                push(&mut headers, "Hangup-Cause", cause.as_str());
            }
        }
        ChannelEventKind::Bridge { a, b } | ChannelEventKind::Unbridge { a, b } => {
            push(&mut headers, "Bridge-A-Unique-ID", *a);
            push(&mut headers, "Bridge-B-Unique-ID", *b);
        }
        ChannelEventKind::ConnectData => {
            if let Some(caller) = &channel.caller {
                push_profile(&mut headers, "Channel", caller);
            }
        }
        _ => {}
    }
    push_basic_data(&mut headers, channel);
    if kind.carries_variables() {
        push_variables(&mut headers, channel);
    }
    match kind {
        ChannelEventKind::Execute {
            application,
            data,
            application_uuid,
        } => {
            push(&mut headers, "Application", *application);
            push_nonempty(&mut headers, "Application-Data".to_string(), data);
            push(&mut headers, "Application-UUID", *application_uuid);
        }
        ChannelEventKind::ExecuteComplete {
            application,
            data,
            response,
            application_uuid,
        } => {
            push(&mut headers, "Application", *application);
            push_nonempty(&mut headers, "Application-Data".to_string(), data);
            push(&mut headers, "Application-Response", *response);
            push(&mut headers, "Application-UUID", *application_uuid);
        }
        _ => {}
    }
    let end = event.headers().len();
    event.insert_headers(end, headers);
}

/// A complete channel event: core headers from `factory`, then the channel headers.
pub fn channel_event(
    factory: &EventFactory,
    time: EventTime,
    site: CallSite,
    kind: &ChannelEventKind<'_>,
    channel: &ChannelFields,
) -> Event {
    let mut event = factory.create(kind.event_name(), time, site);
    fill_channel_event(&mut event, kind, channel);
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel() -> ChannelFields {
        ChannelFields {
            state: ChannelState::New,
            next_state: None,
            call_state: CallState::Down,
            name: "sofia/internal/1000@127.0.0.1".into(),
            uuid: "u1".into(),
            direction: "inbound".into(),
            presence_direction: "inbound".into(),
            hit_dialplan: true,
            presence_id: None,
            presence_data: None,
            call_uuid: "u1".into(),
            answer_state: AnswerState::Ringing,
            hangup_cause: None,
            read_codec: None,
            write_codec: None,
            caller: None,
            other_leg: None,
            variables: vec![("direction".into(), "inbound".into())],
        }
    }

    fn names(event: &Event) -> Vec<&str> {
        event.headers().iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn new_channel_state_event_has_only_basic_data() {
        let mut event = Event::named("CHANNEL_STATE");
        fill_channel_event(&mut event, &ChannelEventKind::State, &channel());
        assert_eq!(
            names(&event),
            [
                "Event-Name",
                "Channel-State",
                "Channel-Call-State",
                "Channel-State-Number",
                "Channel-Name",
                "Unique-ID",
                "Call-Direction",
                "Presence-Call-Direction",
                "Channel-HIT-Dialplan",
                "Channel-Call-UUID",
                "Answer-State"
            ]
        );
        assert_eq!(event.header("Channel-State-Number"), Some("0"));
    }

    #[test]
    fn hangup_complete_repeats_the_cause_first_and_adds_variables() {
        let mut fields = channel();
        fields.hangup_cause = Some("NORMAL_CLEARING".into());
        fields.other_leg = Some((OtherLegType::Originatee, CallerProfile::default()));
        let mut event = Event::named("CHANNEL_HANGUP_COMPLETE");
        fill_channel_event(&mut event, &ChannelEventKind::HangupComplete, &fields);
        let names = names(&event);
        assert_eq!(names[1], "Hangup-Cause");
        assert_eq!(names.iter().filter(|n| **n == "Hangup-Cause").count(), 2);
        assert!(names.contains(&"Other-Type") && names.contains(&"Other-Leg-Profile-Index"));
        assert_eq!(names.last(), Some(&"variable_direction"));
    }

    #[test]
    fn execute_leaves_out_empty_data() {
        let mut event = Event::named("CHANNEL_EXECUTE");
        let kind = ChannelEventKind::Execute {
            application: "answer",
            data: "",
            application_uuid: "a1",
        };
        fill_channel_event(&mut event, &kind, &channel());
        assert_eq!(event.header("Application"), Some("answer"));
        assert_eq!(event.header("Application-Data"), None);
        assert_eq!(
            ChannelState::from_name("CS_EXECUTE"),
            Some(ChannelState::Execute)
        );
        assert_eq!(
            CallState::from_name("RING_WAIT").map(CallState::number),
            Some(6)
        );
    }
}
