//! The wasmtime host for witswitch script components.
//!
//! Call policy runs as WebAssembly components of the `witswitch:script@0.1.0`
//! contract (`wit/`): a `dialplan` returns FreeSWITCH-style actions for a call,
//! an `app` drives a live call through the `call` resource. This crate loads
//! them (compiled once, cached on disk, world-checked, pre-linked), runs each
//! invocation in a fresh sandbox with memory and CPU limits, turns any guest
//! failure into a typed [`ScriptError`] for that call alone, and hot-reloads
//! changed files without disturbing invocations in flight.
//!
//! ```no_run
//! # async fn demo() -> Result<(), witswitch_script::ScriptError> {
//! use witswitch_script::{EngineSettings, ScriptHost, format, synthetic_call_info};
//!
//! let host = ScriptHost::new(EngineSettings::default())?;
//! host.load("dialplan", "conf/scripts/dialplan.wasm".as_ref())?;
//! let call = synthetic_call_info("1001", "1000", "default", &[]);
//! let result = host.route("dialplan", &call).await?;
//! for line in format::route_lines(&result) {
//!     println!("{line}");
//! }
//! # Ok(()) }
//! ```

pub mod bindings;
mod call;
mod call_info;
mod compile_cache;
mod compiled;
mod cpu;
mod engine;
mod epoch;
mod error;
mod events;
pub mod format;
mod host_globals;
mod host_http;
mod host_log;
mod host_session;
mod host_types;
mod invoke;
mod limits;
mod registry;
mod reload;
mod settings;
mod state;
pub mod testing;
mod warm;
mod world;

pub use bindings::session::{
    BridgeOutcome, CallError, CollectOptions, CollectedDigits, PlayAndGetDigitsOptions,
    PlayOutcome, RecordOptions, Recording,
};
pub use bindings::types::{
    Action, AppInvocation, CallInfo, ExecuteApp, HangupCause, KeyValue, LogLevel, LogMessage,
    RouteResult, TransferTarget,
};
pub use call::{CallControl, CallHandle};
pub use call_info::{SYNTHETIC_UUID, parse_variable, synthetic_call_info};
pub use error::{ScriptError, ScriptErrorKind};
pub use events::ScriptEvent;
pub use host_http::host_allowed;
pub use invoke::AppOutcome;
pub use registry::{CacheStats, LastError, ScriptHost, ScriptStatus, script_name};
pub use reload::{DEFAULT_DEBOUNCE, ScriptWatcher};
pub use settings::{
    AUTO_MAX_IDLE, EngineSettings, EpochTicking, HttpSettings, InstanceReuse, ScriptSettings,
    WARM_MAX_USES,
};
pub use warm::InstanceStats;
pub use world::{World, WorldMismatch};
