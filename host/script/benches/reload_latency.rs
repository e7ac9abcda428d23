//! Reload latency, write → live: deploy a new version of the example dialplan
//! into a watched folder by write-then-rename and time until a `route` returns
//! the new version's behaviour (event seen and first routed call). Cold (every
//! function compiled), with the in-memory function cache (identical code: the
//! best case; the reload pair: an edit), and warm (whole artifacts from the
//! on-disk cache). Prints p50 and max. Run:
//! `cargo bench -p witswitch-script --bench reload_latency`.

use std::path::Path;
use std::time::{Duration, Instant};

use witswitch_script::{EngineSettings, ScriptEvent, ScriptHost, synthetic_call_info};

#[path = "common.rs"]
mod common;

const ROUNDS: usize = 12;

/// Two different builds of a dialplan: the example (with a trailing custom
/// section so its hash differs) or the reload pair.
fn versions() -> (Vec<u8>, Vec<u8>, &'static str) {
    match common::guest("dialplan") {
        Some(path) => {
            let a = std::fs::read(path).expect("read");
            let mut b = a.clone();
            // A custom section (id 0): name "v", no payload. Components accept
            // custom sections anywhere; the code is unchanged, the hash differs.
            b.extend_from_slice(&[0x00, 0x02, 0x01, b'v']);
            (a, b, "dialplan (example)")
        }
        None => (
            std::fs::read(common::required_guest("reload_v1")).expect("read"),
            std::fs::read(common::required_guest("reload_v2")).expect("read"),
            "reload_v1/v2",
        ),
    }
}

fn deploy(dir: &Path, bytes: &[u8]) {
    let tmp = dir.join(".dialplan.wasm.tmp");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, dir.join("dialplan.wasm")).expect("rename");
}

fn measure(
    label: &str,
    cache: Option<&Path>,
    function_cache: bool,
    versions: &(Vec<u8>, Vec<u8>, &str),
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let host = ScriptHost::new(EngineSettings {
        max_instances: 200,
        cache_dir: cache.map(Path::to_path_buf),
        function_cache_bytes: if function_cache { 64 << 20 } else { 0 },
        ..EngineSettings::default()
    })
    .expect("engine");
    deploy(dir.path(), &versions.0);
    host.load_dir(dir.path()).expect("dir");
    let _watcher = host
        .watch(dir.path(), witswitch_script::DEFAULT_DEBOUNCE)
        .expect("watch");
    let call = synthetic_call_info("1001", "1000", "default", &[]);
    let mut samples: Vec<Duration> = runtime.block_on(async {
        let mut events = host.subscribe();
        let mut samples = Vec::new();
        for round in 0..ROUNDS {
            let bytes = if round % 2 == 0 {
                &versions.1
            } else {
                &versions.0
            };
            let started = Instant::now();
            deploy(dir.path(), bytes);
            loop {
                match events.recv().await {
                    Ok(ScriptEvent::Reloaded { .. }) => break,
                    Ok(ScriptEvent::LoadFailed { reason, .. }) => panic!("reload failed: {reason}"),
                    Ok(_) => {}
                    Err(e) => panic!("events: {e}"),
                }
            }
            host.route("dialplan", &call)
                .await
                .expect("routes after reload");
            samples.push(started.elapsed());
        }
        samples
    });
    samples.sort();
    let p50 = samples[samples.len() / 2];
    let max = samples[samples.len() - 1];
    println!(
        "reload write→live, {label}, {}: p50 {:.1} ms, max {:.1} ms ({ROUNDS} rounds, debounce {} ms)",
        versions.2,
        p50.as_secs_f64() * 1000.0,
        max.as_secs_f64() * 1000.0,
        witswitch_script::DEFAULT_DEBOUNCE.as_millis()
    );
}

fn main() {
    let example = versions();
    measure("cold: every function compiled", None, false, &example);
    measure("function cache, identical code", None, true, &example);
    let pair = (
        std::fs::read(common::required_guest("reload_v1")).expect("read"),
        std::fs::read(common::required_guest("reload_v2")).expect("read"),
        "reload_v1/v2 (edited code)",
    );
    measure("cold: every function compiled", None, false, &pair);
    measure("function cache, edited code", None, true, &pair);
    let cache = tempfile::tempdir().expect("tempdir");
    // Fill the on-disk cache with both versions, then measure warm reloads.
    measure("filling disk cache", Some(cache.path()), false, &example);
    measure(
        "warm: on-disk artifact cache",
        Some(cache.path()),
        false,
        &example,
    );
}
