//! The non-INVITE server transaction state machine (RFC 3261 §17.2.2, Figure 8).
//!
//! Pure state and timers; the transaction layer owns the request and the responses.

use std::time::Instant;

use super::common::{RetransmitAction, StatusClass, TimerOutcome};
use super::timer::{Timer, TimerConfig, TimerSet};

/// States of a non-INVITE server transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonInviteServerState {
    /// Request passed to the TU; retransmissions are absorbed silently.
    Trying,
    /// A provisional response was sent; retransmissions get it again.
    Proceeding,
    /// A final response was sent; Timer J absorbs request retransmissions by resending it.
    Completed,
    /// Done; the layer removes the transaction.
    Terminated,
}

/// A non-INVITE server transaction.
#[derive(Debug, Clone)]
pub(crate) struct NonInviteServer {
    state: NonInviteServerState,
    timers: TimerSet,
    config: TimerConfig,
    reliable: bool,
}

impl NonInviteServer {
    /// Enters Trying for a new request (§17.2.2).
    pub(crate) fn start(config: TimerConfig, reliable: bool) -> Self {
        NonInviteServer {
            state: NonInviteServerState::Trying,
            timers: TimerSet::default(),
            config,
            reliable,
        }
    }

    /// The current state.
    pub(crate) fn state(&self) -> NonInviteServerState {
        self.state
    }

    /// The earliest armed timer deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// A retransmission of the request arrived (§17.2.2).
    pub(crate) fn on_retransmission(&self) -> RetransmitAction {
        match self.state {
            NonInviteServerState::Proceeding | NonInviteServerState::Completed => {
                RetransmitAction::ResendLastResponse
            }
            _ => RetransmitAction::Absorb,
        }
    }

    /// The TU hands over a response to send; `Ok` means send it, `Err` carries the state
    /// that forbids it (§17.2.2: responses after the final one are discarded).
    pub(crate) fn on_tu_response(
        &mut self,
        now: Instant,
        status: u16,
    ) -> Result<(), NonInviteServerState> {
        let class = StatusClass::of(status);
        match self.state {
            NonInviteServerState::Trying | NonInviteServerState::Proceeding => {
                if class == StatusClass::Provisional {
                    self.state = NonInviteServerState::Proceeding;
                    Ok(())
                } else if class.is_final() {
                    self.enter_completed(now);
                    Ok(())
                } else {
                    Err(self.state)
                }
            }
            _ => Err(self.state),
        }
    }

    /// Fires the earliest timer due at `now`, if any (only Timer J exists here).
    pub(crate) fn on_timer(&mut self, now: Instant) -> Option<(Timer, TimerOutcome)> {
        let timer = self.timers.take_due(now)?;
        self.terminate();
        Some((timer, TimerOutcome::Ended))
    }

    /// The transport failed to send a response (§17.2.2): terminate.
    pub(crate) fn on_transport_error(&mut self) {
        self.terminate();
    }

    fn enter_completed(&mut self, now: Instant) {
        self.state = NonInviteServerState::Completed;
        match self.config.initial(Timer::J, self.reliable) {
            Some(wait) if !wait.is_zero() => self.timers.arm(Timer::J, now + wait),
            _ => self.terminate(),
        }
    }

    fn terminate(&mut self) {
        self.timers.cancel_all();
        self.state = NonInviteServerState::Terminated;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn trying_absorbs_then_responses_are_resent() {
        let base = Instant::now();
        let mut tx = NonInviteServer::start(TimerConfig::default(), false);
        assert_eq!(tx.on_retransmission(), RetransmitAction::Absorb);
        assert_eq!(tx.on_tu_response(base, 100), Ok(()));
        assert_eq!(tx.state(), NonInviteServerState::Proceeding);
        assert_eq!(tx.on_retransmission(), RetransmitAction::ResendLastResponse);
        assert_eq!(tx.on_tu_response(base, 200), Ok(()));
        assert_eq!(tx.on_retransmission(), RetransmitAction::ResendLastResponse);
        assert_eq!(
            tx.on_tu_response(base, 500),
            Err(NonInviteServerState::Completed)
        );
    }

    #[test]
    fn timer_j_ends_completed_after_64_t1() {
        let base = Instant::now();
        let mut tx = NonInviteServer::start(TimerConfig::default(), false);
        assert_eq!(tx.on_tu_response(base, 200), Ok(()));
        assert_eq!(tx.next_deadline(), Some(base + MS * 32_000));
        assert_eq!(tx.on_timer(base + MS * 31_999), None);
        assert_eq!(
            tx.on_timer(base + MS * 32_000),
            Some((Timer::J, TimerOutcome::Ended))
        );
        assert_eq!(tx.state(), NonInviteServerState::Terminated);
    }

    #[test]
    fn reliable_transport_terminates_on_final_response() {
        let base = Instant::now();
        let mut tx = NonInviteServer::start(TimerConfig::default(), true);
        assert_eq!(tx.on_tu_response(base, 200), Ok(()));
        assert_eq!(tx.state(), NonInviteServerState::Terminated);
    }
}
