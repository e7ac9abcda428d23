//! A media thread's loop: one level-triggered epoll set holding the RTP and
//! RTCP sockets of every leg the thread hosts, its media tasks, their timers
//! in one heap, and an inbox (with an eventfd to wake the loop) for what the
//! control sends: new legs, legs moving in, commands.
//!
//! Why not a tokio runtime here: tokio registers sockets edge-triggered, so
//! a task must read until the queue reports empty before it may wait again,
//! a second `recvfrom` for every RTP packet that fails with EAGAIN; and each
//! packet went through the reactor's readiness bookkeeping, a task wake, the
//! task's poll of its command queue and timers. Level-triggered, a readable
//! socket is read once per `epoll_wait`; one that still holds a datagram is
//! simply reported again by the next, and the kernel's re-check is a
//! lock-free look at the queue instead of a system call. Timers are plain
//! deadlines (the ptime clock, the RTP timeout), looked at once per loop.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::time::{Duration, Instant};

use rustix::buffer::spare_capacity;
use rustix::event::epoll::{self, EventData, EventFlags};
use rustix::event::{EventfdFlags, Timespec, eventfd};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::api::{LegId, MediaError, MediaEvent, MediaFailure};
use super::events::EventSink;
use super::leg::{Leg, LegTiming};
use super::ports::PortPair;
use super::stats::EngineCounters;
use super::task::{MediaTask, TaskCommand, TaskIo};

/// How long a thread that was told to stop keeps trying to deliver the
/// events its tasks' last moments produced (recordings finished).
const DRAIN: Duration = Duration::from_secs(5);
/// How soon parked events are offered to a full event channel again.
const BACKLOG_RETRY: Duration = Duration::from_millis(2);
/// Events one `epoll_wait` returns at most (more stay ready for the next).
const EVENTS: usize = 256;
/// Longest single wait; a later deadline is waited for in steps.
const LONGEST_WAIT: Duration = Duration::from_secs(3600);
/// The epoll data of the wake-up eventfd: socket keys carry a token, never 0.
const WAKE_KEY: u64 = 0;

/// A media task, named by the control (unique for the engine's life).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskId(pub u64);

/// What the control sends a media thread.
#[derive(Debug)]
pub enum ThreadMessage {
    /// A leg is made here on `pair`, in a task of its own; `ready` says
    /// whether its sockets could be set up.
    NewLeg {
        /// The new task.
        task: TaskId,
        /// The leg.
        id: LegId,
        /// Its bound sockets.
        pair: PortPair,
        /// Its timers.
        timing: LegTiming,
        /// The task's events.
        events: EventSink,
        /// Told once the leg is set up.
        ready: oneshot::Sender<io::Result<()>>,
    },
    /// A leg split off a bridge gets a task of its own here.
    NewTask {
        /// The new task.
        task: TaskId,
        /// The leg (registered nowhere).
        leg: Box<Leg>,
        /// The task's events.
        events: EventSink,
    },
    /// A command for one of the thread's tasks.
    Command {
        /// Which task.
        task: TaskId,
        /// What to do.
        command: TaskCommand,
    },
    /// The engine is gone: every leg ends.
    Stop,
}

/// The control's handle on a media thread: an inbox and its wake-up.
#[derive(Debug, Clone)]
pub struct ThreadHandle {
    inbox: Sender<ThreadMessage>,
    wake: Arc<OwnedFd>,
}

impl ThreadHandle {
    /// Queues `message` and wakes the thread.
    pub fn send(&self, message: ThreadMessage) -> Result<(), MediaError> {
        self.inbox.send(message).map_err(|_| MediaError::Stopped)?;
        // The counter only saturates after 2^64 - 2 unread wakes; a failed
        // write then still leaves the thread awake to read the inbox.
        let _ = rustix::io::write(&*self.wake, &1u64.to_ne_bytes());
        Ok(())
    }
}

/// Adds and removes a task's legs in its thread's epoll set.
#[derive(Debug)]
pub struct Registry<'a> {
    epoll: BorrowedFd<'a>,
    slot: u32,
    tokens: &'a mut u32,
}

impl<'a> Registry<'a> {
    /// The registry of task slot `slot` in `epoll`, taking fresh tokens from
    /// `tokens`.
    fn new(epoll: &'a OwnedFd, slot: usize, tokens: &'a mut u32) -> Self {
        Self {
            epoll: epoll.as_fd(),
            slot: slot as u32,
            tokens,
        }
    }

    /// Registers `leg`'s sockets for reading under a fresh token.
    pub fn add(&mut self, leg: &mut Leg) -> io::Result<()> {
        *self.tokens = self.tokens.wrapping_add(1).max(1);
        let token = *self.tokens;
        let key = |rtcp| EventData::new_u64(socket_key(self.slot, token, rtcp));
        epoll::add(self.epoll, leg.rtp_socket(), key(false), EventFlags::IN)?;
        if let Err(e) = epoll::add(self.epoll, &leg.rtcp, key(true), EventFlags::IN) {
            let _ = epoll::delete(self.epoll, leg.rtp_socket());
            return Err(e.into());
        }
        leg.token = token;
        Ok(())
    }

    /// Takes `leg`'s sockets out of the set (it leaves the thread or ends).
    pub fn remove(&mut self, leg: &Leg) {
        // Not registered (already removed) is fine.
        let _ = epoll::delete(self.epoll, leg.rtp_socket());
        let _ = epoll::delete(self.epoll, &leg.rtcp);
    }
}

/// `wait` as an `epoll_wait` timeout: rounded up to the millisecond that
/// epoll honours (a timer is never woken a hair early and spun on), and at
/// most [`LONGEST_WAIT`] (a far deadline, e.g. an RTP timeout configured in
/// days, would overflow epoll's milliseconds and fail the wait).
fn epoll_timeout(wait: Duration) -> Timespec {
    let wait = wait.min(LONGEST_WAIT);
    let nanos = wait.as_nanos().div_ceil(1_000_000) * 1_000_000;
    Timespec {
        tv_sec: (nanos / 1_000_000_000) as i64,
        tv_nsec: (nanos % 1_000_000_000) as i64,
    }
}

/// The epoll data of a leg's socket: task slot, leg token, RTCP or not.
fn socket_key(slot: u32, token: u32, rtcp: bool) -> u64 {
    (u64::from(slot) << 33) | (u64::from(token) << 1) | u64::from(rtcp)
}

/// A task in its slot, with the deadline the timer heap holds for it.
#[derive(Debug)]
struct Slot {
    id: TaskId,
    task: MediaTask,
    scheduled: Option<Instant>,
    backlogged: bool,
}

/// What the thread needs to start: made on the caller's thread so that
/// failures (no epoll, no eventfd) are reported to `MediaEngine::new`.
#[derive(Debug)]
pub struct Reactor {
    epoll: OwnedFd,
    wake: Arc<OwnedFd>,
    inbox: Receiver<ThreadMessage>,
    slots: Vec<Option<Slot>>,
    free: Vec<usize>,
    by_id: HashMap<TaskId, usize>,
    timers: BinaryHeap<Reverse<(Instant, usize)>>,
    backlog: Vec<usize>,
    tokens: u32,
    blocking: Handle,
    counters: Arc<EngineCounters>,
    /// Errors about tasks that are gone, and events of tasks that ended
    /// while the channel was full.
    orphans: EventSink,
}

impl Reactor {
    /// A thread's state and the handle to reach it. `blocking` runs file
    /// opening; `sink` carries errors no task can report.
    pub fn new(
        blocking: Handle,
        counters: Arc<EngineCounters>,
        sink: EventSink,
    ) -> io::Result<(Self, ThreadHandle)> {
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        let wake = Arc::new(eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?);
        epoll::add(&epoll, &*wake, EventData::new_u64(WAKE_KEY), EventFlags::IN)?;
        let (tx, inbox) = std::sync::mpsc::channel();
        let handle = ThreadHandle {
            inbox: tx,
            wake: Arc::clone(&wake),
        };
        let reactor = Self {
            epoll,
            wake,
            inbox,
            slots: Vec::new(),
            free: Vec::new(),
            by_id: HashMap::new(),
            timers: BinaryHeap::new(),
            backlog: Vec::new(),
            tokens: 0,
            blocking,
            counters,
            orphans: sink,
        };
        Ok((reactor, handle))
    }

    /// Runs until told to stop (or every handle is gone), then ends every
    /// leg and delivers what that produced (bounded by [`DRAIN`]).
    pub fn run(mut self) {
        let mut ready = Vec::with_capacity(EVENTS);
        loop {
            let timeout = self.timeout(Instant::now());
            ready.clear();
            if let Err(e) = epoll::wait(&self.epoll, spare_capacity(&mut ready), timeout.as_ref()) {
                if e == rustix::io::Errno::INTR {
                    continue;
                }
                tracing::error!("media thread: epoll_wait failed: {e}");
                break;
            }
            let mut woken = false;
            for event in &ready {
                let key = event.data.u64();
                if key == WAKE_KEY {
                    woken = true;
                    continue;
                }
                let slot = (key >> 33) as usize;
                let token = (key >> 1) as u32;
                self.with_task(slot, |task, _| task.on_readable(token, key & 1 == 1));
                self.settle(slot);
            }
            if woken && !self.read_inbox() {
                break;
            }
            self.fire_timers(Instant::now());
            self.retry_backlog();
        }
        self.stop();
    }

    /// How long `epoll_wait` may sleep: until the earliest timer, or a
    /// backlog retry; forever when there is neither.
    fn timeout(&self, now: Instant) -> Option<Timespec> {
        let mut until = self.timers.peek().map(|Reverse((at, _))| *at);
        if !self.backlog.is_empty() || self.orphans.pending() > 0 {
            let retry = now + BACKLOG_RETRY;
            until = Some(until.map_or(retry, |at| at.min(retry)));
        }
        until.map(|at| epoll_timeout(at.saturating_duration_since(now)))
    }

    /// Handles everything queued in the inbox; false once told to stop.
    fn read_inbox(&mut self) -> bool {
        let mut counter = [0u8; 8];
        // Resets the eventfd (non-blocking: already reset is fine).
        let _ = rustix::io::read(&*self.wake, &mut counter);
        loop {
            match self.inbox.try_recv() {
                Ok(ThreadMessage::Stop) | Err(TryRecvError::Disconnected) => return false,
                Err(TryRecvError::Empty) => return true,
                Ok(message) => self.handle(message),
            }
        }
    }

    fn handle(&mut self, message: ThreadMessage) {
        match message {
            ThreadMessage::NewLeg {
                task,
                id,
                pair,
                timing,
                events,
                ready,
            } => {
                let result =
                    Leg::new(id, pair, timing).and_then(|leg| self.start(task, leg, events));
                let _ = ready.send(result);
            }
            ThreadMessage::NewTask { task, leg, events } => {
                let id = leg.id;
                if let Err(e) = self.start(task, *leg, events) {
                    self.orphans.emit(MediaEvent::Error {
                        leg: id,
                        what: MediaFailure::Moved(e),
                    });
                }
            }
            ThreadMessage::Command { task, command } => match self.by_id.get(&task) {
                Some(&slot) => {
                    self.with_task(slot, |task, io| task.on_command(command, io));
                    self.settle(slot);
                }
                None => self.task_gone(command),
            },
            ThreadMessage::Stop => {}
        }
    }

    /// A task for `leg` in a free slot, its sockets registered.
    fn start(&mut self, id: TaskId, mut leg: Leg, events: EventSink) -> io::Result<()> {
        // The slot is taken off the free list only once the leg is in.
        let slot = self.free.last().copied().unwrap_or(self.slots.len());
        Registry::new(&self.epoll, slot, &mut self.tokens).add(&mut leg)?;
        self.free.pop_if(|&mut free| free == slot);
        let entry = Slot {
            id,
            task: MediaTask::new(leg, events, Arc::clone(&self.counters)),
            scheduled: None,
            backlogged: false,
        };
        match self.slots.get_mut(slot) {
            Some(free) => *free = Some(entry),
            None => self.slots.push(Some(entry)),
        }
        self.by_id.insert(id, slot);
        self.counters.tasks_running.fetch_add(1, Ordering::Relaxed);
        self.settle(slot);
        Ok(())
    }

    /// Runs `f` on the task in `slot` with its view of the thread. A task
    /// that panics (a bug: nothing in a task should) loses its legs, and
    /// only its legs: the thread's other calls go on.
    fn with_task(&mut self, slot: usize, f: impl FnOnce(&mut MediaTask, &mut TaskIo<'_>)) {
        let Some(Some(entry)) = self.slots.get_mut(slot) else {
            return;
        };
        let mut io = TaskIo {
            registry: Registry::new(&self.epoll, slot, &mut self.tokens),
            blocking: &self.blocking,
        };
        let task = &mut entry.task;
        let ran = std::panic::catch_unwind(AssertUnwindSafe(|| f(task, &mut io)));
        if ran.is_err() {
            self.fail(slot);
        }
    }

    /// Ends a task that panicked: its legs' sockets leave the set and close,
    /// and each leg is reported gone, then timed out: it has no media any
    /// more, so its call ends as when the peer's RTP stops (MEDIA_TIMEOUT)
    /// instead of lingering silent.
    fn fail(&mut self, slot: usize) {
        let Some(entry) = self.slots.get_mut(slot).and_then(Option::take) else {
            return;
        };
        tracing::error!("media task {:?} failed; its legs are closed", entry.id);
        let mut registry = Registry::new(&self.epoll, slot, &mut self.tokens);
        for leg in entry.task.into_legs() {
            registry.remove(&leg);
            self.orphans.emit(MediaEvent::Error {
                leg: leg.id,
                what: MediaFailure::TaskGone,
            });
            self.orphans.emit(MediaEvent::RtpTimeout { leg: leg.id });
        }
        self.release(slot, entry.id);
    }

    /// Frees `slot`, which held task `id`.
    fn release(&mut self, slot: usize, id: TaskId) {
        self.by_id.remove(&id);
        self.backlog.retain(|&s| s != slot);
        self.free.push(slot);
        self.counters.tasks_running.fetch_sub(1, Ordering::Relaxed);
    }

    /// After a task ran: its timer moved, its events parked, or it ended.
    fn settle(&mut self, slot: usize) {
        let Some(Some(entry)) = self.slots.get_mut(slot) else {
            return;
        };
        if entry.task.is_empty() {
            self.end(slot);
            return;
        }
        let next = entry.task.next_deadline();
        if next != entry.scheduled {
            entry.scheduled = next;
            if let Some(at) = next {
                self.timers.push(Reverse((at, slot)));
            }
        }
        if !entry.backlogged && entry.task.flush_events() {
            entry.backlogged = true;
            self.backlog.push(slot);
        }
    }

    /// A task without legs ends; its undelivered events go with the thread's.
    fn end(&mut self, slot: usize) {
        let Some(mut entry) = self.slots.get_mut(slot).and_then(Option::take) else {
            return;
        };
        entry.task.flush_events();
        let id = entry.id;
        self.orphans.adopt(entry.task.into_events());
        self.release(slot, id);
    }

    /// A command for a task that has ended: the replies it carries are
    /// dropped (their waiters answer at once), a leg's command is reported.
    fn task_gone(&mut self, command: TaskCommand) {
        let leg = match command {
            TaskCommand::Applied { .. } | TaskCommand::Destroy { .. } => return,
            #[cfg(test)]
            TaskCommand::Fault => return,
            TaskCommand::Detach { leg, .. } => leg,
            TaskCommand::Attach { leg } => leg.id,
            TaskCommand::Configure { leg, .. }
            | TaskCommand::Play { leg, .. }
            | TaskCommand::StopPlay { leg }
            | TaskCommand::Echo { leg }
            | TaskCommand::Idle { leg }
            | TaskCommand::RecordStart { leg, .. }
            | TaskCommand::WatchSilence { leg, .. }
            | TaskCommand::MaskRecording { leg, .. }
            | TaskCommand::RecordStop { leg, .. }
            | TaskCommand::SendDtmf { leg, .. } => leg,
        };
        self.orphans.emit(MediaEvent::Error {
            leg,
            what: MediaFailure::TaskGone,
        });
    }

    /// Runs the tasks whose deadline has come.
    fn fire_timers(&mut self, now: Instant) {
        while let Some(&Reverse((at, slot))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            let Some(Some(entry)) = self.slots.get_mut(slot) else {
                continue;
            };
            // A stale entry: the task moved its deadline since.
            if entry.scheduled != Some(at) {
                continue;
            }
            entry.scheduled = None;
            self.with_task(slot, |task, _| task.on_timer(now));
            self.settle(slot);
        }
    }

    /// Offers parked events to the channel again.
    fn retry_backlog(&mut self) {
        self.orphans.flush();
        let slots = &mut self.slots;
        self.backlog.retain(|&slot| match slots.get_mut(slot) {
            Some(Some(entry)) => {
                entry.backlogged = entry.task.flush_events();
                entry.backlogged
            }
            _ => false,
        });
    }

    /// Ends every leg (recordings finished, playbacks reported) and
    /// delivers the events, for at most [`DRAIN`].
    fn stop(&mut self) {
        for slot in 0..self.slots.len() {
            self.with_task(slot, |task, io| task.close_all(io));
            self.end(slot);
        }
        let deadline = Instant::now() + DRAIN;
        while self.orphans.flush() && Instant::now() < deadline {
            std::thread::sleep(BACKLOG_RETRY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up_to_the_millisecond_and_stop_at_an_hour() {
        let ts = |wait| {
            let t = epoll_timeout(wait);
            (t.tv_sec, t.tv_nsec)
        };
        assert_eq!(ts(Duration::ZERO), (0, 0));
        assert_eq!(ts(Duration::from_nanos(1)), (0, 1_000_000));
        assert_eq!(ts(Duration::from_micros(19_001)), (0, 20_000_000));
        assert_eq!(ts(Duration::from_millis(1500)), (1, 500_000_000));
        // 30 days (an rtp-timeout-sec that large) is more milliseconds than
        // epoll takes: the wait stops at the hour and resumes.
        assert_eq!(ts(Duration::from_secs(30 * 86_400)), (3600, 0));
    }

    #[test]
    fn socket_keys_never_meet_the_wake_key() {
        // Tokens start at 1 (Registry::add), so the smallest key is 2.
        assert_ne!(socket_key(0, 1, false), WAKE_KEY);
        let key = socket_key(u32::MAX >> 1, u32::MAX, true);
        assert_ne!(key, WAKE_KEY);
        assert_eq!((key >> 33) as u32, u32::MAX >> 1);
        assert_eq!((key >> 1) as u32, u32::MAX);
        assert_eq!(key & 1, 1);
    }
}
