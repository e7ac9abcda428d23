//! Digit collection as a pure state machine: feed digits and timeouts, get
//! the result. Used by `collect-digits`, `play-and-get-digits` and `read`.

use std::time::Duration;

use crate::app_io::CollectedDigits;

/// Whether a character is a DTMF digit RFC 4733 carries (events 0-15).
pub fn is_dtmf_digit(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D' | 'a'..='d')
}

/// Collects up to `max` digits, ended by a terminator or a timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collector {
    max: usize,
    terminators: String,
    first_timeout: Duration,
    inter_timeout: Duration,
    digits: String,
}

/// What a digit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectStep {
    /// Keep waiting (re-arm the timer with [`Collector::next_timeout`]).
    Continue,
    /// Collection is over.
    Done(CollectedDigits),
}

impl Collector {
    /// A collector (a `max` of 0 is treated as 1).
    pub fn new(
        max: u32,
        terminators: &str,
        first_timeout: Duration,
        inter_timeout: Duration,
    ) -> Self {
        Self {
            max: usize::try_from(max.max(1)).unwrap_or(usize::MAX),
            terminators: terminators.to_owned(),
            first_timeout,
            inter_timeout,
            digits: String::new(),
        }
    }

    /// Feeds one digit.
    pub fn push(&mut self, digit: char) -> CollectStep {
        if self.terminators.contains(digit) {
            return CollectStep::Done(CollectedDigits {
                digits: std::mem::take(&mut self.digits),
                terminator: Some(digit),
                timed_out: false,
            });
        }
        self.digits.push(digit);
        if self.digits.chars().count() >= self.max {
            return CollectStep::Done(CollectedDigits {
                digits: std::mem::take(&mut self.digits),
                terminator: None,
                timed_out: false,
            });
        }
        CollectStep::Continue
    }

    /// Feeds buffered digits in order; returns the result if they finish
    /// collection, and how many digits were consumed.
    pub fn push_buffered(&mut self, buffered: &str) -> (Option<CollectedDigits>, usize) {
        for (consumed, digit) in buffered.chars().enumerate() {
            if let CollectStep::Done(result) = self.push(digit) {
                return (Some(result), consumed + 1);
            }
        }
        (None, buffered.chars().count())
    }

    /// The timer to arm now: the first-digit timeout before any digit, the
    /// inter-digit timeout after.
    pub fn next_timeout(&self) -> Duration {
        if self.digits.is_empty() {
            self.first_timeout
        } else {
            self.inter_timeout
        }
    }

    /// The timer ran out.
    pub fn timeout(&mut self) -> CollectedDigits {
        CollectedDigits {
            digits: std::mem::take(&mut self.digits),
            terminator: None,
            timed_out: true,
        }
    }

    /// Digits so far.
    pub fn digits(&self) -> &str {
        &self.digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collector(max: u32) -> Collector {
        Collector::new(max, "#", Duration::from_secs(5), Duration::from_secs(2))
    }

    #[test]
    fn stops_at_max_or_terminator() {
        let mut c = collector(3);
        assert_eq!(c.push('1'), CollectStep::Continue);
        assert_eq!(c.next_timeout(), Duration::from_secs(2));
        assert_eq!(c.push('2'), CollectStep::Continue);
        let CollectStep::Done(done) = c.push('3') else {
            panic!("should finish")
        };
        assert_eq!(done.digits, "123");
        let mut c = collector(3);
        c.push('9');
        let CollectStep::Done(done) = c.push('#') else {
            panic!("should finish")
        };
        assert_eq!((done.digits.as_str(), done.terminator), ("9", Some('#')));
    }

    #[test]
    fn buffered_digits_are_consumed_only_up_to_the_end() {
        let mut c = collector(2);
        let (done, used) = c.push_buffered("1234");
        assert_eq!(done.map(|d| d.digits), Some("12".to_owned()));
        assert_eq!(used, 2);
        let mut c = collector(5);
        assert_eq!(c.push_buffered("12"), (None, 2));
        assert_eq!(c.digits(), "12");
        assert_eq!(c.next_timeout(), Duration::from_secs(2));
        assert!(c.timeout().timed_out);
    }

    #[test]
    fn dtmf_digit_set() {
        assert!("0123456789*#ABCDabcd".chars().all(is_dtmf_digit));
        assert!(!is_dtmf_digit('E'));
        assert!(!is_dtmf_digit(' '));
    }
}
