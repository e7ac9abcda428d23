//! Diagnostics: what is wrong, in which file, at which line and column, under which key.
//!
//! Every diagnostic displays as one line a user can act on, e.g.
//! `conf/profiles/internal.toml:7:1: unknown key "sip-prot" in [profile] (did you mean "sip-port"?)`.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use thiserror::Error;

use crate::cidr::CidrError;
use crate::expand::ExpandError;
use crate::profile::UnknownCodec;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line number, from 1.
    pub line: u32,
    /// Column number, from 1.
    pub column: u32,
}

/// Where a diagnostic points: a file and, when known, a position in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file as reached from the directory given to `Config::load`.
    pub file: PathBuf,
    /// The position, or `None` for problems with the file as a whole.
    pub position: Option<Position>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        Ok(())
    }
}

/// A key and the table it is in, e.g. key `sip-port` in section `profile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    /// The table as written in a header, e.g. `gateways.outbound`; empty for top level.
    pub section: String,
    /// The key inside that table.
    pub key: String,
}

impl KeyPath {
    /// A key path from its parts.
    pub fn new(section: impl Into<String>, key: impl Into<String>) -> KeyPath {
        KeyPath {
            section: section.into(),
            key: key.into(),
        }
    }

    fn section_label(&self) -> String {
        if self.section.is_empty() {
            "at top level".to_owned()
        } else {
            format!("in [{}]", self.section)
        }
    }
}

/// What is wrong. The display text of each kind is the part after the location and key.
#[derive(Debug, Error)]
pub enum Problem {
    /// A file or folder could not be read.
    #[error("cannot read: {0}")]
    Read(#[source] std::io::Error),
    /// A required file is absent.
    #[error("missing: {0}")]
    MissingFile(&'static str),
    /// A `.toml` file that no part of the configuration reads (likely a misspelt name).
    #[error(
        "unknown file (expected witswitch.toml, acl.toml, scripts.toml, profiles/, directory/)"
    )]
    UnknownFile,
    /// No profile files at all.
    #[error("no SIP profiles: add at least one profiles/<name>.toml")]
    NoProfiles,
    /// TOML syntax error, as the TOML reader describes it.
    #[error("{0}")]
    Syntax(String),
    /// A key no part of the configuration knows.
    #[error("unknown key{}", suggestion_text(.suggestion))]
    UnknownKey {
        /// A known key close to the misspelt one.
        suggestion: Option<String>,
    },
    /// A required key is absent.
    #[error("missing key")]
    MissingKey,
    /// A value of the wrong type or out of range, as the TOML reader describes it
    /// (e.g. `invalid value: integer 70000, expected u16`).
    #[error("{0}")]
    WrongValue(String),
    /// `${var}` expansion failed.
    #[error(transparent)]
    Variable(#[from] ExpandError),
    /// A name (profile, user, variable, script, list) with characters it may not have.
    #[error("\"{0}\" is not a usable name (letters, digits, '-', '_', '.')")]
    BadName(String),
    /// Not an IP address.
    #[error("\"{0}\" is not an IP address")]
    BadIp(String),
    /// Not a `host[:port]`.
    #[error("\"{0}\" is not host[:port]")]
    BadHostPort(String),
    /// Not a CIDR prefix.
    #[error(transparent)]
    BadCidr(#[from] CidrError),
    /// Port 0 where a real port is needed.
    #[error("port 0 is not usable; choose 1-65535")]
    PortZero,
    /// A number that must be at least 1.
    #[error("must be at least 1")]
    Zero,
    /// Two values out of order (`start` above `end`, `min` above `max`, T1 above T2).
    #[error("{low_key} ({low}) must not be above {high_key} ({high})")]
    OutOfOrder {
        /// The key that must be the smaller.
        low_key: &'static str,
        /// Its value.
        low: u64,
        /// The key that must be the larger.
        high_key: &'static str,
        /// Its value.
        high: u64,
    },
    /// Two profiles on one address, port and transport.
    #[error("{addr} ({transport}) is already used by profile '{other}' ({other_at})")]
    AddressInUse {
        /// The listening address.
        addr: SocketAddr,
        /// `udp` or `tcp`.
        transport: &'static str,
        /// The profile that has it first.
        other: String,
        /// Where that profile sets its port.
        other_at: Location,
    },
    /// The same thing twice in one list or table.
    #[error("\"{0}\" is listed twice")]
    Duplicate(String),
    /// A list that must not be empty.
    #[error("must not be empty")]
    Empty,
    /// A codec name not known.
    #[error(transparent)]
    UnknownCodec(#[from] UnknownCodec),
    /// An ACL list name that is neither built in nor defined in acl.toml.
    #[error("no ACL list named \"{name}\" (known: {known})")]
    UnknownAcl {
        /// The name referred to.
        name: String,
        /// The names that exist, comma separated.
        known: String,
    },
    /// acl.toml defines a list with a built-in name.
    #[error("\"{0}\" is a built-in ACL list and cannot be redefined")]
    ReservedAclName(String),
    /// One prefix both allowed and denied in the same list.
    #[error("{0} is both allowed and denied")]
    AllowAndDeny(String),
    /// A context (profile, gateway or user_context) that no dialplan script serves.
    #[error("context \"{0}\" has no dialplan script (add it to [contexts] in scripts.toml)")]
    UnmappedContext(String),
    /// scripts.toml refers to a script it does not define.
    #[error("no script named \"{0}\" (define it as [scripts.{0}])")]
    UnknownScript(String),
    /// A context mapped to a script whose world is not `dialplan`.
    #[error("script \"{0}\" is not a dialplan script (world = \"app\")")]
    NotADialplan(String),
    /// An HTTP allowlist entry that is not `host` or `host:port`.
    #[error("\"{0}\" is not host or host:port (write the host, not a URL)")]
    BadHttpAllow(String),
    /// A user or gateway already defined elsewhere.
    #[error("{what} is already defined at {first}")]
    AlreadyDefined {
        /// e.g. `user 1000@example.com`.
        what: String,
        /// Where it was first defined.
        first: Location,
    },
    /// `a1-hash` is not 32 (MD5) or 64 (SHA-256) hexadecimal digits.
    #[error("must be 32 (MD5) or 64 (SHA-256) hexadecimal digits")]
    BadA1Hash,
    /// Both `password` and `a1-hash` on one user.
    #[error("set password or a1-hash, not both")]
    PasswordAndA1Hash,
    /// A password in `[defaults]`: one password shared by every user.
    #[error(
        "a password shared by every user is the FreeSWITCH toll-fraud hazard; \
         set it per user, or leave it out to get a generated secret per user"
    )]
    SharedPassword,
    /// A free user variable that has its own key.
    #[error("\"{0}\" has its own key in the user table; set it there")]
    ReservedVariable(String),
    /// A profile references a directory domain no directory file defines.
    #[error("no directory file defines domain \"{0}\"")]
    UnknownDomain(String),
    /// A registering gateway without credentials.
    #[error("a gateway with register = true needs username and password")]
    GatewayCredentials,
    /// The FreeSWITCH example password while a profile is reachable from outside.
    #[error(
        "user {user} has the FreeSWITCH example password \"1234\" while profile '{profile}' \
         listens on {addr}, which is not loopback: anyone who can reach it could register \
         as this user and place calls; remove the password (a random one is generated on \
         first run) or set a strong one"
    )]
    ExamplePassword {
        /// `id@domain`.
        user: String,
        /// The exposed profile.
        profile: String,
        /// Its address.
        addr: SocketAddr,
    },
    /// The FreeSWITCH event-socket default password on a non-loopback address.
    #[error(
        "the event socket listens on {0}, which is not loopback, with the well-known \
         password \"ClueCon\": anyone who can reach it controls the switch; set another password"
    )]
    ExampleEventSocketPassword(SocketAddr),
}

fn suggestion_text(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean \"{s}\"?)"))
        .unwrap_or_default()
}

/// One problem found in the configuration.
#[derive(Debug)]
pub struct ConfigDiagnostic {
    /// Where it is.
    pub location: Location,
    /// The key it concerns, when there is one.
    pub key: Option<KeyPath>,
    /// What is wrong.
    pub problem: Problem,
}

impl ConfigDiagnostic {
    /// A diagnostic about a key.
    pub fn at_key(location: Location, key: KeyPath, problem: Problem) -> ConfigDiagnostic {
        ConfigDiagnostic {
            location,
            key: Some(key),
            problem,
        }
    }

    /// A diagnostic about a whole file (or a place with no single key).
    pub fn at(location: Location, problem: Problem) -> ConfigDiagnostic {
        ConfigDiagnostic {
            location,
            key: None,
            problem,
        }
    }
}

impl fmt::Display for ConfigDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.location)?;
        let Some(key) = &self.key else {
            return write!(f, "{}", self.problem);
        };
        match &self.problem {
            Problem::UnknownKey { suggestion } => write!(
                f,
                "unknown key \"{}\" {}{}",
                key.key,
                key.section_label(),
                suggestion_text(suggestion)
            ),
            Problem::MissingKey => {
                write!(f, "missing key \"{}\" {}", key.key, key.section_label())
            }
            problem if key.section.is_empty() => write!(f, "{}: {problem}", key.key),
            problem => write!(f, "[{}] {}: {problem}", key.section, key.key),
        }
    }
}

impl std::error::Error for ConfigDiagnostic {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.problem)
    }
}

/// The configuration could not be loaded. Displays one line per diagnostic,
/// in file and line order; this is the text `witswitch check` and `run` print.
#[derive(Debug, Error)]
#[error("{}", lines(.diagnostics))]
pub struct ConfigError {
    /// Every problem found (never empty).
    pub diagnostics: Vec<ConfigDiagnostic>,
}

fn lines(diagnostics: &[ConfigDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
