//! The wasmtime engine, configured once: component model, epoch interruption
//! with a ticker, a pooling allocator sized for thousands of concurrent sessions,
//! copy-on-write memory images, and an on-disk cache of compiled artifacts.
//! Also the two linkers (one per world) and per-invocation store setup.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{
    Cache, CacheConfig, Config, Enabled, Engine, InstanceAllocationStrategy,
    PoolingAllocationConfig, Store,
};

use crate::bindings::{globals, log, session, types};
use crate::compile_cache::FunctionCache;
use crate::cpu::CpuMeter;
use crate::epoch::{EpochClock, Ticker};
use crate::error::ScriptError;
use crate::host_http::HttpPolicy;
use crate::limits::GuestLimits;
use crate::settings::{EngineSettings, EpochTicking, ScriptSettings};
use crate::state::{InvocationContext, ScriptState};
use crate::world::World;

/// Core instances, tables and memories a typical component uses per component
/// instance (a Rust component: its module plus the adapter's shim and fixup
/// modules, each with a table); the pool is sized with these factors.
const CORE_INSTANCES_PER_COMPONENT: u32 = 6;
const TABLES_PER_COMPONENT: u32 = 4;
/// A guest computing without pause yields to the executor this often, so one
/// script cannot hold a tokio worker for its whole CPU budget.
const YIELD_SLICE: Duration = Duration::from_millis(5);
/// Pool-wide bound on table elements (per table).
const POOL_TABLE_ELEMENTS: usize = 20_000;

/// The engine and what depends only on it.
pub(crate) struct ScriptEngine {
    engine: Engine,
    dialplan_linker: Linker<ScriptState>,
    app_linker: Linker<ScriptState>,
    clock: EpochClock,
    tick: Duration,
    cache: Option<Cache>,
    max_memory_bytes: u64,
    _ticker: Option<Ticker>,
}

impl std::fmt::Debug for ScriptEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptEngine")
            .field("tick", &self.tick)
            .field("epoch", &self.clock.now())
            .finish_non_exhaustive()
    }
}

fn engine_error(error: impl std::fmt::Display) -> ScriptError {
    ScriptError::Engine {
        message: error.to_string(),
    }
}

fn wasmtime_config(settings: &EngineSettings) -> Result<(Config, Option<Cache>), ScriptError> {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        // Scripts are linear-memory languages; the `gc` cargo feature is on in
        // the workspace but no collector is built, so GC must be off.
        .gc_support(false)
        .epoch_interruption(true)
        .memory_init_cow(true)
        .async_stack_size(settings.async_stack_bytes)
        // Leave room on the fiber for the host frames under the guest's.
        .max_wasm_stack(
            settings
                .async_stack_bytes
                .saturating_sub(128 << 10)
                .max(64 << 10),
        )
        // A small reservation per memory (bounds-checked accesses) instead of
        // 4 GiB + guard: thousands of slots fit in the address space.
        .memory_reservation(settings.max_memory_bytes)
        .memory_guard_size(settings.memory_guard_bytes)
        .memory_reservation_for_growth(0);
    let instances = settings.max_instances.max(1);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(instances)
        .total_core_instances(instances.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
        .total_memories(instances)
        .total_tables(instances.saturating_mul(TABLES_PER_COMPONENT))
        .total_stacks(instances)
        .max_memory_size(usize::try_from(settings.max_memory_bytes).unwrap_or(usize::MAX))
        .table_elements(POOL_TABLE_ELEMENTS)
        .linear_memory_keep_resident(settings.memory_keep_resident_bytes)
        .table_keep_resident(64 << 10)
        // Reset only the pages a guest dirtied (Linux 6.7+; ignored elsewhere).
        .pagemap_scan(Enabled::Auto)
        .total_gc_heaps(0);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    if settings.function_cache_bytes > 0 {
        config
            .enable_incremental_compilation(Arc::new(FunctionCache::new(
                settings.function_cache_bytes,
            )))
            .map_err(engine_error)?;
    }
    let cache = match &settings.cache_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(engine_error)?;
            let dir = std::path::absolute(dir).map_err(engine_error)?;
            let mut cache_config = CacheConfig::new();
            cache_config.with_directory(dir);
            let cache = Cache::new(cache_config).map_err(engine_error)?;
            config.cache(Some(cache.clone()));
            Some(cache)
        }
        None => None,
    };
    Ok((config, cache))
}

/// The imports every script may use (the `platform` world), on top of which each
/// world's linker adds its own. WASI's cli and filesystem interfaces are linked
/// because language toolchains import them (Rust's std imports `wasi:cli`), but
/// the per-store `WasiCtx` gives them nothing: no files, no environment, no
/// sockets.
fn platform_linker(engine: &Engine) -> wasmtime::Result<Linker<ScriptState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    types::add_to_linker::<ScriptState, HasSelf<ScriptState>>(&mut linker, |s| s)?;
    log::add_to_linker::<ScriptState, HasSelf<ScriptState>>(&mut linker, |s| s)?;
    globals::add_to_linker::<ScriptState, HasSelf<ScriptState>>(&mut linker, |s| s)?;
    Ok(linker)
}

/// What one invocation needs to set up its store.
pub(crate) struct Invocation {
    pub(crate) context: InvocationContext,
    pub(crate) settings: Arc<ScriptSettings>,
    pub(crate) cpu_budget: Duration,
}

impl ScriptEngine {
    pub(crate) fn new(settings: &EngineSettings) -> Result<Self, ScriptError> {
        let (config, cache) = wasmtime_config(settings)?;
        let engine = Engine::new(&config).map_err(engine_error)?;
        let dialplan_linker = platform_linker(&engine).map_err(engine_error)?;
        let mut app_linker = platform_linker(&engine).map_err(engine_error)?;
        session::add_to_linker::<ScriptState, HasSelf<ScriptState>>(&mut app_linker, |s| s)
            .map_err(engine_error)?;
        let clock = EpochClock::new(engine.clone());
        let ticker = match settings.epoch {
            EpochTicking::Thread { tick } => {
                Some(Ticker::start(clock.clone(), tick).map_err(engine_error)?)
            }
            EpochTicking::Manual { .. } => None,
        };
        Ok(ScriptEngine {
            engine,
            dialplan_linker,
            app_linker,
            clock,
            tick: settings.epoch.tick(),
            cache,
            max_memory_bytes: settings.max_memory_bytes,
            _ticker: ticker,
        })
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn linker(&self, world: World) -> &Linker<ScriptState> {
        match world {
            World::Dialplan => &self.dialplan_linker,
            World::App => &self.app_linker,
        }
    }

    /// Advance the epoch by `ticks` (manual ticking: virtual time for tests).
    pub(crate) fn advance_epoch(&self, ticks: u64) {
        self.clock.advance(ticks);
    }

    /// Compiled-artifact cache hits and misses since start.
    pub(crate) fn cache_counts(&self) -> Option<(usize, usize)> {
        self.cache
            .as_ref()
            .map(|c| (c.cache_hits(), c.cache_misses()))
    }

    /// `budget` in epoch ticks, rounded up, at least one.
    fn ticks(&self, budget: Duration) -> u64 {
        let tick = self.tick.as_nanos().max(1);
        let ticks = budget.as_nanos().div_ceil(tick);
        u64::try_from(ticks).unwrap_or(u64::MAX).max(1)
    }

    /// The per-invocation parts of a store's state: limits, HTTP policy, and
    /// the CPU meter with the first epoch deadline to arm.
    fn invocation_parts(
        &self,
        settings: &Arc<ScriptSettings>,
        context: &InvocationContext,
        cpu_budget: Duration,
    ) -> (GuestLimits, HttpPolicy, CpuMeter, u64) {
        let budget = self.ticks(cpu_budget);
        let memory = settings.memory_bytes.min(self.max_memory_bytes);
        let limits = GuestLimits::new(memory, settings.table_elements);
        let http = HttpPolicy::new(
            Arc::clone(&context.script),
            Arc::clone(&context.call_uuid),
            Arc::clone(settings),
        );
        let cpu = CpuMeter::new(self.clock.clone(), budget, self.ticks(YIELD_SLICE));
        let first_deadline = cpu.first_deadline();
        (limits, http, cpu, first_deadline)
    }

    /// A fresh store for one invocation: limits, CPU meter and deadline armed.
    pub(crate) fn store(&self, invocation: Invocation) -> Store<ScriptState> {
        let Invocation {
            context,
            settings,
            cpu_budget,
        } = invocation;
        let (limits, http, cpu, first_deadline) =
            self.invocation_parts(&settings, &context, cpu_budget);
        let state = ScriptState::new(context, limits, cpu, http);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        store.call_hook(|mut ctx, hook| {
            ctx.data_mut().cpu.on_call_hook(hook);
            Ok(())
        });
        store.epoch_deadline_callback(|mut ctx| Ok(ctx.data_mut().cpu.on_deadline()?));
        store.set_epoch_deadline(first_deadline);
        store
    }

    /// Ready a warm instance's store for another invocation, as [`Self::store`]
    /// would a fresh one: new limits, CPU meter, deadline, HTTP policy, context.
    pub(crate) fn rearm(&self, store: &mut Store<ScriptState>, invocation: Invocation) {
        let Invocation {
            context,
            settings,
            cpu_budget,
        } = invocation;
        let (limits, http, cpu, first_deadline) =
            self.invocation_parts(&settings, &context, cpu_budget);
        store.data_mut().rearm(context, limits, cpu, http);
        store.set_epoch_deadline(first_deadline);
    }
}
