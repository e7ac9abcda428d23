//! The engine's epoch: a shared tick counter that bounds guest CPU time.
//!
//! wasmtime checks the epoch at function entries and loop back-edges of guest
//! code; when it passes a store's deadline, the store's callback decides whether
//! the guest has used up its budget (see [`crate::cpu`]). We keep our own copy of
//! the counter because wasmtime does not expose the current epoch, and CPU
//! accounting needs to read it.
//!
//! The ticker thread only ticks while some guest runs (plus a short linger):
//! an idle switch, or one busy relaying RTP with no script running, should not
//! wake a thread a thousand times a second. Ticks are only ever charged for
//! running intervals (see [`crate::cpu`]), so a parked ticker loses nothing.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

use wasmtime::Engine;

/// The engine's epoch counter, readable by stores.
#[derive(Debug, Clone)]
pub(crate) struct EpochClock {
    engine: Engine,
    ticks: Arc<AtomicU64>,
    demand: Arc<Demand>,
}

/// Which guests run now, and how to wake a parked ticker.
#[derive(Debug, Default)]
struct Demand {
    /// Guests inside wasm code right now.
    running: AtomicUsize,
    /// Set by the ticker just before it parks.
    parked: AtomicBool,
    /// The ticker thread, once started (none with manual ticking).
    ticker: OnceLock<Thread>,
}

/// Idle ticks before the ticker parks: a burst of calls keeps it going
/// without an unpark per invocation.
const LINGER_TICKS: u32 = 50;

impl EpochClock {
    pub(crate) fn new(engine: Engine) -> Self {
        EpochClock {
            engine,
            ticks: Arc::new(AtomicU64::new(0)),
            demand: Arc::default(),
        }
    }

    /// A guest starts running: wake the ticker if it parked. SeqCst pairs with
    /// the ticker's `parked` store then `running` load, so either the ticker
    /// sees this guest or this guest sees the ticker parked.
    pub(crate) fn enter(&self) {
        let demand = &self.demand;
        if demand.running.fetch_add(1, Ordering::SeqCst) == 0
            && demand.parked.load(Ordering::SeqCst)
            && let Some(thread) = demand.ticker.get()
        {
            thread.unpark();
        }
    }

    /// A guest stops running (back in the host, finished or dropped).
    pub(crate) fn leave(&self) {
        // Never below zero, whatever the pairing: a stuck count would only keep
        // the ticker awake, a wrapped one would do the same forever.
        let _ = self
            .demand
            .running
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    /// Whether the ticker is parked.
    #[cfg(test)]
    pub(crate) fn ticker_parked(&self) -> bool {
        self.demand.parked.load(Ordering::SeqCst)
    }

    /// Guests running now.
    #[cfg(test)]
    pub(crate) fn running(&self) -> usize {
        self.demand.running.load(Ordering::SeqCst)
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

/// A thread that advances an [`EpochClock`] every `tick` while guests run;
/// stopped and joined on drop.
#[derive(Debug)]
pub(crate) struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    pub(crate) fn start(clock: EpochClock, tick: Duration) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let demand = Arc::clone(&clock.demand);
        let thread = std::thread::Builder::new()
            .name("witswitch-epoch".into())
            .spawn(move || tick_while_needed(&clock, &stop_flag, tick))?;
        // Only this engine's ticker registers, so the cell is empty here.
        let _ = demand.ticker.set(thread.thread().clone());
        Ok(Ticker {
            stop,
            thread: Some(thread),
        })
    }
}

/// The ticker's loop: tick while a guest runs or ran within the linger, park
/// otherwise until a guest enters (or the ticker is stopped).
fn tick_while_needed(clock: &EpochClock, stop: &AtomicBool, tick: Duration) {
    let demand = &clock.demand;
    let mut idle = 0u32;
    while !stop.load(Ordering::Acquire) {
        if demand.running.load(Ordering::SeqCst) > 0 {
            idle = 0;
        } else if idle >= LINGER_TICKS {
            demand.parked.store(true, Ordering::SeqCst);
            if demand.running.load(Ordering::SeqCst) == 0 && !stop.load(Ordering::Acquire) {
                // Spurious wake-ups just go round the loop again.
                std::thread::park();
            }
            demand.parked.store(false, Ordering::SeqCst);
            idle = 0;
            continue;
        } else {
            idle += 1;
        }
        std::thread::sleep(tick);
        clock.advance(1);
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            // The thread only sleeps and ticks; a panic there has nothing to
            // report that matters at shutdown.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Polls `done` until it holds or a generous deadline passes (real threads).
    fn eventually(mut done: impl FnMut() -> bool) -> bool {
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if done() {
                return true;
            }
            std::thread::yield_now();
        }
        false
    }

    #[test]
    fn the_ticker_parks_while_idle_and_ticks_again_for_a_guest() {
        let mut config = wasmtime::Config::new();
        config.gc_support(false);
        let engine = Engine::new(&config).expect("engine");
        let clock = EpochClock::new(engine);
        let ticker = Ticker::start(clock.clone(), Duration::from_millis(1)).expect("ticker");
        assert!(
            eventually(|| clock.ticker_parked()),
            "never parked while idle"
        );
        let parked_at = clock.now();
        clock.enter();
        assert!(
            eventually(|| clock.now() > parked_at + 2),
            "a running guest got no ticks"
        );
        clock.leave();
        assert!(eventually(|| clock.ticker_parked()), "never parked again");
        drop(ticker); // joins: a parked ticker must still stop
    }
}
