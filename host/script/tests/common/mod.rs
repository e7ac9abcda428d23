//! Shared helpers of the script host's integration tests.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::PathBuf;
use std::time::Duration;

use witswitch_script::{EngineSettings, EpochTicking, RouteResult, ScriptHost, format};

/// A compiled test or example guest: `<repo>/build/guests/<crate_name>.wasm`.
pub fn guest(crate_name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../build/guests")
        .join(format!("{crate_name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/build-guests (it builds examples/ for wasm32-wasip2)",
        path.display()
    );
    path
}

/// The bytes of a guest.
pub fn guest_bytes(crate_name: &str) -> Vec<u8> {
    std::fs::read(guest(crate_name)).expect("guest file readable")
}

/// Engine settings for tests: a small pool, the real 1 ms ticker, and a compile
/// cache shared by all tests of a build (a debug build takes about a second to
/// compile a guest; the cache makes that once per guest, not once per test).
pub fn test_settings() -> EngineSettings {
    EngineSettings {
        max_instances: 400,
        cache_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasm-cache")),
        ..EngineSettings::default()
    }
}

/// A host with the real ticker.
pub fn host() -> ScriptHost {
    ScriptHost::new(test_settings()).expect("engine starts")
}

/// A host whose epoch only moves when the test advances it (virtual CPU time,
/// 1 tick = 1 ms).
pub fn manual_host() -> ScriptHost {
    ScriptHost::new(EngineSettings {
        epoch: EpochTicking::Manual {
            tick: Duration::from_millis(1),
        },
        ..test_settings()
    })
    .expect("engine starts")
}

/// A route result as FreeSWITCH-style lines.
pub fn lines(result: &RouteResult) -> Vec<String> {
    format::route_lines(result)
        .iter()
        .map(ToString::to_string)
        .collect()
}
