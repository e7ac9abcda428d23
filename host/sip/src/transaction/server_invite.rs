//! The INVITE server transaction state machine (RFC 3261 §17.2.1, Figure 7, as updated by
//! RFC 6026 §7.1 and §8.5-8.7 with the Accepted state and Timer L).
//!
//! 2xx handling follows RFC 6026: after the TU's first 2xx the transaction moves to
//! Accepted instead of terminating, so INVITE retransmissions are absorbed here rather
//! than looking like new requests, and an ACK that matches is passed to the TU. The
//! transaction never retransmits a 2xx on its own: 2xx retransmission (§13.3.1.4) is the
//! TU's job, and every 2xx the TU hands over in Accepted is sent.

use std::time::{Duration, Instant};

use super::common::{RetransmitAction, StatusClass, TimerOutcome};
use super::timer::{Timer, TimerConfig, TimerSet};

/// States of an INVITE server transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteServerState {
    /// INVITE received and passed to the TU; provisional responses may be sent.
    Proceeding,
    /// A 300-699 final response was sent: Timer G retransmits it, Timer H waits for the ACK.
    Completed,
    /// The ACK arrived; Timer I absorbs ACK retransmissions.
    Confirmed,
    /// RFC 6026: a 2xx was sent; Timer L absorbs INVITE retransmissions.
    Accepted,
    /// Done; the layer removes the transaction.
    Terminated,
}

/// What the layer does with an ACK that matched this transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckAction {
    /// RFC 6026 Accepted: pass the ACK to the TU (it acknowledges the 2xx).
    PassToTu,
    /// Consume it: it confirmed a non-2xx, or it is a retransmission.
    Absorb,
}

/// An INVITE server transaction.
#[derive(Debug, Clone)]
pub(crate) struct InviteServer {
    state: InviteServerState,
    timers: TimerSet,
    /// Current Timer G interval.
    g_interval: Duration,
    config: TimerConfig,
    reliable: bool,
}

impl InviteServer {
    /// Enters Proceeding for a new INVITE (§17.2.1). The layer sends 100 Trying.
    pub(crate) fn start(config: TimerConfig, reliable: bool) -> Self {
        InviteServer {
            state: InviteServerState::Proceeding,
            timers: TimerSet::default(),
            g_interval: config.t1,
            config,
            reliable,
        }
    }

    /// The current state.
    pub(crate) fn state(&self) -> InviteServerState {
        self.state
    }

    /// The earliest armed timer deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// A retransmission of the INVITE arrived (§17.2.1).
    pub(crate) fn on_retransmission(&self) -> RetransmitAction {
        match self.state {
            InviteServerState::Proceeding | InviteServerState::Completed => {
                RetransmitAction::ResendLastResponse
            }
            // Confirmed: the ACK already came. Accepted: RFC 6026 §8.6, absorb; the TU
            // retransmits the 2xx on its own schedule.
            _ => RetransmitAction::Absorb,
        }
    }

    /// An ACK matched this transaction (§17.2.1, RFC 6026 §8.7).
    pub(crate) fn on_ack(&mut self, now: Instant) -> AckAction {
        match self.state {
            InviteServerState::Completed => {
                self.timers.cancel_all();
                self.state = InviteServerState::Confirmed;
                match self.config.initial(Timer::I, self.reliable) {
                    Some(wait) if !wait.is_zero() => self.timers.arm(Timer::I, now + wait),
                    _ => self.terminate(),
                }
                AckAction::Absorb
            }
            InviteServerState::Accepted => AckAction::PassToTu,
            _ => AckAction::Absorb,
        }
    }

    /// The TU hands over a response to send; `Ok` means send it, `Err` carries the state
    /// that forbids it.
    pub(crate) fn on_tu_response(
        &mut self,
        now: Instant,
        status: u16,
    ) -> Result<(), InviteServerState> {
        let class = StatusClass::of(status);
        match (self.state, class) {
            (InviteServerState::Proceeding, StatusClass::Provisional) => Ok(()),
            (InviteServerState::Proceeding, StatusClass::Success) => {
                self.state = InviteServerState::Accepted;
                self.timers.arm(Timer::L, now + self.config.sixty_four_t1());
                Ok(())
            }
            (InviteServerState::Proceeding, StatusClass::Failure) => {
                self.state = InviteServerState::Completed;
                if let Some(interval) = self.config.initial(Timer::G, self.reliable) {
                    self.g_interval = interval;
                    self.timers.arm(Timer::G, now + interval);
                }
                self.timers.arm(Timer::H, now + self.config.sixty_four_t1());
                Ok(())
            }
            // RFC 6026 §8.5: further 2xx from the TU (its retransmissions) are sent.
            (InviteServerState::Accepted, StatusClass::Success) => Ok(()),
            _ => Err(self.state),
        }
    }

    /// Fires the earliest timer due at `now`, if any.
    pub(crate) fn on_timer(&mut self, now: Instant) -> Option<(Timer, TimerOutcome)> {
        let timer = self.timers.take_due(now)?;
        let outcome = match timer {
            Timer::G => {
                self.g_interval = self.config.backoff(Timer::G, self.g_interval);
                self.timers.arm(Timer::G, now + self.g_interval);
                TimerOutcome::Retransmit
            }
            Timer::H => {
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

    /// The transport failed to send a response. RFC 3261 §17.2.1 terminates; RFC 6026's
    /// Accepted state stays put, since the TU's 2xx retransmissions may still get through.
    pub(crate) fn on_transport_error(&mut self) {
        if self.state != InviteServerState::Accepted {
            self.terminate();
        }
    }

    fn terminate(&mut self) {
        self.timers.cancel_all();
        self.state = InviteServerState::Terminated;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn failure_retransmits_on_g_capped_at_t2_until_h() {
        let base = Instant::now();
        let mut tx = InviteServer::start(TimerConfig::default(), false);
        assert_eq!(tx.on_tu_response(base, 486), Ok(()));
        let mut fired = Vec::new();
        while let Some(at) = tx.next_deadline() {
            while let Some((timer, _)) = tx.on_timer(at) {
                fired.push(((at - base).as_millis() as u64, timer));
            }
        }
        let g: Vec<u64> = fired
            .iter()
            .filter(|(_, t)| *t == Timer::G)
            .map(|(at, _)| *at)
            .collect();
        assert_eq!(
            g,
            [
                500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500
            ]
        );
        assert_eq!(fired.last(), Some(&(32_000, Timer::H)));
        assert_eq!(tx.state(), InviteServerState::Terminated);
    }

    #[test]
    fn ack_confirms_then_timer_i_ends() {
        let base = Instant::now();
        let mut tx = InviteServer::start(TimerConfig::default(), false);
        assert_eq!(tx.on_retransmission(), RetransmitAction::ResendLastResponse);
        assert_eq!(tx.on_tu_response(base, 404), Ok(()));
        assert_eq!(tx.on_retransmission(), RetransmitAction::ResendLastResponse);
        assert_eq!(tx.on_ack(base + MS), AckAction::Absorb);
        assert_eq!(tx.state(), InviteServerState::Confirmed);
        assert_eq!(tx.on_ack(base + MS * 2), AckAction::Absorb);
        assert_eq!(tx.on_retransmission(), RetransmitAction::Absorb);
        assert_eq!(tx.next_deadline(), Some(base + MS * 5001));
        assert_eq!(
            tx.on_timer(base + MS * 5001),
            Some((Timer::I, TimerOutcome::Ended))
        );
    }

    #[test]
    fn success_enters_accepted_until_timer_l() {
        let base = Instant::now();
        let mut tx = InviteServer::start(TimerConfig::default(), false);
        assert_eq!(tx.on_tu_response(base, 180), Ok(()));
        assert_eq!(tx.on_tu_response(base, 200), Ok(()));
        assert_eq!(tx.state(), InviteServerState::Accepted);
        assert_eq!(tx.on_retransmission(), RetransmitAction::Absorb);
        assert_eq!(tx.on_ack(base), AckAction::PassToTu);
        assert_eq!(tx.on_tu_response(base, 200), Ok(()));
        assert_eq!(
            tx.on_tu_response(base, 486),
            Err(InviteServerState::Accepted)
        );
        assert_eq!(
            tx.on_timer(base + MS * 32_000),
            Some((Timer::L, TimerOutcome::Ended))
        );
    }

    #[test]
    fn reliable_transport_skips_g_and_i() {
        let base = Instant::now();
        let mut tx = InviteServer::start(TimerConfig::default(), true);
        assert_eq!(tx.on_tu_response(base, 603), Ok(()));
        assert_eq!(tx.next_deadline(), Some(base + MS * 32_000));
        assert_eq!(tx.on_ack(base), AckAction::Absorb);
        assert_eq!(tx.state(), InviteServerState::Terminated);
    }

    #[test]
    fn transport_error_keeps_accepted_but_ends_completed() {
        let base = Instant::now();
        let mut accepted = InviteServer::start(TimerConfig::default(), false);
        assert_eq!(accepted.on_tu_response(base, 200), Ok(()));
        accepted.on_transport_error();
        assert_eq!(accepted.state(), InviteServerState::Accepted);
        let mut completed = InviteServer::start(TimerConfig::default(), false);
        assert_eq!(completed.on_tu_response(base, 500), Ok(()));
        completed.on_transport_error();
        assert_eq!(completed.state(), InviteServerState::Terminated);
    }
}
