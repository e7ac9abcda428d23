//! Shared by the script benches: where guests are, and the engine for benches.
#![allow(dead_code, reason = "each bench uses a different subset")]

use std::path::PathBuf;

/// `<repo>/build/guests/<crate_name>.wasm`, if built.
pub fn guest(crate_name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../build/guests")
        .join(format!("{crate_name}.wasm"));
    path.is_file().then_some(path)
}

/// A guest that must exist.
pub fn required_guest(crate_name: &str) -> PathBuf {
    guest(crate_name).unwrap_or_else(|| {
        panic!("build/guests/{crate_name}.wasm is missing: run scripts/build-guests")
    })
}

/// Resident set size of this process, in bytes (Linux `/proc/self/status`).
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}
