//! `api` command lines parsed into a typed [`ApiCommand`], with FreeSWITCH's names,
//! argument orders and error texts (`-ERR <cmd> Command not found!`, `-USAGE: ...`).

use thiserror::Error;

use super::args::split;
use super::loglevel::LogLevelSetting;

/// Which table `show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowTable {
    /// `show channels`.
    Channels,
    /// `show calls` (bridged pairs as one row).
    Calls,
    /// `show registrations`.
    Registrations,
}

/// `show <table> [as json] [count] [like <text>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowCommand {
    /// The table.
    pub table: ShowTable,
    /// `as json`.
    pub json: bool,
    /// `count`: only the `N total.` line.
    pub count: bool,
    /// `like <text>`: rows containing the text.
    pub like: Option<String>,
}

/// What `originate` connects the new leg to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginateTarget {
    /// `&app(args)`: run one application.
    Application {
        /// Application name.
        name: String,
        /// Its argument (empty for `&park()` or `&echo`).
        args: String,
    },
    /// An extension routed through a dialplan and context.
    Extension {
        /// Destination number.
        exten: String,
        /// Dialplan (FreeSWITCH default `XML`).
        dialplan: Option<String>,
        /// Context (FreeSWITCH default `default`).
        context: Option<String>,
    },
}

/// `originate <dial string> <target> [dialplan] [context] [cid_name] [cid_num] [timeout]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginateCommand {
    /// The dial string as given, `{vars}` prefix included (`user/1000`, `sofia/gateway/gw/123`).
    pub dial_string: String,
    /// Where the answered leg goes.
    pub target: OriginateTarget,
    /// Caller ID name.
    pub caller_id_name: Option<String>,
    /// Caller ID number.
    pub caller_id_number: Option<String>,
    /// Ring timeout in seconds.
    pub timeout_secs: Option<u32>,
}

/// Which legs `uuid_transfer` moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferLeg {
    /// The named channel (default).
    A,
    /// `-bleg`: its bridged peer.
    B,
    /// `-both`: both legs.
    Both,
}

/// `uuid_record` actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum RecordAction {
    Start,
    Stop,
    Mask,
    Unmask,
}

/// `fsctl shutdown` modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownMode {
    /// Hang up everything and stop now.
    Now,
    /// `elegant`: refuse new calls, stop when the last call ends.
    Elegant,
    /// `cancel`: cancel a pending elegant shutdown.
    Cancel,
}

/// `fsctl` subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsctlCommand {
    /// `fsctl loglevel [level]` (no level sets DISABLE, as FreeSWITCH does).
    LogLevel(LogLevelSetting),
    /// `fsctl max_sessions [n]` (no number reads the value).
    MaxSessions(Option<u32>),
    /// `fsctl sps [n]`.
    Sps(Option<u32>),
    /// `fsctl shutdown [elegant|cancel]`.
    Shutdown(ShutdownMode),
}

/// `sofia` subcommands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SofiaCommand {
    /// `sofia status`.
    Status,
    /// `sofia status profile <p>` (`reg` lists registrations, optionally matching a user).
    StatusProfile {
        /// Profile name.
        profile: String,
        /// `Some` with `reg`, `Some(Some(filter))` with `reg <filter>`.
        registrations: Option<Option<String>>,
    },
    /// `sofia status gateway <gw>`.
    StatusGateway {
        /// Gateway name.
        gateway: String,
    },
    /// `sofia profile <p> rescan`: pick up new gateways without a restart.
    Rescan {
        /// Profile name.
        profile: String,
    },
    /// `sofia profile <p> restart`.
    Restart {
        /// Profile name.
        profile: String,
    },
    /// `sofia profile <p> killgw <gw>`.
    KillGateway {
        /// Profile name.
        profile: String,
        /// Gateway name.
        gateway: String,
    },
    /// `sofia profile <p> register <gw>` (`all` for every gateway).
    Register {
        /// Profile name.
        profile: String,
        /// Gateway name.
        gateway: String,
    },
}

/// A parsed API command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ApiCommand {
    Status,
    /// `version [short]`.
    Version {
        short: bool,
    },
    /// `uptime [us|ms|s|m|h|d]`.
    Uptime {
        unit: UptimeUnit,
    },
    Show(ShowCommand),
    Originate(OriginateCommand),
    UuidKill {
        uuid: String,
        cause: Option<String>,
    },
    UuidTransfer {
        uuid: String,
        leg: TransferLeg,
        destination: String,
        dialplan: Option<String>,
        context: Option<String>,
    },
    UuidBridge {
        uuid: String,
        other_uuid: String,
    },
    UuidAnswer {
        uuid: String,
    },
    UuidRecord {
        uuid: String,
        action: RecordAction,
        path: String,
        limit_secs: Option<u32>,
    },
    UuidGetVar {
        uuid: String,
        name: String,
    },
    /// `uuid_setvar <uuid> <name> [value]` (no value unsets).
    UuidSetVar {
        uuid: String,
        name: String,
        value: Option<String>,
    },
    UuidSendDtmf {
        uuid: String,
        digits: String,
    },
    /// `uuid_break <uuid> [all]`.
    UuidBreak {
        uuid: String,
        all: bool,
    },
    UuidExists {
        uuid: String,
    },
    /// `uuid_dump <uuid> [json|xml|plain]`.
    UuidDump {
        uuid: String,
        format: Option<String>,
    },
    /// `hupall [cause]`.
    Hupall {
        cause: Option<String>,
    },
    ReloadXml,
    ReloadAcl,
    Fsctl(FsctlCommand),
    Regex(super::regex::RegexCommand),
    /// `global_getvar [name]` (no name lists all).
    GlobalGetVar {
        name: Option<String>,
    },
    GlobalSetVar {
        name: String,
        value: String,
    },
    Sofia(SofiaCommand),
    /// `sofia_contact [profile/]user[@domain]`: the registered contact as a dial string.
    SofiaContact {
        target: String,
    },
    /// witswitch's `script status`.
    ScriptStatus,
    /// witswitch's `script reload <name>`.
    ScriptReload {
        name: String,
    },
}

/// Units of `uptime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum UptimeUnit {
    Microseconds,
    Milliseconds,
    Seconds,
    Minutes,
    Hours,
    Days,
}

/// Why an API command line was not accepted; `Display` is the response body.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ApiError {
    /// Unknown command (`-ERR bogus_command Command not found!` in api_misc).
    #[error("-ERR {0} Command not found!\n")]
    NotFound(String),
    /// Known command, wrong arguments.
    #[error("-USAGE: {0}\n")]
    Usage(&'static str),
}

/// FreeSWITCH's syntax strings, printed after `-USAGE: `.
pub mod usage {
    #![allow(missing_docs)]
    pub const ORIGINATE: &str = "<call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]";
    pub const UUID_KILL: &str = "<uuid> [cause]";
    pub const UUID_TRANSFER: &str = "<uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]";
    pub const UUID_BRIDGE: &str = "<uuid> <other_uuid>";
    pub const UUID_ONLY: &str = "<uuid>";
    pub const UUID_RECORD: &str = "<uuid> [start|stop|mask|unmask] <path> [<limit>]";
    pub const UUID_GETVAR: &str = "<uuid> <var>";
    pub const UUID_SETVAR: &str = "<uuid> <var> [value]";
    pub const UUID_SEND_DTMF: &str = "<uuid> <dtmf_data>";
    pub const UUID_BREAK: &str = "<uuid> [all]";
    pub const UUID_DUMP: &str = "<uuid> [format]";
    pub const SHOW: &str = "channels|calls|registrations [as json] [count] [like <text>]";
    pub const FSCTL: &str = "[loglevel [level]|max_sessions [n]|sps [n]|shutdown [elegant|cancel]]";
    pub const REGEX: &str = "<data>|<pattern>[|<subst string>]";
    pub const GLOBAL_SETVAR: &str = "<var>=<value>";
    pub const SOFIA: &str = "status [profile <p> [reg [<filter>]]|gateway <gw>] | profile <p> [rescan|restart|killgw <gw>|register <gw>]";
    pub const SOFIA_CONTACT: &str = "[profile/]<user>@<domain>";
    pub const SCRIPT: &str = "status|reload <name>";
    pub const UPTIME: &str = "[us|ms|s|m|h|d]";
}

impl ApiCommand {
    /// Parses `<command> [args]` (the text after `api `).
    pub fn parse(line: &str) -> Result<Self, ApiError> {
        let line = line.trim();
        let (name, args) = line.split_once(' ').unwrap_or((line, ""));
        let args = args.trim();
        let words = split(args, 0);
        let word = |i: usize| words.get(i).map(String::as_str);
        let lower = name.to_ascii_lowercase();
        let command = match lower.as_str() {
            "status" => Self::Status,
            "version" => Self::Version {
                short: word(0) == Some("short"),
            },
            "uptime" => Self::Uptime {
                unit: parse_uptime_unit(word(0))?,
            },
            "show" => Self::Show(parse_show(&words)?),
            "originate" => Self::Originate(parse_originate(&words)?),
            "hupall" => Self::Hupall {
                cause: word(0).map(str::to_string),
            },
            "reloadxml" => Self::ReloadXml,
            "reloadacl" => Self::ReloadAcl,
            "fsctl" => Self::Fsctl(parse_fsctl(&words)?),
            "regex" => Self::Regex(
                super::regex::RegexCommand::parse(args).ok_or(ApiError::Usage(usage::REGEX))?,
            ),
            "global_getvar" => Self::GlobalGetVar {
                name: word(0).map(str::to_string),
            },
            "global_setvar" => parse_global_setvar(args)?,
            "sofia" => Self::Sofia(parse_sofia(&words)?),
            "sofia_contact" => Self::SofiaContact {
                target: word(0)
                    .ok_or(ApiError::Usage(usage::SOFIA_CONTACT))?
                    .to_string(),
            },
            "script" => parse_script(&words)?,
            _ if lower.starts_with("uuid_") => parse_uuid_command(&lower, args)?,
            _ => return Err(ApiError::NotFound(name.to_string())),
        };
        Ok(command)
    }
}

fn parse_uptime_unit(word: Option<&str>) -> Result<UptimeUnit, ApiError> {
    Ok(match word {
        None | Some("s") => UptimeUnit::Seconds,
        Some("us") => UptimeUnit::Microseconds,
        Some("ms") => UptimeUnit::Milliseconds,
        Some("m") => UptimeUnit::Minutes,
        Some("h") => UptimeUnit::Hours,
        Some("d") => UptimeUnit::Days,
        Some(_) => return Err(ApiError::Usage(usage::UPTIME)),
    })
}

fn parse_show(words: &[String]) -> Result<ShowCommand, ApiError> {
    let table = match words.first().map(|w| w.to_ascii_lowercase()).as_deref() {
        Some("channels") => ShowTable::Channels,
        Some("calls") => ShowTable::Calls,
        Some("registrations") => ShowTable::Registrations,
        _ => return Err(ApiError::Usage(usage::SHOW)),
    };
    let mut show = ShowCommand {
        table,
        json: false,
        count: false,
        like: None,
    };
    let mut rest = words.iter().skip(1).map(String::as_str);
    while let Some(word) = rest.next() {
        match word {
            "count" => show.count = true,
            "as" => match rest.next() {
                Some("json") => show.json = true,
                _ => return Err(ApiError::Usage(usage::SHOW)),
            },
            "like" => {
                show.like = Some(rest.next().ok_or(ApiError::Usage(usage::SHOW))?.to_string())
            }
            _ => return Err(ApiError::Usage(usage::SHOW)),
        }
    }
    Ok(show)
}

fn parse_originate(words: &[String]) -> Result<OriginateCommand, ApiError> {
    let bad = || ApiError::Usage(usage::ORIGINATE);
    let (Some(dial_string), Some(target)) = (words.first(), words.get(1)) else {
        return Err(bad());
    };
    let optional = |i: usize| {
        words
            .get(i)
            .filter(|w| !w.is_empty() && *w != "undef")
            .cloned()
    };
    let target = match target.strip_prefix('&') {
        Some(app) if !app.is_empty() => {
            let (name, args) = match app.split_once('(') {
                Some((name, rest)) => (name, rest.strip_suffix(')').unwrap_or(rest)),
                None => (app, ""),
            };
            OriginateTarget::Application {
                name: name.to_string(),
                args: args.to_string(),
            }
        }
        Some(_) => return Err(bad()),
        None => OriginateTarget::Extension {
            exten: target.clone(),
            dialplan: optional(2),
            context: optional(3),
        },
    };
    let timeout_secs = match optional(6) {
        Some(text) => Some(text.parse().map_err(|_| bad())?),
        None => None,
    };
    Ok(OriginateCommand {
        dial_string: dial_string.clone(),
        target,
        caller_id_name: optional(4),
        caller_id_number: optional(5),
        timeout_secs,
    })
}

fn parse_fsctl(words: &[String]) -> Result<FsctlCommand, ApiError> {
    let bad = || ApiError::Usage(usage::FSCTL);
    let number = |i: usize| -> Result<Option<u32>, ApiError> {
        words
            .get(i)
            .map(|w| w.parse().map_err(|_| bad()))
            .transpose()
    };
    match words.first().map(|w| w.to_ascii_lowercase()).as_deref() {
        Some("loglevel") => {
            let level = match words.get(1) {
                Some(word) => LogLevelSetting::parse(word).ok_or_else(bad)?,
                None => LogLevelSetting::Disable,
            };
            Ok(FsctlCommand::LogLevel(level))
        }
        Some("max_sessions") => Ok(FsctlCommand::MaxSessions(number(1)?)),
        Some("sps") => Ok(FsctlCommand::Sps(number(1)?)),
        Some("shutdown") => {
            let mode = match words.get(1).map(|w| w.to_ascii_lowercase()).as_deref() {
                None => ShutdownMode::Now,
                Some("elegant") => ShutdownMode::Elegant,
                Some("cancel") => ShutdownMode::Cancel,
                Some(_) => return Err(bad()),
            };
            Ok(FsctlCommand::Shutdown(mode))
        }
        _ => Err(bad()),
    }
}

fn parse_global_setvar(args: &str) -> Result<ApiCommand, ApiError> {
    match args.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok(ApiCommand::GlobalSetVar {
            name: name.trim().to_string(),
            value: value.trim().to_string(),
        }),
        _ => Err(ApiError::Usage(usage::GLOBAL_SETVAR)),
    }
}

fn parse_sofia(words: &[String]) -> Result<SofiaCommand, ApiError> {
    let bad = || ApiError::Usage(usage::SOFIA);
    let word = |i: usize| words.get(i).map(String::as_str);
    match (word(0), word(1), word(2), word(3)) {
        (Some("status"), None, _, _) => Ok(SofiaCommand::Status),
        (Some("status"), Some("profile"), Some(profile), reg) => {
            let registrations = match reg {
                None => None,
                Some("reg") => Some(word(4).map(str::to_string)),
                Some(_) => return Err(bad()),
            };
            Ok(SofiaCommand::StatusProfile {
                profile: profile.to_string(),
                registrations,
            })
        }
        (Some("status"), Some("gateway"), Some(gateway), None) => Ok(SofiaCommand::StatusGateway {
            gateway: gateway.to_string(),
        }),
        (Some("profile"), Some(profile), Some(action), gateway) => {
            let profile = profile.to_string();
            match (action, gateway) {
                ("rescan", None) => Ok(SofiaCommand::Rescan { profile }),
                ("restart", None) => Ok(SofiaCommand::Restart { profile }),
                ("killgw", Some(gw)) => Ok(SofiaCommand::KillGateway {
                    profile,
                    gateway: gw.to_string(),
                }),
                ("register", Some(gw)) => Ok(SofiaCommand::Register {
                    profile,
                    gateway: gw.to_string(),
                }),
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

fn parse_script(words: &[String]) -> Result<ApiCommand, ApiError> {
    match (words.first().map(String::as_str), words.get(1), words.len()) {
        (Some("status"), None, 1) => Ok(ApiCommand::ScriptStatus),
        (Some("reload"), Some(name), 2) => Ok(ApiCommand::ScriptReload { name: name.clone() }),
        _ => Err(ApiError::Usage(usage::SCRIPT)),
    }
}

fn parse_uuid_command(name: &str, args: &str) -> Result<ApiCommand, ApiError> {
    let words = split(args, 0);
    let word = |i: usize| words.get(i).cloned();
    let need = |i: usize, usage: &'static str| word(i).ok_or(ApiError::Usage(usage));
    let command = match name {
        "uuid_kill" => ApiCommand::UuidKill {
            uuid: need(0, usage::UUID_KILL)?,
            cause: word(1),
        },
        "uuid_transfer" => parse_transfer(&words)?,
        "uuid_bridge" => ApiCommand::UuidBridge {
            uuid: need(0, usage::UUID_BRIDGE)?,
            other_uuid: need(1, usage::UUID_BRIDGE)?,
        },
        "uuid_answer" => ApiCommand::UuidAnswer {
            uuid: need(0, usage::UUID_ONLY)?,
        },
        "uuid_record" => parse_record(&words)?,
        "uuid_getvar" => ApiCommand::UuidGetVar {
            uuid: need(0, usage::UUID_GETVAR)?,
            name: need(1, usage::UUID_GETVAR)?,
        },
        "uuid_setvar" => {
            let parts = split(args, 3);
            let part = |i: usize| {
                parts
                    .get(i)
                    .cloned()
                    .ok_or(ApiError::Usage(usage::UUID_SETVAR))
            };
            ApiCommand::UuidSetVar {
                uuid: part(0)?,
                name: part(1)?,
                value: parts.get(2).cloned(),
            }
        }
        "uuid_send_dtmf" => ApiCommand::UuidSendDtmf {
            uuid: need(0, usage::UUID_SEND_DTMF)?,
            digits: need(1, usage::UUID_SEND_DTMF)?,
        },
        "uuid_break" => ApiCommand::UuidBreak {
            uuid: need(0, usage::UUID_BREAK)?,
            all: word(1).as_deref() == Some("all"),
        },
        "uuid_exists" => ApiCommand::UuidExists {
            uuid: need(0, usage::UUID_ONLY)?,
        },
        "uuid_dump" => ApiCommand::UuidDump {
            uuid: need(0, usage::UUID_DUMP)?,
            format: word(1),
        },
        _ => return Err(ApiError::NotFound(name.to_string())),
    };
    Ok(command)
}

fn parse_transfer(words: &[String]) -> Result<ApiCommand, ApiError> {
    let bad = || ApiError::Usage(usage::UUID_TRANSFER);
    let uuid = words.first().ok_or_else(bad)?.clone();
    let (leg, rest) = match words.get(1).map(String::as_str) {
        Some("-bleg") => (TransferLeg::B, &words[2.min(words.len())..]),
        Some("-both") => (TransferLeg::Both, &words[2.min(words.len())..]),
        _ => (TransferLeg::A, &words[1.min(words.len())..]),
    };
    let destination = rest.first().ok_or_else(bad)?.clone();
    Ok(ApiCommand::UuidTransfer {
        uuid,
        leg,
        destination,
        dialplan: rest.get(1).cloned(),
        context: rest.get(2).cloned(),
    })
}

fn parse_record(words: &[String]) -> Result<ApiCommand, ApiError> {
    let bad = || ApiError::Usage(usage::UUID_RECORD);
    let action = match words.get(1).map(String::as_str) {
        Some("start") => RecordAction::Start,
        Some("stop") => RecordAction::Stop,
        Some("mask") => RecordAction::Mask,
        Some("unmask") => RecordAction::Unmask,
        _ => return Err(bad()),
    };
    let limit_secs = words
        .get(3)
        .map(|w| w.parse().map_err(|_| bad()))
        .transpose()?;
    Ok(ApiCommand::UuidRecord {
        uuid: words.first().ok_or_else(bad)?.clone(),
        action,
        path: words.get(2).ok_or_else(bad)?.clone(),
        limit_secs,
    })
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
