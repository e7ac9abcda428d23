//! Hot reload: watch the scripts folder and install changed `*.wasm` files.
//!
//! Only complete files are considered: the watcher reacts to a file closed after
//! writing (`IN_CLOSE_WRITE`) and to a file renamed into place (the
//! write-then-rename deploy), never to individual writes. Events are debounced
//! (a burst of them becomes one reload per file), and every candidate is
//! verified by compiling it: a half-written, corrupt or wrong-world file fails
//! to compile or validate, is reported, and leaves the live version in place.
//! Compilation runs on the watcher's own thread, never on the async workers.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::error::ScriptError;
use crate::registry::{HostInner, ScriptHost, is_script_file, script_name};

/// Default quiet time before a burst of file events is acted on.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(20);

/// A running watch of a scripts folder; stops (and joins its thread) on drop.
pub struct ScriptWatcher {
    dir: PathBuf,
    watcher: Option<RecommendedWatcher>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ScriptWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptWatcher")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Drop for ScriptWatcher {
    fn drop(&mut self) {
        // Dropping the notify watcher drops the channel's sender; the thread
        // sees the disconnect, finishes its batch and exits.
        self.watcher.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl ScriptHost {
    /// Watch `dir` and reload its `*.wasm` files as they change, after `debounce`
    /// of quiet. Does not load what is already there: call
    /// [`ScriptHost::load_dir`] first.
    pub fn watch(&self, dir: &Path, debounce: Duration) -> Result<ScriptWatcher, ScriptError> {
        let watch_error = |source| ScriptError::Watch {
            path: dir.to_path_buf(),
            source,
        };
        let (sender, receiver) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(sender).map_err(watch_error)?;
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(watch_error)?;
        let host = Arc::downgrade(&self.inner);
        let thread = std::thread::Builder::new()
            .name("witswitch-script-reload".into())
            .spawn(move || reload_loop(&receiver, &host, debounce))
            .map_err(|e| watch_error(notify::Error::io(e)))?;
        Ok(ScriptWatcher {
            dir: dir.to_path_buf(),
            watcher: Some(watcher),
            thread: Some(thread),
        })
    }
}

type FileEvent = notify::Result<notify::Event>;

/// The script files an event says are complete (or gone).
fn candidates(event: &notify::Event) -> impl Iterator<Item = &PathBuf> {
    let relevant = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) | EventKind::Remove(_) => true,
        // A rename: the destination is the last path; a file renamed away
        // (`From`) no longer exists and is reported as removed.
        EventKind::Modify(ModifyKind::Name(
            RenameMode::From | RenameMode::To | RenameMode::Both | RenameMode::Any,
        )) => true,
        _ => false,
    };
    let paths: &[PathBuf] = if relevant { &event.paths } else { &[] };
    let last = match event.kind {
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
            paths.last().into_iter().collect::<Vec<_>>()
        }
        _ => paths.iter().collect(),
    };
    last.into_iter().filter(|p| is_script_file(p))
}

fn collect(pending: &mut BTreeSet<PathBuf>, event: FileEvent) {
    match event {
        Ok(event) => pending.extend(candidates(&event).cloned()),
        Err(error) => tracing::warn!("script folder watch error: {error}"),
    }
}

fn reload_loop(receiver: &Receiver<FileEvent>, host: &Weak<HostInner>, debounce: Duration) {
    while let Ok(first) = receiver.recv() {
        let mut pending = BTreeSet::new();
        collect(&mut pending, first);
        let disconnected = loop {
            match receiver.recv_timeout(debounce) {
                Ok(event) => collect(&mut pending, event),
                Err(RecvTimeoutError::Timeout) => break false,
                Err(RecvTimeoutError::Disconnected) => break true,
            }
        };
        let Some(host) = host.upgrade() else { return };
        for path in &pending {
            reload_one(&host, path);
        }
        if disconnected {
            return;
        }
    }
}

fn reload_one(host: &HostInner, path: &Path) {
    let Some(name) = script_name(path) else {
        tracing::warn!(path = %path.display(), "script file name is not UTF-8; ignored");
        return;
    };
    if !path.exists() {
        host.note_removed(name);
        return;
    }
    // Errors are reported (log, event, status) inside; the live version stays.
    let _ = host.load_file(name, path);
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RemoveKind};

    fn event(kind: EventKind, paths: &[&str]) -> notify::Event {
        let mut event = notify::Event::new(kind);
        for p in paths {
            event = event.add_path(PathBuf::from(p));
        }
        event
    }

    fn names(event: &notify::Event) -> Vec<String> {
        candidates(event).map(|p| p.display().to_string()).collect()
    }

    #[test]
    fn only_complete_script_files_are_candidates() {
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(
            names(&event(close, &["/s/dialplan.wasm"])),
            ["/s/dialplan.wasm"]
        );
        // Individual writes and creations are never acted on.
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert!(names(&event(write, &["/s/dialplan.wasm"])).is_empty());
        let create = EventKind::Create(CreateKind::File);
        assert!(names(&event(create, &["/s/dialplan.wasm"])).is_empty());
        // Temporaries of a write-then-rename deploy are not scripts.
        assert!(names(&event(close, &["/s/.dialplan.wasm.tmp"])).is_empty());
        assert!(names(&event(close, &["/s/dialplan.wasm.part"])).is_empty());
    }

    #[test]
    fn a_rename_reloads_its_destination() {
        let both = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert_eq!(
            names(&event(both, &["/s/.dialplan.wasm.XyZ", "/s/dialplan.wasm"])),
            ["/s/dialplan.wasm"]
        );
        let to = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert_eq!(names(&event(to, &["/s/ivr.wasm"])), ["/s/ivr.wasm"]);
        let removed = EventKind::Remove(RemoveKind::File);
        assert_eq!(names(&event(removed, &["/s/ivr.wasm"])), ["/s/ivr.wasm"]);
    }
}
