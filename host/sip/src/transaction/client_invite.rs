//! The INVITE client transaction state machine (RFC 3261 §17.1.1, Figure 5, as updated by
//! RFC 6026 §8.4 with the Accepted state and Timer M).
//!
//! Pure state and timers: the transaction layer feeds it response status codes and the
//! clock, and it answers with what to do (pass up, ACK, retransmit). Messages live in the
//! layer.

use std::time::{Duration, Instant};

use super::common::{StatusClass, TimerOutcome};
use super::timer::{Timer, TimerConfig, TimerSet};

/// States of an INVITE client transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteClientState {
    /// INVITE sent, no response yet: Timer A retransmits, Timer B gives up.
    Calling,
    /// A provisional response arrived; retransmission stops and the TU owns the ring timeout.
    Proceeding,
    /// A 300-699 final response arrived and was ACKed; Timer D absorbs its retransmissions.
    Completed,
    /// RFC 6026: a 2xx arrived; 2xx retransmissions go to the TU (which ACKs them) until Timer M.
    Accepted,
    /// Done; the layer removes the transaction.
    Terminated,
}

/// What the layer does with a response that matched this transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InviteClientAction {
    /// Pass the response to the TU.
    PassToTu,
    /// Pass the response to the TU and send the §17.1.1.3 ACK (first 300-699).
    PassToTuAndAck,
    /// A retransmitted 300-699 in Completed: send the ACK again, do not bother the TU.
    ResendAck,
    /// Drop it silently.
    Absorb,
}

/// An INVITE client transaction.
#[derive(Debug, Clone)]
pub(crate) struct InviteClient {
    state: InviteClientState,
    timers: TimerSet,
    /// Current Timer A interval; doubles after each retransmission.
    a_interval: Duration,
    config: TimerConfig,
    reliable: bool,
}

impl InviteClient {
    /// Enters Calling after the INVITE was handed to the transport (§17.1.1.2).
    pub(crate) fn start(now: Instant, config: TimerConfig, reliable: bool) -> Self {
        let mut timers = TimerSet::default();
        let a_interval = config.initial(Timer::A, reliable);
        if let Some(interval) = a_interval {
            timers.arm(Timer::A, now + interval);
        }
        timers.arm(Timer::B, now + config.sixty_four_t1());
        InviteClient {
            state: InviteClientState::Calling,
            timers,
            a_interval: a_interval.unwrap_or(config.t1),
            config,
            reliable,
        }
    }

    /// The current state.
    pub(crate) fn state(&self) -> InviteClientState {
        self.state
    }

    /// The earliest armed timer deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Feeds a response that matched this transaction (§17.1.3).
    pub(crate) fn on_response(&mut self, now: Instant, status: u16) -> InviteClientAction {
        let class = StatusClass::of(status);
        match self.state {
            InviteClientState::Calling | InviteClientState::Proceeding => match class {
                StatusClass::Provisional => {
                    self.enter_proceeding();
                    InviteClientAction::PassToTu
                }
                StatusClass::Success => {
                    self.enter_accepted(now);
                    InviteClientAction::PassToTu
                }
                StatusClass::Failure => {
                    self.enter_completed(now);
                    InviteClientAction::PassToTuAndAck
                }
                StatusClass::Invalid => InviteClientAction::Absorb,
            },
            InviteClientState::Completed if class == StatusClass::Failure => {
                InviteClientAction::ResendAck
            }
            // RFC 6026 §8.4: 2xx retransmissions go up so the TU can ACK each one.
            InviteClientState::Accepted if class == StatusClass::Success => {
                InviteClientAction::PassToTu
            }
            _ => InviteClientAction::Absorb,
        }
    }

    /// Fires the earliest timer due at `now`, if any.
    pub(crate) fn on_timer(&mut self, now: Instant) -> Option<(Timer, TimerOutcome)> {
        let timer = self.timers.take_due(now)?;
        let outcome = match timer {
            Timer::A => {
                self.a_interval = self.config.backoff(Timer::A, self.a_interval);
                self.timers.arm(Timer::A, now + self.a_interval);
                TimerOutcome::Retransmit
            }
            // Calling (§17.1.1.2), or Proceeding after a CANCEL (§9.1).
            Timer::B => {
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

    /// The TU sent a CANCEL for this INVITE. §9.1: if no final response arrives within
    /// 64*T1 the transaction is considered cancelled and destroyed; Timer B is re-armed
    /// for that, so a dead peer cannot keep a Proceeding transaction alive forever.
    pub(crate) fn on_cancel_sent(&mut self, now: Instant) {
        if self.state == InviteClientState::Proceeding {
            self.timers.arm(Timer::B, now + self.config.sixty_four_t1());
        }
    }

    /// The transport could not send the INVITE or its ACK (§17.1.1.2): terminate.
    pub(crate) fn on_transport_error(&mut self) {
        self.terminate();
    }

    fn enter_proceeding(&mut self) {
        // Provisional responses stop retransmission; Timer B applies to Calling only.
        self.timers.cancel(Timer::A);
        self.timers.cancel(Timer::B);
        self.state = InviteClientState::Proceeding;
    }

    fn enter_completed(&mut self, now: Instant) {
        self.timers.cancel_all();
        self.state = InviteClientState::Completed;
        match self.config.initial(Timer::D, self.reliable) {
            Some(wait) if !wait.is_zero() => self.timers.arm(Timer::D, now + wait),
            _ => self.terminate(),
        }
    }

    fn enter_accepted(&mut self, now: Instant) {
        self.timers.cancel_all();
        self.state = InviteClientState::Accepted;
        self.timers.arm(Timer::M, now + self.config.sixty_four_t1());
    }

    fn terminate(&mut self) {
        self.timers.cancel_all();
        self.state = InviteClientState::Terminated;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn calling(reliable: bool) -> (Instant, InviteClient) {
        let base = Instant::now();
        (
            base,
            InviteClient::start(base, TimerConfig::default(), reliable),
        )
    }

    #[test]
    fn timer_a_doubles_until_timer_b() {
        let (base, mut tx) = calling(false);
        let mut fired = Vec::new();
        while let Some(at) = tx.next_deadline() {
            while let Some((timer, outcome)) = tx.on_timer(at) {
                fired.push((at - base, timer, outcome));
            }
        }
        let retransmits: Vec<Duration> = fired
            .iter()
            .filter(|(_, timer, _)| *timer == Timer::A)
            .map(|(at, _, _)| *at)
            .collect();
        let expected: Vec<Duration> = [500, 1500, 3500, 7500, 15500, 31500]
            .iter()
            .map(|ms| MS * *ms)
            .collect();
        assert_eq!(retransmits, expected);
        assert_eq!(
            fired.last(),
            Some(&(MS * 32_000, Timer::B, TimerOutcome::TimedOut))
        );
        assert_eq!(tx.state(), InviteClientState::Terminated);
    }

    #[test]
    fn reliable_transport_has_no_timer_a_and_no_timer_d() {
        let (base, mut tx) = calling(true);
        assert_eq!(tx.next_deadline(), Some(base + MS * 32_000));
        assert_eq!(
            tx.on_response(base, 486),
            InviteClientAction::PassToTuAndAck
        );
        assert_eq!(tx.state(), InviteClientState::Terminated);
    }

    #[test]
    fn provisional_stops_retransmission_and_timer_b() {
        let (base, mut tx) = calling(false);
        assert_eq!(tx.on_response(base, 180), InviteClientAction::PassToTu);
        assert_eq!(tx.state(), InviteClientState::Proceeding);
        assert_eq!(tx.next_deadline(), None);
    }

    #[test]
    fn failure_acks_then_absorbs_and_ends_on_timer_d() {
        let (base, mut tx) = calling(false);
        assert_eq!(
            tx.on_response(base, 404),
            InviteClientAction::PassToTuAndAck
        );
        assert_eq!(tx.on_response(base, 404), InviteClientAction::ResendAck);
        assert_eq!(tx.on_response(base, 180), InviteClientAction::Absorb);
        let d = tx.next_deadline();
        assert_eq!(d, Some(base + MS * 32_000));
        assert_eq!(tx.on_timer(base + MS * 31_999), None);
        assert_eq!(
            tx.on_timer(base + MS * 32_000),
            Some((Timer::D, TimerOutcome::Ended))
        );
        assert_eq!(tx.state(), InviteClientState::Terminated);
    }

    #[test]
    fn success_passes_retransmissions_up_until_timer_m() {
        let (base, mut tx) = calling(false);
        assert_eq!(tx.on_response(base, 200), InviteClientAction::PassToTu);
        assert_eq!(tx.state(), InviteClientState::Accepted);
        assert_eq!(tx.on_response(base, 200), InviteClientAction::PassToTu);
        assert_eq!(tx.on_response(base, 487), InviteClientAction::Absorb);
        assert_eq!(
            tx.on_timer(base + MS * 32_000),
            Some((Timer::M, TimerOutcome::Ended))
        );
    }

    #[test]
    fn cancel_in_proceeding_rearms_timer_b() {
        let (base, mut tx) = calling(false);
        tx.on_response(base, 180);
        tx.on_cancel_sent(base + MS * 10_000);
        assert_eq!(tx.next_deadline(), Some(base + MS * 42_000));
        assert_eq!(
            tx.on_timer(base + MS * 42_000),
            Some((Timer::B, TimerOutcome::TimedOut))
        );
        assert_eq!(tx.state(), InviteClientState::Terminated);
    }

    #[test]
    fn transport_error_terminates() {
        let (_, mut tx) = calling(false);
        tx.on_transport_error();
        assert_eq!(tx.state(), InviteClientState::Terminated);
        assert_eq!(tx.next_deadline(), None);
    }
}
