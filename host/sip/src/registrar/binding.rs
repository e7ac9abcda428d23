//! Registrar bindings (RFC 3261 §10.3): an address-of-record mapped to contact addresses,
//! each remembered with where its REGISTER really came from.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::headers::{NameAddr, Transport};
use crate::uri::Uri;

/// An address-of-record: a user in a domain (`1000@example.com`).
///
/// The domain is the registrar's realm for the request, lowercased; the user is the To
/// user with `%` escapes decoded, compared exactly (RFC 3261 §19.1.4: user parts are
/// case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Aor {
    /// The user part.
    pub user: String,
    /// The domain, lowercased.
    pub domain: String,
}

impl Aor {
    /// Builds an AOR, lowercasing the domain.
    pub fn new(user: impl Into<String>, domain: &str) -> Self {
        Self {
            user: user.into(),
            domain: domain.to_ascii_lowercase(),
        }
    }
}

impl fmt::Display for Aor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.domain)
    }
}

/// Identifies one binding for its whole life (across refreshes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(pub u64);

/// One contact registered for an AOR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Stable identity of this binding.
    pub id: BindingId,
    /// The AOR it belongs to.
    pub aor: Aor,
    /// The Contact as registered, without its `expires` parameter (that is printed fresh
    /// from [`Binding::expires_at`]); `q`, `+sip.instance` and the like are kept.
    pub contact: NameAddr,
    /// When the binding lapses unless refreshed.
    pub expires_at: Instant,
    /// When the binding was first created.
    pub registered_at: Instant,
    /// The Call-ID of the REGISTER that last touched it (RFC 3261 §10.3 step 7).
    pub call_id: String,
    /// The CSeq number of that REGISTER.
    pub cseq: u32,
    /// The packet source of that REGISTER: requests for this contact go here, not to the
    /// Contact host, so phones behind NAT stay reachable (issue 2, item 5).
    pub source: SocketAddr,
    /// The transport that REGISTER arrived on.
    pub transport: Transport,
    /// The `User-Agent` of that REGISTER, for `show registrations`.
    pub user_agent: Option<String>,
}

impl Binding {
    /// Seconds left at `now`, rounded up (a binding with 0.2 s left shows `expires=1`).
    pub fn remaining_secs(&self, now: Instant) -> u64 {
        let left = self.expires_at.saturating_duration_since(now);
        left.as_secs() + u64::from(left.subsec_nanos() > 0)
    }

    /// True once `now` reached the expiry instant.
    pub fn is_expired(&self, now: Instant) -> bool {
        now >= self.expires_at
    }

    /// The Contact value for a 200 OK: the stored contact plus `expires=<remaining>`
    /// (RFC 3261 §10.3 step 8).
    pub fn contact_with_expires(&self, now: Instant) -> String {
        // The stored contact never has an `expires` parameter (the registrar strips it), so
        // appending one is exact and saves a clone.
        format!("{};expires={}", self.contact, self.remaining_secs(now))
    }
}

/// Why a binding went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalReason {
    /// The client removed it (`Expires: 0`, `expires=0`, or `Contact: *`).
    Unregistered,
    /// Its time ran out ([`Registrar::expire`](super::Registrar::expire)).
    Expired,
}

/// A change to the binding table, for events (`sofia::register`/`unregister`/`expire`)
/// and `show registrations` caches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingChange {
    /// A new contact for the AOR.
    Added(Binding),
    /// An existing contact re-registered (new expiry, maybe new source or Call-ID).
    Refreshed(Binding),
    /// A contact went away.
    Removed {
        /// The binding as it was.
        binding: Binding,
        /// Why.
        reason: RemovalReason,
    },
}

/// RFC 3261 §19.1.4 comparison for SIP URIs; other schemes compare as printed, since the
/// registrar does not interpret them.
pub(crate) fn same_contact(a: &Uri, b: &Uri) -> bool {
    match (a.as_sip(), b.as_sip()) {
        (Some(a), Some(b)) => a.equivalent(b),
        (None, None) => a == b,
        _ => false,
    }
}

/// `now` plus a lifetime in seconds. At most ~136 years, which no platform's `Instant`
/// overflows; the fallback keeps even that path panic-free.
pub(crate) fn expiry_after(now: Instant, seconds: u32) -> Instant {
    let span = Duration::from_secs(u64::from(seconds));
    now.checked_add(span).unwrap_or(now)
}
