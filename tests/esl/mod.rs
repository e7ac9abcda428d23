//! Harness for the event socket tests: real ESL client libraries (Python greenswitch
//! and genesis, Node modesl, installed by `.ci/run`) run as child processes that
//! print one JSON object per line; the test reads those lines with deadlines.

#![allow(dead_code)] // each test uses a different part

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::calls::{CallConf, CallSwitch};
use crate::common::{DEADLINE, repo_root};

/// The Python with greenswitch and genesis (`.ci/run` makes this venv).
pub fn python() -> PathBuf {
    std::env::var_os("WITSWITCH_ESL_PYTHON").map_or_else(
        || PathBuf::from("/work/cache/esl-venv/bin/python"),
        PathBuf::from,
    )
}

/// The folder whose `node_modules` holds modesl.
pub fn node_modules() -> PathBuf {
    std::env::var_os("WITSWITCH_ESL_NODE_MODULES").map_or_else(
        || PathBuf::from("/work/cache/esl-node/node_modules"),
        PathBuf::from,
    )
}

/// A running test client.
pub struct Client {
    child: Child,
    lines: mpsc::Receiver<serde_json::Value>,
    /// Every line received so far.
    pub seen: Vec<serde_json::Value>,
    stderr: PathBuf,
}

impl Client {
    /// Runs `tests/esl/<script>` with `args` under the interpreter the extension asks for.
    pub fn spawn(script: &str, args: &[&str], workdir: &std::path::Path) -> Client {
        let path = repo_root().join("tests/esl").join(script);
        let mut command = if script.ends_with(".js") {
            let mut c = Command::new("node");
            c.env("NODE_PATH", node_modules());
            c
        } else {
            Command::new(python())
        };
        let stderr = workdir.join(format!("{script}.{}.stderr", std::process::id()));
        let err_file = std::fs::File::create(&stderr).expect("stderr file");
        let mut child = command
            .arg(&path)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(err_file)
            .spawn()
            .unwrap_or_else(|e| panic!("start {script}: {e} (run .ci/run to install clients)"));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| serde_json::json!({"kind": "text", "text": line}));
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            lines,
            seen: Vec::new(),
            stderr,
        }
    }

    /// Waits for the next line whose `kind` is `kind` (earlier lines are kept in `seen`).
    pub fn wait_kind(&mut self, kind: &str) -> serde_json::Value {
        self.wait_until(kind, |v| v["kind"] == kind)
    }

    /// Waits for a line matching `pred`.
    pub fn wait_until(
        &mut self,
        what: &str,
        mut pred: impl FnMut(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let end = Instant::now() + DEADLINE;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left.max(Duration::from_millis(1))) {
                Ok(value) => {
                    self.seen.push(value.clone());
                    if pred(&value) {
                        return value;
                    }
                }
                Err(_) => panic!(
                    "client: no {what} line; seen {:?}\nstderr:\n{}",
                    self.seen,
                    std::fs::read_to_string(&self.stderr).unwrap_or_default()
                ),
            }
        }
    }

    /// Events seen so far (the `headers` of `event` lines).
    pub fn events(&self) -> Vec<&serde_json::Value> {
        self.seen
            .iter()
            .filter(|v| v["kind"] == "event")
            .map(|v| &v["headers"])
            .collect()
    }

    /// Waits for the client to exit and asserts it succeeded.
    pub fn finish(mut self) -> Vec<serde_json::Value> {
        while let Ok(value) = self.lines.recv_timeout(DEADLINE) {
            self.seen.push(value);
        }
        let status = self.child.wait().expect("wait client");
        assert!(
            status.success(),
            "client failed ({status}): {:?}\n{}",
            self.seen,
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        );
        std::mem::take(&mut self.seen)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `tests/esl/genesis_plan.py` with `steps` against `switch`.
pub fn plan(switch: &CallSwitch, steps: &[&str]) -> Client {
    let port = switch.conf.esl.to_string();
    let mut args = vec!["127.0.0.1", port.as_str(), CallConf::ESL_PASSWORD];
    args.extend_from_slice(steps);
    Client::spawn("genesis_plan.py", &args, switch.dir.path())
}

/// The body of the `api` step running `command`.
pub fn body(client: &mut Client, command: &str) -> String {
    let line = client.wait_until(command, |v| v["kind"] == "api" && v["command"] == command);
    line["body"].as_str().expect("api body").to_owned()
}

/// Replaces `from` by `to` in a file of the switch's `conf/` folder.
pub fn edit_conf(switch: &CallSwitch, file: &str, from: &str, to: &str) {
    let path = switch.dir.path().join("conf").join(file);
    let text = std::fs::read_to_string(&path).expect("conf file");
    assert!(text.contains(from), "{from:?} in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write conf file");
}

/// Lets the plan's `waitfile:` step go on.
pub fn mark(switch: &CallSwitch, name: &str) {
    std::fs::write(switch.dir.path().join(name), "").expect("marker");
}
