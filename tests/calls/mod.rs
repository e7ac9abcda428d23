//! Harness for the call tests: a configuration with profiles `internal` (auth-calls,
//! registrations) and `external` (no auth, the `outbound` gateway to a test carrier),
//! the example dialplan, a CDR file; a running switch; sipp runs with their own log
//! files; a small RTP peer on a test socket.

#![allow(dead_code)] // each test uses a different part

pub mod audio;
pub mod prompts;

use std::fs;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use crate::common::{DEADLINE, free_port, options_udp, probe_socket, repo_root, wait_for};

/// What a test may vary.
#[derive(Debug, Clone)]
pub struct CallConf {
    /// SIP port of `internal` (auth-calls on).
    pub internal: u16,
    /// SIP port of `external` (auth-calls off, context public).
    pub external: u16,
    /// Where the `outbound` gateway sends (a test carrier).
    pub carrier: u16,
    /// `max-sessions`.
    pub max_sessions: u32,
    /// `sessions-per-second`.
    pub sessions_per_second: u32,
    /// First RTP port.
    pub rtp_start: u16,
    /// Event socket port (password [`CallConf::ESL_PASSWORD`]).
    pub esl: u16,
    /// More scripts: (installed name, file in `build/guests/` without `.wasm`).
    pub extra_guests: Vec<(String, String)>,
    /// Appended to `scripts.toml` (their `[scripts.*]` tables, `[http]`).
    pub extra_scripts_toml: String,
    /// Extra `[contexts]` entries (context, dialplan script).
    pub extra_contexts: Vec<(String, String)>,
    /// The context of profile `external` (`public`).
    pub external_context: String,
    /// More global variables (`name = "value"` lines of `[vars]`).
    pub extra_vars: String,
    /// How long the switch may take to answer OPTIONS after it starts (loading
    /// large script components compiles them first).
    pub startup_deadline: Duration,
    /// A compiled-script cache folder shared with other switches of the test
    /// run, linked as `state/script-cache`, so a large component compiles once.
    pub shared_script_cache: Option<PathBuf>,
    /// Whether the `outbound` gateway registers with the carrier.
    pub gateway_register: bool,
}

impl CallConf {
    /// Free ports, generous limits.
    pub fn new() -> CallConf {
        // Parallel switches take different blocks of 20000-59999 (free_port()
        // stays below 20000, so sipp never meets a switch's RTP port).
        static BLOCK: AtomicU16 = AtomicU16::new(0);
        let pid = u16::try_from(std::process::id() % 40).unwrap_or(0);
        let block = (pid + BLOCK.fetch_add(1, Ordering::Relaxed) % 40) % 40;
        let rtp_start = 20000 + block * 1000;
        CallConf {
            internal: free_port(),
            external: free_port(),
            carrier: free_port(),
            max_sessions: 100,
            sessions_per_second: 100,
            rtp_start,
            esl: free_port(),
            extra_guests: Vec::new(),
            extra_scripts_toml: String::new(),
            extra_contexts: Vec::new(),
            external_context: "public".to_owned(),
            extra_vars: String::new(),
            startup_deadline: DEADLINE,
            shared_script_cache: None,
            gateway_register: false,
        }
    }

    /// The event socket password of test switches.
    pub const ESL_PASSWORD: &str = "esl-test-secret";

    /// The password of a directory user.
    pub fn password(user: u32) -> String {
        format!("calls-test-{user}")
    }

    /// Writes `conf/` (and the state folder) under `root`.
    pub fn write(&self, root: &Path) {
        let conf = root.join("conf");
        let state = root.join("state");
        for dir in ["profiles", "directory", "scripts", "sounds"] {
            fs::create_dir_all(conf.join(dir)).expect("conf folders");
        }
        fs::create_dir_all(&state).expect("state folder");
        if let Some(cache) = &self.shared_script_cache {
            fs::create_dir_all(cache).expect("shared script cache");
            std::os::unix::fs::symlink(cache, state.join("script-cache"))
                .expect("link the shared script cache");
        }
        let guests = repo_root().join("build/guests");
        let mut guests_to_copy: Vec<(String, String)> = ["dialplan", "ivr", "record_and_bridge"]
            .iter()
            .map(|s| ((*s).to_owned(), (*s).to_owned()))
            .collect();
        guests_to_copy.extend(self.extra_guests.iter().cloned());
        for (script, file) in guests_to_copy {
            let from = guests.join(format!("{file}.wasm"));
            fs::copy(&from, conf.join(format!("scripts/{script}.wasm"))).unwrap_or_else(|e| {
                panic!("{}: {e} (run scripts/build-guests first)", from.display())
            });
        }
        copy_dir(&repo_root().join("conf/sounds"), &conf.join("sounds"));
        let contexts: String = self
            .extra_contexts
            .iter()
            .map(|(context, script)| format!("{context} = {script:?}\n"))
            .collect();
        fs::write(
            conf.join("witswitch.toml"),
            format!(
                "[vars]\ndomain = \"127.0.0.1\"\noutbound_caller_id_name = \"witswitch\"\n\
                 outbound_caller_id_number = \"15550001111\"\n{vars}\n\
                 [core]\nmax-sessions = {max}\nsessions-per-second = {sps}\n\
                 state-dir = {state:?}\nrtp-start-port = {rtp_start}\nrtp-end-port = {rtp_end}\n\n\
                 [event-socket]\nlisten-port = {esl}\npassword = {esl_password:?}\n\
                 apply-inbound-acl = \"loopback\"\n\n\
                 [cdr]\npath = {cdr:?}\nmax-file-bytes = 1048576\nkeep-files = 2\n",
                vars = self.extra_vars,
                max = self.max_sessions,
                sps = self.sessions_per_second,
                state = state.display().to_string(),
                rtp_start = self.rtp_start,
                rtp_end = self.rtp_start + 999,
                esl = self.esl,
                esl_password = Self::ESL_PASSWORD,
                cdr = state.join("cdr.json").display().to_string(),
            ),
        )
        .expect("main file");
        fs::write(
            conf.join("scripts.toml"),
            format!(
                "[runtime]\nfolder = {:?}\n\n[contexts]\ndefault = \"dialplan\"\npublic = \"dialplan\"\n{contexts}\n\
                 [scripts.dialplan]\nworld = \"dialplan\"\n\n\
                 [scripts.ivr]\nworld = \"app\"\n\n\
                 [scripts.record_and_bridge]\nworld = \"app\"\n\n{}",
                conf.join("scripts").display().to_string(),
                self.extra_scripts_toml,
            ),
        )
        .expect("scripts file");
        fs::write(conf.join("acl.toml"), "").expect("acl file");
        fs::write(
            conf.join("profiles/internal.toml"),
            format!(
                "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = {}\ntransports = [\"udp\"]\n\
                 context = \"public\"\ndomain = \"127.0.0.1\"\nauth-calls = true\n\
                 log-auth-failures = true\ncodec-prefs = \"PCMU,PCMA\"\nrtp-timeout-sec = 60\n",
                self.internal
            ),
        )
        .expect("internal profile");
        fs::write(
            conf.join("profiles/external.toml"),
            format!(
                "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = {}\ntransports = [\"udp\"]\n\
                 context = {:?}\nauth-calls = false\ndisable-register = true\n\
                 codec-prefs = \"PCMU,PCMA\"\n\n\
                 [gateways.outbound]\nrealm = \"carrier.test\"\nproxy = \"127.0.0.1:{}\"\n\
                 username = \"witswitch\"\npassword = \"carrier-secret\"\nregister = {}\n\
                 from-domain = \"127.0.0.1\"\ncaller-id-in-from = true\n",
                self.external, self.external_context, self.carrier, self.gateway_register
            ),
        )
        .expect("external profile");
        let mut users = String::from(
            "[domain]\nname = \"127.0.0.1\"\n\n[defaults]\nuser_context = \"default\"\n",
        );
        for user in 1000..1020 {
            users.push_str(&format!(
                "\n[users.\"{user}\"]\npassword = {:?}\neffective_caller_id_name = \"Extension {user}\"\n\
                 effective_caller_id_number = \"{user}\"\n",
                Self::password(user)
            ));
        }
        fs::write(conf.join("directory/default.toml"), users).expect("directory");
    }
}

/// Copies the files of `from` (and its subfolders) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A running switch; killed when dropped.
pub struct CallSwitch {
    child: Child,
    /// Temporary folder with conf/, state/, logs and sipp's files.
    pub dir: tempfile::TempDir,
    /// The configuration it runs with.
    pub conf: CallConf,
}

impl CallSwitch {
    /// Writes the configuration, starts the binary, waits until both profiles
    /// answer OPTIONS.
    pub fn start(conf: CallConf) -> CallSwitch {
        let dir = tempfile::tempdir().expect("tempdir");
        conf.write(dir.path());
        let out = fs::File::create(dir.path().join("stdout.log")).expect("stdout");
        let err = fs::File::create(dir.path().join("stderr.log")).expect("stderr");
        let child = Command::new(env!("CARGO_BIN_EXE_witswitch"))
            .arg("run")
            .arg("--conf")
            .arg(dir.path().join("conf"))
            .arg("--state")
            .arg(dir.path().join("state"))
            .arg("--log-file")
            .arg(dir.path().join("witswitch.log"))
            // WITSWITCH_TEST_LOG=debug traces every SIP message into the log.
            .arg("--log-level")
            .arg(std::env::var("WITSWITCH_TEST_LOG").unwrap_or_else(|_| "info".into()))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start witswitch");
        let mut switch = CallSwitch { child, dir, conf };
        let probe = probe_socket("127.0.0.1");
        for port in [switch.conf.internal, switch.conf.external] {
            let to = SocketAddr::from(([127, 0, 0, 1], port));
            wait_for(
                "the switch to answer OPTIONS",
                switch.conf.startup_deadline,
                || {
                    if let Ok(Some(status)) = switch.child.try_wait() {
                        panic!("witswitch exited early ({status}): {}", switch.log());
                    }
                    options_udp(&probe, to, Duration::from_millis(200))
                },
            );
        }
        switch
    }

    /// Sends SIGTERM (an orderly shutdown) and waits for the process to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -TERM");
        let end = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < end, "witswitch did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything logged so far.
    pub fn log(&self) -> String {
        let read = |name: &str| fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        read("witswitch.log")
    }

    /// Waits until the log holds `text`.
    pub fn wait_for_log(&self, text: &str) {
        wait_for(&format!("log line {text:?}"), DEADLINE, || {
            self.log().contains(text).then_some(())
        });
    }

    /// Resident set size in KiB (from /proc/<pid>/status).
    pub fn rss_kib(&self) -> u64 {
        let status =
            fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    /// The CDR lines written so far, parsed.
    pub fn cdrs(&self) -> Vec<serde_json::Value> {
        let text = fs::read_to_string(self.dir.path().join("state/cdr.json")).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Waits until at least `n` CDR lines exist.
    pub fn wait_for_cdrs(&self, n: usize) -> Vec<serde_json::Value> {
        wait_for(&format!("{n} CDR lines"), DEADLINE, || {
            let cdrs = self.cdrs();
            (cdrs.len() >= n).then_some(cdrs)
        })
    }

    /// A CSV for `[field0]` = user and `[field1]` = its authentication keyword.
    pub fn user_csv(&self, user: u32) -> PathBuf {
        let path = self.dir.path().join(format!("user{user}.csv"));
        fs::write(
            &path,
            format!(
                "SEQUENTIAL\n{user};[authentication username={user} password={}]\n",
                CallConf::password(user)
            ),
        )
        .expect("csv");
        path
    }

    /// Like [`CallSwitch::user_csv`] with a wrong password.
    pub fn bad_password_csv(&self, user: u32) -> PathBuf {
        let path = self.dir.path().join(format!("bad{user}.csv"));
        fs::write(
            &path,
            format!("SEQUENTIAL\n{user};[authentication username={user} password=wrong]\n"),
        )
        .expect("csv");
        path
    }

    /// Starts sipp in the background against `port` (or as a server when `port`
    /// is `None`), with its log file `name.log` in the test folder.
    pub fn sipp(&self, name: &str, port: Option<u16>, scenario: &str, args: &[&str]) -> Sipp {
        self.sipp_at(name, port, free_port(), scenario, args)
    }

    /// An authenticated call by `user` (`uac_auth_call.xml` on profile `internal`) to
    /// `dest`, offering PCMU with its RTP at `rtp_port`, hanging up after `hold_ms`.
    pub fn auth_call(
        &self,
        name: &str,
        user: u32,
        dest: &str,
        hold_ms: u32,
        rtp_port: u16,
    ) -> Sipp {
        let csv = self.user_csv(user);
        let args = auth_call_args(&csv, dest, rtp_port, hold_ms);
        self.sipp(
            name,
            Some(self.conf.internal),
            "uac_auth_call.xml",
            &strs(&args),
        )
    }

    /// [`CallSwitch::sipp`] with sipp's own SIP port chosen (a registered phone).
    pub fn sipp_at(
        &self,
        name: &str,
        port: Option<u16>,
        sip_port: u16,
        scenario: &str,
        args: &[&str],
    ) -> Sipp {
        let log = self.dir.path().join(format!("{name}.log"));
        let mut command = Command::new("sipp");
        if let Some(port) = port {
            command.arg(format!("127.0.0.1:{port}"));
        }
        command
            .arg("-sf")
            .arg(repo_root().join("tests/sipp/calls").join(scenario))
            .args(["-i", "127.0.0.1", "-p", &sip_port.to_string()])
            .args([
                "-mp",
                &free_port().to_string(),
                "-cp",
                &free_port().to_string(),
            ])
            .args(["-nostdin", "-m", "1", "-timeout", "60s", "-timeout_error"])
            .args(["-trace_err", "-trace_logs", "-log_file"])
            .arg(&log)
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = command.spawn().expect("run sipp (apt package sip-tester)");
        Sipp {
            child: Some(child),
            log,
            port: sip_port,
            name: name.to_owned(),
        }
    }

    /// Registers `user` from 127.0.0.1:`port` (the port a sipp phone listens on next).
    pub fn register(&self, user: u32, port: u16) {
        let csv = self.user_csv(user);
        let out = Command::new("sipp")
            .arg(format!("127.0.0.1:{}", self.conf.internal))
            .arg("-sf")
            .arg(repo_root().join("tests/sipp/register.xml"))
            .args(["-i", "127.0.0.1", "-p", &port.to_string()])
            .args([
                "-mp",
                &free_port().to_string(),
                "-cp",
                &free_port().to_string(),
            ])
            .args(["-nostdin", "-m", "1", "-timeout", "30s", "-timeout_error"])
            .arg("-inf")
            .arg(&csv)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("run sipp");
        assert!(
            out.status.success(),
            "register {user} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            self.log()
        );
        self.wait_for_log(&format!("registered {user}@127.0.0.1"));
    }
}

impl Drop for CallSwitch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- witswitch log ----\n{}", self.log());
        }
    }
}

/// A sipp running in the background.
pub struct Sipp {
    child: Option<Child>,
    /// Its `-log_file`.
    pub log: PathBuf,
    /// Its SIP port.
    pub port: u16,
    name: String,
}

impl Sipp {
    /// What the scenario logged so far.
    pub fn logged(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for a `<log>` line starting with `prefix` and returns the rest of it.
    pub fn wait_logged(&self, prefix: &str) -> String {
        wait_for(
            &format!("{} to log {prefix:?}", self.name),
            DEADLINE,
            || {
                self.logged()
                    .lines()
                    .find_map(|l| l.strip_prefix(prefix).map(|rest| rest.trim().to_owned()))
            },
        )
    }

    /// Waits for the switch's RTP port the scenario logged.
    pub fn switch_rtp(&self) -> SocketAddr {
        let port: u16 = self
            .wait_logged("switch-rtp ")
            .parse()
            .expect("a port number");
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    /// Waits for sipp to end and returns its output.
    pub fn finish(mut self) -> Output {
        let child = self.child.take().expect("running");
        child.wait_with_output().expect("sipp output")
    }

    /// Waits for sipp and asserts it succeeded.
    pub fn assert_ok(self, switch: &CallSwitch) {
        let name = self.name.clone();
        let out = self.finish();
        if !out.status.success() {
            let mut errors = String::new();
            if let Ok(entries) = fs::read_dir(switch.dir.path()) {
                for e in entries.flatten() {
                    if e.file_name().to_string_lossy().contains("_errors.log") {
                        errors.push_str(&fs::read_to_string(e.path()).unwrap_or_default());
                    }
                }
            }
            panic!(
                "sipp {name} failed ({}):\n{}\n{}\nerrors:\n{errors}\nswitch log:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                switch.log()
            );
        }
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A UDP socket for RTP on 127.0.0.1.
pub struct RtpPeer {
    /// The socket.
    pub socket: UdpSocket,
    seq: u16,
    ts: u32,
    ssrc: u32,
}

/// One received RTP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpPacket {
    /// Payload type.
    pub pt: u8,
    /// Sequence number.
    pub seq: u16,
    /// Timestamp.
    pub ts: u32,
    /// SSRC.
    pub ssrc: u32,
    /// Marker bit.
    pub marker: bool,
    /// Payload.
    pub payload: Vec<u8>,
    /// When it arrived.
    pub at: Instant,
}

impl RtpPeer {
    /// A socket on a free port.
    pub fn new(ssrc: u32) -> RtpPeer {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind rtp");
        RtpPeer {
            socket,
            seq: 1000,
            ts: 160_000,
            ssrc,
        }
    }

    /// Its port, for SDP.
    pub fn port(&self) -> u16 {
        self.socket.local_addr().expect("addr").port()
    }

    /// Sends one 20 ms packet of payload type `pt` to `to`.
    pub fn send(&mut self, to: SocketAddr, pt: u8, payload: &[u8]) {
        let mut packet = Vec::with_capacity(12 + payload.len());
        packet.push(0x80);
        packet.push(pt & 0x7f);
        packet.extend_from_slice(&self.seq.to_be_bytes());
        packet.extend_from_slice(&self.ts.to_be_bytes());
        packet.extend_from_slice(&self.ssrc.to_be_bytes());
        packet.extend_from_slice(payload);
        self.socket.send_to(&packet, to).expect("send rtp");
        self.seq = self.seq.wrapping_add(1);
        self.ts = self.ts.wrapping_add(160);
    }

    /// Sends one RFC 4733 key press of `event` (0-9 = digits, 10 = `*`, 11 = `#`) as
    /// payload type `pt`: a start packet with the marker bit, two updates, and the
    /// end packet three times (RFC 4733 §2.5.1.4), all with one timestamp.
    pub fn send_dtmf(&mut self, to: SocketAddr, pt: u8, event: u8) {
        let ts = self.ts;
        for (n, end) in [
            (0u16, false),
            (1, false),
            (2, false),
            (3, true),
            (3, true),
            (3, true),
        ] {
            let duration: u16 = 160 * (n + 1);
            let mut packet = Vec::with_capacity(16);
            packet.push(0x80);
            packet.push(if n == 0 { 0x80 | pt } else { pt });
            packet.extend_from_slice(&self.seq.to_be_bytes());
            packet.extend_from_slice(&ts.to_be_bytes());
            packet.extend_from_slice(&self.ssrc.to_be_bytes());
            packet.push(event);
            packet.push(if end { 0x80 | 10 } else { 10 });
            packet.extend_from_slice(&duration.to_be_bytes());
            self.socket.send_to(&packet, to).expect("send dtmf");
            self.seq = self.seq.wrapping_add(1);
        }
        self.ts = self.ts.wrapping_add(640);
    }

    /// Receives packets until `done` says so or `wait` passes.
    pub fn receive_until(
        &self,
        wait: Duration,
        done: impl FnMut(&[RtpPacket]) -> bool,
    ) -> Vec<RtpPacket> {
        receive_until(&self.socket, wait, done)
    }
}

/// Receives RTP on `socket` until `done` says so or `wait` passes.
pub fn receive_until(
    socket: &UdpSocket,
    wait: Duration,
    mut done: impl FnMut(&[RtpPacket]) -> bool,
) -> Vec<RtpPacket> {
    let end = Instant::now() + wait;
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    while !done(&got) {
        let Some(left) = end.checked_duration_since(Instant::now()) else {
            break;
        };
        socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .expect("timeout");
        let Ok(n) = socket.recv(&mut buf) else {
            break;
        };
        if let Some(packet) = parse_rtp(&buf[..n]) {
            got.push(packet);
        }
    }
    got
}

/// Sends `count` packets (PT 0, payloads `payload(tag, n)`) from `sender` to `to`,
/// 20 ms apart like a phone, while collecting what arrives on `receiver` (which may be
/// a clone of the sender's socket); then waits up to 2 s for the rest. Returns the
/// payloads that arrived and are among those sent, in arrival order: anything the
/// switch sends on its own (silence while idle) is left out, and a payload the switch
/// altered would be missing.
pub fn exchange(
    sender: &mut RtpPeer,
    to: SocketAddr,
    tag: u8,
    count: u16,
    receiver: &UdpSocket,
) -> Vec<Vec<u8>> {
    let sent: Vec<Vec<u8>> = (0..count).map(|n| payload(tag, n)).collect();
    let ours = |p: &RtpPacket| sent.contains(&p.payload);
    let mut got = Vec::new();
    for n in 0..count {
        sender.send(to, 0, &payload(tag, n));
        got.extend(
            receive_until(receiver, Duration::from_millis(20), |_| false)
                .into_iter()
                .filter(ours),
        );
    }
    let have = got.len();
    let rest = receive_until(receiver, Duration::from_secs(2), |p| {
        have + p.iter().filter(|p| ours(p)).count() >= sent.len()
    });
    got.extend(rest.into_iter().filter(ours));
    got.into_iter().map(|p| p.payload).collect()
}

/// Parses a plain RTP packet (no CSRC/extension handling beyond skipping them).
pub fn parse_rtp(data: &[u8]) -> Option<RtpPacket> {
    if data.len() < 12 || data[0] >> 6 != 2 {
        return None;
    }
    let csrc = usize::from(data[0] & 0x0f) * 4;
    let mut start = 12 + csrc;
    if data[0] & 0x10 != 0 {
        let ext = data.get(start + 2..start + 4)?;
        start += 4 + usize::from(u16::from_be_bytes([ext[0], ext[1]])) * 4;
    }
    Some(RtpPacket {
        pt: data[1] & 0x7f,
        marker: data[1] & 0x80 != 0,
        seq: u16::from_be_bytes([data[2], data[3]]),
        ts: u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
        ssrc: u32::from_be_bytes([data[8], data[9], data[10], data[11]]),
        payload: data.get(start..)?.to_vec(),
        at: Instant::now(),
    })
}

/// A recognisable 160-byte payload: packet `n` of stream `tag`.
pub fn payload(tag: u8, n: u16) -> Vec<u8> {
    let [hi, lo] = n.to_be_bytes();
    (0..160u8)
        .map(|i| tag ^ hi ^ lo.wrapping_add(i.wrapping_mul(7)))
        .collect()
}

/// Sends `payloads` (one per 20 ms packet, payload type `pt`) from `sender` to `to`,
/// paced like a phone, and returns everything of payload type `want_pt` that arrived on
/// `receiver` meanwhile and in the next second, payloads concatenated in order.
pub fn send_collect(
    sender: &mut RtpPeer,
    to: SocketAddr,
    pt: u8,
    payloads: &[Vec<u8>],
    receiver: &UdpSocket,
    want_pt: u8,
) -> Vec<u8> {
    let mut got = Vec::new();
    for chunk in payloads {
        sender.send(to, pt, chunk);
        got.extend(receive_until(receiver, Duration::from_millis(20), |_| {
            false
        }));
    }
    got.extend(receive_until(receiver, Duration::from_secs(1), |_| false));
    got.into_iter()
        .filter(|p| p.pt == want_pt)
        .flat_map(|p| p.payload)
        .collect()
}

/// sipp arguments of an authenticated PCMU call to `dest` with the credentials in `csv`.
pub fn auth_call_args(csv: &Path, dest: &str, rtp_port: u16, hold_ms: u32) -> Vec<String> {
    let csv = csv.to_str().expect("utf-8 path");
    let (rtp, hold) = (rtp_port.to_string(), hold_ms.to_string());
    [
        "-s", dest, "-inf", csv, "-d", &hold, "-key", "rtp_port", &rtp, "-key", "pt", "0", "-key",
        "codec", "PCMU",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// `&[String]` as the `&[&str]` sipp takes.
pub fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}
