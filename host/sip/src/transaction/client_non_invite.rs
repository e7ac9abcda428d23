//! The non-INVITE client transaction state machine (RFC 3261 §17.1.2, Figure 6).
//!
//! Pure state and timers; the transaction layer owns the request and the responses.

use std::time::{Duration, Instant};

use super::common::{StatusClass, TimerOutcome};
use super::timer::{Timer, TimerConfig, TimerSet};

/// States of a non-INVITE client transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonInviteClientState {
    /// Request sent: Timer E retransmits (doubling to T2), Timer F gives up.
    Trying,
    /// A provisional response arrived: Timer E keeps retransmitting every T2.
    Proceeding,
    /// A final response arrived; Timer K absorbs its retransmissions.
    Completed,
    /// Done; the layer removes the transaction.
    Terminated,
}

/// What the layer does with a response that matched this transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonInviteClientAction {
    /// Pass the response to the TU.
    PassToTu,
    /// Drop it silently (a retransmission in Completed).
    Absorb,
}

/// A non-INVITE client transaction.
#[derive(Debug, Clone)]
pub(crate) struct NonInviteClient {
    state: NonInviteClientState,
    timers: TimerSet,
    /// Current Timer E interval.
    e_interval: Duration,
    config: TimerConfig,
    reliable: bool,
}

impl NonInviteClient {
    /// Enters Trying after the request was handed to the transport (§17.1.2.2).
    pub(crate) fn start(now: Instant, config: TimerConfig, reliable: bool) -> Self {
        let mut timers = TimerSet::default();
        let e_interval = config.initial(Timer::E, reliable);
        if let Some(interval) = e_interval {
            timers.arm(Timer::E, now + interval);
        }
        timers.arm(Timer::F, now + config.sixty_four_t1());
        NonInviteClient {
            state: NonInviteClientState::Trying,
            timers,
            e_interval: e_interval.unwrap_or(config.t1),
            config,
            reliable,
        }
    }

    /// The current state.
    pub(crate) fn state(&self) -> NonInviteClientState {
        self.state
    }

    /// The earliest armed timer deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Feeds a response that matched this transaction (§17.1.3).
    pub(crate) fn on_response(&mut self, now: Instant, status: u16) -> NonInviteClientAction {
        let class = StatusClass::of(status);
        match self.state {
            NonInviteClientState::Trying | NonInviteClientState::Proceeding => {
                if class == StatusClass::Provisional {
                    self.state = NonInviteClientState::Proceeding;
                    NonInviteClientAction::PassToTu
                } else if class.is_final() {
                    self.enter_completed(now);
                    NonInviteClientAction::PassToTu
                } else {
                    NonInviteClientAction::Absorb
                }
            }
            NonInviteClientState::Completed | NonInviteClientState::Terminated => {
                NonInviteClientAction::Absorb
            }
        }
    }

    /// Fires the earliest timer due at `now`, if any.
    pub(crate) fn on_timer(&mut self, now: Instant) -> Option<(Timer, TimerOutcome)> {
        let timer = self.timers.take_due(now)?;
        let outcome = match timer {
            Timer::E => {
                // Trying: MIN(2*previous, T2). Proceeding: always T2 (§17.1.2.2).
                self.e_interval = match self.state {
                    NonInviteClientState::Proceeding => self.config.t2,
                    _ => self.config.backoff(Timer::E, self.e_interval),
                };
                self.timers.arm(Timer::E, now + self.e_interval);
                TimerOutcome::Retransmit
            }
            Timer::F => {
                self.terminate();
                TimerOutcome::TimedOut
            }
            _ => {
                self.terminate();
                TimerOutcome::Ended
            }
        };
        Some((timer, outcome))
    }

    /// The transport could not send the request (§17.1.2.2): terminate.
    pub(crate) fn on_transport_error(&mut self) {
        self.terminate();
    }

    fn enter_completed(&mut self, now: Instant) {
        self.timers.cancel_all();
        self.state = NonInviteClientState::Completed;
        match self.config.initial(Timer::K, self.reliable) {
            Some(wait) if !wait.is_zero() => self.timers.arm(Timer::K, now + wait),
            _ => self.terminate(),
        }
    }

    fn terminate(&mut self) {
        self.timers.cancel_all();
        self.state = NonInviteClientState::Terminated;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn fire_all(base: Instant, tx: &mut NonInviteClient) -> Vec<(Duration, Timer)> {
        let mut fired = Vec::new();
        while let Some(at) = tx.next_deadline() {
            while let Some((timer, _)) = tx.on_timer(at) {
                fired.push((at - base, timer));
            }
        }
        fired
    }

    #[test]
    fn timer_e_doubles_to_t2_then_timer_f_times_out() {
        let base = Instant::now();
        let mut tx = NonInviteClient::start(base, TimerConfig::default(), false);
        let fired = fire_all(base, &mut tx);
        let e: Vec<u64> = fired
            .iter()
            .filter(|(_, t)| *t == Timer::E)
            .map(|(at, _)| at.as_millis() as u64)
            .collect();
        // 500, +1000, +2000, then every 4000 (T2) until F at 32 s.
        assert_eq!(
            e,
            [
                500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500
            ]
        );
        assert_eq!(fired.last(), Some(&(MS * 32_000, Timer::F)));
        assert_eq!(tx.state(), NonInviteClientState::Terminated);
    }

    #[test]
    fn proceeding_retransmits_every_t2() {
        let base = Instant::now();
        let mut tx = NonInviteClient::start(base, TimerConfig::default(), false);
        assert_eq!(tx.on_response(base, 100), NonInviteClientAction::PassToTu);
        assert_eq!(tx.state(), NonInviteClientState::Proceeding);
        let first = base + MS * 500;
        assert_eq!(
            tx.on_timer(first),
            Some((Timer::E, TimerOutcome::Retransmit))
        );
        assert_eq!(tx.next_deadline(), Some(first + MS * 4000));
    }

    #[test]
    fn final_response_completes_then_timer_k_ends() {
        let base = Instant::now();
        let mut tx = NonInviteClient::start(base, TimerConfig::default(), false);
        assert_eq!(tx.on_response(base, 200), NonInviteClientAction::PassToTu);
        assert_eq!(tx.on_response(base, 200), NonInviteClientAction::Absorb);
        assert_eq!(tx.next_deadline(), Some(base + MS * 5000));
        assert_eq!(
            tx.on_timer(base + MS * 5000),
            Some((Timer::K, TimerOutcome::Ended))
        );
        assert_eq!(tx.state(), NonInviteClientState::Terminated);
    }

    #[test]
    fn reliable_transport_runs_only_timer_f_and_skips_k() {
        let base = Instant::now();
        let mut tx = NonInviteClient::start(base, TimerConfig::default(), true);
        assert_eq!(tx.next_deadline(), Some(base + MS * 32_000));
        assert_eq!(tx.on_response(base, 404), NonInviteClientAction::PassToTu);
        assert_eq!(tx.state(), NonInviteClientState::Terminated);
    }
}
