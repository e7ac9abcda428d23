//! FreeSWITCH event names (`switch_event_types_t`), the words `event`/`nixevent` accept.

/// `CUSTOM`: events told apart by `Event-Subclass`.
pub const CUSTOM: &str = "CUSTOM";
/// `ALL`: every event, including every CUSTOM subclass.
pub const ALL: &str = "ALL";
/// The job result of `bgapi`.
pub const BACKGROUND_JOB: &str = "BACKGROUND_JOB";
/// The last event of a channel's call, where a bound socket session ends.
pub const CHANNEL_HANGUP_COMPLETE: &str = "CHANNEL_HANGUP_COMPLETE";
/// The `uuid_dump` / outbound `connect` snapshot of a channel.
pub const CHANNEL_DATA: &str = "CHANNEL_DATA";
/// The subclass of witswitch's loss notice for slow subscribers.
pub const EVENT_LOSS_SUBCLASS: &str = "witswitch::event_loss";

/// Every event name FreeSWITCH 1.10 knows, in its enum order.
pub const KNOWN: &[&str] = &[
    "CUSTOM",
    "CLONE",
    "CHANNEL_CREATE",
    "CHANNEL_DESTROY",
    "CHANNEL_STATE",
    "CHANNEL_CALLSTATE",
    "CHANNEL_ANSWER",
    "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_EXECUTE",
    "CHANNEL_EXECUTE_COMPLETE",
    "CHANNEL_HOLD",
    "CHANNEL_UNHOLD",
    "CHANNEL_BRIDGE",
    "CHANNEL_UNBRIDGE",
    "CHANNEL_PROGRESS",
    "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_OUTGOING",
    "CHANNEL_PARK",
    "CHANNEL_UNPARK",
    "CHANNEL_APPLICATION",
    "CHANNEL_ORIGINATE",
    "CHANNEL_UUID",
    "API",
    "LOG",
    "INBOUND_CHAN",
    "OUTBOUND_CHAN",
    "STARTUP",
    "SHUTDOWN",
    "PUBLISH",
    "UNPUBLISH",
    "TALK",
    "NOTALK",
    "SESSION_CRASH",
    "MODULE_LOAD",
    "MODULE_UNLOAD",
    "DTMF",
    "MESSAGE",
    "PRESENCE_IN",
    "NOTIFY_IN",
    "PRESENCE_OUT",
    "PRESENCE_PROBE",
    "MESSAGE_WAITING",
    "MESSAGE_QUERY",
    "ROSTER",
    "CODEC",
    "BACKGROUND_JOB",
    "DETECTED_SPEECH",
    "DETECTED_TONE",
    "PRIVATE_COMMAND",
    "HEARTBEAT",
    "TRAP",
    "ADD_SCHEDULE",
    "DEL_SCHEDULE",
    "EXE_SCHEDULE",
    "RE_SCHEDULE",
    "RELOADXML",
    "NOTIFY",
    "PHONE_FEATURE",
    "PHONE_FEATURE_SUBSCRIBE",
    "SEND_MESSAGE",
    "RECV_MESSAGE",
    "REQUEST_PARAMS",
    "CHANNEL_DATA",
    "GENERAL",
    "COMMAND",
    "SESSION_HEARTBEAT",
    "CLIENT_DISCONNECTED",
    "SERVER_DISCONNECTED",
    "SEND_INFO",
    "RECV_INFO",
    "RECV_RTCP_MESSAGE",
    "SEND_RTCP_MESSAGE",
    "CALL_SECURE",
    "NAT",
    "RECORD_START",
    "RECORD_STOP",
    "PLAYBACK_START",
    "PLAYBACK_STOP",
    "CALL_UPDATE",
    "FAILURE",
    "SOCKET_DATA",
    "MEDIA_BUG_START",
    "MEDIA_BUG_STOP",
    "CONFERENCE_DATA_QUERY",
    "CONFERENCE_DATA",
    "CALL_SETUP_REQ",
    "CALL_SETUP_RESULT",
    "CALL_DETAIL",
    "DEVICE_STATE",
    "TEXT",
    "SHUTDOWN_REQUESTED",
    "ALL",
];

/// The canonical (uppercase) spelling of a known event name, matched case-insensitively.
pub fn canonical(word: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_is_case_insensitive_and_rejects_unknown() {
        assert_eq!(canonical("channel_answer"), Some("CHANNEL_ANSWER"));
        assert_eq!(canonical("ALL"), Some(ALL));
        assert_eq!(canonical("NOT_AN_EVENT"), None);
        assert!(KNOWN.contains(&BACKGROUND_JOB) && KNOWN.contains(&CHANNEL_DATA));
    }
}
