//! Switch-wide settings from `witswitch.toml`: limits, logging, state folder,
//! RTP ports, the event socket and call detail records.

use std::fmt;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::str::FromStr;

use serde::Deserialize;
use thiserror::Error;

/// `[core]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreSettings {
    /// Most concurrent sessions; over it an INVITE gets 503 (FreeSWITCH `max-sessions`, 1000).
    pub max_sessions: u32,
    /// Most new sessions per second (FreeSWITCH `sessions-per-second`, 30).
    pub sessions_per_second: u32,
    /// Console log level at start.
    pub log_level: LogLevel,
    /// Folder for generated secrets, CDRs and compiled scripts (`var/` under the repo).
    pub state_dir: PathBuf,
    /// UDP ports RTP and RTCP sockets are taken from (`rtp-start-port`..=`rtp-end-port`).
    pub rtp_ports: RangeInclusive<u16>,
}

/// FreeSWITCH log levels, numbered as `fsctl loglevel` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum LogLevel {
    /// 0
    Console,
    /// 1
    Alert,
    /// 2
    Crit,
    /// 3
    Err,
    /// 4
    Warning,
    /// 5
    Notice,
    /// 6
    Info,
    /// 7
    Debug,
}

/// A log level name or number that is not one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown log level \"{0}\" (console, alert, crit, err, warning, notice, info, debug or 0-7)"
)]
pub struct UnknownLogLevel(pub String);

impl LogLevel {
    const ALL: [LogLevel; 8] = [
        LogLevel::Console,
        LogLevel::Alert,
        LogLevel::Crit,
        LogLevel::Err,
        LogLevel::Warning,
        LogLevel::Notice,
        LogLevel::Info,
        LogLevel::Debug,
    ];

    /// The FreeSWITCH number, 0 (console) to 7 (debug).
    pub fn number(self) -> u8 {
        match self {
            LogLevel::Console => 0,
            LogLevel::Alert => 1,
            LogLevel::Crit => 2,
            LogLevel::Err => 3,
            LogLevel::Warning => 4,
            LogLevel::Notice => 5,
            LogLevel::Info => 6,
            LogLevel::Debug => 7,
        }
    }

    /// The FreeSWITCH name, lower case.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Console => "console",
            LogLevel::Alert => "alert",
            LogLevel::Crit => "crit",
            LogLevel::Err => "err",
            LogLevel::Warning => "warning",
            LogLevel::Notice => "notice",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

impl FromStr for LogLevel {
    type Err = UnknownLogLevel;

    /// Accepts the FreeSWITCH names (any case), `error`/`warn` as aliases, and 0-7.
    fn from_str(text: &str) -> Result<LogLevel, UnknownLogLevel> {
        let lower = text.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "error" => "err",
            "warn" => "warning",
            other => other,
        };
        LogLevel::ALL
            .into_iter()
            .find(|level| level.name() == alias || level.number().to_string() == alias)
            .ok_or_else(|| UnknownLogLevel(text.to_owned()))
    }
}

impl TryFrom<String> for LogLevel {
    type Error = UnknownLogLevel;

    fn try_from(text: String) -> Result<LogLevel, UnknownLogLevel> {
        text.parse()
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `[event-socket]`: the FreeSWITCH-compatible ESL listener.
#[derive(Clone, PartialEq, Eq)]
pub struct EventSocketSettings {
    /// Where it listens (`listen-ip`, `listen-port`; 127.0.0.1:8021).
    pub listen: SocketAddr,
    /// The `auth` password.
    pub password: String,
    /// ACL list clients must pass, if any.
    pub apply_inbound_acl: Option<String>,
}

impl fmt::Debug for EventSocketSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventSocketSettings")
            .field("listen", &self.listen)
            .field("password", &"<redacted>")
            .field("apply_inbound_acl", &self.apply_inbound_acl)
            .finish()
    }
}

/// `[cdr]`: one JSON line per leg at hangup, with size-based rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdrSettings {
    /// The file written to (relative paths are under the state folder).
    pub path: PathBuf,
    /// Rotate once the file reaches this size.
    pub max_file_bytes: u64,
    /// Rotated files kept (`cdr.json.1` ... `cdr.json.N`).
    pub keep_files: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_levels_by_name_alias_and_number() {
        assert_eq!("warning".parse::<LogLevel>(), Ok(LogLevel::Warning));
        assert_eq!("WARN".parse::<LogLevel>(), Ok(LogLevel::Warning));
        assert_eq!("error".parse::<LogLevel>(), Ok(LogLevel::Err));
        assert_eq!("7".parse::<LogLevel>(), Ok(LogLevel::Debug));
        assert_eq!("0".parse::<LogLevel>(), Ok(LogLevel::Console));
        assert!("8".parse::<LogLevel>().is_err());
        assert!("verbose".parse::<LogLevel>().is_err());
        for level in LogLevel::ALL {
            assert_eq!(level.to_string().parse::<LogLevel>(), Ok(level));
        }
        assert!(LogLevel::Debug > LogLevel::Info);
    }
}
