//! Script lifecycle events, for the event socket (issue 7) and logs.
//!
//! Delivered on a bounded broadcast channel: a subscriber that falls behind
//! loses the oldest events (its receiver reports how many), and publishing never
//! blocks an invocation.

use std::path::PathBuf;

use tokio::sync::broadcast;

use crate::error::ScriptErrorKind;
use crate::world::World;

/// Something that happened to a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptEvent {
    /// A script was loaded for the first time.
    Loaded {
        /// The script's name.
        name: String,
        /// Its world.
        world: World,
        /// The content hash of the new version.
        version: String,
    },
    /// A new version replaced a live one; invocations already running finish on
    /// the old one.
    Reloaded {
        /// The script's name.
        name: String,
        /// Content hash of the version replaced.
        old_version: String,
        /// Content hash of the version now live.
        new_version: String,
    },
    /// A file could not be loaded; the previous version (if any) stays live.
    LoadFailed {
        /// The script's name.
        name: String,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        kind: ScriptErrorKind,
        /// The error, as text.
        reason: String,
    },
    /// A script's file was removed; the loaded version stays live until the
    /// switch restarts or a new file appears.
    Removed {
        /// The script's name.
        name: String,
    },
    /// An invocation failed (trap, deadline, memory limit, ...). Only that call
    /// is affected.
    Failed {
        /// The script's name.
        name: String,
        /// Content hash of the version that failed.
        version: String,
        /// The call's uuid.
        call_uuid: String,
        /// What went wrong.
        kind: ScriptErrorKind,
        /// The error, as text.
        reason: String,
    },
}

/// The sending side, shared by the registry, invocations and the watcher.
#[derive(Debug, Clone)]
pub(crate) struct EventBus {
    sender: broadcast::Sender<ScriptEvent>,
}

impl EventBus {
    pub(crate) fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        EventBus { sender }
    }

    pub(crate) fn publish(&self, event: ScriptEvent) {
        // No subscriber is not an error: events are best-effort notifications.
        let _ = self.sender.send(event);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ScriptEvent> {
        self.sender.subscribe()
    }
}
