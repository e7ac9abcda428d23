//! The transaction timer table: RFC 3261 §17 (Table 4) plus RFC 6026 timers L and M.
//!
//! Timers are named values, not ad-hoc durations, so a test or a log line can say
//! "Timer H fired" and mean exactly what the RFC means. Durations derive from T1, T2 and
//! T4 ([`TimerConfig`]) and from whether the transport is reliable (§17: on TCP/TLS/SCTP
//! the retransmission timers A, E and G are never started and the wait timers D, I, J, K
//! are zero).

use std::fmt;
use std::time::{Duration, Instant};

/// RFC 3261 §17 T1 default: the round-trip time estimate.
pub const DEFAULT_T1: Duration = Duration::from_millis(500);
/// RFC 3261 §17 T2 default: the maximum retransmit interval for non-INVITE requests and
/// INVITE responses.
pub const DEFAULT_T2: Duration = Duration::from_secs(4);
/// RFC 3261 §17 T4 default: the maximum time a message stays in the network.
pub const DEFAULT_T4: Duration = Duration::from_secs(5);

/// Timer D's floor on unreliable transports: Table 4 says "> 32 s for UDP" independent of
/// our own T1, because it must outlive the *server's* Timer H retransmissions.
const TIMER_D_UNRELIABLE_FLOOR: Duration = Duration::from_secs(32);

/// Smallest T1 accepted: a zero T1 would make timers A, E and G fire in a tight loop.
const MIN_T1: Duration = Duration::from_millis(1);
/// Largest T1 accepted (64*T1 is then about an hour, far past any useful value).
const MAX_T1: Duration = Duration::from_secs(60);
/// Largest T2 and T4 accepted.
const MAX_T2_T4: Duration = Duration::from_secs(600);

/// The transaction timers. Each variant documents its RFC definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// RFC 3261 §17.1.1.2: INVITE request retransmit interval, unreliable transports only.
    /// Starts at T1 and doubles after every retransmission (no T2 cap for INVITE).
    A,
    /// RFC 3261 §17.1.1.2: INVITE client transaction timeout, 64*T1. Runs in Calling, and
    /// again in Proceeding once a CANCEL was sent (§9.1: no final response within 64*T1
    /// means the INVITE is considered cancelled); the TU is told it timed out.
    B,
    /// RFC 3261 §17.1.1.2: how long the INVITE client stays Completed to absorb
    /// retransmitted non-2xx final responses (re-sending the ACK for each).
    /// At least 32 s on unreliable transports, zero on reliable ones.
    D,
    /// RFC 3261 §17.1.2.2: non-INVITE request retransmit interval, unreliable transports only.
    /// Starts at T1 and doubles up to T2 in Trying; fixed at T2 once Proceeding.
    E,
    /// RFC 3261 §17.1.2.2: non-INVITE client transaction timeout, 64*T1.
    F,
    /// RFC 3261 §17.2.1: INVITE final (non-2xx) response retransmit interval, unreliable
    /// transports only. Starts at T1, then min(2*previous, T2).
    G,
    /// RFC 3261 §17.2.1: how long the INVITE server waits in Completed for the ACK, 64*T1.
    /// Expiry means the ACK never came; the TU is told.
    H,
    /// RFC 3261 §17.2.1: how long the INVITE server stays Confirmed to absorb ACK
    /// retransmissions. T4 on unreliable transports, zero on reliable ones.
    I,
    /// RFC 3261 §17.2.2: how long the non-INVITE server stays Completed to absorb request
    /// retransmissions. 64*T1 on unreliable transports, zero on reliable ones.
    J,
    /// RFC 3261 §17.1.2.2: how long the non-INVITE client stays Completed to absorb
    /// response retransmissions. T4 on unreliable transports, zero on reliable ones.
    K,
    /// RFC 6026 §8.7: how long the INVITE server stays Accepted (after sending a 2xx) to
    /// absorb INVITE retransmissions and pass ACKs to the TU, 64*T1.
    L,
    /// RFC 6026 §8.4: how long the INVITE client stays Accepted (after a 2xx) to pass 2xx
    /// retransmissions to the TU so it can re-send its ACK, 64*T1.
    M,
}

impl Timer {
    /// Every timer in table order.
    pub const ALL: [Timer; 12] = [
        Timer::A,
        Timer::B,
        Timer::D,
        Timer::E,
        Timer::F,
        Timer::G,
        Timer::H,
        Timer::I,
        Timer::J,
        Timer::K,
        Timer::L,
        Timer::M,
    ];

    /// The RFC letter of this timer.
    pub fn letter(self) -> char {
        match self {
            Timer::A => 'A',
            Timer::B => 'B',
            Timer::D => 'D',
            Timer::E => 'E',
            Timer::F => 'F',
            Timer::G => 'G',
            Timer::H => 'H',
            Timer::I => 'I',
            Timer::J => 'J',
            Timer::K => 'K',
            Timer::L => 'L',
            Timer::M => 'M',
        }
    }

    /// Position in [`Timer::ALL`], used as a slot index.
    fn slot(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timer {}", self.letter())
    }
}

/// The configurable base values T1, T2 and T4 (RFC 3261 §17, Table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// Round-trip time estimate (default 500 ms).
    pub t1: Duration,
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s).
    pub t2: Duration,
    /// Maximum duration a message remains in the network (default 5 s).
    pub t4: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            t1: DEFAULT_T1,
            t2: DEFAULT_T2,
            t4: DEFAULT_T4,
        }
    }
}

impl TimerConfig {
    /// The same values brought into a workable range, so a configuration file can never
    /// stall or overflow the timer arithmetic: 1 ms ≤ T1 ≤ 60 s, T1 ≤ T2 ≤ 600 s,
    /// T4 ≤ 600 s. [`TransactionLayer::new`](super::TransactionLayer::new) applies it.
    pub fn sanitized(self) -> TimerConfig {
        let t1 = self.t1.clamp(MIN_T1, MAX_T1);
        TimerConfig {
            t1,
            t2: self.t2.clamp(t1, MAX_T2_T4),
            t4: self.t4.min(MAX_T2_T4),
        }
    }

    /// 64*T1: the value of timers B, F, H, L and M, and of J on unreliable transports.
    pub fn sixty_four_t1(&self) -> Duration {
        self.t1.saturating_mul(64)
    }

    /// The first interval of a timer, or `None` when §17 says the timer is not started on
    /// this kind of transport (A, E and G on reliable transports). A zero duration means
    /// "immediately" (D, I, J and K on reliable transports).
    pub fn initial(&self, timer: Timer, reliable: bool) -> Option<Duration> {
        match timer {
            Timer::A | Timer::E | Timer::G => (!reliable).then_some(self.t1),
            Timer::B | Timer::F | Timer::H | Timer::L | Timer::M => Some(self.sixty_four_t1()),
            Timer::D if reliable => Some(Duration::ZERO),
            Timer::D => Some(self.sixty_four_t1().max(TIMER_D_UNRELIABLE_FLOOR)),
            Timer::I | Timer::K if reliable => Some(Duration::ZERO),
            Timer::I | Timer::K => Some(self.t4),
            Timer::J if reliable => Some(Duration::ZERO),
            Timer::J => Some(self.sixty_four_t1()),
        }
    }

    /// The next interval of a retransmission timer after it fired with `previous`:
    /// A doubles without bound (§17.1.1.2); E and G double up to T2 (§17.1.2.2, §17.2.1).
    pub fn backoff(&self, timer: Timer, previous: Duration) -> Duration {
        let doubled = previous.saturating_mul(2);
        match timer {
            Timer::A => doubled,
            _ => doubled.min(self.t2),
        }
    }
}

/// Deadlines of the timers one transaction has armed: one slot per [`Timer`].
#[derive(Debug, Clone, Default)]
pub(crate) struct TimerSet {
    deadlines: [Option<Instant>; Timer::ALL.len()],
}

impl TimerSet {
    /// Arms (or re-arms) `timer` to fire at `at`.
    pub(crate) fn arm(&mut self, timer: Timer, at: Instant) {
        self.deadlines[timer.slot()] = Some(at);
    }

    /// Disarms `timer`.
    pub(crate) fn cancel(&mut self, timer: Timer) {
        self.deadlines[timer.slot()] = None;
    }

    /// Disarms every timer (the transaction terminated).
    pub(crate) fn cancel_all(&mut self) {
        self.deadlines = Default::default();
    }

    /// When `timer` fires, if armed.
    #[cfg(test)]
    pub(crate) fn deadline(&self, timer: Timer) -> Option<Instant> {
        self.deadlines[timer.slot()]
    }

    /// The earliest armed deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Disarms and returns the earliest timer due at `now` (ties in table order).
    pub(crate) fn take_due(&mut self, now: Instant) -> Option<Timer> {
        let mut due: Option<(Timer, Instant)> = None;
        for timer in Timer::ALL {
            if let Some(at) = self.deadlines[timer.slot()]
                && at <= now
                && due.is_none_or(|(_, best)| at < best)
            {
                due = Some((timer, at));
            }
        }
        let (timer, _) = due?;
        self.cancel(timer);
        Some(timer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_rfc_values() {
        let cfg = TimerConfig::default();
        assert_eq!(cfg.t1, Duration::from_millis(500));
        assert_eq!(cfg.t2, Duration::from_secs(4));
        assert_eq!(cfg.t4, Duration::from_secs(5));
        assert_eq!(cfg.sixty_four_t1(), Duration::from_secs(32));
    }

    #[test]
    fn reliable_transport_skips_retransmit_timers_and_zeroes_waits() {
        let cfg = TimerConfig::default();
        for timer in [Timer::A, Timer::E, Timer::G] {
            assert_eq!(cfg.initial(timer, true), None, "{timer}");
            assert_eq!(cfg.initial(timer, false), Some(cfg.t1), "{timer}");
        }
        for timer in [Timer::D, Timer::I, Timer::J, Timer::K] {
            assert_eq!(cfg.initial(timer, true), Some(Duration::ZERO), "{timer}");
        }
        assert_eq!(cfg.initial(Timer::D, false), Some(Duration::from_secs(32)));
        assert_eq!(cfg.initial(Timer::I, false), Some(cfg.t4));
        assert_eq!(cfg.initial(Timer::J, false), Some(cfg.sixty_four_t1()));
        assert_eq!(cfg.initial(Timer::K, false), Some(cfg.t4));
    }

    #[test]
    fn timer_d_keeps_its_floor_with_a_small_t1() {
        let cfg = TimerConfig {
            t1: Duration::from_millis(10),
            ..TimerConfig::default()
        };
        assert_eq!(cfg.initial(Timer::D, false), Some(Duration::from_secs(32)));
    }

    #[test]
    fn backoff_caps_e_and_g_at_t2_but_not_a() {
        let cfg = TimerConfig::default();
        assert_eq!(
            cfg.backoff(Timer::A, Duration::from_secs(4)),
            Duration::from_secs(8)
        );
        assert_eq!(
            cfg.backoff(Timer::E, Duration::from_secs(2)),
            Duration::from_secs(4)
        );
        assert_eq!(
            cfg.backoff(Timer::E, Duration::from_secs(4)),
            Duration::from_secs(4)
        );
        assert_eq!(
            cfg.backoff(Timer::G, Duration::from_secs(4)),
            Duration::from_secs(4)
        );
    }

    #[test]
    fn timer_set_yields_due_timers_earliest_first() {
        let base = Instant::now();
        let mut set = TimerSet::default();
        set.arm(Timer::B, base + Duration::from_secs(32));
        set.arm(Timer::A, base + Duration::from_millis(500));
        assert_eq!(set.next(), Some(base + Duration::from_millis(500)));
        assert_eq!(set.take_due(base), None);
        let late = base + Duration::from_secs(40);
        assert_eq!(set.take_due(late), Some(Timer::A));
        assert_eq!(set.take_due(late), Some(Timer::B));
        assert_eq!(set.take_due(late), None);
        assert_eq!(set.next(), None);
        set.arm(Timer::K, base);
        set.cancel_all();
        assert_eq!(set.deadline(Timer::K), None);
    }

    #[test]
    fn sanitized_keeps_defaults_and_bounds_nonsense() {
        let cfg = TimerConfig::default();
        assert_eq!(cfg.sanitized(), cfg);
        let zero = TimerConfig {
            t1: Duration::ZERO,
            t2: Duration::ZERO,
            t4: Duration::ZERO,
        }
        .sanitized();
        assert_eq!(zero.t1, Duration::from_millis(1));
        assert_eq!(zero.t2, zero.t1);
        assert_eq!(zero.t4, Duration::ZERO);
        let huge = TimerConfig {
            t1: Duration::MAX,
            t2: Duration::from_millis(1),
            t4: Duration::MAX,
        }
        .sanitized();
        assert_eq!(huge.t1, Duration::from_secs(60));
        assert_eq!(huge.t2, Duration::from_secs(60), "T2 never below T1");
        assert_eq!(huge.t4, Duration::from_secs(600));
        assert_eq!(huge.sixty_four_t1(), Duration::from_secs(3840));
    }

    #[test]
    fn display_names_the_timer() {
        assert_eq!(Timer::H.to_string(), "Timer H");
        assert_eq!(
            Timer::ALL.map(Timer::letter).iter().collect::<String>(),
            "ABDEFGHIJKLM"
        );
    }
}
