//! Harness for end-to-end tests: start the real `witswitch` binary on 127.0.0.1 with a
//! config written to a temporary directory, drive it with sipp or raw sockets, and wait
//! on conditions with deadlines (never fixed sleeps).

#![allow(dead_code)] // each test file uses a different part of the harness

pub mod conf;

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long any condition may take before a test fails.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The repository root (tests live in `<root>/tests`, this crate in `<root>/host/witswitch`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A sipp scenario file under `tests/sipp/`.
pub fn scenario(name: &str) -> PathBuf {
    repo_root().join("tests/sipp").join(name)
}

/// A port free for both UDP and TCP on 127.0.0.1 right now, with the three after
/// it free too (sipp puts RTCP and video beside its media port).
///
/// The ports come from 10000-19999, walked by a process-wide cursor: below the
/// switches' RTP blocks (20000+, see `calls::CallConf`) and below the kernel's
/// ephemeral range (32768+), so neither a switch allocating RTP nor a connect()
/// picking its source port can take a port between this call and its use.
pub fn free_port() -> u16 {
    const FIRST: u32 = 10_000;
    const SLOTS: u32 = 2_500; // of 4 ports each
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // Test binaries run one at a time, but start each at another place.
    let offset = std::process::id() % SLOTS;
    for _ in 0..SLOTS {
        let slot = (offset + NEXT.fetch_add(1, Ordering::Relaxed)) % SLOTS;
        let port = u16::try_from(FIRST + slot * 4).expect("port below 20000");
        let free = (port..port + 4).all(|p| {
            UdpSocket::bind(("127.0.0.1", p)).is_ok() && TcpListener::bind(("127.0.0.1", p)).is_ok()
        });
        if free {
            return port;
        }
    }
    panic!("no free port in 10000-19999");
}

/// Polls `probe` until it returns `Some` or `deadline` passes.
pub fn wait_for<T>(what: &str, deadline: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + deadline;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// A running switch; killed when dropped.
pub struct Switch {
    child: Child,
    /// The temporary directory holding conf/, state/ and the logs.
    pub dir: tempfile::TempDir,
    /// SIP port of profile `internal` (UDP and TCP).
    pub port: u16,
}

impl Switch {
    /// Writes `conf` into a fresh directory, starts the binary and waits until it
    /// answers OPTIONS over UDP.
    pub fn start(conf: &conf::TestConf) -> Switch {
        let dir = tempfile::tempdir().expect("tempdir");
        conf.write(&dir.path().join("conf"));
        let stdout = fs::File::create(dir.path().join("stdout.log")).expect("stdout file");
        let stderr = fs::File::create(dir.path().join("stderr.log")).expect("stderr file");
        let child = Command::new(env!("CARGO_BIN_EXE_witswitch"))
            .arg("run")
            .arg("--conf")
            .arg(dir.path().join("conf"))
            .arg("--state")
            .arg(dir.path().join("state"))
            .arg("--log-file")
            .arg(dir.path().join("witswitch.log"))
            .args(["--log-level", "info"])
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("start witswitch");
        let mut switch = Switch {
            child,
            dir,
            port: conf.port,
        };
        let from = probe_socket("127.0.0.1");
        wait_for("the switch to answer OPTIONS", DEADLINE, || {
            if let Ok(Some(status)) = switch.child.try_wait() {
                panic!("witswitch exited early ({status}): {}", switch.output());
            }
            options_udp(&from, switch.addr(), Duration::from_millis(200))
        });
        switch
    }

    /// The profile's SIP address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Process id of the switch.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the switch logged so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("witswitch.log")).unwrap_or_default()
    }

    /// What the process printed on stdout and stderr.
    pub fn output(&self) -> String {
        let read = |name: &str| fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!(
            "stdout:\n{}\nstderr:\n{}",
            read("stdout.log"),
            read("stderr.log")
        )
    }

    /// Waits until the log holds `text`.
    pub fn wait_for_log(&self, text: &str) {
        wait_for(&format!("log line {text:?}"), DEADLINE, || {
            self.log().contains(text).then_some(())
        });
    }

    /// Resident set size in KiB (from /proc/<pid>/status).
    pub fn rss_kib(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    /// Asserts the process is still alive.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("witswitch died ({status}): {}", self.log());
        }
    }

    /// Runs sipp against this switch: `scenario` file, extra arguments, returns the output.
    /// Each call gets its own SIP, media and control ports.
    pub fn sipp(&self, scenario_name: &str, args: &[&str]) -> Output {
        let remote = format!("127.0.0.1:{}", self.port);
        run_sipp(&scenario(scenario_name), &remote, self.dir.path(), args)
    }

    /// Writes a sipp injection CSV into the test directory and returns its path.
    pub fn write_csv(&self, name: &str, rows: &[(String, String)]) -> PathBuf {
        let mut text = String::from("SEQUENTIAL\n");
        for (user, password) in rows {
            text.push_str(&format!(
                "{user};[authentication username={user} password={password}]\n"
            ));
        }
        let path = self.dir.path().join(name);
        fs::write(&path, text).expect("write csv");
        path
    }
}

impl Drop for Switch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- witswitch log ----\n{}", self.log());
        }
    }
}

/// Runs sipp with sane test defaults: its own ports, a global timeout, no stdin,
/// errors traced into `workdir`.
pub fn run_sipp(scenario: &Path, remote: &str, workdir: &Path, args: &[&str]) -> Output {
    let sip_port = free_port().to_string();
    let media_port = free_port().to_string();
    let control_port = free_port().to_string();
    let mut command = Command::new("sipp");
    command.arg(remote).arg("-sf").arg(scenario);
    if !args.contains(&"-i") {
        command.args(["-i", "127.0.0.1"]);
    }
    command
        .args(["-p", &sip_port, "-mp", &media_port])
        .args([
            "-cp",
            &control_port,
            "-nostdin",
            "-timeout",
            "60s",
            "-timeout_error",
        ])
        .args(["-trace_err"])
        .args(args)
        .current_dir(workdir)
        .stdin(Stdio::null())
        .output()
        .expect("run sipp (apt package sip-tester)")
}

/// Asserts sipp exited 0, showing its output and error trace otherwise.
pub fn assert_sipp_ok(out: &Output, what: &str, switch: &Switch) {
    if out.status.success() {
        return;
    }
    let mut errors = String::new();
    if let Ok(entries) = fs::read_dir(switch.dir.path()) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().contains("_errors.log") {
                errors.push_str(&fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    panic!(
        "sipp {what} failed ({}):\nstdout:\n{}\nstderr:\n{}\nerrors:\n{errors}\nswitch log:\n{}",
        out.status,
        tail(&String::from_utf8_lossy(&out.stdout), 3000),
        tail(&String::from_utf8_lossy(&out.stderr), 3000),
        tail(&switch.log(), 6000),
    );
}

fn tail(s: &str, n: usize) -> &str {
    let start = s.len().saturating_sub(n);
    let start = (start..=s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    &s[start..]
}

/// A UDP socket on `ip` (any 127/8 address works on Linux loopback) with a free port.
pub fn probe_socket(ip: &str) -> UdpSocket {
    UdpSocket::bind((ip, 0)).expect("bind probe socket")
}

/// An OPTIONS request as bytes, `via` being the sender's address and `transport` UDP/TCP.
pub fn options_request(to: SocketAddr, via: SocketAddr, transport: &str, call_id: &str) -> String {
    request("OPTIONS", to, via, transport, call_id)
}

/// A minimal out-of-dialog request of `method` without a body.
pub fn request(
    method: &str,
    to: SocketAddr,
    via: SocketAddr,
    transport: &str,
    call_id: &str,
) -> String {
    format!(
        "{method} sip:ping@{to} SIP/2.0\r\n\
         Via: SIP/2.0/{transport} {via};branch=z9hG4bK-{call_id};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@{via}>;tag=probe\r\n\
         To: <sip:ping@{to}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 {method}\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

/// Sends `method` over UDP from `sock` and returns the final response's status code
/// (provisional responses such as 100 Trying are skipped).
pub fn final_status_udp(sock: &UdpSocket, to: SocketAddr, method: &str) -> Option<u16> {
    let call_id = unique(&method.to_ascii_lowercase());
    let via = sock.local_addr().ok()?;
    sock.send_to(request(method, to, via, "UDP", &call_id).as_bytes(), to)
        .ok()?;
    let end = Instant::now() + DEADLINE;
    while Instant::now() < end {
        let response = recv_response_udp(sock, &call_id, DEADLINE)?;
        match status_code(&response) {
            Some(code) if code >= 200 => return Some(code),
            _ => continue,
        }
    }
    None
}

/// Sends OPTIONS over UDP and returns the response status code if one arrives in `wait`.
pub fn options_udp(sock: &UdpSocket, to: SocketAddr, wait: Duration) -> Option<u16> {
    let call_id = unique("opt");
    let via = sock.local_addr().ok()?;
    sock.send_to(options_request(to, via, "UDP", &call_id).as_bytes(), to)
        .ok()?;
    let response = recv_response_udp(sock, &call_id, wait)?;
    status_code(&response)
}

/// Waits for a response on `sock` mentioning `call_id`; other datagrams are skipped.
pub fn recv_response_udp(sock: &UdpSocket, call_id: &str, wait: Duration) -> Option<String> {
    let end = Instant::now() + wait;
    let mut buf = vec![0u8; 65_536];
    loop {
        let left = end.checked_duration_since(Instant::now())?;
        sock.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .ok()?;
        let Ok((n, _)) = sock.recv_from(&mut buf) else {
            return None;
        };
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        if text.contains(call_id) {
            return Some(text);
        }
    }
}

/// The status code of a response's status line.
pub fn status_code(response: &str) -> Option<u16> {
    let line = response.lines().next()?;
    let mut parts = line.split(' ');
    (parts.next()? == "SIP/2.0").then_some(())?;
    parts.next()?.parse().ok()
}

/// Sends OPTIONS on an open TCP stream and reads the response for it.
pub fn options_tcp(stream: &mut TcpStream, to: SocketAddr, wait: Duration) -> Option<u16> {
    let call_id = unique("opt-tcp");
    let via = stream.local_addr().ok()?;
    stream
        .write_all(options_request(to, via, "TCP", &call_id).as_bytes())
        .ok()?;
    let response = read_tcp_until(stream, &call_id, wait)?;
    status_code(&response)
}

/// Reads from `stream` until a full response mentioning `marker` is buffered (or EOF /
/// timeout); returns the text read so far.
pub fn read_tcp_until(stream: &mut TcpStream, marker: &str, wait: Duration) -> Option<String> {
    let end = Instant::now() + wait;
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if text.contains(marker) && text.contains("\r\n\r\n") {
            return Some(text);
        }
        let left = end.checked_duration_since(Instant::now())?;
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .ok()?;
        match stream.read(&mut buf) {
            Ok(0) => return (!got.is_empty()).then_some(text),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (!got.is_empty()).then_some(text),
        }
    }
}

/// A process-unique token for Call-IDs and branches.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU16 = AtomicU16::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
