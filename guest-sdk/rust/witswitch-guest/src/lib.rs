//! Write witswitch call policy in Rust: dialplans and session apps compiled to
//! WebAssembly components.
//!
//! A **dialplan** looks at a call and returns the FreeSWITCH applications to run:
//!
//! ```
//! use witswitch_guest::{dialplan, CallInfo, HangupCause, Route};
//!
//! #[dialplan]
//! fn route(call: &CallInfo) -> Route {
//!     match call.destination_number.as_str() {
//!         "9196" => Route::new().answer().echo(),
//!         "1001" => Route::new()
//!             .set("call_timeout", "30")
//!             .set("hangup_after_bridge", "true")
//!             .bridge("user/1001"),
//!         _ => Route::new().hangup(HangupCause::NoRouteDestination),
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! An **app** drives a live call with blocking calls; `?` ends it when the
//! caller hangs up:
//!
//! ```
//! use witswitch_guest::{app, Call, CollectOptions, Hangup, HangupCause};
//!
//! #[app]
//! fn run(call: Call) -> Result<(), Hangup> {
//!     call.answer()?;
//!     call.play("sounds/ivr-welcome.wav")?;
//!     let choice = call.collect_digits(CollectOptions::new(1))?;
//!     if choice.digits == "1" {
//!         call.bridge("user/1001")?;
//!     }
//!     call.hangup(HangupCause::NormalClearing)
//! }
//! # fn main() {}
//! ```
//!
//! Build with `cargo build --target wasm32-wasip2 --release` in a crate of type
//! `cdylib`; the `.wasm` in `target/wasm32-wasip2/release/` is the component to
//! put in `conf/scripts/`. A crate holds one `#[dialplan]` or one `#[app]`.
//!
//! Everything a script sees of the switch is here: [`CallInfo`] and its
//! helpers, the [`Route`] builder, typed [`HangupCause`]s with their FreeSWITCH
//! names, the [`Call`] of apps, [`log`] and read-only [`globals`]. Scripts have
//! no files, environment or sockets; outbound HTTP goes through `wasi:http`
//! to the hosts `conf/scripts.toml` allows. The `regex` and `regex-lite` crates work in guests;
//! a dialplan that compiles its patterns on every call (a fresh instance per call)
//! is faster with `regex-lite` (the example dialplan uses it).
//!
//! How the attributes work: each one keeps the function as written, checks its
//! signature (a wrong one is a compile error pointing at it), and generates, in
//! the author's crate, the `wit-bindgen` export of its world (`dialplan` or
//! `app` of `witswitch:script@0.1.0`) that converts and calls the function. The
//! imports and all types are generated once, here, in [`raw`].

mod call;
mod call_info;
pub mod globals;
mod hangup_cause;
pub mod log;
mod options;
pub mod raw;
mod route;
pub mod say;

pub use call::{Call, Hangup};
pub use hangup_cause::UnknownHangupCause;
pub use raw::witswitch::script::session::{
    BridgeOutcome, CallError, CollectOptions, CollectedDigits, PlayAndGetDigitsOptions,
    PlayOutcome, RecordOptions, Recording,
};
pub use raw::witswitch::script::types::{
    Action, AppInvocation, CallInfo, ExecuteApp, HangupCause, KeyValue, LogLevel, LogMessage,
    RouteResult, TransferTarget,
};
pub use route::Route;
pub use witswitch_guest_macros::{app, dialplan};

/// What the attribute macros' generated code refers to. Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;
}
