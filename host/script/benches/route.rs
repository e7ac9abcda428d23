//! `route` with a fresh, sandboxed instance from the pre-linked example dialplan,
//! against the same routing written natively in Rust.
//!
//! Uses `build/guests/dialplan.wasm` (the example dialplan) when built, else the
//! fault-free test dialplan `reload_v1` (same local-extension rule, no regex).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use regex::Regex;
use witswitch_script::{
    Action, EngineSettings, KeyValue, RouteResult, ScriptHost, synthetic_call_info,
};

#[path = "common.rs"]
mod common;

/// The example dialplan's rule for 1000-1019, natively: compile the pattern
/// and match, as the guest does on every call (with the same crate).
fn native_same_algorithm(destination: &str) -> RouteResult {
    let Ok(pattern) = regex_lite::Regex::new(r"^(10[01][0-9])$") else {
        return RouteResult::NoRoute;
    };
    let Some(extension) = pattern.captures(destination).and_then(|c| c.get(1)) else {
        return RouteResult::NoRoute;
    };
    local_extension(extension.as_str())
}

/// The same rule as a native program would write it: the pattern compiled once.
fn native_precompiled(pattern: &Regex, destination: &str) -> RouteResult {
    match pattern.captures(destination).and_then(|c| c.get(1)) {
        Some(extension) => local_extension(extension.as_str()),
        None => RouteResult::NoRoute,
    }
}

fn local_extension(extension: &str) -> RouteResult {
    let set = |key: &str, value: &str| {
        Action::Set(KeyValue {
            key: key.into(),
            value: value.into(),
        })
    };
    RouteResult::Actions(vec![
        set("call_timeout", "30"),
        set("hangup_after_bridge", "true"),
        Action::Bridge(format!("user/{extension}")),
    ])
}

/// Time `iterations` single calls of `f` and print p50/p90/p99. Percentiles of
/// single calls are robust against other processes on the machine (a call is
/// rarely preempted), unlike means over batches.
fn percentiles(label: &str, iterations: usize, mut f: impl FnMut()) {
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 * q) as usize).min(samples.len() - 1);
        samples[index].as_secs_f64() * 1e6
    };
    println!(
        "{label}: p50 {:.2} µs, p90 {:.2} µs, p99 {:.2} µs ({iterations} calls)",
        at(0.5),
        at(0.9),
        at(0.99)
    );
}

fn route(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let host = ScriptHost::new(EngineSettings::default()).expect("engine");
    let (name, path) = match common::guest("dialplan") {
        Some(path) => ("dialplan", path),
        None => ("reload_v1", common::required_guest("reload_v1")),
    };
    host.load("dialplan", &path).expect("dialplan loads");
    let call = synthetic_call_info("1001", "1000", "default", &[]);
    let echo = synthetic_call_info("9196", "1000", "default", &[]);
    // The guest and the native code agree on what 1001 does.
    let from_guest = runtime
        .block_on(host.route("dialplan", &call))
        .expect("routes");
    if name == "dialplan" {
        assert_eq!(from_guest, native_same_algorithm("1001"));
    }

    let pattern = Regex::new(r"^(10[01][0-9])$").expect("pattern");
    percentiles(
        &format!("wasm fresh instance, {name}, 1001"),
        20_000,
        || {
            black_box(
                runtime
                    .block_on(host.route("dialplan", black_box(&call)))
                    .ok(),
            );
        },
    );
    percentiles(
        &format!("wasm fresh instance, {name}, 9196"),
        20_000,
        || {
            black_box(
                runtime
                    .block_on(host.route("dialplan", black_box(&echo)))
                    .ok(),
            );
        },
    );
    percentiles(
        "native, same algorithm (regex compiled per call), 1001",
        20_000,
        || {
            black_box(native_same_algorithm(black_box("1001")));
        },
    );
    percentiles("native, precompiled regex, 1001", 200_000, || {
        black_box(native_precompiled(&pattern, black_box("1001")));
    });

    let mut group = c.benchmark_group("route");
    group.bench_function(format!("wasm_fresh_instance/{name}/1001"), |b| {
        b.iter(|| runtime.block_on(host.route("dialplan", black_box(&call))))
    });
    group.bench_function(format!("wasm_fresh_instance/{name}/9196"), |b| {
        b.iter(|| runtime.block_on(host.route("dialplan", black_box(&echo))))
    });
    group.bench_function("native_same_algorithm/1001", |b| {
        b.iter(|| native_same_algorithm(black_box("1001")))
    });
    group.bench_function("native_precompiled/1001", |b| {
        b.iter(|| native_precompiled(&pattern, black_box("1001")))
    });
    group.finish();
}

criterion_group!(benches, route);
criterion_main!(benches);
