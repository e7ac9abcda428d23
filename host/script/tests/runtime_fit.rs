//! Runtime fit for large guests: warm instance reuse per script
//! ([`InstanceReuse`]) and the compiled-artifact cache across restarts, with the
//! Python dialplan (an 18 MB component that takes milliseconds to instantiate)
//! and the JavaScript one (QuickJS, microseconds).

mod common;

use std::time::Duration;

use witswitch_script::{
    CallInfo, EngineSettings, InstanceReuse, RouteResult, ScriptHost, ScriptSettings,
    synthetic_call_info,
};

fn with_reuse(host: &ScriptHost, name: &str, instance_reuse: InstanceReuse) {
    host.set_script_settings(
        name,
        ScriptSettings {
            instance_reuse,
            // These tests are about instances, not CPU budgets: a loaded 2-core
            // machine must not turn a slow first Python call into a deadline.
            route_cpu: Duration::from_secs(5),
            ..ScriptSettings::default()
        },
    );
}

fn authenticated(destination: &str, variables: &[(&str, &str)]) -> CallInfo {
    let variables: Vec<(String, String)> = variables
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut call = synthetic_call_info(destination, "1000", "default", &variables);
    call.username = Some("1000".to_owned());
    call
}

/// Calls whose answers differ, so a warm instance answering with anything left
/// from the previous call would show.
fn mixed_calls() -> Vec<CallInfo> {
    vec![
        authenticated("1001", &[]),
        authenticated(
            "18005551212",
            &[("outbound_caller_id_number", "2125550100")],
        ),
        authenticated("9196", &[]),
        authenticated("18005551212", &[]),
        authenticated("nothing", &[]),
        authenticated("1019", &[]),
        authenticated("5001", &[]),
        authenticated(
            "02125551212",
            &[("outbound_caller_id_number", "2125550101")],
        ),
    ]
}

async fn route(host: &ScriptHost, name: &str, call: &CallInfo) -> RouteResult {
    host.route(name, call)
        .await
        .unwrap_or_else(|err| panic!("{name} {}: {err}", call.destination_number))
}

#[tokio::test]
async fn warm_instances_answer_like_fresh_ones_and_are_reused() {
    let host = common::host();
    for name in ["fresh", "warm"] {
        host.load(name, &common::guest("dialplan_py"))
            .expect("loads");
    }
    with_reuse(&host, "fresh", InstanceReuse::Fresh);
    with_reuse(&host, "warm", InstanceReuse::Warm { max_idle: 2 });
    let calls = mixed_calls();
    for round in 0..3 {
        for call in &calls {
            let fresh = route(&host, "fresh", call).await;
            let warm = route(&host, "warm", call).await;
            assert_eq!(warm, fresh, "round {round} {}", call.destination_number);
        }
    }
    let total = u64::try_from(calls.len() * 3).expect("small");
    let fresh = host.instance_stats("fresh").expect("loaded");
    assert_eq!(
        (fresh.instantiations, fresh.reuses, fresh.warm),
        (total, 0, false)
    );
    // Sequential calls: one instance serves them all.
    let warm = host.instance_stats("warm").expect("loaded");
    assert_eq!(
        (warm.instantiations, warm.reuses, warm.warm),
        (1, total - 1, true)
    );
    assert!(warm.peak_memory_bytes >= 1 << 20, "{warm:?}");
}

#[tokio::test]
async fn concurrent_calls_get_their_own_instances_and_keep_at_most_max_idle() {
    let host = common::host();
    host.load("warm", &common::guest("dialplan_js"))
        .expect("loads");
    with_reuse(&host, "warm", InstanceReuse::Warm { max_idle: 3 });
    let calls = mixed_calls();
    let expected: Vec<RouteResult> = {
        let mut all = Vec::new();
        for call in &calls {
            all.push(route(&host, "warm", call).await);
        }
        all
    };
    for _ in 0..4 {
        let tasks: Vec<_> = calls
            .iter()
            .cloned()
            .map(|call| {
                let host = host.clone();
                tokio::spawn(async move { host.route("warm", &call).await })
            })
            .collect();
        for (task, want) in tasks.into_iter().zip(&expected) {
            assert_eq!(&task.await.expect("joins").expect("routes"), want);
        }
    }
    let stats = host.instance_stats("warm").expect("loaded");
    let calls_made = u64::try_from(calls.len() * 5).expect("small");
    assert_eq!(stats.instantiations + stats.reuses, calls_made);
    assert!(stats.reuses > 0, "{stats:?}");
}

#[tokio::test]
async fn an_instance_that_failed_is_never_reused() {
    let host = common::host();
    host.load("trap", &common::guest("fault_trap"))
        .expect("loads");
    with_reuse(&host, "trap", InstanceReuse::Warm { max_idle: 4 });
    for _ in 0..3 {
        let err = host
            .route("trap", &authenticated("1001", &[]))
            .await
            .expect_err("traps");
        assert!(err.to_string().contains("panics on purpose"), "{err}");
    }
    let stats = host.instance_stats("trap").expect("loaded");
    assert_eq!((stats.instantiations, stats.reuses), (3, 0));
}

#[tokio::test]
async fn auto_goes_warm_only_past_its_instantiation_threshold() {
    let host = common::host();
    for name in ["cheap", "dear"] {
        host.load(name, &common::guest("dialplan_js"))
            .expect("loads");
    }
    // Thresholds no instantiation can miss, so the decision is deterministic.
    with_reuse(
        &host,
        "cheap",
        InstanceReuse::Auto {
            threshold: Duration::MAX,
        },
    );
    with_reuse(
        &host,
        "dear",
        InstanceReuse::Auto {
            threshold: Duration::ZERO,
        },
    );
    for _ in 0..4 {
        for name in ["cheap", "dear"] {
            route(&host, name, &authenticated("1001", &[])).await;
        }
    }
    let cheap = host.instance_stats("cheap").expect("loaded");
    assert_eq!(
        (cheap.instantiations, cheap.reuses, cheap.warm),
        (4, 0, false)
    );
    let dear = host.instance_stats("dear").expect("loaded");
    assert_eq!((dear.instantiations, dear.reuses, dear.warm), (1, 3, true));
}

#[tokio::test]
async fn a_restart_loads_the_large_python_component_from_the_disk_cache() {
    let cache = tempfile::tempdir().expect("tempdir");
    let settings = || EngineSettings {
        cache_dir: Some(cache.path().to_path_buf()),
        max_instances: 16,
        ..common::test_settings()
    };
    let bytes = common::guest_bytes("dialplan_py");
    assert!(
        bytes.len() > 8 << 20,
        "a large component: {} bytes",
        bytes.len()
    );
    let call = authenticated("1001", &[]);

    let first = ScriptHost::new(settings()).expect("engine");
    with_reuse(&first, "dialplan", InstanceReuse::default());
    first.load_bytes("dialplan", &bytes).expect("compiles");
    let before = route(&first, "dialplan", &call).await;
    let stats = first.cache_stats().expect("cache on");
    assert_eq!((stats.hits, stats.misses), (0, 1));
    drop(first);

    // A new engine (a restarted switch) with the same cache folder.
    let second = ScriptHost::new(settings()).expect("engine");
    with_reuse(&second, "dialplan", InstanceReuse::default());
    second.load_bytes("dialplan", &bytes).expect("loads");
    let stats = second.cache_stats().expect("cache on");
    assert_eq!((stats.hits, stats.misses), (1, 0));
    assert_eq!(route(&second, "dialplan", &call).await, before);
}
