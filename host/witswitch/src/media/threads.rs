//! The media threads: one single-threaded tokio runtime per core, each owning
//! the sockets of the legs it hosts.
//!
//! Why not the switch's multi-threaded runtime: every RTP packet wakes the task
//! owning its socket, and there each such wake could also unpark an idle worker
//! to steal it, a futex wake and a context switch per packet for nothing. Why
//! more than one thread: media then scales past one core, and on a machine busy
//! with other work the scheduler shares CPU per thread, so one media thread
//! would get a single share for every call. A leg's sockets are registered with
//! the thread that polls them (a bridge re-registers the leg it moves, see
//! `Leg::rehome`), so a packet is received and relayed without crossing threads.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::watch;

use super::api::{LegId, MediaError};
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

    /// The thread that hosts a new leg `id` (spread evenly by id).
    pub fn home_of(&self, id: LegId) -> usize {
        usize::try_from(id.0 % self.handles.len() as u64).unwrap_or(0)
    }

    /// The runtime of thread `index`.
    pub fn handle(&self, index: usize) -> &Handle {
        &self.handles[index % self.handles.len()]
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
