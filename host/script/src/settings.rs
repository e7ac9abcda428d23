//! Settings the caller passes in: engine-wide sizing and per-script limits. The
//! binary maps `conf/` to these; this crate does not read config files.

use std::path::PathBuf;
use std::time::Duration;

/// Limits and capabilities of one script, applied to every invocation of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptSettings {
    /// Linear memory limit per instance, in bytes. Growing past it traps the
    /// guest with [`crate::ScriptError::MemoryLimit`]. Default 64 MiB; capped by
    /// [`EngineSettings::max_memory_bytes`].
    pub memory_bytes: u64,
    /// Table element limit per table.
    pub table_elements: usize,
    /// CPU budget of one `route` call. Default 50 ms.
    pub route_cpu: Duration,
    /// CPU budget of one `run` of an app: time the guest computes, not the time
    /// it waits in `call` methods or for HTTP. Default 500 ms.
    pub app_cpu: Duration,
    /// Outbound HTTP policy.
    pub http: HttpSettings,
    /// Whether `route` runs in a fresh instance per call or reuses warm ones.
    pub instance_reuse: InstanceReuse,
}

/// How `route` invocations get their instance. Apps always get a fresh one
/// (they hold a live call for minutes; a warm instance saves nothing there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceReuse {
    /// A fresh store and instance per call: nothing a call leaves in the guest's
    /// memory can reach the next one. Costs one instantiation per call
    /// (microseconds for Rust and QuickJS, milliseconds for Python, Go and
    /// StarlingMonkey).
    Fresh,
    /// Keep up to `max_idle` instances after a successful call and route later
    /// calls in them, with fresh limits, CPU budget and context each time. An
    /// instance that trapped, hit a limit, wrote to stderr or served
    /// [`WARM_MAX_USES`] calls is dropped instead. The guest's own globals do
    /// persist between calls: a dialplan must not keep per-call state in them.
    Warm {
        /// Idle instances kept per script version.
        max_idle: usize,
    },
    /// `Warm` (with [`AUTO_MAX_IDLE`] idle instances) when the script's first
    /// instantiation took at least `threshold`, else `Fresh`.
    Auto {
        /// Instantiation time from which reuse pays.
        threshold: Duration,
    },
}

/// A warm instance is replaced after this many calls, bounding what any slow
/// leak in a guest's runtime can accumulate.
pub const WARM_MAX_USES: u32 = 1_000;

/// Idle instances `InstanceReuse::Auto` keeps per script version.
pub const AUTO_MAX_IDLE: usize = 8;

impl Default for InstanceReuse {
    /// `Auto` from 200 µs. Measured instantiate + route on this machine
    /// (guest-sdk/README.md): Rust 13 µs and QuickJS 86 µs stay fresh; Go
    /// 283 µs, Python 1.2 ms and StarlingMonkey 1.1 ms go warm.
    fn default() -> Self {
        InstanceReuse::Auto {
            threshold: Duration::from_micros(200),
        }
    }
}

impl Default for ScriptSettings {
    fn default() -> Self {
        ScriptSettings {
            memory_bytes: 64 << 20,
            table_elements: 20_000,
            route_cpu: Duration::from_millis(50),
            app_cpu: Duration::from_millis(500),
            http: HttpSettings::default(),
            instance_reuse: InstanceReuse::default(),
        }
    }
}

/// Outbound HTTP policy of one script: deny by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Hosts the script may reach. An entry is `host` (any port), `host:port`,
    /// or `*.domain` (any subdomain, any port). Matching ignores ASCII case.
    /// Empty: every request fails with `HTTP-request-denied`.
    pub allow: Vec<String>,
    /// Longest wait for the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest time from sending the request to the end of the response body.
    pub total_timeout: Duration,
    /// Largest response body accepted; more fails the read with
    /// `HTTP-response-body-size`.
    pub max_response_bytes: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            allow: Vec::new(),
            connect_timeout: Duration::from_secs(2),
            total_timeout: Duration::from_secs(5),
            max_response_bytes: 1 << 20,
        }
    }
}

/// How the engine's epoch advances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochTicking {
    /// A background thread advances the epoch every `tick` (stopped when the
    /// host is dropped). CPU budgets are counted in these ticks.
    Thread {
        /// The tick period; CPU budgets are rounded up to whole ticks.
        tick: Duration,
    },
    /// Nobody advances the epoch but the owner, through
    /// [`crate::ScriptHost::advance_epoch`]: virtual time for tests. Each
    /// advance counts as `tick` of CPU time.
    Manual {
        /// How much time one advance stands for.
        tick: Duration,
    },
}

impl EpochTicking {
    /// The duration of one tick.
    pub fn tick(self) -> Duration {
        match self {
            EpochTicking::Thread { tick } | EpochTicking::Manual { tick } => tick,
        }
    }
}

/// Engine-wide settings, fixed when the host starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSettings {
    /// Most component instances alive at once (pooling allocator slots): every
    /// `route` in flight and every running app holds one.
    pub max_instances: u32,
    /// Largest linear memory any script may have (pool slot size); per-script
    /// limits are at most this.
    pub max_memory_bytes: u64,
    /// Unmapped guard after each linear memory.
    pub memory_guard_bytes: u64,
    /// Native stack for each running guest (a fiber); apps parked in a `call`
    /// method hold one.
    pub async_stack_bytes: usize,
    /// Where compiled artifacts are cached by content hash, so a restart does
    /// not recompile. `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// How CPU time is measured.
    pub epoch: EpochTicking,
    /// Capacity of the event channel; slow subscribers lose events.
    pub event_capacity: usize,
    /// Bytes of each freed linear memory kept resident and reset in place (only
    /// the pages the guest dirtied, found with Linux's `PAGEMAP_SCAN`) instead
    /// of being unmapped: the next instance in that slot takes no page faults.
    /// Costs up to this much RSS per recently used slot.
    pub memory_keep_resident_bytes: usize,
    /// Memory for compiled functions kept between compilations (0 disables):
    /// a reload recompiles only the functions that changed.
    pub function_cache_bytes: usize,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            max_instances: 12_000,
            max_memory_bytes: 64 << 20,
            memory_guard_bytes: 64 << 10,
            async_stack_bytes: 512 << 10,
            cache_dir: None,
            epoch: EpochTicking::Thread {
                tick: Duration::from_millis(1),
            },
            event_capacity: 1024,
            memory_keep_resident_bytes: 1 << 20,
            function_cache_bytes: 64 << 20,
        }
    }
}
