//! One invocation: a fresh store with limits and a CPU deadline, instantiate
//! from the pre-linked component, call the export, and turn whatever stopped the
//! guest into a typed [`ScriptError`].

use std::time::{Duration, Instant};

use wasmtime::Store;

use crate::bindings::session::CallError;
use crate::bindings::types::{CallInfo, HangupCause, RouteResult};
use crate::call::{CallControl, CallHandle};
use crate::compiled::{CompiledScript, Prelinked, error_chain};
use crate::engine::{Invocation, ScriptEngine};
use crate::error::{GuestStop, ScriptError};
use crate::state::ScriptState;
use crate::warm::WarmInstance;

/// How an app's `run` ended, when the script itself did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppOutcome {
    /// `run` returned `ok`: the dialplan continues with its remaining actions.
    Completed,
    /// `run` returned the `hangup` error: the normal end of a call that ended.
    CallEnded(HangupCause),
    /// `run` returned another error; the call engine logs it and continues as
    /// after `Completed` (FreeSWITCH does the same after a failed application).
    Failed(CallError),
}

/// Which step failed: instantiation failures that are not traps are
/// [`ScriptError::Instantiate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Instantiate,
    Call,
}

fn classify(
    script: &CompiledScript,
    error: &wasmtime::Error,
    store: &Store<ScriptState>,
    budget: Duration,
    phase: Phase,
) -> ScriptError {
    let name = script.name.to_string();
    if let Some(stop) = error.downcast_ref::<GuestStop>() {
        return match *stop {
            GuestStop::Deadline => ScriptError::DeadlineExceeded { name, budget },
            GuestStop::Memory(limit_bytes) => ScriptError::MemoryLimit { name, limit_bytes },
            GuestStop::Table(limit_elements) => ScriptError::TableLimit {
                name,
                limit_elements,
            },
        };
    }
    let mut message = error_chain(error);
    let stderr = store.data().stderr_text();
    if !stderr.is_empty() {
        message.push_str("; guest stderr: ");
        message.push_str(&stderr);
    }
    if phase == Phase::Instantiate && error.downcast_ref::<wasmtime::Trap>().is_none() {
        return ScriptError::Instantiate { name, message };
    }
    ScriptError::Trap { name, message }
}

/// Whatever the guest wrote to stderr during a successful call is worth a line.
fn log_stderr(store: &Store<ScriptState>) {
    let stderr = store.data().stderr_text();
    if !stderr.is_empty() {
        let ctx = &store.data().context;
        tracing::info!(script = %ctx.script, uuid = %ctx.call_uuid, "guest stderr: {stderr}");
    }
}

/// Call `route` once, in a warm instance when the script reuses them and one
/// is idle, else in a fresh one (kept afterwards when reuse is on).
pub(crate) async fn route(
    engine: &ScriptEngine,
    script: &CompiledScript,
    invocation: Invocation,
    call: &CallInfo,
) -> Result<RouteResult, ScriptError> {
    let Prelinked::Dialplan(pre) = &script.prelinked else {
        return Err(ScriptError::wrong_world(
            &script.name,
            crate::World::Dialplan,
            script.world,
        ));
    };
    let budget = invocation.cpu_budget;
    let reuse = invocation.settings.instance_reuse;
    let mut instance = match script.warm.take(reuse) {
        Some(mut warm) => {
            engine.rearm(&mut warm.store, invocation);
            warm
        }
        None => {
            let mut store = engine.store(invocation);
            let started = Instant::now();
            let dialplan = match pre.instantiate_async(&mut store).await {
                Ok(dialplan) => dialplan,
                Err(e) => return Err(classify(script, &e, &store, budget, Phase::Instantiate)),
            };
            script.warm.instantiated(reuse, started.elapsed());
            WarmInstance::new(store, dialplan)
        }
    };
    match instance
        .dialplan
        .call_route(&mut instance.store, call)
        .await
    {
        Ok(result) => {
            log_stderr(&instance.store);
            script.warm.give_back(reuse, instance);
            Ok(result)
        }
        // A failed instance is dropped here, never reused.
        Err(e) => Err(classify(script, &e, &instance.store, budget, Phase::Call)),
    }
}

/// Run an app on a call until `run` returns.
pub(crate) async fn run_app(
    engine: &ScriptEngine,
    script: &CompiledScript,
    invocation: Invocation,
    info: CallInfo,
    control: impl CallControl,
) -> Result<AppOutcome, ScriptError> {
    let Prelinked::App(pre) = &script.prelinked else {
        return Err(ScriptError::wrong_world(
            &script.name,
            crate::World::App,
            script.world,
        ));
    };
    let budget = invocation.cpu_budget;
    let mut store = engine.store(invocation);
    let app = match pre.instantiate_async(&mut store).await {
        Ok(app) => app,
        Err(e) => return Err(classify(script, &e, &store, budget, Phase::Instantiate)),
    };
    let handle = match store.data_mut().table.push(CallHandle::new(info, control)) {
        Ok(handle) => handle,
        Err(e) => {
            return Err(ScriptError::Instantiate {
                name: script.name.to_string(),
                message: e.to_string(),
            });
        }
    };
    match app.call_run(&mut store, handle).await {
        Ok(result) => {
            log_stderr(&store);
            Ok(match result {
                Ok(()) => AppOutcome::Completed,
                Err(CallError::Hangup(cause)) => AppOutcome::CallEnded(cause),
                Err(other) => AppOutcome::Failed(other),
            })
        }
        Err(e) => Err(classify(script, &e, &store, budget, Phase::Call)),
    }
}
