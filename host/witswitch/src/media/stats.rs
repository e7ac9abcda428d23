//! Engine-wide counters. Per-packet counts stay in each leg (no shared
//! cache line touched per packet); a leg adds its totals here when it is
//! destroyed, so these are totals over finished legs plus live gauges.

use std::sync::atomic::{AtomicU64, Ordering};

use super::leg::LegCounters;

/// Shared counters (atomics; written rarely).
#[derive(Debug, Default)]
pub struct EngineCounters {
    /// Legs created.
    pub legs_created: AtomicU64,
    /// Legs destroyed.
    pub legs_destroyed: AtomicU64,
    /// Media tasks running (one per unbridged leg, one per bridged pair).
    pub tasks_running: AtomicU64,
    /// `Dtmf` events dropped because the consumer fell behind.
    pub events_dropped: AtomicU64,
    /// RTP packets received by finished legs.
    pub packets_received: AtomicU64,
    /// RTP packets sent by finished legs.
    pub packets_sent: AtomicU64,
    /// Packets dropped by finished legs (not RTP, foreign source, send buffer full, ...).
    pub packets_dropped: AtomicU64,
}

impl EngineCounters {
    /// Adds a finished leg's totals.
    pub fn add_leg(&self, leg: &LegCounters) {
        self.legs_destroyed.fetch_add(1, Ordering::Relaxed);
        self.packets_received
            .fetch_add(leg.received, Ordering::Relaxed);
        self.packets_sent.fetch_add(leg.sent, Ordering::Relaxed);
        self.packets_dropped
            .fetch_add(leg.dropped(), Ordering::Relaxed);
    }

    /// A snapshot.
    pub fn snapshot(&self) -> MediaStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MediaStats {
            legs_created: get(&self.legs_created),
            legs_destroyed: get(&self.legs_destroyed),
            tasks_running: get(&self.tasks_running),
            events_dropped: get(&self.events_dropped),
            packets_received: get(&self.packets_received),
            packets_sent: get(&self.packets_sent),
            packets_dropped: get(&self.packets_dropped),
        }
    }
}

/// A snapshot of [`EngineCounters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaStats {
    /// Legs created.
    pub legs_created: u64,
    /// Legs destroyed.
    pub legs_destroyed: u64,
    /// Media tasks running.
    pub tasks_running: u64,
    /// `Dtmf` events dropped because the consumer fell behind.
    pub events_dropped: u64,
    /// RTP packets received by destroyed legs.
    pub packets_received: u64,
    /// RTP packets sent by destroyed legs.
    pub packets_sent: u64,
    /// Datagrams dropped by destroyed legs.
    pub packets_dropped: u64,
}
