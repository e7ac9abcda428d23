//! The data of one invocation's `Store`: WASI and HTTP contexts, limits, the CPU
//! meter, and who is running (script name, call uuid) for logs.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::cpu::CpuMeter;
use crate::host_http::HttpPolicy;
use crate::limits::GuestLimits;

/// How much of a guest's stderr (its panic message) is kept for the error.
const STDERR_CAPTURE_BYTES: usize = 4096;

/// Who is running: attached to every log line a guest causes.
#[derive(Debug, Clone)]
pub(crate) struct InvocationContext {
    pub(crate) script: Arc<str>,
    pub(crate) version: Arc<str>,
    pub(crate) call_uuid: Arc<str>,
    pub(crate) globals: Arc<HashMap<String, String>>,
}

/// The `T` of every `Store<T>` this crate creates.
pub(crate) struct ScriptState {
    pub(crate) table: ResourceTable,
    wasi: WasiCtx,
    http_ctx: WasiHttpCtx,
    http_policy: HttpPolicy,
    pub(crate) limits: GuestLimits,
    pub(crate) cpu: CpuMeter,
    pub(crate) context: InvocationContext,
    /// Log lines this invocation has written, to cap floods.
    pub(crate) log_lines: u32,
    stderr: MemoryOutputPipe,
}

impl std::fmt::Debug for ScriptState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptState")
            .field("context", &self.context)
            .field("cpu", &self.cpu)
            .finish_non_exhaustive()
    }
}

impl ScriptState {
    pub(crate) fn new(
        context: InvocationContext,
        limits: GuestLimits,
        cpu: CpuMeter,
        http_policy: HttpPolicy,
    ) -> Self {
        let stderr = MemoryOutputPipe::new(STDERR_CAPTURE_BYTES);
        // No preopens, no environment, no arguments, no network: a script sees
        // nothing of the host but our interfaces and allowed HTTP. stdin is closed,
        // stdout discarded, stderr captured for panic messages.
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        ScriptState {
            table: ResourceTable::new(),
            wasi,
            http_ctx: WasiHttpCtx::new(),
            http_policy,
            limits,
            cpu,
            context,
            log_lines: 0,
            stderr,
        }
    }

    /// Ready a warm instance's state for the next invocation: who runs, the
    /// limits, a fresh CPU meter and HTTP policy, the log flood counter. The WASI
    /// context (and the resources the guest's runtime keeps in the table, such as
    /// its stdio streams) stay: they belong to the instance.
    pub(crate) fn rearm(
        &mut self,
        context: InvocationContext,
        limits: GuestLimits,
        cpu: CpuMeter,
        http_policy: HttpPolicy,
    ) {
        self.context = context;
        self.limits = self.limits.renewed(limits);
        self.cpu = cpu;
        self.http_policy = http_policy;
        self.log_lines = 0;
    }

    /// True when the guest wrote nothing to stderr.
    pub(crate) fn stderr_is_empty(&self) -> bool {
        self.stderr.contents().is_empty()
    }

    /// What the guest wrote to stderr, lossily decoded and trimmed.
    pub(crate) fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents())
            .trim()
            .to_string()
    }
}

impl WasiView for ScriptState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for ScriptState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http_ctx,
            table: &mut self.table,
            hooks: &mut self.http_policy,
        }
    }
}
