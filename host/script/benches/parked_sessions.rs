//! How many `app` sessions parked in `collect-digits` fit in 1 GiB: start
//! sessions of the app probe (answer, then wait for DTMF) until the target count
//! or until RSS growth reaches 1 GiB, then release them all and check they end
//! normally. Prints RSS per session. Run: `cargo bench -p witswitch-script
//! --bench parked_sessions` (`PARKED_SESSIONS=n` to change the target).

use std::time::{Duration, Instant};

use witswitch_script::testing::{CallOp, ScriptedCall};
use witswitch_script::{AppOutcome, EngineSettings, ScriptHost, synthetic_call_info};

#[path = "common.rs"]
mod common;

const GIB: u64 = 1 << 30;

fn main() {
    // `cargo bench` passes `--bench`; the harness takes no other options.
    let target: usize = std::env::var("PARKED_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let host = ScriptHost::new(EngineSettings {
        max_instances: u32::try_from(target + 100).unwrap_or(u32::MAX),
        ..EngineSettings::default()
    })
    .expect("engine");
    host.load("ivr", &common::required_guest("app_probe"))
        .expect("app loads");
    runtime.block_on(async {
        let before = common::rss_bytes();
        let started = Instant::now();
        let mut sessions = Vec::with_capacity(target);
        let mut keypads = Vec::with_capacity(target);
        let mut records = Vec::with_capacity(target);
        for i in 0..target {
            let (fake, record) = ScriptedCall::new();
            let (fake, keypad) = fake.with_keypad();
            let host = host.clone();
            let info = synthetic_call_info("5000", &format!("{}", 2000 + i), "default", &[]);
            sessions.push(tokio::spawn(async move {
                host.run_app("ivr", info, fake).await
            }));
            keypads.push(keypad);
            records.push(record);
            if i % 1000 == 999 && common::rss_bytes().saturating_sub(before) > GIB {
                println!("stopped at {} sessions: RSS growth passed 1 GiB", i + 1);
                break;
            }
        }
        // Wait until every session is parked in collect-digits.
        let parked = |r: &witswitch_script::testing::CallRecord| {
            r.ops()
                .iter()
                .any(|op| matches!(op, CallOp::CollectDigits(_)))
        };
        while !records.iter().all(parked) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = started.elapsed();
        let after = common::rss_bytes();
        let count = sessions.len() as u64;
        let growth = after.saturating_sub(before);
        println!("parked sessions: {count} in {:.2} s", elapsed.as_secs_f64());
        println!(
            "RSS: {:.1} MiB before, {:.1} MiB parked, growth {:.1} MiB = {:.1} KiB per session",
            before as f64 / 1048576.0,
            after as f64 / 1048576.0,
            growth as f64 / 1048576.0,
            growth as f64 / 1024.0 / count.max(1) as f64
        );
        println!(
            "sessions per GiB at this rate: {:.0}",
            GIB as f64 / (growth as f64 / count.max(1) as f64)
        );
        for keypad in &keypads {
            keypad.press("2#");
        }
        let mut completed = 0;
        for session in sessions {
            if matches!(session.await, Ok(Ok(AppOutcome::Completed))) {
                completed += 1;
            }
        }
        println!("released: {completed}/{count} completed normally");
    });
}
