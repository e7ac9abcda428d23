//! Warm instances of a dialplan version: instantiated once, then reused by
//! later `route` calls (see [`crate::InstanceReuse`]). Python, Go and
//! StarlingMonkey components take milliseconds to instantiate against
//! microseconds to route; reuse takes that off every call.
//!
//! Safety between calls comes from what is renewed per call (the store's
//! limits, CPU meter and deadline, HTTP policy, context and globals) and from
//! what is never reused: an instance that trapped or hit a limit (wasmtime
//! poisons it), that wrote to stderr (so a message is never blamed on the wrong
//! call), or that served [`crate::settings::WARM_MAX_USES`] calls.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use wasmtime::Store;

use crate::bindings::Dialplan;
use crate::settings::{AUTO_MAX_IDLE, InstanceReuse, WARM_MAX_USES};
use crate::state::ScriptState;

/// One instantiated dialplan with its store (also the shape of a fresh one).
pub(crate) struct WarmInstance {
    pub(crate) store: Store<ScriptState>,
    pub(crate) dialplan: Dialplan,
    uses: u32,
}

impl WarmInstance {
    pub(crate) fn new(store: Store<ScriptState>, dialplan: Dialplan) -> Self {
        WarmInstance {
            store,
            dialplan,
            uses: 0,
        }
    }
}

/// What `Auto` decided for a version, once its first instantiation was timed.
const UNDECIDED: u8 = 0;
const DECIDED_FRESH: u8 = 1;
const DECIDED_WARM: u8 = 2;

/// The idle instances of one script version and its counters.
#[derive(Default)]
pub(crate) struct WarmPool {
    idle: Mutex<Vec<WarmInstance>>,
    auto: AtomicU8,
    instantiations: AtomicU64,
    reuses: AtomicU64,
    peak_memory_bytes: AtomicU64,
}

impl std::fmt::Debug for WarmPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmPool")
            .field(
                "instantiations",
                &self.instantiations.load(Ordering::Relaxed),
            )
            .field("reuses", &self.reuses.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// How a script version's `route` calls got their instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceStats {
    /// Instances created (fresh per call, or to fill the warm pool).
    pub instantiations: u64,
    /// Calls served by a warm instance.
    pub reuses: u64,
    /// Whether calls currently reuse warm instances.
    pub warm: bool,
    /// The largest linear memory any instance reached after a successful
    /// call: the memory one instance of this script costs.
    pub peak_memory_bytes: u64,
}

impl WarmPool {
    /// The idle instances to keep under `reuse`, 0 meaning fresh per call.
    pub(crate) fn max_idle(&self, reuse: InstanceReuse) -> usize {
        match reuse {
            InstanceReuse::Fresh => 0,
            InstanceReuse::Warm { max_idle } => max_idle,
            InstanceReuse::Auto { .. } => match self.auto.load(Ordering::Acquire) {
                DECIDED_WARM => AUTO_MAX_IDLE,
                _ => 0,
            },
        }
    }

    /// An idle instance, if reuse is on and one is there.
    pub(crate) fn take(&self, reuse: InstanceReuse) -> Option<WarmInstance> {
        if self.max_idle(reuse) == 0 {
            return None;
        }
        let mut instance = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()?;
        instance.uses += 1;
        self.reuses.fetch_add(1, Ordering::Relaxed);
        Some(instance)
    }

    /// Count an instantiation; under `Auto`, the first one decides the mode.
    pub(crate) fn instantiated(&self, reuse: InstanceReuse, took: Duration) {
        self.instantiations.fetch_add(1, Ordering::Relaxed);
        if let InstanceReuse::Auto { threshold } = reuse {
            let decided = if took >= threshold {
                DECIDED_WARM
            } else {
                DECIDED_FRESH
            };
            let _ =
                self.auto
                    .compare_exchange(UNDECIDED, decided, Ordering::AcqRel, Ordering::Acquire);
        }
    }

    /// Keep `instance` for a later call if reuse is on, the call succeeded
    /// cleanly and there is room; otherwise it is dropped (its pool slot freed).
    pub(crate) fn give_back(&self, reuse: InstanceReuse, instance: WarmInstance) {
        let peak = instance.store.data().limits.peak_memory_bytes();
        self.peak_memory_bytes.fetch_max(peak, Ordering::Relaxed);
        let max_idle = self.max_idle(reuse);
        if max_idle == 0
            || instance.uses + 1 >= WARM_MAX_USES
            || !instance.store.data().stderr_is_empty()
        {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < max_idle {
            idle.push(instance);
        }
    }

    pub(crate) fn stats(&self, reuse: InstanceReuse) -> InstanceStats {
        InstanceStats {
            instantiations: self.instantiations.load(Ordering::Relaxed),
            reuses: self.reuses.load(Ordering::Relaxed),
            warm: self.max_idle(reuse) > 0,
            peak_memory_bytes: self.peak_memory_bytes.load(Ordering::Relaxed),
        }
    }
}
