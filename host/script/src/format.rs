//! FreeSWITCH-style rendering of dialplan actions (`app data`, one per line) and
//! hangup cause names. Used by the `route` dry run and by logs; the call engine
//! executes the typed [`Action`]s, never these strings.

use std::fmt;

use crate::bindings::types::{Action, HangupCause, LogLevel, RouteResult};

/// Every hangup cause with the name FreeSWITCH prints for it.
const CAUSE_NAMES: [(HangupCause, &str); 42] = [
    (HangupCause::UnallocatedNumber, "UNALLOCATED_NUMBER"),
    (HangupCause::NoRouteTransitNet, "NO_ROUTE_TRANSIT_NET"),
    (HangupCause::NoRouteDestination, "NO_ROUTE_DESTINATION"),
    (HangupCause::NormalClearing, "NORMAL_CLEARING"),
    (HangupCause::UserBusy, "USER_BUSY"),
    (HangupCause::NoUserResponse, "NO_USER_RESPONSE"),
    (HangupCause::NoAnswer, "NO_ANSWER"),
    (HangupCause::SubscriberAbsent, "SUBSCRIBER_ABSENT"),
    (HangupCause::CallRejected, "CALL_REJECTED"),
    (HangupCause::NumberChanged, "NUMBER_CHANGED"),
    (
        HangupCause::DestinationOutOfOrder,
        "DESTINATION_OUT_OF_ORDER",
    ),
    (HangupCause::InvalidNumberFormat, "INVALID_NUMBER_FORMAT"),
    (HangupCause::FacilityRejected, "FACILITY_REJECTED"),
    (HangupCause::NormalUnspecified, "NORMAL_UNSPECIFIED"),
    (
        HangupCause::NormalCircuitCongestion,
        "NORMAL_CIRCUIT_CONGESTION",
    ),
    (HangupCause::NetworkOutOfOrder, "NETWORK_OUT_OF_ORDER"),
    (
        HangupCause::NormalTemporaryFailure,
        "NORMAL_TEMPORARY_FAILURE",
    ),
    (HangupCause::SwitchCongestion, "SWITCH_CONGESTION"),
    (HangupCause::RequestedChanUnavail, "REQUESTED_CHAN_UNAVAIL"),
    (
        HangupCause::FacilityNotSubscribed,
        "FACILITY_NOT_SUBSCRIBED",
    ),
    (HangupCause::OutgoingCallBarred, "OUTGOING_CALL_BARRED"),
    (HangupCause::IncomingCallBarred, "INCOMING_CALL_BARRED"),
    (
        HangupCause::BearercapabilityNotavail,
        "BEARERCAPABILITY_NOTAVAIL",
    ),
    (HangupCause::ServiceUnavailable, "SERVICE_UNAVAILABLE"),
    (
        HangupCause::BearercapabilityNotimpl,
        "BEARERCAPABILITY_NOTIMPL",
    ),
    (
        HangupCause::ServiceNotImplemented,
        "SERVICE_NOT_IMPLEMENTED",
    ),
    (
        HangupCause::IncompatibleDestination,
        "INCOMPATIBLE_DESTINATION",
    ),
    (
        HangupCause::RecoveryOnTimerExpire,
        "RECOVERY_ON_TIMER_EXPIRE",
    ),
    (HangupCause::ProtocolError, "PROTOCOL_ERROR"),
    (HangupCause::Interworking, "INTERWORKING"),
    (HangupCause::OriginatorCancel, "ORIGINATOR_CANCEL"),
    (HangupCause::Crash, "CRASH"),
    (HangupCause::SystemShutdown, "SYSTEM_SHUTDOWN"),
    (HangupCause::LoseRace, "LOSE_RACE"),
    (HangupCause::ManagerRequest, "MANAGER_REQUEST"),
    (HangupCause::BlindTransfer, "BLIND_TRANSFER"),
    (HangupCause::AttendedTransfer, "ATTENDED_TRANSFER"),
    (HangupCause::AllottedTimeout, "ALLOTTED_TIMEOUT"),
    (HangupCause::MediaTimeout, "MEDIA_TIMEOUT"),
    (HangupCause::UserNotRegistered, "USER_NOT_REGISTERED"),
    (HangupCause::ProgressTimeout, "PROGRESS_TIMEOUT"),
    (HangupCause::GatewayDown, "GATEWAY_DOWN"),
];

/// The FreeSWITCH name of a hangup cause (`NORMAL_CLEARING`).
pub fn cause_name(cause: HangupCause) -> &'static str {
    CAUSE_NAMES
        .iter()
        .find(|(c, _)| *c == cause)
        .map_or("NORMAL_UNSPECIFIED", |(_, name)| name)
}

/// The hangup cause with this FreeSWITCH name, ignoring ASCII case.
pub fn cause_from_name(name: &str) -> Option<HangupCause> {
    CAUSE_NAMES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(c, _)| *c)
}

/// FreeSWITCH's name of a log level, as the `log` application takes it.
pub fn log_level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Debug => "DEBUG",
        LogLevel::Info => "INFO",
        LogLevel::Notice => "NOTICE",
        LogLevel::Warning => "WARNING",
        LogLevel::Err => "ERR",
        LogLevel::Crit => "CRIT",
        LogLevel::Alert => "ALERT",
    }
}

/// One action as FreeSWITCH would show it: an application name and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionLine {
    /// The application (`bridge`, `set`, `hangup`, ...).
    pub app: String,
    /// Its data string; empty for `answer`, `echo`, `park`, ...
    pub data: String,
}

impl fmt::Display for ActionLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.data.is_empty() {
            f.write_str(&self.app)
        } else {
            write!(f, "{} {}", self.app, self.data)
        }
    }
}

impl ActionLine {
    fn new(app: &str, data: impl Into<String>) -> Self {
        ActionLine {
            app: app.to_string(),
            data: data.into(),
        }
    }
}

/// Render one action. `transfer` prints the dialplan field as `XML`, FreeSWITCH's
/// default, so the line reads as FreeSWITCH's own `transfer <ext> XML <context>`;
/// `app` (start a session script) prints as `app <name> <args>`; `execute`
/// prints as the named application itself.
pub fn action_line(action: &Action) -> ActionLine {
    match action {
        Action::Answer => ActionLine::new("answer", ""),
        Action::PreAnswer => ActionLine::new("pre_answer", ""),
        Action::RingReady => ActionLine::new("ring_ready", ""),
        Action::Playback(source) => ActionLine::new("playback", source.as_str()),
        Action::Bridge(dial) => ActionLine::new("bridge", dial.as_str()),
        Action::RecordSession(path) => ActionLine::new("record_session", path.as_str()),
        Action::StopRecordSession(path) => ActionLine::new("stop_record_session", path.as_str()),
        Action::Set(kv) => ActionLine::new("set", format!("{}={}", kv.key, kv.value)),
        Action::Export(kv) => ActionLine::new("export", format!("{}={}", kv.key, kv.value)),
        Action::Unset(name) => ActionLine::new("unset", name.as_str()),
        Action::Hangup(cause) => ActionLine::new("hangup", cause_name(*cause)),
        Action::Transfer(target) => match &target.context {
            Some(context) => {
                ActionLine::new("transfer", format!("{} XML {context}", target.extension))
            }
            None => ActionLine::new("transfer", target.extension.as_str()),
        },
        Action::Sleep(ms) => ActionLine::new("sleep", ms.to_string()),
        Action::Echo => ActionLine::new("echo", ""),
        Action::Park => ActionLine::new("park", ""),
        Action::Log(message) => ActionLine::new(
            "log",
            format!("{} {}", log_level_name(message.level), message.message),
        ),
        Action::App(app) => {
            let data = if app.args.is_empty() {
                app.name.clone()
            } else {
                format!("{} {}", app.name, app.args)
            };
            ActionLine::new("app", data)
        }
        Action::Execute(exec) => ActionLine::new(&exec.name, exec.data.as_str()),
    }
}

/// Render a route result: its actions in order, or, for no route, the
/// `hangup NO_ROUTE_DESTINATION` the switch performs.
pub fn route_lines(result: &RouteResult) -> Vec<ActionLine> {
    match result {
        RouteResult::Actions(actions) => actions.iter().map(action_line).collect(),
        RouteResult::NoRoute => vec![ActionLine::new("hangup", "NO_ROUTE_DESTINATION")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::types::{AppInvocation, ExecuteApp, KeyValue, LogMessage, TransferTarget};

    fn kv(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn actions_render_as_freeswitch_app_and_data() {
        let actions = vec![
            Action::Answer,
            Action::Set(kv("call_timeout", "30")),
            Action::Export(kv("sip_h_X-Foo", "a b")),
            Action::Bridge("user/1001".into()),
            Action::Hangup(HangupCause::NoRouteDestination),
            Action::Transfer(TransferTarget {
                extension: "5000".into(),
                context: Some("default".into()),
            }),
            Action::Transfer(TransferTarget {
                extension: "5001".into(),
                context: None,
            }),
            Action::Log(LogMessage {
                level: LogLevel::Warning,
                message: "hi there".into(),
            }),
            Action::App(AppInvocation {
                name: "ivr".into(),
                args: String::new(),
            }),
            Action::Execute(ExecuteApp {
                name: "play_and_get_digits".into(),
                data: "1 4 3".into(),
            }),
            Action::Sleep(250),
            Action::PreAnswer,
        ];
        let lines: Vec<String> = route_lines(&RouteResult::Actions(actions))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "answer",
                "set call_timeout=30",
                "export sip_h_X-Foo=a b",
                "bridge user/1001",
                "hangup NO_ROUTE_DESTINATION",
                "transfer 5000 XML default",
                "transfer 5001",
                "log WARNING hi there",
                "app ivr",
                "play_and_get_digits 1 4 3",
                "sleep 250",
                "pre_answer",
            ]
        );
    }

    #[test]
    fn no_route_renders_as_the_hangup_the_switch_performs() {
        let lines = route_lines(&RouteResult::NoRoute);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].to_string(), "hangup NO_ROUTE_DESTINATION");
    }

    #[test]
    fn every_cause_name_round_trips() {
        for (cause, name) in CAUSE_NAMES {
            assert_eq!(cause_name(cause), name);
            assert_eq!(cause_from_name(&name.to_ascii_lowercase()), Some(cause));
        }
        assert_eq!(cause_from_name("NOT_A_CAUSE"), None);
    }
}
