//! Dialplan actions (mirroring the WIT `action` variant, so the core does
//! not depend on wasmtime; the binary converts) and the outcome of routing.

use witswitch_types::HangupCause;

/// Log severities, FreeSWITCH's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[allow(missing_docs)]
pub enum LogLevel {
    Debug,
    Info,
    Notice,
    Warning,
    Err,
    Crit,
    Alert,
}

impl LogLevel {
    /// Parses FreeSWITCH's level words (`DEBUG`, `INFO`, `NOTICE`,
    /// `WARNING`, `ERR`, `CRIT`, `ALERT`, any case; `ERROR` too).
    pub fn parse(word: &str) -> Option<LogLevel> {
        let level = match word.to_ascii_uppercase().as_str() {
            "DEBUG" | "CONSOLE" => Self::Debug,
            "INFO" => Self::Info,
            "NOTICE" => Self::Notice,
            "WARNING" | "WARN" => Self::Warning,
            "ERR" | "ERROR" => Self::Err,
            "CRIT" => Self::Crit,
            "ALERT" => Self::Alert,
            _ => return None,
        };
        Some(level)
    }

    /// The FreeSWITCH word.
    pub fn name(self) -> &'static str {
        match self {
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Notice => "NOTICE",
            Self::Warning => "WARNING",
            Self::Err => "ERR",
            Self::Crit => "CRIT",
            Self::Alert => "ALERT",
        }
    }
}

/// One dialplan application, executed in order after routing. Data strings
/// may hold `${var}` references, expanded when the action runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `answer`: 200 OK with SDP.
    Answer,
    /// `pre_answer`: 183 Session Progress with SDP.
    PreAnswer,
    /// `ring_ready`: 180 Ringing.
    RingReady,
    /// `playback <source>`.
    Playback(String),
    /// `bridge <dial string>`.
    Bridge(String),
    /// `record_session <path>`.
    RecordSession(String),
    /// `stop_record_session <path>`.
    StopRecordSession(String),
    /// `set name=value`.
    Set {
        /// Variable name.
        name: String,
        /// Value (expanded when run).
        value: String,
    },
    /// `export name=value` (also for legs created later).
    Export {
        /// Variable name (`nolocal:` prefix: only for other legs).
        name: String,
        /// Value (expanded when run).
        value: String,
    },
    /// `unset name`.
    Unset(String),
    /// `hangup [cause]`.
    Hangup(HangupCause),
    /// `transfer <exten> [XML <context>]`: route again.
    Transfer {
        /// The new destination number.
        extension: String,
        /// The new context (the current one when `None`).
        context: Option<String>,
    },
    /// `sleep <ms>`.
    Sleep(u32),
    /// `echo`.
    Echo,
    /// `park`.
    Park,
    /// `log <level> <text>`.
    Log {
        /// Severity.
        level: LogLevel,
        /// Text (expanded when run).
        message: String,
    },
    /// Start an `app` component; it reads `args` from `app_args`.
    App {
        /// The app script's name.
        name: String,
        /// Free-form arguments.
        args: String,
    },
    /// Any application by its FreeSWITCH name and data string.
    Execute {
        /// Application name.
        name: String,
        /// Data string.
        data: String,
    },
}

impl Action {
    /// The FreeSWITCH application name (for events and logs).
    pub fn app_name(&self) -> &str {
        match self {
            Self::Answer => "answer",
            Self::PreAnswer => "pre_answer",
            Self::RingReady => "ring_ready",
            Self::Playback(_) => "playback",
            Self::Bridge(_) => "bridge",
            Self::RecordSession(_) => "record_session",
            Self::StopRecordSession(_) => "stop_record_session",
            Self::Set { .. } => "set",
            Self::Export { .. } => "export",
            Self::Unset(_) => "unset",
            Self::Hangup(_) => "hangup",
            Self::Transfer { .. } => "transfer",
            Self::Sleep(_) => "sleep",
            Self::Echo => "echo",
            Self::Park => "park",
            Self::Log { .. } => "log",
            Self::App { .. } => "app",
            Self::Execute { name, .. } => name,
        }
    }

    /// The application data as FreeSWITCH would print it.
    pub fn app_data(&self) -> String {
        match self {
            Self::Answer | Self::PreAnswer | Self::RingReady | Self::Echo | Self::Park => {
                String::new()
            }
            Self::Playback(s)
            | Self::Bridge(s)
            | Self::RecordSession(s)
            | Self::StopRecordSession(s) => s.clone(),
            Self::Unset(s) => s.clone(),
            Self::Set { name, value } | Self::Export { name, value } => format!("{name}={value}"),
            Self::Hangup(cause) => cause.name().to_owned(),
            Self::Transfer {
                extension,
                context: Some(context),
            } => format!("{extension} XML {context}"),
            Self::Transfer {
                extension,
                context: None,
            } => extension.clone(),
            Self::Sleep(ms) => ms.to_string(),
            Self::Log { level, message } => format!("{} {message}", level.name()),
            Self::App { name, args } => format!("{name} {args}").trim_end().to_owned(),
            Self::Execute { data, .. } => data.clone(),
        }
    }
}

/// The name and version of the script that routed a call (for the CDR).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ScriptIdent {
    /// The script's name.
    pub name: String,
    /// Its version (content hash).
    pub version: String,
}

/// Why routing produced no actions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The dialplan matched nothing: NO_ROUTE_DESTINATION (SIP 404).
    #[error("no route")]
    NoRoute,
    /// The script ran and failed on this call (trap, CPU deadline, memory
    /// limit): CRASH (SIP 500), as the script host documents.
    #[error("dialplan script failed: {0}")]
    ScriptFailed(String),
    /// No usable script for the context (not loaded, wrong world):
    /// DESTINATION_OUT_OF_ORDER (SIP 502).
    #[error("dialplan script unavailable: {0}")]
    ScriptUnavailable(String),
}

impl RouteError {
    /// The cause the channel is hung up with.
    pub fn hangup_cause(&self) -> HangupCause {
        match self {
            Self::NoRoute => HangupCause::NoRouteDestination,
            Self::ScriptFailed(_) => HangupCause::Crash,
            Self::ScriptUnavailable(_) => HangupCause::DestinationOutOfOrder,
        }
    }
}
