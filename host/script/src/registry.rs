//! [`ScriptHost`]: the scripts by name, their settings, and the entry points the
//! call engine uses (`route`, `run_app`), the reload watcher and the API (`status`).
//!
//! Each name has a slot holding its live version behind an atomic pointer: an
//! invocation takes a reference to the version it starts on and finishes on it,
//! while a reload swaps the pointer for new invocations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use arc_swap::{ArcSwap, ArcSwapOption};
use tokio::sync::broadcast;

use crate::bindings::types::{CallInfo, RouteResult};
use crate::call::CallControl;
use crate::compiled::{CompiledScript, compile, version_of};
use crate::engine::{Invocation, ScriptEngine};
use crate::error::{ScriptError, ScriptErrorKind};
use crate::events::{EventBus, ScriptEvent};
use crate::invoke::{self, AppOutcome};
use crate::settings::{EngineSettings, ScriptSettings};
use crate::state::InvocationContext;
use crate::warm::InstanceStats;
use crate::world::World;

/// The most recent thing that went wrong with a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastError {
    /// When.
    pub at: SystemTime,
    /// What kind of failure.
    pub kind: ScriptErrorKind,
    /// The error, as text.
    pub message: String,
}

/// One line of `script status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptStatus {
    /// The script's name (its file stem).
    pub name: String,
    /// The live version's world; `None` if no version ever loaded.
    pub world: Option<World>,
    /// The live version's content hash (hex SHA-256).
    pub version: Option<String>,
    /// The file the live version came from.
    pub path: Option<PathBuf>,
    /// When the live version was loaded.
    pub loaded_at: Option<SystemTime>,
    /// The last load or invocation failure, if any since the live version.
    pub last_error: Option<LastError>,
}

/// Compiled-artifact cache counters (loads served from disk vs compiled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Compilations answered from the on-disk cache.
    pub hits: usize,
    /// Compilations that had to run (and were then cached).
    pub misses: usize,
}

struct ScriptSlot {
    live: ArcSwapOption<CompiledScript>,
    last_error: Mutex<Option<LastError>>,
    /// Serialises installs of this name (watcher and explicit loads); never
    /// taken by invocations.
    installing: Mutex<()>,
}

impl ScriptSlot {
    fn record_error(&self, error: &ScriptError) {
        let last = LastError {
            at: SystemTime::now(),
            kind: error.kind(),
            message: error.to_string(),
        };
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(last);
    }
}

struct Settings {
    default: Arc<ScriptSettings>,
    per_script: HashMap<String, Arc<ScriptSettings>>,
}

pub(crate) struct HostInner {
    engine: ScriptEngine,
    scripts: RwLock<HashMap<String, Arc<ScriptSlot>>>,
    settings: RwLock<Settings>,
    globals: ArcSwap<HashMap<String, String>>,
    events: EventBus,
}

/// The script runtime: load, reload, invoke, report. Cheap to clone (a handle).
#[derive(Clone)]
pub struct ScriptHost {
    pub(crate) inner: Arc<HostInner>,
}

impl std::fmt::Debug for ScriptHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptHost")
            .field("engine", &self.inner.engine)
            .field("scripts", &self.status().len())
            .finish()
    }
}

/// The script name of a file: its stem (`conf/scripts/dialplan.wasm` → `dialplan`).
pub fn script_name(path: &Path) -> Option<&str> {
    path.file_stem().and_then(|s| s.to_str())
}

impl ScriptHost {
    /// Start the engine (and its epoch ticker, stopped when the last handle is
    /// dropped).
    pub fn new(settings: EngineSettings) -> Result<Self, ScriptError> {
        let engine = ScriptEngine::new(&settings)?;
        Ok(ScriptHost {
            inner: Arc::new(HostInner {
                engine,
                scripts: RwLock::new(HashMap::new()),
                settings: RwLock::new(Settings {
                    default: Arc::new(ScriptSettings::default()),
                    per_script: HashMap::new(),
                }),
                globals: ArcSwap::from_pointee(HashMap::new()),
                events: EventBus::new(settings.event_capacity),
            }),
        })
    }

    /// Settings for scripts without their own. Applies to invocations that start
    /// after the call.
    pub fn set_default_settings(&self, settings: ScriptSettings) {
        self.inner
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .default = Arc::new(settings);
    }

    /// Settings for the script `name` (memory, CPU, HTTP allowlist).
    pub fn set_script_settings(&self, name: &str, settings: ScriptSettings) {
        self.inner
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .per_script
            .insert(name.to_string(), Arc::new(settings));
    }

    /// The settings invocations of `name` get.
    pub fn settings_for(&self, name: &str) -> Arc<ScriptSettings> {
        let settings = self
            .inner
            .settings
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(settings.per_script.get(name).unwrap_or(&settings.default))
    }

    /// Replace the global variables scripts read through `globals.get`.
    pub fn set_globals(&self, globals: HashMap<String, String>) {
        self.inner.globals.store(Arc::new(globals));
    }

    /// Subscribe to lifecycle events (loaded, reloaded, load failed, failed).
    pub fn subscribe(&self) -> broadcast::Receiver<ScriptEvent> {
        self.inner.events.subscribe()
    }

    /// Advance the engine epoch by `ticks`: the clock of CPU budgets when the
    /// host was built with [`crate::EpochTicking::Manual`] (tests).
    pub fn advance_epoch(&self, ticks: u64) {
        self.inner.engine.advance_epoch(ticks);
    }

    /// Counters of the compiled-artifact cache, when one is configured.
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.inner
            .engine
            .cache_counts()
            .map(|(hits, misses)| CacheStats { hits, misses })
    }

    /// Load (or replace) the script `name` from `path`. Compiles on the calling
    /// thread (milliseconds to seconds): from async code, use `spawn_blocking`.
    pub fn load(&self, name: &str, path: &Path) -> Result<ScriptStatus, ScriptError> {
        self.inner.load_file(name, path)
    }

    /// Load (or replace) the script `name` from bytes.
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<ScriptStatus, ScriptError> {
        self.inner.install(name, bytes, None)
    }

    /// Load every `*.wasm` file of `dir` (name = file stem). One result per file;
    /// the outer error is for an unreadable folder.
    pub fn load_dir(
        &self,
        dir: &Path,
    ) -> Result<Vec<Result<ScriptStatus, ScriptError>>, ScriptError> {
        let io = |source| ScriptError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| is_script_file(path))
            .collect();
        paths.sort();
        Ok(paths
            .iter()
            .filter_map(|path| script_name(path).map(|name| self.load(name, path)))
            .collect())
    }

    /// Run `name`'s `route` on `call` with the script's limits, in a fresh or a
    /// warm instance as its [`crate::InstanceReuse`] says. A failure is logged
    /// and published as [`ScriptEvent::Failed`].
    pub async fn route(&self, name: &str, call: &CallInfo) -> Result<RouteResult, ScriptError> {
        let script = self.inner.live(name)?;
        let settings = self.settings_for(name);
        let budget = settings.route_cpu;
        let invocation = self.inner.invocation(&script, &call.uuid, settings, budget);
        let result = invoke::route(&self.inner.engine, &script, invocation, call).await;
        if let Err(error) = &result {
            self.inner.report_failure(&script, &call.uuid, error);
        }
        result
    }

    /// Run the app `name` on a call until its `run` returns. `control` drives the
    /// live call; `info` is what `call.info()` returns.
    pub async fn run_app(
        &self,
        name: &str,
        info: CallInfo,
        control: impl CallControl,
    ) -> Result<AppOutcome, ScriptError> {
        let script = self.inner.live(name)?;
        let settings = self.settings_for(name);
        let budget = settings.app_cpu;
        let uuid = info.uuid.clone();
        let invocation = self.inner.invocation(&script, &uuid, settings, budget);
        let result = invoke::run_app(&self.inner.engine, &script, invocation, info, control).await;
        if let Err(error) = &result {
            self.inner.report_failure(&script, &uuid, error);
        }
        result
    }

    /// Every script with its live version and last error, sorted by name.
    pub fn status(&self) -> Vec<ScriptStatus> {
        let scripts = self
            .inner
            .scripts
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let mut all: Vec<ScriptStatus> = scripts
            .iter()
            .map(|(name, slot)| slot_status(name, slot))
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// The status of one script.
    pub fn script_status(&self, name: &str) -> Option<ScriptStatus> {
        let scripts = self
            .inner
            .scripts
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        scripts.get(name).map(|slot| slot_status(name, slot))
    }

    /// How the live version of `name` got instances for its `route` calls
    /// (fresh or warm, and how often each), under its current settings.
    pub fn instance_stats(&self, name: &str) -> Option<InstanceStats> {
        let script = self.inner.live(name).ok()?;
        Some(script.warm.stats(self.settings_for(name).instance_reuse))
    }

    /// The world of the live version of `name`.
    pub fn world_of(&self, name: &str) -> Option<World> {
        self.inner.live(name).ok().map(|s| s.world)
    }
}

/// `*.wasm`, not a dotfile (editors' and deploy tools' temporaries).
pub(crate) fn is_script_file(path: &Path) -> bool {
    let visible = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| !n.starts_with('.'));
    visible && path.extension().is_some_and(|ext| ext == "wasm")
}

fn slot_status(name: &str, slot: &ScriptSlot) -> ScriptStatus {
    let live = slot.live.load_full();
    ScriptStatus {
        name: name.to_string(),
        world: live.as_ref().map(|s| s.world),
        version: live.as_ref().map(|s| s.version.to_string()),
        path: live.as_ref().and_then(|s| s.path.clone()),
        loaded_at: live.as_ref().map(|s| s.loaded_at),
        last_error: slot
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone(),
    }
}

/// The first 12 hex digits of a version, for log lines.
fn short(version: &str) -> &str {
    version.get(..12).unwrap_or(version)
}

impl HostInner {
    fn slot(&self, name: &str) -> Option<Arc<ScriptSlot>> {
        self.scripts
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    fn slot_or_insert(&self, name: &str) -> Arc<ScriptSlot> {
        let mut scripts = self.scripts.write().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(scripts.entry(name.to_string()).or_insert_with(|| {
            Arc::new(ScriptSlot {
                live: ArcSwapOption::empty(),
                last_error: Mutex::new(None),
                installing: Mutex::new(()),
            })
        }))
    }

    fn live(&self, name: &str) -> Result<Arc<CompiledScript>, ScriptError> {
        self.slot(name)
            .and_then(|slot| slot.live.load_full())
            .ok_or_else(|| ScriptError::NotFound {
                name: name.to_string(),
            })
    }

    fn invocation(
        &self,
        script: &CompiledScript,
        call_uuid: &str,
        settings: Arc<ScriptSettings>,
        cpu_budget: Duration,
    ) -> Invocation {
        Invocation {
            context: InvocationContext {
                script: Arc::clone(&script.name),
                version: Arc::clone(&script.version),
                call_uuid: Arc::from(call_uuid),
                globals: self.globals.load_full(),
            },
            settings,
            cpu_budget,
        }
    }

    fn report_failure(&self, script: &CompiledScript, call_uuid: &str, error: &ScriptError) {
        tracing::warn!(
            script = %script.name,
            version = short(&script.version),
            uuid = call_uuid,
            cause = crate::format::cause_name(error.hangup_cause()),
            "script invocation failed: {error}"
        );
        if let Some(slot) = self.slot(&script.name) {
            slot.record_error(error);
        }
        self.events.publish(ScriptEvent::Failed {
            name: script.name.to_string(),
            version: script.version.to_string(),
            call_uuid: call_uuid.to_string(),
            kind: error.kind(),
            reason: error.to_string(),
        });
    }

    pub(crate) fn load_file(&self, name: &str, path: &Path) -> Result<ScriptStatus, ScriptError> {
        match std::fs::read(path) {
            Ok(bytes) => self.install(name, &bytes, Some(path.to_path_buf())),
            Err(source) => {
                let error = ScriptError::Io {
                    path: path.to_path_buf(),
                    source,
                };
                self.report_load_failure(name, Some(path), &error);
                Err(error)
            }
        }
    }

    /// Compile and swap in a new version of `name`, unless it is the version
    /// already live. A failure leaves the live version in place.
    pub(crate) fn install(
        &self,
        name: &str,
        bytes: &[u8],
        path: Option<PathBuf>,
    ) -> Result<ScriptStatus, ScriptError> {
        let slot = self.slot_or_insert(name);
        let _installing = slot
            .installing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let previous = slot.live.load_full();
        if let Some(live) = &previous
            && *live.version == version_of(bytes)
        {
            return Ok(slot_status(name, &slot));
        }
        let expected = previous.as_ref().map(|p| p.world);
        let compiled = match compile(&self.engine, name, bytes, path.clone(), expected) {
            Ok(compiled) => Arc::new(compiled),
            Err(error) => {
                slot.record_error(&error);
                self.report_load_failure(name, path.as_deref(), &error);
                return Err(error);
            }
        };
        let new_version = compiled.version.to_string();
        let world = compiled.world;
        // The swap: invocations holding the previous version keep it alive until
        // they finish.
        slot.live.store(Some(compiled));
        *slot
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
        match previous {
            Some(old) => {
                tracing::info!(
                    script = name,
                    from = short(&old.version),
                    to = short(&new_version),
                    "script reloaded"
                );
                self.events.publish(ScriptEvent::Reloaded {
                    name: name.to_string(),
                    old_version: old.version.to_string(),
                    new_version,
                });
            }
            None => {
                tracing::info!(script = name, version = short(&new_version), %world, "script loaded");
                self.events.publish(ScriptEvent::Loaded {
                    name: name.to_string(),
                    world,
                    version: new_version,
                });
            }
        }
        Ok(slot_status(name, &slot))
    }

    fn report_load_failure(&self, name: &str, path: Option<&Path>, error: &ScriptError) {
        let kept = self.slot(name).and_then(|s| s.live.load_full());
        match &kept {
            Some(live) => tracing::warn!(
                script = name,
                kept = short(&live.version),
                "script not reloaded, previous version stays live: {error}"
            ),
            None => tracing::warn!(script = name, "script not loaded: {error}"),
        }
        self.events.publish(ScriptEvent::LoadFailed {
            name: name.to_string(),
            path: path.map(Path::to_path_buf).unwrap_or_default(),
            kind: error.kind(),
            reason: error.to_string(),
        });
    }

    pub(crate) fn note_removed(&self, name: &str) {
        if self.slot(name).is_some() {
            tracing::warn!(
                script = name,
                "script file removed; the loaded version stays live"
            );
            self.events.publish(ScriptEvent::Removed {
                name: name.to_string(),
            });
        }
    }
}
