//! Hot reload: swapping a component under load, broken and wrong-world files
//! keeping the live version, write-then-rename deploys through the watcher, and
//! the on-disk artifact cache.

mod common;

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use witswitch_script::{
    HttpSettings, ScriptErrorKind, ScriptEvent, ScriptHost, ScriptSettings, synthetic_call_info,
};

fn version_line(host_lines: &[String]) -> Option<&str> {
    host_lines
        .iter()
        .find_map(|l| l.strip_prefix("set script_version="))
}

async fn route_version(host: &ScriptHost, name: &str) -> String {
    let call = synthetic_call_info("1001", "1000", "default", &[]);
    let result = host.route(name, &call).await.expect("route succeeds");
    version_line(&common::lines(&result))
        .expect("version set")
        .to_string()
}

/// The next event matching `want`, skipping others; bounded so a missing
/// event fails the test instead of hanging it.
async fn next_event(
    events: &mut broadcast::Receiver<ScriptEvent>,
    want: impl Fn(&ScriptEvent) -> bool,
) -> ScriptEvent {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let event = events.recv().await.expect("event channel open");
            if want(&event) {
                return event;
            }
        }
    })
    .await
    .expect("expected event within 20 s")
}

/// An HTTP backend that reports each request it has read on `arrived` and
/// answers only once `release` turns true.
async fn gated_backend(
    release: watch::Receiver<bool>,
    arrived: tokio::sync::mpsc::UnboundedSender<()>,
) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut release = release.clone();
            let arrived = arrived.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 2048];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = arrived.send(());
                let _ = release.wait_for(|open| *open).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapping_a_component_under_100_in_flight_invocations() {
    let host = common::host();
    let (release_tx, release_rx) = watch::channel(false);
    let (arrived_tx, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    let port = gated_backend(release_rx, arrived_tx).await;
    // Version 1 of "swap" waits on the backend: its invocations stay in flight.
    host.load_bytes("swap", &common::guest_bytes("fault_http"))
        .expect("v1 loads");
    host.set_script_settings(
        "swap",
        ScriptSettings {
            http: HttpSettings {
                allow: vec![format!("127.0.0.1:{port}")],
                ..HttpSettings::default()
            },
            ..ScriptSettings::default()
        },
    );
    let v1 = host
        .script_status("swap")
        .and_then(|s| s.version)
        .expect("v1");
    let vars = [("http_authority".to_string(), format!("127.0.0.1:{port}"))];
    let mut in_flight = Vec::new();
    for _ in 0..100 {
        let host = host.clone();
        let call = synthetic_call_info("1001", "1000", "default", &vars);
        in_flight.push(tokio::spawn(async move { host.route("swap", &call).await }));
    }
    // All 100 are in flight: their requests reached the backend.
    for _ in 0..100 {
        arrived.recv().await.expect("a request arrives");
    }
    // Swap to version 2 while they wait.
    let mut events = host.subscribe();
    host.load_bytes("swap", &common::guest_bytes("reload_v2"))
        .expect("v2 loads");
    match next_event(&mut events, |e| matches!(e, ScriptEvent::Reloaded { .. })).await {
        ScriptEvent::Reloaded { old_version, .. } => assert_eq!(old_version, v1),
        other => panic!("{other:?}"),
    }
    // New invocations see version 2 at once.
    assert_eq!(route_version(&host, "swap").await, "2");
    let mut finished_early = Vec::new();
    for task in &mut in_flight {
        if task.is_finished() {
            finished_early.push(task.await.expect("joins"));
        }
    }
    assert!(
        finished_early.is_empty(),
        "v1 invocations must still wait: {finished_early:?}"
    );
    // Release the backend: every in-flight invocation finishes on version 1.
    release_tx.send(true).expect("release");
    for task in in_flight {
        let result = task
            .await
            .expect("joins")
            .expect("no in-flight invocation fails");
        assert_eq!(
            common::lines(&result),
            ["set http_status=200", "set http_body_bytes=2"]
        );
    }
}

#[tokio::test]
async fn a_corrupt_or_wrong_world_file_leaves_the_old_version_live() {
    let host = common::host();
    host.load_bytes("dp", &common::guest_bytes("reload_v1"))
        .expect("v1 loads");
    let mut events = host.subscribe();

    let truncated = common::guest_bytes("reload_v2");
    let half = &truncated[..truncated.len() / 2];
    let error = host.load_bytes("dp", half).unwrap_err();
    assert_eq!(error.kind(), ScriptErrorKind::Compile);
    assert_eq!(route_version(&host, "dp").await, "1");
    let status = host.script_status("dp").expect("status");
    assert_eq!(
        status.last_error.map(|e| e.kind),
        Some(ScriptErrorKind::Compile)
    );
    assert!(matches!(
        next_event(&mut events, |_| true).await,
        ScriptEvent::LoadFailed {
            kind: ScriptErrorKind::Compile,
            ..
        }
    ));

    // An app where a dialplan lives: refused, dialplan stays.
    let error = host
        .load_bytes("dp", &common::guest_bytes("app_probe"))
        .unwrap_err();
    assert_eq!(error.kind(), ScriptErrorKind::WrongWorld);
    assert!(
        error.to_string().contains("implements world `app`"),
        "{error}"
    );
    assert_eq!(route_version(&host, "dp").await, "1");

    // A good file afterwards goes live and clears the error.
    host.load_bytes("dp", &common::guest_bytes("reload_v2"))
        .expect("v2 loads");
    assert_eq!(route_version(&host, "dp").await, "2");
    assert_eq!(host.script_status("dp").and_then(|s| s.last_error), None);
}

/// Deploy `bytes` as `dir/name` the safe way: write a temporary beside it, then
/// rename over the target (atomic on one filesystem).
fn deploy(dir: &Path, name: &str, bytes: &[u8]) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).expect("write temp");
    std::fs::rename(&tmp, dir.join(name)).expect("rename into place");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_reloads_write_then_rename_deploys_and_keeps_old_on_garbage() {
    let dir = tempfile::tempdir().expect("tempdir");
    deploy(dir.path(), "dp.wasm", &common::guest_bytes("reload_v1"));
    let host = common::host();
    let loaded = host.load_dir(dir.path()).expect("dir readable");
    assert_eq!(loaded.len(), 1);
    assert!(loaded[0].is_ok());
    let _watcher = host
        .watch(dir.path(), Duration::from_millis(20))
        .expect("watch");
    let mut events = host.subscribe();

    deploy(dir.path(), "dp.wasm", &common::guest_bytes("reload_v2"));
    next_event(
        &mut events,
        |e| matches!(e, ScriptEvent::Reloaded { name, .. } if name == "dp"),
    )
    .await;
    assert_eq!(route_version(&host, "dp").await, "2");

    deploy(dir.path(), "dp.wasm", b"\0asm garbage");
    match next_event(&mut events, |e| matches!(e, ScriptEvent::LoadFailed { .. })).await {
        ScriptEvent::LoadFailed {
            name, kind, path, ..
        } => {
            assert_eq!(name, "dp");
            assert_eq!(kind, ScriptErrorKind::Compile);
            assert_eq!(path, dir.path().join("dp.wasm"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(route_version(&host, "dp").await, "2");

    // A new script dropped into the folder is picked up too.
    deploy(dir.path(), "other.wasm", &common::guest_bytes("reload_v1"));
    next_event(
        &mut events,
        |e| matches!(e, ScriptEvent::Loaded { name, .. } if name == "other"),
    )
    .await;
    assert_eq!(route_version(&host, "other").await, "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_written_in_place_is_only_loaded_once_complete() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let host = common::host();
    let _watcher = host
        .watch(dir.path(), Duration::from_millis(20))
        .expect("watch");
    let mut events = host.subscribe();
    let bytes = common::guest_bytes("reload_v1");
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    // Half of the file is written and flushed; the writer keeps it open.
    let mut file = std::fs::File::create(dir.path().join("a_slow.wasm")).expect("create");
    file.write_all(first).expect("write");
    file.flush().expect("flush");
    // Another script deployed now is seen by the watcher after those writes
    // (a later batch, or the same one, where `a_slow` sorts first): the half
    // file must not have been acted on before it.
    deploy(dir.path(), "marker.wasm", &common::guest_bytes("reload_v2"));
    match next_event(&mut events, |_| true).await {
        ScriptEvent::Loaded { name, .. } => assert_eq!(name, "marker"),
        other => panic!("the half-written file was acted on: {other:?}"),
    }
    assert!(host.script_status("a_slow").is_none());
    // The rest is written and the file closed: now it loads, complete.
    file.write_all(rest).expect("write");
    drop(file);
    match next_event(&mut events, |_| true).await {
        ScriptEvent::Loaded { name, .. } => assert_eq!(name, "a_slow"),
        other => panic!("expected the complete file to load, got {other:?}"),
    }
    assert_eq!(route_version(&host, "a_slow").await, "1");
}

#[tokio::test]
async fn a_restart_loads_compiled_artifacts_from_the_cache() {
    let cache = tempfile::tempdir().expect("tempdir");
    let settings = || witswitch_script::EngineSettings {
        cache_dir: Some(cache.path().to_path_buf()),
        ..common::test_settings()
    };
    {
        let first = ScriptHost::new(settings()).expect("engine");
        first
            .load("dp", &common::guest("reload_v1"))
            .expect("loads");
        let stats = first.cache_stats().expect("cache on");
        assert_eq!((stats.hits, stats.misses), (0, 1));
    }
    let second = ScriptHost::new(settings()).expect("engine");
    second
        .load("dp", &common::guest("reload_v1"))
        .expect("loads");
    let stats = second.cache_stats().expect("cache on");
    assert_eq!(
        (stats.hits, stats.misses),
        (1, 0),
        "the restart did not recompile"
    );
    assert_eq!(route_version(&second, "dp").await, "1");
}
