//! A measurement, not a test (ignored; never asserts timings): N echo legs
//! (or N/2 relayed bridges) on the engine's media threads, fed by a plain UDP
//! sender thread at 50 packets/s per leg, reporting the engine threads' CPU
//! from `/proc/self/task/*/stat` and the RSS growth per leg.
//!
//! `cargo test --release -p witswitch media::tests::load -- --ignored --nocapture`
//! with `MEDIA_LOAD_LEGS` (default 100), `MEDIA_LOAD_SECONDS` (10) and
//! `MEDIA_LOAD_MODE` (`echo` or `bridge`).

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use witswitch_media::rtp::{self, RtpHeader};

use super::harness::LOCALHOST;
use crate::media::{LegId, MediaConfig, MediaEngine, NegotiatedCodec};

/// Worker threads of the measured runtime are named this (15 chars max in `comm`).
const WORKER_NAME: &str = "media-load-w";

/// The media engine's threads as `comm` names them.
const MEDIA_THREADS: &str = "witswitch-media";
/// Linux reports CPU time in clock ticks of 1/100 s on x86-64.
const TICKS_PER_SECOND: u64 = 100;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// utime + stime of this process's threads whose name starts with `prefix`.
fn thread_cpu_ticks(prefix: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    let mut total = 0;
    for task in tasks.flatten() {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if !comm.starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        // Fields after "(comm)": state is field 3; utime 14 and stime 15.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |n: usize| {
            fields
                .get(n - 3)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        total += field(14) + field(15);
    }
    total
}

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

struct Generator {
    peers: Vec<(UdpSocket, SocketAddr)>,
}

struct Counts {
    sent: u64,
    received: u64,
}

impl Generator {
    /// Sends one 20 ms PCMU frame per peer per tick for `seconds`, draining replies.
    fn run(&self, seconds: u64) -> Counts {
        let mut counts = Counts {
            sent: 0,
            received: 0,
        };
        let mut packet = [0u8; 200];
        let mut buf = [0u8; 2048];
        let start = Instant::now();
        let mut tick = 0u32;
        while start.elapsed() < Duration::from_secs(seconds) {
            for (k, (socket, to)) in self.peers.iter().enumerate() {
                let header = RtpHeader {
                    payload_type: 0,
                    marker: false,
                    sequence: tick as u16,
                    timestamp: tick * 160,
                    ssrc: k as u32 + 1,
                };
                let n = rtp::write(&header, &[0x7F; 160], &mut packet).unwrap_or(0);
                if socket.send_to(&packet[..n], to).is_ok() {
                    counts.sent += 1;
                }
            }
            for (socket, _) in &self.peers {
                while socket.recv_from(&mut buf).is_ok() {
                    counts.received += 1;
                }
            }
            tick += 1;
            let next = start + Duration::from_millis(20) * tick;
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
        // Late echoes of the last frames.
        std::thread::sleep(Duration::from_millis(200));
        for (socket, _) in &self.peers {
            while socket.recv_from(&mut buf).is_ok() {
                counts.received += 1;
            }
        }
        counts
    }
}

#[test]
#[ignore = "measurement: run with --release --ignored --nocapture"]
fn echo_and_relay_load_report() {
    let legs = env_or("MEDIA_LOAD_LEGS", 100) as usize;
    let seconds = env_or("MEDIA_LOAD_SECONDS", 10);
    let bridge = std::env::var("MEDIA_LOAD_MODE").is_ok_and(|m| m == "bridge");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(WORKER_NAME)
        .enable_all()
        .build()
        .expect("runtime");
    let rss_before = rss_kb();
    let config = MediaConfig {
        port_min: 40000,
        port_max: 40000 + 4 * legs as u16 + 16,
        local_ip: LOCALHOST,
        rtp_timeout: None,
        relatch_after: Duration::from_secs(2),
        pack: crate::media::threads::PACK,
        event_capacity: 1024,
        threads: 0,
    };
    let (engine, events) = runtime
        .block_on(async { MediaEngine::new(config) })
        .expect("engine");
    let mut peers = Vec::new();
    runtime.block_on(async {
        for n in 0..legs {
            let socket = UdpSocket::bind((LOCALHOST, 0)).expect("peer");
            socket.set_nonblocking(true).expect("nonblocking");
            let leg = LegId(n as u64);
            let local = engine.create_leg(leg, None).await.expect("leg");
            if !bridge {
                engine.echo(leg).await.expect("echo");
            }
            let codec = NegotiatedCodec::standard(witswitch_sdp::CodecName::Pcmu);
            let remote = socket.local_addr().expect("addr");
            engine
                .configure(leg, remote, codec)
                .await
                .expect("configure");
            peers.push((socket, local));
        }
        if bridge {
            for n in (0..legs).step_by(2) {
                engine
                    .bridge(LegId(n as u64), LegId(n as u64 + 1))
                    .await
                    .expect("bridge");
            }
        }
    });
    let generator = Generator { peers };
    // Let silence from idle legs settle into echo/relay before measuring.
    std::thread::sleep(Duration::from_millis(300));
    let rss_with_legs = rss_kb();
    // The engine's own threads (`witswitch-media-N`, `comm` keeps 15 chars).
    let cpu_before = thread_cpu_ticks(MEDIA_THREADS);
    let wall = Instant::now();
    let counts = generator.run(seconds);
    let elapsed = wall.elapsed().as_secs_f64();
    let cpu_ticks = thread_cpu_ticks(MEDIA_THREADS) - cpu_before;
    let cpu_seconds = cpu_ticks as f64 / TICKS_PER_SECOND as f64;
    let core_share = cpu_seconds / elapsed;
    let calls = if bridge { legs / 2 } else { legs };
    println!(
        "mode {}: {legs} legs ({calls} calls) for {elapsed:.1} s",
        if bridge { "bridge (relay)" } else { "echo" }
    );
    println!(
        "  packets sent {} received {} (lost {})",
        counts.sent,
        counts.received,
        counts.sent.saturating_sub(counts.received)
    );
    println!(
        "  engine CPU {:.2}% of a core, {:.2}% per 100 calls, {:.2} us per packet in+out",
        core_share * 100.0,
        core_share * 100.0 * 100.0 / calls.max(1) as f64,
        cpu_seconds * 1e6 / counts.sent.max(1) as f64,
    );
    println!(
        "  RSS {} kB before, {} kB with legs: {:.1} kB per leg (includes runtime start-up)",
        rss_before,
        rss_with_legs,
        (rss_with_legs.saturating_sub(rss_before)) as f64 / legs.max(1) as f64
    );
    drop(events);
    drop(generator);
    runtime.block_on(async {
        for n in 0..legs {
            let _ = engine.destroy_leg(LegId(n as u64)).await;
        }
    });
}
