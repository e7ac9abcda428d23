//! The media threads: one loop per core (`reactor.rs`), each owning the
//! sockets of the legs it hosts, and one control thread (a small tokio
//! runtime) for the engine's control task and for opening files.
//!
//! Why more than one media thread: media then scales past one core, and on
//! a machine busy with other work the scheduler shares CPU per thread, so one
//! media thread would get a single share for every call. Legs still fill one
//! thread before the next gets any ([`Placement`]). A bridge moves the B
//! leg's sockets to the A leg's thread, so a packet is received and relayed
//! without crossing threads.

use std::sync::Arc;
use std::thread::JoinHandle;

use super::api::MediaError;
use super::events::EventSink;
use super::reactor::{Reactor, ThreadHandle, ThreadMessage};
use super::stats::EngineCounters;

/// Handles of the running media threads.
#[derive(Debug, Clone)]
pub struct MediaThreads {
    handles: Vec<ThreadHandle>,
}

impl MediaThreads {
    /// Starts `count` media threads (at least one) and the control thread,
    /// which runs `control` and, when it returns, stops the media threads
    /// (each ends its legs: recordings finished) and waits for them.
    pub fn start<F>(
        count: usize,
        counters: Arc<EngineCounters>,
        sink: &EventSink,
        control: impl FnOnce(MediaThreads) -> F,
    ) -> Result<(), MediaError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(MediaError::Thread)?;
        let mut stopper = Stopper::default();
        for index in 0..count.max(1) {
            let (reactor, handle) =
                Reactor::new(runtime.handle().clone(), Arc::clone(&counters), sink.fork())
                    .map_err(MediaError::Thread)?;
            let join = std::thread::Builder::new()
                .name(format!("witswitch-media-{index}"))
                .spawn(move || reactor.run());
            // On an error the threads started so far stop (`stopper` drops).
            stopper.joins.push(join.map_err(MediaError::Thread)?);
            stopper.handles.push(handle);
        }
        let threads = MediaThreads {
            handles: stopper.handles.clone(),
        };
        let control = control(threads);
        let started = std::thread::Builder::new()
            .name("witswitch-media-control".into())
            .spawn(move || {
                // Declared in here, dropped before the runtime: the runtime
                // (and its file-opening threads) outlives the media threads
                // that use it, also when the control panics.
                let stopper = stopper;
                runtime.block_on(control);
                drop(stopper);
            });
        // Had the thread not started, the closure and its stopper are gone
        // already, and the media threads with them.
        started.map(|_| ()).map_err(MediaError::Thread)
    }

    /// How many threads there are.
    pub fn count(&self) -> usize {
        self.handles.len()
    }

    /// Sends `message` to thread `index`.
    pub fn send(&self, index: usize, message: ThreadMessage) -> Result<(), MediaError> {
        self.handles[index % self.handles.len()].send(message)
    }
}

/// Tells every media thread to stop and waits for them, when dropped: once
/// the control returns, if it panics, or if the engine could not start.
#[derive(Debug, Default)]
struct Stopper {
    handles: Vec<ThreadHandle>,
    joins: Vec<JoinHandle<()>>,
}

impl Drop for Stopper {
    fn drop(&mut self) {
        for handle in &self.handles {
            // A thread that is gone already needs no telling.
            let _ = handle.send(ThreadMessage::Stop);
        }
        for join in self.joins.drain(..) {
            if join.join().is_err() {
                tracing::error!("a media thread panicked");
            }
        }
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
