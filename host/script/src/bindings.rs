//! The one place `bindgen!` runs over `wit/`: host-side Rust types and traits for
//! the `dialplan` and `app` worlds of `witswitch:script@0.1.0`.
//!
//! WASI interfaces (`wasi:io`, `wasi:clocks`, `wasi:random`, `wasi:http`) are not
//! generated here: they map to wasmtime-wasi's and wasmtime-wasi-http's bindings,
//! so their host implementations come from those crates. The `call` resource maps
//! to [`crate::call::CallHandle`], the host object behind each guest handle.

/// Bindings for the `dialplan` world: our shared `types`, `log` and `globals`
/// interfaces, and the `route` export.
mod dialplan_world {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "witswitch:script/dialplan",
        imports: { default: tracing },
        exports: { default: async },
        with: {
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
            "wasi:random": wasmtime_wasi::p2::bindings::random,
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        },
        additional_derives: [PartialEq, Eq],
    });
}

/// Bindings for the `app` world: the `session` interface with its `call`
/// resource, and the `run` export. Shared interfaces reuse the dialplan bindings.
mod app_world {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "witswitch:script/app",
        imports: {
            "witswitch:script/session": async | trappable | tracing,
            default: tracing,
        },
        exports: { default: async },
        with: {
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
            "wasi:random": wasmtime_wasi::p2::bindings::random,
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
            "witswitch:script/types": super::dialplan_world::witswitch::script::types,
            "witswitch:script/log": super::dialplan_world::witswitch::script::log,
            "witswitch:script/globals": super::dialplan_world::witswitch::script::globals,
            "witswitch:script/session.call": crate::call::CallHandle,
        },
        additional_derives: [PartialEq, Eq],
    });
}

pub use app_world::witswitch::script::session;
pub use app_world::{App, AppPre};
pub use dialplan_world::witswitch::script::{globals, log, types};
pub use dialplan_world::{Dialplan, DialplanPre};
