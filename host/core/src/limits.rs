//! Session limits: FreeSWITCH's `max-sessions` (default 1000) and
//! `sessions-per-second` (default 30), both changeable at runtime
//! (`fsctl max_sessions`, `fsctl sps`). An INVITE over either limit is
//! refused with 503 Service Unavailable and a `Retry-After` (RFC 3261
//! §21.5.4, §20.33) before any channel exists.

use std::time::{Duration, Instant};

/// FreeSWITCH's default `max-sessions`.
pub const DEFAULT_MAX_SESSIONS: u32 = 1000;
/// FreeSWITCH's default `sessions-per-second`.
pub const DEFAULT_SESSIONS_PER_SECOND: u32 = 30;
/// `Retry-After` seconds when the per-second rate is exceeded: the next
/// window opens within a second.
pub const RETRY_AFTER_RATE_SECS: u32 = 1;
/// `Retry-After` seconds when all sessions are in use: calls last minutes,
/// so ask the peer to come back a little later.
pub const RETRY_AFTER_FULL_SECS: u32 = 5;

/// Why a new session was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    /// `max-sessions` channels are up.
    #[error("maximum sessions ({0}) reached")]
    MaxSessions(u32),
    /// `sessions-per-second` new sessions were admitted this second.
    #[error("sessions per second ({0}) exceeded")]
    Rate(u32),
}

impl LimitExceeded {
    /// The `Retry-After` value for the 503.
    pub fn retry_after_secs(self) -> u32 {
        match self {
            Self::MaxSessions(_) => RETRY_AFTER_FULL_SECS,
            Self::Rate(_) => RETRY_AFTER_RATE_SECS,
        }
    }
}

/// Admission control for new sessions.
#[derive(Debug, Clone)]
pub struct SessionLimits {
    max_sessions: u32,
    per_second: u32,
    window_start: Option<Instant>,
    admitted_in_window: u32,
}

impl SessionLimits {
    /// Limits with the given maxima (0 per second means unlimited rate).
    pub fn new(max_sessions: u32, per_second: u32) -> Self {
        Self {
            max_sessions,
            per_second,
            window_start: None,
            admitted_in_window: 0,
        }
    }

    /// The current `max-sessions`.
    pub fn max_sessions(&self) -> u32 {
        self.max_sessions
    }

    /// The current `sessions-per-second`.
    pub fn sessions_per_second(&self) -> u32 {
        self.per_second
    }

    /// Changes `max-sessions`; live calls are not affected.
    pub fn set_max_sessions(&mut self, max: u32) {
        self.max_sessions = max;
    }

    /// Changes `sessions-per-second`.
    pub fn set_sessions_per_second(&mut self, per_second: u32) {
        self.per_second = per_second;
    }

    /// Admits one inbound session when `active` sessions are up: checks both
    /// limits and counts it against this second's window.
    pub fn admit(&mut self, now: Instant, active: usize) -> Result<(), LimitExceeded> {
        self.check_capacity(active)?;
        let window_over = self
            .window_start
            .is_none_or(|start| now.saturating_duration_since(start) >= Duration::from_secs(1));
        if window_over {
            self.window_start = Some(now);
            self.admitted_in_window = 0;
        }
        if self.per_second > 0 && self.admitted_in_window >= self.per_second {
            return Err(LimitExceeded::Rate(self.per_second));
        }
        self.admitted_in_window += 1;
        Ok(())
    }

    /// Checks only `max-sessions` (outbound legs of an admitted call).
    pub fn check_capacity(&self, active: usize) -> Result<(), LimitExceeded> {
        if usize::try_from(self.max_sessions).is_ok_and(|max| active >= max) {
            return Err(LimitExceeded::MaxSessions(self.max_sessions));
        }
        Ok(())
    }
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_SESSIONS, DEFAULT_SESSIONS_PER_SECOND)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_window_resets_each_second() {
        let t0 = Instant::now();
        let mut limits = SessionLimits::new(100, 2);
        assert!(limits.admit(t0, 0).is_ok());
        assert!(limits.admit(t0, 1).is_ok());
        assert_eq!(
            limits.admit(t0 + Duration::from_millis(999), 2),
            Err(LimitExceeded::Rate(2))
        );
        assert!(limits.admit(t0 + Duration::from_secs(1), 2).is_ok());
    }

    #[test]
    fn capacity_is_checked_first_and_changeable() {
        let t0 = Instant::now();
        let mut limits = SessionLimits::new(1, 0);
        assert_eq!(limits.admit(t0, 1), Err(LimitExceeded::MaxSessions(1)));
        limits.set_max_sessions(2);
        assert!(limits.admit(t0, 1).is_ok());
        assert_eq!(
            LimitExceeded::MaxSessions(1).retry_after_secs(),
            RETRY_AFTER_FULL_SECS
        );
    }
}
