//! Bounded per-subscriber queues that never block the producer and never grow without
//! bound (ESL.md "Known FreeSWITCH weaknesses": FreeSWITCH queues 100k events and then
//! kills the listener).
//!
//! When a queue is full, new items are dropped and counted. The subscriber learns about
//! it in order: once there is room again (or when it has drained everything), a
//! [`QueueItem::Lost`] with the number dropped since the last notice comes out, which the
//! session turns into a CUSTOM `witswitch::event_loss` event. A queue holds at most
//! `capacity` items plus that one notice plus a few control items.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::event::SharedEvent;
use crate::wire::LogRecord;

/// Control items (a bound channel's hangup) may exceed the capacity by this much.
const CONTROL_SLACK: usize = 4;

/// What flows to a subscriber.
#[derive(Debug, Clone)]
pub enum QueueItem {
    /// An event.
    Event(SharedEvent),
    /// A log line.
    Log(Arc<LogRecord>),
    /// This many items were dropped since the last notice.
    Lost(u64),
}

/// Whether a push was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// In the queue.
    Queued,
    /// Dropped (queue full) and counted.
    Dropped,
}

/// The single-owner bounded queue.
#[derive(Debug)]
pub struct EventQueue {
    items: VecDeque<QueueItem>,
    capacity: usize,
    pending_lost: u64,
    lost_total: u64,
}

impl EventQueue {
    /// A queue of at most `capacity` items (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            items: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
            pending_lost: 0,
            lost_total: 0,
        }
    }

    /// Adds an item or drops and counts it when full.
    pub fn push(&mut self, item: QueueItem) -> PushOutcome {
        if self.items.len() >= self.capacity {
            self.pending_lost += 1;
            self.lost_total += 1;
            return PushOutcome::Dropped;
        }
        self.flush_notice();
        self.items.push_back(item);
        PushOutcome::Queued
    }

    /// Adds an item that must not be lost (a controlled channel's end), beyond the
    /// capacity by at most a small constant.
    pub fn push_control(&mut self, item: QueueItem) -> PushOutcome {
        if self.items.len() >= self.capacity + CONTROL_SLACK {
            self.pending_lost += 1;
            self.lost_total += 1;
            return PushOutcome::Dropped;
        }
        self.flush_notice();
        self.items.push_back(item);
        PushOutcome::Queued
    }

    /// Queues the pending loss notice ahead of the next item, so it sits where the loss happened.
    fn flush_notice(&mut self) {
        if self.pending_lost > 0 {
            self.items.push_back(QueueItem::Lost(self.pending_lost));
            self.pending_lost = 0;
        }
    }

    /// The next item; when drained, a pending loss notice.
    pub fn pop(&mut self) -> Option<QueueItem> {
        if let Some(item) = self.items.pop_front() {
            return Some(item);
        }
        if self.pending_lost > 0 {
            let lost = std::mem::take(&mut self.pending_lost);
            return Some(QueueItem::Lost(lost));
        }
        None
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is waiting (notice included).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.pending_lost == 0
    }

    /// Items dropped since the queue was made.
    pub fn lost_total(&self) -> u64 {
        self.lost_total
    }
}

type Waker = Box<dyn Fn() + Send + Sync>;

struct Shared {
    queue: Mutex<EventQueue>,
    waker: Mutex<Option<Waker>>,
    closed: AtomicBool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the queue inconsistent (every
    // operation is a single VecDeque call), so a poisoned lock is still usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A bounded queue shared between a producer (the event bus) and one consumer (the
/// session's driver task): [`channel`] makes the two ends.
pub fn channel(capacity: usize) -> (QueueSender, QueueReceiver) {
    let shared = Arc::new(Shared {
        queue: Mutex::new(EventQueue::new(capacity)),
        waker: Mutex::new(None),
        closed: AtomicBool::new(false),
    });
    (QueueSender(shared.clone()), QueueReceiver(shared))
}

/// The producer end; pushing never blocks beyond a short lock.
pub struct QueueSender(Arc<Shared>);

/// The consumer end; dropping it closes the queue.
pub struct QueueReceiver(Arc<Shared>);

impl std::fmt::Debug for QueueSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl std::fmt::Debug for QueueReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueReceiver")
            .field("len", &lock(&self.0.queue).len())
            .finish()
    }
}

impl QueueSender {
    fn wake(&self) {
        if let Some(waker) = lock(&self.0.waker).as_ref() {
            waker();
        }
    }

    /// Pushes an item (dropped and counted when full) and wakes the consumer.
    pub fn send(&self, item: QueueItem) -> PushOutcome {
        let outcome = lock(&self.0.queue).push(item);
        self.wake();
        outcome
    }

    /// Pushes a must-deliver control item and wakes the consumer.
    pub fn send_control(&self, item: QueueItem) -> PushOutcome {
        let outcome = lock(&self.0.queue).push_control(item);
        self.wake();
        outcome
    }

    /// Whether the consumer is gone.
    pub fn is_closed(&self) -> bool {
        self.0.closed.load(Ordering::Acquire)
    }
}

impl QueueReceiver {
    /// The next item, if any.
    pub fn pop(&self) -> Option<QueueItem> {
        lock(&self.0.queue).pop()
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        lock(&self.0.queue).len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        lock(&self.0.queue).is_empty()
    }

    /// Items dropped so far.
    pub fn lost_total(&self) -> u64 {
        lock(&self.0.queue).lost_total()
    }

    /// Called after each push (the binary passes e.g. a `tokio::sync::Notify` wake-up).
    pub fn set_waker(&self, waker: impl Fn() + Send + Sync + 'static) {
        *lock(&self.0.waker) = Some(Box::new(waker));
    }
}

impl Drop for QueueReceiver {
    fn drop(&mut self) {
        self.0.closed.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::event::Event;

    fn item(n: usize) -> QueueItem {
        QueueItem::Event(SharedEvent::new(Event::named(&format!("E{n}"))))
    }

    fn name(item: &QueueItem) -> String {
        match item {
            QueueItem::Event(e) => e.event().name().to_string(),
            QueueItem::Log(_) => "log".to_string(),
            QueueItem::Lost(n) => format!("lost{n}"),
        }
    }

    #[test]
    fn drops_when_full_and_reports_in_order() {
        let mut queue = EventQueue::new(2);
        assert_eq!(queue.push(item(1)), PushOutcome::Queued);
        assert_eq!(queue.push(item(2)), PushOutcome::Queued);
        assert_eq!(queue.push(item(3)), PushOutcome::Dropped);
        assert_eq!(queue.push(item(4)), PushOutcome::Dropped);
        assert_eq!(queue.pop().map(|i| name(&i)).as_deref(), Some("E1"));
        assert_eq!(queue.push(item(5)), PushOutcome::Queued);
        let rest: Vec<String> = std::iter::from_fn(|| queue.pop())
            .map(|i| name(&i))
            .collect();
        assert_eq!(rest, ["E2", "lost2", "E5"]);
        assert_eq!(queue.lost_total(), 2);
    }

    #[test]
    fn drained_queue_yields_the_notice() {
        let mut queue = EventQueue::new(1);
        queue.push(item(1));
        queue.push(item(2));
        assert!(queue.pop().is_some());
        assert_eq!(queue.pop().map(|i| name(&i)).as_deref(), Some("lost1"));
        assert!(queue.pop().is_none());
        assert!(queue.is_empty());
    }

    #[test]
    fn memory_stays_bounded_under_a_flood() {
        let mut queue = EventQueue::new(100);
        for n in 0..100_000 {
            queue.push(item(n));
            if n % 1000 == 0 {
                queue.push_control(item(n));
            }
            assert!(queue.len() <= 100 + 1 + CONTROL_SLACK);
        }
        assert!(queue.lost_total() > 99_000);
    }

    #[test]
    fn shared_channel_wakes_and_closes() {
        let (sender, receiver) = channel(8);
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        receiver.set_waker(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let producer = std::thread::spawn(move || {
            for n in 0..20 {
                sender.send(item(n));
            }
            sender
        });
        let sender = producer.join().ok();
        assert_eq!(wakes.load(Ordering::Relaxed), 20);
        assert_eq!(receiver.len(), 8);
        assert_eq!(receiver.lost_total(), 12);
        drop(receiver);
        assert!(sender.is_some_and(|s| s.is_closed()));
    }
}
