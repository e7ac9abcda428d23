//! The engine's epoch: a shared tick counter that bounds guest CPU time.
//!
//! wasmtime checks the epoch at function entries and loop back-edges of guest
//! code; when it passes a store's deadline, the store's callback decides whether
//! the guest has used up its budget (see [`crate::cpu`]). We keep our own copy of
//! the counter because wasmtime does not expose the current epoch, and CPU
//! accounting needs to read it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::Engine;

/// The engine's epoch counter, readable by stores.
#[derive(Debug, Clone)]
pub(crate) struct EpochClock {
    engine: Engine,
    ticks: Arc<AtomicU64>,
}

impl EpochClock {
    pub(crate) fn new(engine: Engine) -> Self {
        EpochClock {
            engine,
            ticks: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Ticks since the engine started.
    pub(crate) fn now(&self) -> u64 {
        self.ticks.load(Ordering::Acquire)
    }

    /// Advance by `n` ticks: our counter first, so a store whose deadline fires
    /// always sees at least the epoch that fired it.
    pub(crate) fn advance(&self, n: u64) {
        self.ticks.fetch_add(n, Ordering::AcqRel);
        for _ in 0..n {
            self.engine.increment_epoch();
        }
    }
}

/// A thread that advances an [`EpochClock`] every `tick`; stopped and joined on
/// drop.
#[derive(Debug)]
pub(crate) struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    pub(crate) fn start(clock: EpochClock, tick: Duration) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("witswitch-epoch".into())
            .spawn(move || {
                while !stop_flag.load(Ordering::Acquire) {
                    std::thread::sleep(tick);
                    clock.advance(1);
                }
            })?;
        Ok(Ticker {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            // The thread only sleeps and ticks; a panic there has nothing to
            // report that matters at shutdown.
            let _ = thread.join();
        }
    }
}
