//! End-to-end tests of the command line: `check`, `version`, and `run` with the shipped
//! `conf/` on a fresh state folder (first run generates per-user passwords).
//!
//! Run with `cargo test -p witswitch --test e2e_cli`.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{DEADLINE, free_port, probe_socket, wait_for};

fn witswitch() -> Command {
    Command::new(env!("CARGO_BIN_EXE_witswitch"))
}

#[test]
fn version_prints_the_crate_version() {
    let out = witswitch().arg("version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("witswitch {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn check_accepts_the_shipped_conf() {
    let out = witswitch()
        .args(["check", "--conf"])
        .arg(common::repo_root().join("conf"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("OK"));
}

#[test]
fn check_names_file_line_and_key_of_each_error() {
    let dir = tempfile::tempdir().unwrap();
    copy_shipped_conf(dir.path());
    let profile = dir.path().join("profiles/internal.toml");
    let text = fs::read_to_string(&profile).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("sip-port"))
        .expect("sip-port line")
        + 1;
    fs::write(&profile, text.replacen("sip-port", "sip-prot", 1)).unwrap();
    let out = witswitch()
        .args(["check", "--conf"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("profiles/internal.toml:{line}:");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains(&expected) && l.contains("sip-prot")),
        "expected a line with {expected} and the key: {stderr}"
    );
    // `run` refuses the same folder with the same message.
    let out = witswitch()
        .args(["run", "--conf"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&expected));
}

/// The shipped conf on a fresh machine: the first run generates a password per user,
/// says where, and a phone registers with one of them.
#[test]
fn first_run_with_the_shipped_conf_generates_secrets_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    copy_shipped_conf(&conf);
    let port = free_port();
    rewrite_ports(&conf, port);
    let state = dir.path().join("state");
    let stdout_path = dir.path().join("stdout.log");
    let mut child = witswitch()
        .args(["run", "--conf"])
        .arg(&conf)
        .arg("--state")
        .arg(&state)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).unwrap())
        .stderr(fs::File::create(dir.path().join("stderr.log")).unwrap())
        .spawn()
        .unwrap();
    let guard = KillOnDrop(&mut child);
    let secrets = state.join("secrets.toml");
    let announced = wait_for("the secrets announcement", DEADLINE, || {
        let out = fs::read_to_string(&stdout_path).ok()?;
        out.contains("generated SIP passwords for 20 users")
            .then_some(out)
    });
    assert!(
        announced.contains(&secrets.display().to_string()),
        "{announced}"
    );
    let text = fs::read_to_string(&secrets).unwrap();
    let password = text
        .lines()
        .find_map(|l| l.strip_prefix("1000 = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("a password for 1000")
        .to_owned();
    assert!(password.len() >= 16, "a strong secret: {password}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&secrets).unwrap().permissions().mode() & 0o077,
        0
    );

    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let sock = probe_socket("127.0.0.1");
    wait_for("OPTIONS answered", DEADLINE, || {
        common::options_udp(&sock, addr, std::time::Duration::from_millis(200))
    });
    let csv = dir.path().join("users.csv");
    fs::write(
        &csv,
        format!("SEQUENTIAL\n1000;[authentication username=1000 password={password}]\n"),
    )
    .unwrap();
    let out = common::run_sipp(
        &common::scenario("register.xml"),
        &addr.to_string(),
        dir.path(),
        &["-inf", csv.to_str().unwrap(), "-m", "1"],
    );
    assert!(
        out.status.success(),
        "register with the generated password: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(guard);
}

struct KillOnDrop<'a>(&'a mut std::process::Child);

impl Drop for KillOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The TOML files of the repository's `conf/` (not built scripts or state).
fn copy_shipped_conf(to: &Path) {
    let from = common::repo_root().join("conf");
    for sub in ["", "profiles", "directory"] {
        fs::create_dir_all(to.join(sub)).unwrap();
        for entry in fs::read_dir(from.join(sub)).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") {
                fs::copy(&path, to.join(sub).join(entry.file_name())).unwrap();
            }
        }
    }
}

/// Moves every listening port to a free one so that tests run in parallel and beside a
/// running switch: profile `internal` gets `port`.
fn rewrite_ports(conf: &Path, port: u16) {
    for (file, key, value) in [
        ("profiles/internal.toml", "sip-port", port),
        ("profiles/external.toml", "sip-port", free_port()),
        ("witswitch.toml", "listen-port", free_port()),
    ] {
        let path = conf.join(file);
        let text = fs::read_to_string(&path).unwrap();
        let rewritten: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with(key) {
                    format!("{key} = {value}")
                } else {
                    l.to_owned()
                }
            })
            .collect();
        fs::write(&path, rewritten.join("\n") + "\n").unwrap();
    }
}
