//! The cost of one dialplan in each guest language (the table in
//! guest-sdk/README.md): component size, compile time, load time from the disk
//! cache (a restart), `route` latency with a fresh instance per call and with a
//! warm instance, and linear memory per instance. Runs once and prints one line
//! per language; needs `scripts/build-guests` (all four dialplans).

use std::time::{Duration, Instant};

use witswitch_script::{
    EngineSettings, InstanceReuse, ScriptHost, ScriptSettings, synthetic_call_info,
};

#[path = "common.rs"]
mod common;

const LANGUAGES: [(&str, &str); 5] = [
    ("Rust", "dialplan"),
    ("JavaScript (QuickJS)", "dialplan_js"),
    ("Python", "dialplan_py"),
    ("Go", "dialplan_go"),
    // The HTTP-routing dialplan without a backend set: no request, so this is
    // the engine's own cost.
    ("JavaScript (StarlingMonkey)", "http_route_js"),
];

/// Route calls timed per language and mode.
const CALLS: usize = 300;

fn settings(cache_dir: Option<std::path::PathBuf>) -> EngineSettings {
    EngineSettings {
        max_instances: 64,
        cache_dir,
        // A cold compile: no in-memory function cache either.
        function_cache_bytes: 0,
        ..EngineSettings::default()
    }
}

fn p50(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// p50 of `CALLS` routes of 1001 (local bridge, a regex match) under `reuse`,
/// and the instance stats afterwards.
fn route_p50(
    runtime: &tokio::runtime::Runtime,
    host: &ScriptHost,
    name: &str,
    reuse: InstanceReuse,
) -> (Duration, witswitch_script::InstanceStats) {
    host.set_script_settings(
        name,
        ScriptSettings {
            instance_reuse: reuse,
            // StarlingMonkey's instantiation alone can pass the 50 ms default.
            route_cpu: Duration::from_secs(5),
            ..ScriptSettings::default()
        },
    );
    let mut call = synthetic_call_info("1001", "1000", "default", &[]);
    call.username = Some("1000".to_owned());
    let samples = (0..CALLS)
        .map(|_| {
            let started = Instant::now();
            runtime.block_on(host.route(name, &call)).expect("routes");
            started.elapsed()
        })
        .collect();
    (p50(samples), host.instance_stats(name).expect("loaded"))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "| language | component | compile | load from cache | route fresh (p50) | route warm (p50) | linear memory per instance |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (language, file) in LANGUAGES {
        let bytes = std::fs::read(common::required_guest(file)).expect("readable");
        let cache = tempfile::tempdir().expect("tempdir");

        let cold = ScriptHost::new(settings(Some(cache.path().to_path_buf()))).expect("engine");
        let started = Instant::now();
        cold.load_bytes("dp", &bytes).expect("compiles");
        let compile = started.elapsed();
        drop(cold);

        let host = ScriptHost::new(settings(Some(cache.path().to_path_buf()))).expect("engine");
        let started = Instant::now();
        host.load_bytes("fresh", &bytes).expect("loads");
        let load = started.elapsed();
        host.load_bytes("warm", &bytes).expect("loads");
        let (fresh, _) = route_p50(&runtime, &host, "fresh", InstanceReuse::Fresh);
        let (warm, stats) = route_p50(&runtime, &host, "warm", InstanceReuse::Warm { max_idle: 1 });
        println!(
            "| {language} | {:.2} MB | {:.0} ms | {:.1} ms | {:.0} µs | {:.0} µs | {:.1} MiB |",
            bytes.len() as f64 / 1e6,
            ms(compile),
            ms(load),
            fresh.as_secs_f64() * 1e6,
            warm.as_secs_f64() * 1e6,
            stats.peak_memory_bytes as f64 / f64::from(1 << 20),
        );
    }
}
