//! Small vocabulary shared by the four transaction state machines.

/// What a fired timer asks the transaction layer to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerOutcome {
    /// Send the stored message again: the request (A, E) or the last response (G).
    Retransmit,
    /// The transaction gave up (B, F, H): tell the TU, then it is terminated.
    TimedOut,
    /// A wait state ended quietly (D, I, J, K, L, M): the transaction is terminated.
    Ended,
}

/// What a server transaction does with a retransmitted request (§17.2.1, §17.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetransmitAction {
    /// Resend the most recent response.
    ResendLastResponse,
    /// Swallow it: nothing to resend yet, or the state absorbs retransmissions silently.
    Absorb,
}

/// The class of a response status code (RFC 3261 §21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusClass {
    /// 100-199.
    Provisional,
    /// 200-299.
    Success,
    /// 300-699: redirection and failures, which the INVITE transactions treat alike.
    Failure,
    /// Anything outside 100-699; never valid on the wire.
    Invalid,
}

impl StatusClass {
    /// Classifies a status code.
    pub(crate) fn of(status: u16) -> StatusClass {
        match status {
            100..=199 => StatusClass::Provisional,
            200..=299 => StatusClass::Success,
            300..=699 => StatusClass::Failure,
            _ => StatusClass::Invalid,
        }
    }

    /// True for any final response (200-699).
    pub(crate) fn is_final(self) -> bool {
        matches!(self, StatusClass::Success | StatusClass::Failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_status_codes() {
        assert_eq!(StatusClass::of(100), StatusClass::Provisional);
        assert_eq!(StatusClass::of(183), StatusClass::Provisional);
        assert_eq!(StatusClass::of(200), StatusClass::Success);
        assert_eq!(StatusClass::of(302), StatusClass::Failure);
        assert_eq!(StatusClass::of(699), StatusClass::Failure);
        assert_eq!(StatusClass::of(99), StatusClass::Invalid);
        assert_eq!(StatusClass::of(700), StatusClass::Invalid);
        assert!(StatusClass::Success.is_final());
        assert!(!StatusClass::Provisional.is_final());
        assert!(!StatusClass::Invalid.is_final());
    }
}
