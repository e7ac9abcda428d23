//! End-to-end tests of `witswitch route`, the dry run of a dialplan component:
//! actions on stdout one per line, typed errors on stderr with a non-zero exit.
//!
//! Needs the guests: `scripts/build-guests`. Run with
//! `cargo test -p witswitch --test e2e_route`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn guest(crate_name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../build/guests")
        .join(format!("{crate_name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/build-guests",
        path.display()
    );
    path
}

/// `witswitch route <guest> <args>`, with a private compile cache.
fn route(crate_name: &str, args: &[&str], cache: &tempfile::TempDir) -> Output {
    Command::new(env!("CARGO_BIN_EXE_witswitch"))
        .arg("route")
        .arg(guest(crate_name))
        .args(args)
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .expect("witswitch runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_example_dialplan_routes_local_extensions_and_nothing_else() {
    let cache = tempfile::tempdir().expect("tempdir");
    let out = route("dialplan", &["--dest", "1001", "--caller", "1000"], &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout(&out),
        "set call_timeout=30\nset hangup_after_bridge=true\nbridge user/1001\n"
    );
    let out = route("dialplan", &["--dest", "4242"], &cache);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "hangup NO_ROUTE_DESTINATION\n");
}

#[test]
fn variables_globals_and_the_username_reach_the_script() {
    let cache = tempfile::tempdir().expect("tempdir");
    let args = [
        "--dest",
        "12125551234",
        "--username",
        "1000",
        "--var",
        "outbound_caller_id_number=+15550100",
        "--global",
        "outbound_caller_id_number=+15559999",
    ];
    let out = route("dialplan", &args, &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        text.contains("set origination_caller_id_number=+15550100\n"),
        "{text}"
    );
    assert!(
        text.ends_with("bridge sofia/gateway/outbound/12125551234\n"),
        "{text}"
    );
}

#[test]
fn a_looping_dialplan_prints_its_typed_error_and_fails() {
    let cache = tempfile::tempdir().expect("tempdir");
    let out = route("fault_infinite_loop", &["--dest", "1001"], &cache);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: script `fault_infinite_loop` exceeded its CPU deadline of 50 ms"),
        "{stderr}"
    );
    assert!(stderr.contains("hangup cause: CRASH"), "{stderr}");
}

#[test]
fn an_app_is_not_a_dialplan() {
    let cache = tempfile::tempdir().expect("tempdir");
    let out = route("app_probe", &["--dest", "1001"], &cache);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("implements world `app`, but world `dialplan`"),
        "{stderr}"
    );
}
