//! Typed errors of the script host, and the hangup cause the call engine uses
//! when an invocation fails.
//!
//! Mapping to hangup causes (what the call engine does with a failed script):
//! - The script ran and failed on this call (`Trap`, `DeadlineExceeded`,
//!   `MemoryLimit`, `TableLimit`, `Instantiate`): `CRASH` (FreeSWITCH 500, SIP 500).
//!   Only this call ends; the script stays loaded for the next one.
//! - No usable script is there at all (`NotFound`, `WrongWorld`, `Compile`, `Io`):
//!   `DESTINATION_OUT_OF_ORDER` (Q.850 27, SIP 502). This is a deployment problem
//!   the operator fixes; `script status` shows why.

use std::path::PathBuf;
use std::time::Duration;

use crate::bindings::types::HangupCause;
use crate::world::{World, WorldMismatch};

/// Everything that can go wrong loading or invoking a script.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// No script is loaded under this name.
    #[error("no script named `{name}` is loaded")]
    NotFound {
        /// The name asked for.
        name: String,
    },
    /// The file could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The bytes are not a valid WebAssembly component (or failed to compile).
    #[error("script `{name}` does not compile: {message}")]
    Compile {
        /// The script's name.
        name: String,
        /// wasmtime's explanation.
        message: String,
    },
    /// The component is not of the expected world.
    #[error("script `{name}` {mismatch}")]
    WrongWorld {
        /// The script's name.
        name: String,
        /// What is missing or different.
        mismatch: WorldMismatch,
    },
    /// Creating the instance failed (instance pool exhausted, start function
    /// failed, ...).
    #[error("script `{name}` could not be instantiated: {message}")]
    Instantiate {
        /// The script's name.
        name: String,
        /// wasmtime's explanation.
        message: String,
    },
    /// The guest trapped (`unreachable`, a panic, an out-of-bounds access, a
    /// host function refusing to continue).
    #[error("script `{name}` trapped: {message}")]
    Trap {
        /// The script's name.
        name: String,
        /// The trap, followed by what the guest wrote to stderr (its panic
        /// message) when it wrote anything.
        message: String,
    },
    /// The guest ran out of CPU time.
    #[error("script `{name}` exceeded its CPU deadline of {} ms", budget.as_millis())]
    DeadlineExceeded {
        /// The script's name.
        name: String,
        /// The CPU budget it had.
        budget: Duration,
    },
    /// The guest tried to grow its linear memory past its limit.
    #[error("script `{name}` exceeded its memory limit of {limit_bytes} bytes")]
    MemoryLimit {
        /// The script's name.
        name: String,
        /// The limit.
        limit_bytes: u64,
    },
    /// The guest tried to grow a table past its limit.
    #[error("script `{name}` exceeded its table limit of {limit_elements} elements")]
    TableLimit {
        /// The script's name.
        name: String,
        /// The limit.
        limit_elements: usize,
    },
    /// The wasmtime engine could not be created from the settings.
    #[error("script engine configuration rejected: {message}")]
    Engine {
        /// wasmtime's explanation.
        message: String,
    },
    /// The scripts folder could not be watched.
    #[error("cannot watch `{}`: {source}", path.display())]
    Watch {
        /// The folder.
        path: PathBuf,
        /// notify's error.
        source: notify::Error,
    },
}

/// The kind of a [`ScriptError`], without its payload: for events, counters and
/// status lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptErrorKind {
    /// [`ScriptError::NotFound`].
    NotFound,
    /// [`ScriptError::Io`].
    Io,
    /// [`ScriptError::Compile`].
    Compile,
    /// [`ScriptError::WrongWorld`].
    WrongWorld,
    /// [`ScriptError::Instantiate`].
    Instantiate,
    /// [`ScriptError::Trap`].
    Trap,
    /// [`ScriptError::DeadlineExceeded`].
    DeadlineExceeded,
    /// [`ScriptError::MemoryLimit`].
    MemoryLimit,
    /// [`ScriptError::TableLimit`].
    TableLimit,
    /// [`ScriptError::Engine`].
    Engine,
    /// [`ScriptError::Watch`].
    Watch,
}

impl ScriptError {
    /// The kind of this error.
    pub fn kind(&self) -> ScriptErrorKind {
        match self {
            ScriptError::NotFound { .. } => ScriptErrorKind::NotFound,
            ScriptError::Io { .. } => ScriptErrorKind::Io,
            ScriptError::Compile { .. } => ScriptErrorKind::Compile,
            ScriptError::WrongWorld { .. } => ScriptErrorKind::WrongWorld,
            ScriptError::Instantiate { .. } => ScriptErrorKind::Instantiate,
            ScriptError::Trap { .. } => ScriptErrorKind::Trap,
            ScriptError::DeadlineExceeded { .. } => ScriptErrorKind::DeadlineExceeded,
            ScriptError::MemoryLimit { .. } => ScriptErrorKind::MemoryLimit,
            ScriptError::TableLimit { .. } => ScriptErrorKind::TableLimit,
            ScriptError::Engine { .. } => ScriptErrorKind::Engine,
            ScriptError::Watch { .. } => ScriptErrorKind::Watch,
        }
    }

    /// The cause the call engine hangs the call up with when this error ends a
    /// `route` or `run` (see the module documentation for the reasoning).
    pub fn hangup_cause(&self) -> HangupCause {
        match self.kind() {
            ScriptErrorKind::Trap
            | ScriptErrorKind::DeadlineExceeded
            | ScriptErrorKind::MemoryLimit
            | ScriptErrorKind::TableLimit
            | ScriptErrorKind::Instantiate
            | ScriptErrorKind::Engine => HangupCause::Crash,
            ScriptErrorKind::NotFound
            | ScriptErrorKind::Io
            | ScriptErrorKind::Compile
            | ScriptErrorKind::WrongWorld
            | ScriptErrorKind::Watch => HangupCause::DestinationOutOfOrder,
        }
    }

    /// The world mismatch, when this is a [`ScriptError::WrongWorld`].
    pub fn world_mismatch(&self) -> Option<&WorldMismatch> {
        match self {
            ScriptError::WrongWorld { mismatch, .. } => Some(mismatch),
            _ => None,
        }
    }

    pub(crate) fn wrong_world(name: &str, expected: World, found: World) -> Self {
        ScriptError::WrongWorld {
            name: name.to_string(),
            mismatch: WorldMismatch::Unexpected { expected, found },
        }
    }
}

/// Raised from inside the store (resource limiter, epoch callback) to stop the
/// guest; recovered by downcasting when the invocation fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GuestStop {
    #[error("CPU deadline exceeded")]
    Deadline,
    #[error("memory limit of {0} bytes exceeded")]
    Memory(u64),
    #[error("table limit of {0} elements exceeded")]
    Table(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_faults_hang_up_with_crash_and_deployment_faults_with_out_of_order() {
        let trap = ScriptError::Trap {
            name: "x".into(),
            message: "unreachable".into(),
        };
        assert_eq!(trap.hangup_cause(), HangupCause::Crash);
        let deadline = ScriptError::DeadlineExceeded {
            name: "x".into(),
            budget: Duration::from_millis(50),
        };
        assert_eq!(deadline.hangup_cause(), HangupCause::Crash);
        assert_eq!(
            deadline.to_string(),
            "script `x` exceeded its CPU deadline of 50 ms"
        );
        let missing = ScriptError::NotFound { name: "x".into() };
        assert_eq!(missing.hangup_cause(), HangupCause::DestinationOutOfOrder);
        let wrong = ScriptError::wrong_world("ivr", World::Dialplan, World::App);
        assert_eq!(wrong.hangup_cause(), HangupCause::DestinationOutOfOrder);
        assert_eq!(
            wrong.to_string(),
            "script `ivr` implements world `app`, but world `dialplan` (exporting `route`) is needed here"
        );
    }
}
