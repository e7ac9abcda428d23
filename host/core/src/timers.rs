//! The engine's timer table: every deadline is one entry keyed by
//! `(deadline, sequence)`, so `poll_timeout` is the first key and
//! cancelling is a removal.

use std::collections::BTreeMap;
use std::time::Instant;

use witswitch_types::ChannelId;

use crate::engine::originate::OriginateId;

/// What a timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// `sleep` ran out (dialplan action or app request).
    Sleep(ChannelId),
    /// A first-digit or inter-digit timeout of digit collection.
    Digits(ChannelId),
    /// `record`'s maximum length.
    RecordLimit(ChannelId),
    /// `call_timeout` of the current group of a bridge/originate
    /// (FreeSWITCH: NO_ANSWER when it runs out).
    OriginateGroup(OriginateId),
    /// `leg_timeout` of one outgoing leg (`[leg_timeout=20]`).
    LegTimeout(ChannelId),
    /// A hung-up channel waited long enough for its recordings to close.
    ReportDue(ChannelId),
    /// The limit of a `uuid_record ... start <path> <limit>` recording.
    SessionRecordLimit(ChannelId),
}

/// A handle to cancel an armed timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerId(Instant, u64);

/// The table.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    entries: BTreeMap<TimerId, TimerKind>,
    next_seq: u64,
}

impl Timers {
    /// Arms `kind` at `at`.
    pub(crate) fn arm(&mut self, at: Instant, kind: TimerKind) -> TimerId {
        let id = TimerId(at, self.next_seq);
        self.next_seq += 1;
        self.entries.insert(id, kind);
        id
    }

    /// Disarms a timer (no-op when it already fired).
    pub(crate) fn cancel(&mut self, id: TimerId) {
        self.entries.remove(&id);
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.entries.keys().next().map(|id| id.0)
    }

    /// Removes and returns one timer due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(TimerId, TimerKind)> {
        let (&id, _) = self.entries.iter().next()?;
        if id.0 > now {
            return None;
        }
        self.entries.remove(&id).map(|kind| (id, kind))
    }

    /// Number of armed timers.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn earliest_fires_first_and_cancel_removes() {
        let t0 = Instant::now();
        let mut timers = Timers::default();
        let late = timers.arm(t0 + Duration::from_secs(2), TimerKind::Sleep(ChannelId(1)));
        timers.arm(t0 + Duration::from_secs(1), TimerKind::Digits(ChannelId(2)));
        assert_eq!(timers.next_deadline(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(timers.pop_due(t0), None);
        let (_, kind) = timers.pop_due(t0 + Duration::from_secs(5)).expect("due");
        assert_eq!(kind, TimerKind::Digits(ChannelId(2)));
        timers.cancel(late);
        assert_eq!(timers.len(), 0);
    }
}
