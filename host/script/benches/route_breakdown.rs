//! Where the time of a fresh-instance `route` goes: the per-store WASI context,
//! and the whole route with different amounts of linear memory kept resident in
//! freed pool slots (0 = every reuse page-faults the guest's memory back in).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use witswitch_script::{EngineSettings, ScriptHost, synthetic_call_info};

#[path = "common.rs"]
mod common;

fn breakdown(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let path = common::guest("dialplan").unwrap_or_else(|| common::required_guest("reload_v1"));
    let mut group = c.benchmark_group("route_breakdown");
    group.bench_function("wasi_ctx_build", |b| {
        b.iter(|| black_box(wasmtime_wasi::WasiCtx::builder().build()))
    });
    for keep in [0usize, 256 << 10, 1 << 20, 4 << 20] {
        let host = ScriptHost::new(EngineSettings {
            max_instances: 100,
            memory_keep_resident_bytes: keep,
            ..EngineSettings::default()
        })
        .expect("engine");
        host.load("dialplan", &path).expect("loads");
        let call = synthetic_call_info("9196", "1000", "default", &[]);
        group.bench_function(format!("route_9196/keep_resident_{}k", keep >> 10), |b| {
            b.iter(|| runtime.block_on(host.route("dialplan", black_box(&call))))
        });
    }
    group.finish();
}

criterion_group!(benches, breakdown);
criterion_main!(benches);
