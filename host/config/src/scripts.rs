//! Script settings (`scripts.toml`): where components live, which dialplan serves
//! which context, per-script limits, variables and outbound HTTP allowlists.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// The WIT world a component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum World {
    /// Exports `route(call-info)`.
    Dialplan,
    /// Exports `run(call)`.
    App,
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            World::Dialplan => "dialplan",
            World::App => "app",
        })
    }
}

/// Resource limits for one invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLimits {
    /// Linear memory cap in MiB (64); growing past it fails inside the guest.
    pub memory_limit_mib: u32,
    /// CPU deadline for one `route` call (50 ms).
    pub route_deadline: Duration,
    /// CPU time an `app` may use while running, not counting time waiting on the caller.
    pub app_cpu_limit: Duration,
}

/// Limits on outbound HTTP from scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Responses larger than this fail.
    pub max_response_bytes: u64,
}

/// One allowlist entry: a host, optionally limited to one port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAllow {
    /// Lower-case DNS name or IP address (IPv6 without brackets).
    pub host: String,
    /// `None` allows any port.
    pub port: Option<u16>,
}

impl HttpAllow {
    /// True if a request to `host:port` matches this entry (host case-insensitive,
    /// IPv6 brackets ignored).
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.host.eq_ignore_ascii_case(host) && self.port.is_none_or(|p| p == port)
    }
}

impl fmt::Display for HttpAllow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.host.contains(':'), self.port) {
            (true, Some(p)) => write!(f, "[{}]:{p}", self.host),
            (false, Some(p)) => write!(f, "{}:{p}", self.host),
            _ => f.write_str(&self.host),
        }
    }
}

/// One script as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// Table name under `[scripts]`; `app` actions name scripts by it.
    pub name: String,
    /// The world its component must implement.
    pub world: World,
    /// The component file.
    pub path: PathBuf,
    /// Hosts it may reach over HTTP; empty denies all (the default).
    pub http_allow: Vec<HttpAllow>,
    /// Its limits (global ones unless overridden).
    pub limits: ScriptLimits,
    /// Variables it reads, on top of the global ones (these win).
    pub vars: BTreeMap<String, String>,
}

impl Script {
    /// True if this script may send an HTTP request to `host:port`.
    pub fn allows_http(&self, host: &str, port: u16) -> bool {
        self.http_allow.iter().any(|a| a.matches(host, port))
    }
}

/// Everything from `scripts.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptSettings {
    /// Folder the components live in and the watcher observes.
    pub folder: PathBuf,
    /// Limits for scripts that do not set their own.
    pub limits: ScriptLimits,
    /// Outbound HTTP limits.
    pub http: HttpSettings,
    /// Context name to the dialplan script serving it.
    pub contexts: BTreeMap<String, String>,
    /// Scripts by name.
    pub scripts: BTreeMap<String, Script>,
}

impl ScriptSettings {
    /// The dialplan script that routes calls in `context`.
    pub fn dialplan_for(&self, context: &str) -> Option<&Script> {
        self.scripts.get(self.contexts.get(context)?)
    }

    /// The script called `name`.
    pub fn script(&self, name: &str) -> Option<&Script> {
        self.scripts.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(allow: Vec<HttpAllow>) -> Script {
        Script {
            name: "s".into(),
            world: World::Dialplan,
            path: PathBuf::from("s.wasm"),
            http_allow: allow,
            limits: ScriptLimits {
                memory_limit_mib: 64,
                route_deadline: Duration::from_millis(50),
                app_cpu_limit: Duration::from_secs(1),
            },
            vars: BTreeMap::new(),
        }
    }

    #[test]
    fn http_is_denied_by_default() {
        assert!(!script(Vec::new()).allows_http("127.0.0.1", 80));
    }

    #[test]
    fn http_allow_by_host_and_port() {
        let s = script(vec![
            HttpAllow {
                host: "api.example.com".into(),
                port: None,
            },
            HttpAllow {
                host: "127.0.0.1".into(),
                port: Some(8088),
            },
            HttpAllow {
                host: "::1".into(),
                port: Some(9000),
            },
        ]);
        assert!(s.allows_http("API.example.com", 443));
        assert!(s.allows_http("127.0.0.1", 8088));
        assert!(!s.allows_http("127.0.0.1", 8089));
        assert!(s.allows_http("[::1]", 9000));
        assert!(!s.allows_http("evil.example.com", 443));
        assert!(!s.allows_http("example.com", 443));
    }
}
