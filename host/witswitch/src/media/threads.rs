//! The media threads: one single-threaded tokio runtime per core, each owning
//! the sockets of the legs it hosts.
//!
//! Why not the switch's multi-threaded runtime: every RTP packet wakes the task
//! owning its socket, and there each such wake could also unpark an idle worker
//! to steal it, a futex wake and a context switch per packet for nothing. Why
//! more than one thread: media then scales past one core, and on a machine busy
//! with other work the scheduler shares CPU per thread, so one media thread
//! would get a single share for every call. Legs still fill one thread before
//! the next gets any ([`Placement`]). A leg's sockets are registered with
//! the thread that polls them (a bridge re-registers the leg it moves, see
//! `Leg::rehome`), so a packet is received and relayed without crossing threads.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::watch;

use super::api::MediaError;
use super::stats::EngineCounters;

/// How long the threads wait, once the engine is dropped, for media tasks to
/// finish their recordings before the runtimes are torn down.
const DRAIN: Duration = Duration::from_secs(5);

/// Handles of the running media threads.
#[derive(Debug, Clone)]
pub struct MediaThreads {
    handles: Vec<Handle>,
}

impl MediaThreads {
    /// Starts `count` threads (at least one). Thread 0 runs `control` and
    /// outlives it; when `control` returns, every thread waits for the media
    /// tasks to end (bounded by [`DRAIN`]) and stops.
    pub fn start<F>(
        count: usize,
        counters: Arc<EngineCounters>,
        control: impl FnOnce(MediaThreads) -> F,
    ) -> Result<(), MediaError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let runtimes = (0..count.max(1))
            .map(|_| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(MediaError::Thread)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let threads = MediaThreads {
            handles: runtimes.iter().map(|r| r.handle().clone()).collect(),
        };
        let control = control(threads);
        let (done_tx, done_rx) = watch::channel(false);
        let mut control = Some((control, done_tx));
        for (index, runtime) in runtimes.into_iter().enumerate() {
            let counters = Arc::clone(&counters);
            let mut done = done_rx.clone();
            let job = control.take();
            std::thread::Builder::new()
                .name(format!("witswitch-media-{index}"))
                .spawn(move || {
                    runtime.block_on(async move {
                        match job {
                            Some((control, done_tx)) => {
                                control.await;
                                let _ = done_tx.send(true);
                            }
                            None => {
                                let _ = done.wait_for(|stopped| *stopped).await;
                            }
                        }
                        drain(&counters).await;
                    });
                })
                .map_err(MediaError::Thread)?;
        }
        Ok(())
    }

    /// How many threads there are.
    pub fn count(&self) -> usize {
        self.handles.len()
    }

    /// The runtime of thread `index`.
    pub fn handle(&self, index: usize) -> &Handle {
        &self.handles[index % self.handles.len()]
    }
}

/// Legs a thread takes before the next thread gets any (the default of
/// `MediaConfig::pack`): up to here one thread serves the calls, about 4% of
/// a core for 128 echoing legs.
pub const PACK: usize = 128;

/// Which thread a new leg lives on. Legs are packed onto the first thread
/// until it holds `pack` (see [`PACK`]), then the next, and once every thread is that
/// full they go to the least loaded. Why pack rather than spread: each
/// burst of packets wakes every thread that has a socket in it, and a wake
/// (a context switch out of `epoll_wait` and back) cost about an eighth of
/// the media CPU at 100 calls spread over two threads.
#[derive(Debug, Clone)]
pub struct Placement {
    legs: Vec<usize>,
    pack: usize,
}

impl Placement {
    /// No legs yet on `threads` threads (at least one), `pack` legs per
    /// thread before the next is used.
    pub fn new(threads: usize, pack: usize) -> Self {
        Self {
            legs: vec![0; threads.max(1)],
            pack,
        }
    }

    /// The home of a new leg (counted there).
    pub fn place(&mut self) -> usize {
        let home = match self.legs.iter().position(|&n| n < self.pack) {
            Some(home) => home,
            None => {
                let fewest = self.legs.iter().enumerate().min_by_key(|(_, n)| **n);
                fewest.map_or(0, |(home, _)| home)
            }
        };
        self.legs[home] += 1;
        home
    }

    /// A leg whose home was `home` is gone.
    pub fn leave(&mut self, home: usize) {
        if let Some(n) = self.legs.get_mut(home) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Waits (bounded) until no media task runs.
async fn drain(counters: &EngineCounters) {
    let end = tokio::time::Instant::now() + DRAIN;
    while counters.tasks_running.load(Ordering::Relaxed) > 0 && tokio::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// How many media threads to run: one per core the process may use.
pub fn default_count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legs_fill_the_first_thread_then_spread_to_the_least_loaded() {
        let mut placement = Placement::new(2, PACK);
        let homes: Vec<usize> = (0..PACK).map(|_| placement.place()).collect();
        assert!(homes.iter().all(|&h| h == 0), "one thread up to PACK");
        assert_eq!(placement.place(), 1, "then the next");
        for _ in 1..PACK {
            placement.place();
        }
        // Both full: the least loaded takes the next leg.
        placement.leave(0);
        placement.leave(0);
        assert_eq!(placement.place(), 0);
        assert_eq!(placement.place(), 0);
        assert_eq!(placement.place(), 0, "equal: the first");
        assert_eq!(placement.place(), 1);
        // A thread that empties is filled first again.
        let mut small = Placement::new(2, PACK);
        let a = small.place();
        small.leave(a);
        small.leave(a);
        assert_eq!(small.place(), 0);
        assert_eq!(Placement::new(0, PACK).place(), 0);
        // pack = 1 alternates (the media tests use it to move legs across).
        let mut alternate = Placement::new(2, 1);
        let homes: Vec<usize> = (0..4).map(|_| alternate.place()).collect();
        assert_eq!(homes, [0, 1, 0, 1]);
    }
}
