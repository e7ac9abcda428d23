//! Delivering `MediaEvent`s without ever stalling the RTP path.
//!
//! The engine has one bounded event channel. A leg's task never awaits it:
//! it `try_send`s, and when the channel is full it parks the event in a
//! small per-task queue that the media thread drains as capacity comes
//! back (in order, so a `Dtmf` never overtakes the `PlaybackDone` it
//! caused). Completion events (`PlaybackDone`, `RecordDone`, `RtpTimeout`,
//! `LegReady`, `Error`) are never dropped — each answers a command, so
//! there are only as many as commands sent. `Dtmf` events beyond
//! [`MAX_PENDING`] queued are dropped and counted in
//! `MediaStats::events_dropped`: a consumer that far behind has lost the
//! thread anyway, and memory must stay bounded against a digit flood.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

use super::api::MediaEvent;
use super::stats::EngineCounters;

/// Events a task holds while the channel is full before dropping digits.
pub const MAX_PENDING: usize = 64;

/// One task's handle on the engine's event channel.
pub struct EventSink {
    tx: Sender<MediaEvent>,
    pending: VecDeque<MediaEvent>,
    counters: Arc<EngineCounters>,
}

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSink")
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl EventSink {
    /// A sink on `tx`.
    pub fn new(tx: Sender<MediaEvent>, counters: Arc<EngineCounters>) -> Self {
        Self {
            tx,
            pending: VecDeque::new(),
            counters,
        }
    }

    /// Another sink on the same channel (for a new task).
    pub fn fork(&self) -> Self {
        Self::new(self.tx.clone(), self.counters.clone())
    }

    /// Sends `event` now if the channel has room, else queues it (or drops
    /// it if it is a digit and the queue is full).
    pub fn emit(&mut self, event: MediaEvent) {
        if self.pending.is_empty() {
            match self.tx.try_send(event) {
                Ok(()) => return,
                Err(TrySendError::Closed(_)) => return, // nobody listens any more
                Err(TrySendError::Full(event)) => return self.park(event),
            }
        }
        self.park(event);
    }

    fn park(&mut self, event: MediaEvent) {
        if matches!(event, MediaEvent::Dtmf { .. }) && self.pending.len() >= MAX_PENDING {
            self.counters.events_dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.pending.push_back(event);
    }

    /// Events waiting for channel capacity.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Takes over `other`'s parked events (its task ended), after this one's.
    pub fn adopt(&mut self, mut other: EventSink) {
        self.pending.append(&mut other.pending);
    }

    /// Moves parked events into the channel as capacity allows; returns
    /// whether some still wait (the media thread tries again shortly).
    pub fn flush(&mut self) -> bool {
        while let Some(event) = self.pending.pop_front() {
            match self.tx.try_send(event) {
                Ok(()) => {}
                Err(TrySendError::Full(event)) => {
                    self.pending.push_front(event);
                    return true;
                }
                // Receiver gone: nothing will ever read these.
                Err(TrySendError::Closed(_)) => self.pending.clear(),
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use witswitch_types::LegId;

    fn digit(n: u64) -> MediaEvent {
        MediaEvent::Dtmf {
            leg: LegId(n),
            digit: '1',
            duration_ms: 100,
        }
    }

    #[tokio::test]
    async fn a_full_channel_parks_events_in_order_and_drops_only_excess_digits() {
        let counters = Arc::new(EngineCounters::default());
        let (tx, mut rx) = tokio::sync::mpsc::channel(2);
        let mut sink = EventSink::new(tx, counters.clone());
        for n in 0..(2 + MAX_PENDING as u64) {
            sink.emit(digit(n));
        }
        sink.emit(digit(999)); // dropped: queue full of digits
        sink.emit(MediaEvent::RtpTimeout { leg: LegId(5) }); // kept anyway
        assert_eq!(sink.pending(), MAX_PENDING + 1);
        assert_eq!(counters.events_dropped.load(Ordering::Relaxed), 1);
        let mut seen = Vec::new();
        while seen.len() < 2 + MAX_PENDING + 1 {
            sink.flush();
            match rx.recv().await {
                Some(MediaEvent::Dtmf { leg, .. }) => seen.push(leg.0),
                Some(MediaEvent::RtpTimeout { leg }) => seen.push(1000 + leg.0),
                other => panic!("unexpected {other:?}"),
            }
        }
        let mut expected: Vec<u64> = (0..(2 + MAX_PENDING as u64)).collect();
        expected.push(1005);
        assert_eq!(seen, expected);
        assert_eq!(sink.pending(), 0);
    }
}
