//! CPU accounting of one invocation, in epoch ticks.
//!
//! The budget counts the time the guest runs, not the time it waits in host
//! calls (`collect-digits` for minutes, an HTTP backend for seconds). A store
//! call hook marks every crossing between guest and host: entering the guest
//! starts a running interval, leaving it closes the interval and adds it to
//! `used`. The epoch deadline callback fires when the store's deadline passes
//! (possibly long after the guest parked in a host call); it either stops the
//! guest or moves the deadline to when the rest of the budget would be spent,
//! but at most one `slice` ahead: a busy guest yields to the executor at least
//! once per slice, so it cannot hold a tokio worker (and the calls behind it)
//! for its whole budget.
//!
//! wasmtime runs the deadline callback inside a libcall and calls the hook
//! around libcalls too (`CallingHost` before, `ReturningFromHost` after), so the
//! time spent yielded to the executor already falls outside every running
//! interval. It must not be credited back on top: doing so once made a looping
//! guest immortal on a busy executor, where each yield outlasted a slice.

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
        }
    }

    /// The first epoch deadline to arm, in ticks from now.
    pub(crate) fn first_deadline(&self) -> u64 {
        self.budget.min(self.slice)
    }

    /// Ticks charged so far, including the interval running now.
    pub(crate) fn used(&self) -> u64 {
        let running = self
            .running_since
            .map_or(0, |since| self.clock.now().saturating_sub(since));
        self.used + running
    }

    /// Record a guest/host crossing (the store's call hook).
    pub(crate) fn on_call_hook(&mut self, hook: CallHook) {
        let now = self.clock.now();
        if hook.entering_host() {
            if let Some(since) = self.running_since.take() {
                self.used += now.saturating_sub(since);
                self.clock.leave();
            }
        } else if hook.exiting_host() && self.running_since.replace(now).is_none() {
            self.clock.enter();
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
        // tokio's yield (rather than wasmtime's own) lets the worker poll its
        // I/O driver before it resumes the guest.
        Ok(UpdateDeadline::YieldCustom(
            remaining,
            Box::pin(tokio::task::yield_now()),
        ))
    }
}

impl Drop for CpuMeter {
    /// A guest dropped while inside wasm (trapped, cancelled) runs no more.
    fn drop(&mut self) {
        if self.running_since.take().is_some() {
            self.clock.leave();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter(budget: u64, slice: u64) -> (EpochClock, CpuMeter) {
        let mut config = wasmtime::Config::new();
        config.gc_support(false);
        let engine = wasmtime::Engine::new(&config).unwrap();
        let clock = EpochClock::new(engine);
        (clock.clone(), CpuMeter::new(clock, budget, slice))
    }

    /// What wasmtime does when a deadline passes: the callback runs in a
    /// libcall, inside the call hook's host crossing; a granted deadline
    /// yields to the executor for `yielded` ticks before the guest resumes.
    fn deadline(clock: &EpochClock, meter: &mut CpuMeter, yielded: u64) -> Option<u64> {
        meter.on_call_hook(CallHook::CallingHost);
        let granted = match meter.on_deadline() {
            Ok(UpdateDeadline::YieldCustom(ticks, _)) => Some(ticks),
            Ok(_) => panic!("expected a yield"),
            Err(GuestStop::Deadline) => None,
            Err(other) => panic!("unexpected {other:?}"),
        };
        clock.advance(yielded);
        meter.on_call_hook(CallHook::ReturningFromHost);
        granted
    }

    #[test]
    fn time_in_host_calls_is_not_charged() {
        let (clock, mut meter) = meter(10, 100);
        meter.on_call_hook(CallHook::CallingWasm);
        clock.advance(3);
        meter.on_call_hook(CallHook::CallingHost);
        clock.advance(1_000); // parked in collect-digits
        meter.on_call_hook(CallHook::ReturningFromHost);
        clock.advance(2);
        assert_eq!(meter.used(), 5);
        assert_eq!(deadline(&clock, &mut meter, 0), Some(5));
    }

    #[test]
    fn budget_spent_while_running_stops_the_guest() {
        let (clock, mut meter) = meter(10, 100);
        meter.on_call_hook(CallHook::CallingWasm);
        clock.advance(10);
        assert_eq!(deadline(&clock, &mut meter, 0), None);
    }

    #[test]
    fn a_long_budget_is_spent_in_slices() {
        let (clock, mut meter) = meter(50, 5);
        assert_eq!(meter.first_deadline(), 5);
        meter.on_call_hook(CallHook::CallingWasm);
        clock.advance(5);
        assert_eq!(deadline(&clock, &mut meter, 0), Some(5));
        clock.advance(42);
        assert_eq!(deadline(&clock, &mut meter, 0), Some(3));
        clock.advance(3);
        assert_eq!(deadline(&clock, &mut meter, 0), None);
    }

    /// On a busy executor every yield may outlast a slice. The yields are
    /// neither charged nor credited, so the guest still stops once it has run
    /// for its budget (this looped forever when yields were credited too).
    #[test]
    fn long_yields_neither_charge_nor_rescue_a_looping_guest() {
        let (clock, mut meter) = meter(50, 5);
        meter.on_call_hook(CallHook::CallingWasm);
        let mut slices = 0;
        let mut granted = meter.first_deadline();
        loop {
            clock.advance(granted);
            match deadline(&clock, &mut meter, 100) {
                Some(next) => granted = next,
                None => break,
            }
            slices += 1;
            assert!(slices < 100, "the guest was never stopped");
        }
        assert_eq!(slices, 9, "ten slices of five ticks make the budget");
        assert_eq!(meter.used(), 50);
    }

    #[test]
    fn returning_to_the_host_closes_the_interval() {
        let (clock, mut meter) = meter(10, 100);
        meter.on_call_hook(CallHook::CallingWasm);
        clock.advance(4);
        meter.on_call_hook(CallHook::ReturningFromWasm);
        clock.advance(50);
        assert_eq!(meter.used(), 4);
    }

    #[test]
    fn the_clock_knows_while_a_guest_runs() {
        let (clock, mut meter) = meter(10, 100);
        assert_eq!(clock.running(), 0);
        meter.on_call_hook(CallHook::CallingWasm);
        assert_eq!(clock.running(), 1);
        meter.on_call_hook(CallHook::CallingHost);
        assert_eq!(clock.running(), 0, "parked in a host call");
        meter.on_call_hook(CallHook::ReturningFromHost);
        assert_eq!(clock.running(), 1);
        drop(meter);
        assert_eq!(clock.running(), 0, "a guest dropped mid-run no longer runs");
    }
}
