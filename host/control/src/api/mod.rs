//! API commands (`api`, `bgapi`, `witswitch cli -x`): parsing into [`ApiCommand`],
//! answering the pure ones here, and the output formatters the host uses for the rest.
//!
//! The host's job is small: `match dispatch(line, &ctx)`; a [`Dispatch::Done`] body
//! goes straight back, a [`Dispatch::Live`] command is run against the call engine,
//! registrar or config, and its output is formatted with [`show`], [`status`] and
//! [`replies`].

pub mod args;
pub mod command;
pub mod loglevel;
pub mod regex;
pub mod replies;
pub mod show;
pub mod sofia;
pub mod status;

use std::collections::{BTreeMap, HashMap};

pub use command::{
    ApiCommand, ApiError, FsctlCommand, OriginateCommand, OriginateTarget, ShowCommand, ShowTable,
};
pub use loglevel::{LogLevel, LogLevelSetting};
pub use status::{StatusInfo, VersionInfo};

/// Read access to global variables (`global_getvar`).
pub trait GlobalVars {
    /// One variable.
    fn get(&self, name: &str) -> Option<String>;
    /// Every variable, in the order `global_getvar` without a name lists them.
    fn all(&self) -> Vec<(String, String)>;
}

impl GlobalVars for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        BTreeMap::get(self, name).cloned()
    }

    fn all(&self) -> Vec<(String, String)> {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

impl GlobalVars for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name).cloned()
    }

    fn all(&self) -> Vec<(String, String)> {
        let mut all: Vec<_> = self.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        all.sort();
        all
    }
}

/// What the pure commands need to know.
#[derive(Clone, Copy)]
pub struct PureContext<'a> {
    /// Version naming for `version`.
    pub version: &'a VersionInfo,
    /// Global variables for `global_getvar`.
    pub globals: &'a dyn GlobalVars,
}

impl std::fmt::Debug for PureContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PureContext")
            .field("version", self.version)
            .finish_non_exhaustive()
    }
}

/// The outcome of [`dispatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dispatch {
    /// The response body, complete (errors and usage texts included).
    Done(String),
    /// A command that needs live state; the host runs it.
    Live(ApiCommand),
}

/// Parses an API line and answers it when no live state is needed.
pub fn dispatch(line: &str, ctx: &PureContext<'_>) -> Dispatch {
    match ApiCommand::parse(line) {
        Err(error) => Dispatch::Done(error.to_string()),
        Ok(ApiCommand::Version { short }) => Dispatch::Done(if short {
            ctx.version.short_text()
        } else {
            ctx.version.version_text()
        }),
        Ok(ApiCommand::Regex(regex)) => Dispatch::Done(regex.run()),
        Ok(ApiCommand::GlobalGetVar { name: Some(name) }) => {
            // No trailing LF, as recorded (`127.0.0.1`); unset is the empty string.
            Dispatch::Done(ctx.globals.get(&name).unwrap_or_default())
        }
        Ok(ApiCommand::GlobalGetVar { name: None }) => Dispatch::Done(
            ctx.globals
                .all()
                .into_iter()
                .map(|(name, value)| format!("{name}={value}\n"))
                .collect(),
        ),
        Ok(live) => Dispatch::Live(live),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version() -> VersionInfo {
        VersionInfo {
            product: "witswitch".into(),
            full: "0.1.0".into(),
            full_human: "0.1.0 test".into(),
            revision_human: "test".into(),
            short: "0.1.0".into(),
        }
    }

    #[test]
    fn pure_commands_are_answered() {
        let version = version();
        let globals: BTreeMap<String, String> = [
            ("domain".to_string(), "127.0.0.1".to_string()),
            ("a".to_string(), "1".to_string()),
        ]
        .into();
        let ctx = PureContext {
            version: &version,
            globals: &globals,
        };
        assert_eq!(
            dispatch("version", &ctx),
            Dispatch::Done("witswitch Version 0.1.0 (test)\n".into())
        );
        assert_eq!(
            dispatch("global_getvar domain", &ctx),
            Dispatch::Done("127.0.0.1".into())
        );
        assert_eq!(
            dispatch("global_getvar nope", &ctx),
            Dispatch::Done(String::new())
        );
        assert_eq!(
            dispatch("global_getvar", &ctx),
            Dispatch::Done("a=1\ndomain=127.0.0.1\n".into())
        );
        assert_eq!(dispatch("regex 1|1", &ctx), Dispatch::Done("true".into()));
        assert_eq!(
            dispatch("nope", &ctx),
            Dispatch::Done("-ERR nope Command not found!\n".into())
        );
        assert_eq!(dispatch("status", &ctx), Dispatch::Live(ApiCommand::Status));
    }
}
