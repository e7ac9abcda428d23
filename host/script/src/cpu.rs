//! CPU accounting of one invocation, in epoch ticks.
//!
//! The budget counts the time the guest runs, not the time it waits in host
//! calls (`collect-digits` for minutes, an HTTP backend for seconds). A store
//! call hook marks every crossing between guest and host: entering the guest
//! starts a running interval, leaving it closes the interval and adds it to
//! `used`. The epoch deadline callback fires when the store's deadline passes
//! (possibly long after the guest parked in a host call); it charges the current
//! interval and either stops the guest or moves the deadline to when the rest of
//! the budget would be spent, but at most one `slice` ahead: a busy guest yields
//! to the executor at least once per slice, so it cannot hold a tokio worker (and
//! the calls behind it) for its whole budget. Time spent yielded is credited back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime::{CallHook, UpdateDeadline};

use crate::epoch::EpochClock;
use crate::error::GuestStop;

/// Per-invocation CPU meter, kept in the store's data.
#[derive(Debug)]
pub(crate) struct CpuMeter {
    clock: EpochClock,
    budget: u64,
    /// Longest run between yields to the executor, in ticks.
    slice: u64,
    used: u64,
    /// Tick at which the guest last started running; `None` while in the host.
    running_since: Option<u64>,
    /// Ticks spent yielded to the executor, credited back at the next charge.
    yielded: Arc<AtomicU64>,
}

impl CpuMeter {
    /// A meter allowing `budget` ticks (at least one), yielding every `slice`.
    pub(crate) fn new(clock: EpochClock, budget: u64, slice: u64) -> Self {
        CpuMeter {
            clock,
            budget: budget.max(1),
            slice: slice.max(1),
            used: 0,
            running_since: None,
            yielded: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The first epoch deadline to arm, in ticks from now.
    pub(crate) fn first_deadline(&self) -> u64 {
        self.budget.min(self.slice)
    }

    /// Ticks charged so far, including the interval running now.
    pub(crate) fn used(&self) -> u64 {
        let now = self.clock.now();
        let running = self
            .running_since
            .map_or(0, |since| now.saturating_sub(since));
        let credit = self.yielded.load(Ordering::Acquire);
        (self.used + running).saturating_sub(credit)
    }

    /// Record a guest/host crossing (the store's call hook).
    pub(crate) fn on_call_hook(&mut self, hook: CallHook) {
        let now = self.clock.now();
        if hook.entering_host() {
            if let Some(since) = self.running_since.take() {
                self.used += now.saturating_sub(since);
            }
        } else if hook.exiting_host() {
            self.running_since = Some(now);
        }
    }

    /// The epoch deadline passed: stop the guest if its budget is spent, else
    /// re-arm for the rest of it, yielding to the executor in between.
    pub(crate) fn on_deadline(&mut self) -> Result<UpdateDeadline, GuestStop> {
        let used = self.used();
        if used >= self.budget {
            return Err(GuestStop::Deadline);
        }
        let remaining = (self.budget - used).min(self.slice);
        let clock = self.clock.clone();
        let yielded = Arc::clone(&self.yielded);
        Ok(UpdateDeadline::YieldCustom(
            remaining,
            Box::pin(async move {
                let before = clock.now();
                tokio::task::yield_now().await;
                yielded.fetch_add(clock.now().saturating_sub(before), Ordering::AcqRel);
            }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter(budget: u64) -> (EpochClock, CpuMeter) {
        let mut config = wasmtime::Config::new();
        config.gc_support(false);
        let engine = wasmtime::Engine::new(&config).unwrap();
        let clock = EpochClock::new(engine);
        (clock.clone(), CpuMeter::new(clock, budget, 100))
    }

    #[test]
    fn time_in_host_calls_is_not_charged() {
        let (clock, mut meter) = meter(10);
        meter.on_call_hook(CallHook::CallingWasm);
        clock.advance(3);
        meter.on_call_hook(CallHook::CallingHost);
        clock.advance(1_000); // parked in collect-digits
        meter.on_call_hook(CallHook::ReturningFromHost);
        clock.advance(2);
        assert_eq!(meter.used(), 5);
        assert!(matches!(
            meter.on_deadline(),
            Ok(UpdateDeadline::YieldCustom(5, _))
        ));
    }

    #[test]
    fn budget_spent_while_running_stops_the_guest() {
        let (clock, mut meter) = meter(10);
        meter.on_call_hook(CallHook::CallingWasm);
        clock.advance(10);
        assert!(matches!(meter.on_deadline(), Err(GuestStop::Deadline)));
    }

    #[test]
    fn a_long_budget_is_spent_in_slices() {
        let engine = {
            let mut config = wasmtime::Config::new();
            config.gc_support(false);
            wasmtime::Engine::new(&config).unwrap()
        };
        let clock = EpochClock::new(engine);
        let mut meter = CpuMeter::new(clock.clone(), 50, 5);
        assert_eq!(meter.first_deadline(), 5);
        meter.on_call_hook(CallHook::CallingWasm);
        clock.advance(5);
        assert!(matches!(
            meter.on_deadline(),
            Ok(UpdateDeadline::YieldCustom(5, _))
        ));
        clock.advance(42);
        assert!(matches!(
            meter.on_deadline(),
            Ok(UpdateDeadline::YieldCustom(3, _))
        ));
        clock.advance(3);
        assert!(matches!(meter.on_deadline(), Err(GuestStop::Deadline)));
    }

    #[test]
    fn returning_to_the_host_closes_the_interval() {
        let (clock, mut meter) = meter(10);
        meter.on_call_hook(CallHook::CallingWasm);
        clock.advance(4);
        meter.on_call_hook(CallHook::ReturningFromWasm);
        clock.advance(50);
        assert_eq!(meter.used(), 4);
    }
}
