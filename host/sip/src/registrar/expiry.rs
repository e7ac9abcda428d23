//! Registration lifetimes: which expiry a contact asked for and what the registrar grants
//! (RFC 3261 §10.2.1.1, §10.3 step 7).

use crate::headers::NameAddr;
use crate::message::{HeaderName, Headers};

/// Minimum, default and maximum registration lifetimes in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryPolicy {
    /// Shorter non-zero requests get 423 Interval Too Brief with this as Min-Expires.
    pub min: u32,
    /// Granted when neither the contact nor the request names an expiry.
    pub default: u32,
    /// Longer requests are shortened to this (the registrar may always shorten, §10.3).
    pub max: u32,
}

impl Default for ExpiryPolicy {
    /// 60 s minimum, one hour default (what sipp and most phones ask for), two hours maximum.
    fn default() -> Self {
        Self {
            min: 60,
            default: 3600,
            max: 7200,
        }
    }
}

/// What the policy grants one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// `expires=0`: remove the binding.
    Remove,
    /// Keep the binding this many seconds.
    Seconds(u32),
    /// Non-zero but below the minimum: the whole request gets 423.
    TooBrief,
}

impl ExpiryPolicy {
    /// Decides one contact's lifetime from its `expires` parameter, else the request's
    /// `Expires` header, else the default (RFC 3261 §10.2.1.1).
    pub fn grant(&self, contact: &NameAddr, header_expires: Option<u32>) -> Grant {
        let requested = contact_expires(contact)
            .or(header_expires)
            .unwrap_or(self.default);
        if requested == 0 {
            Grant::Remove
        } else if requested < self.min {
            Grant::TooBrief
        } else {
            // A misconfigured policy with max < min still yields a lifetime of at least min.
            Grant::Seconds(requested.min(self.max.max(self.min)))
        }
    }
}

/// The request's `Expires` header as a number of seconds.
///
/// A value of digits too large for 32 bits reads as the largest value, so it is clamped to
/// the maximum (RFC 4475 §3.1.2.4 suggests treating it "as if it had been set to the
/// registrar's maximum"); a non-numeric or repeated header reads as absent.
pub fn header_expires(headers: &Headers) -> Option<u32> {
    let mut values = headers.get_all(&HeaderName::Expires);
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    delta_seconds(first)
}

/// The contact's `expires` parameter, read like [`header_expires`].
pub fn contact_expires(contact: &NameAddr) -> Option<u32> {
    delta_seconds(contact.params.value("expires")?)
}

/// RFC 3261 §25.1 `delta-seconds = 1*DIGIT`, saturating at `u32::MAX`.
fn delta_seconds(text: &str) -> Option<u32> {
    let text = text.trim().trim_matches('"');
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<u32>().unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(text: &str) -> NameAddr {
        NameAddr::parse(text).unwrap_or_else(|problem| panic!("{text}: {problem}"))
    }

    #[test]
    fn contact_param_beats_header_beats_default() {
        let policy = ExpiryPolicy::default();
        let with_param = contact("<sip:a@b>;expires=120");
        let without = contact("<sip:a@b>");
        assert_eq!(policy.grant(&with_param, Some(600)), Grant::Seconds(120));
        assert_eq!(policy.grant(&without, Some(600)), Grant::Seconds(600));
        assert_eq!(policy.grant(&without, None), Grant::Seconds(3600));
    }

    #[test]
    fn zero_removes_short_is_too_brief_long_is_clamped() {
        let policy = ExpiryPolicy::default();
        let without = contact("<sip:a@b>");
        assert_eq!(policy.grant(&without, Some(0)), Grant::Remove);
        assert_eq!(policy.grant(&without, Some(59)), Grant::TooBrief);
        assert_eq!(policy.grant(&without, Some(60)), Grant::Seconds(60));
        assert_eq!(policy.grant(&without, Some(99_999)), Grant::Seconds(7200));
        let huge = contact("<sip:a@b>;expires=280297596632815");
        assert_eq!(policy.grant(&huge, None), Grant::Seconds(7200));
        let junk = contact("<sip:a@b>;expires=soon");
        assert_eq!(policy.grant(&junk, Some(300)), Grant::Seconds(300));
    }

    #[test]
    fn header_parsing_is_lenient() {
        let mut headers = Headers::new();
        assert_eq!(header_expires(&headers), None);
        headers.push(HeaderName::Expires, " 1800 ");
        assert_eq!(header_expires(&headers), Some(1800));
        headers.push(HeaderName::Expires, "60");
        assert_eq!(
            header_expires(&headers),
            None,
            "repeated header is ambiguous"
        );
    }
}
