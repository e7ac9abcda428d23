//! Stateless server nonces (RFC 7616 §3.3 "nonce", RFC 2617 §3.2.1 suggestion).
//!
//! A nonce is `hex(timestamp) hex(sequence) hex(MAC)`, where the MAC is HMAC-SHA-256 under a
//! server secret injected at construction. The server can therefore tell, with no table of
//! issued nonces, whether a nonce is its own and how old it is: an authentic nonce older
//! than the TTL is *stale* (answered with a new challenge carrying `stale=true`), anything
//! else that does not verify is *invalid*. Replays inside the TTL are not detected (that
//! needs per-nonce `nc` state); the registrar tolerates that because a replayed REGISTER can
//! only re-install the binding the real client asked for.

use std::time::{Duration, Instant};

use super::hmac::HmacSha256;

/// Hex digits of the millisecond timestamp.
const TIMESTAMP_DIGITS: usize = 16;
/// Hex digits of the per-issuer sequence number that makes nonces unique.
const SEQUENCE_DIGITS: usize = 8;
/// Bytes of the MAC kept (128 bits is ample for a forgery bound).
const MAC_BYTES: usize = 16;
/// Total nonce length in characters.
pub const NONCE_LEN: usize = TIMESTAMP_DIGITS + SEQUENCE_DIGITS + MAC_BYTES * 2;

/// What a received nonce turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceStatus {
    /// Minted by this server and younger than the TTL.
    Fresh,
    /// Minted by this server but older than the TTL (RFC 7616 §3.3 `stale`).
    Stale,
    /// Not a nonce this server minted (wrong shape, wrong MAC, or from the future).
    Invalid,
}

/// Mints and checks nonces; holds the secret, the time base and the TTL.
#[derive(Debug, Clone)]
pub struct NonceIssuer {
    mac: HmacSha256,
    epoch: Instant,
    ttl: Duration,
    sequence: u32,
}

impl NonceIssuer {
    /// `secret` should be at least 32 random bytes, supplied by the caller (the core has no
    /// RNG). `epoch` is the time base for timestamps, usually the driver's start time; nonces
    /// minted before a restart do not verify afterwards unless the same secret *and* epoch
    /// are reused. `ttl` is FreeSWITCH's `nonce-ttl`.
    pub fn new(secret: &[u8], epoch: Instant, ttl: Duration) -> Self {
        Self {
            mac: HmacSha256::new(secret),
            epoch,
            ttl,
            sequence: 0,
        }
    }

    /// The configured lifetime of a nonce.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Mints a new nonce stamped with `now`.
    pub fn issue(&mut self, now: Instant) -> String {
        self.sequence = self.sequence.wrapping_add(1);
        let millis = millis_since(self.epoch, now);
        let stamp = format!("{millis:016x}{:08x}", self.sequence);
        let mac = self.mac.mac(&[stamp.as_bytes()]);
        let mut nonce = String::with_capacity(NONCE_LEN);
        nonce.push_str(&stamp);
        nonce.push_str(
            super::algorithm::HexDigest::from_bytes(mac.get(..MAC_BYTES).unwrap_or(&mac)).as_str(),
        );
        nonce
    }

    /// Checks a nonce received in an `Authorization` header.
    pub fn check(&self, now: Instant, nonce: &str) -> NonceStatus {
        if nonce.len() != NONCE_LEN || !nonce.is_ascii() {
            return NonceStatus::Invalid;
        }
        let (stamp, received_mac) = nonce.split_at(TIMESTAMP_DIGITS + SEQUENCE_DIGITS);
        let expected = self.mac.mac(&[stamp.as_bytes()]);
        let expected_hex =
            super::algorithm::HexDigest::from_bytes(expected.get(..MAC_BYTES).unwrap_or(&expected));
        if !expected_hex.matches_hex(received_mac) {
            return NonceStatus::Invalid;
        }
        let Some(Ok(minted)) = stamp
            .get(..TIMESTAMP_DIGITS)
            .map(|digits| u64::from_str_radix(digits, 16))
        else {
            return NonceStatus::Invalid;
        };
        let now_millis = millis_since(self.epoch, now);
        match now_millis.checked_sub(minted) {
            // Authentic but minted "after" now: a different time base; do not trust it.
            None => NonceStatus::Invalid,
            Some(age) if u128::from(age) > self.ttl.as_millis() => NonceStatus::Stale,
            Some(_) => NonceStatus::Fresh,
        }
    }
}

fn millis_since(epoch: Instant, now: Instant) -> u64 {
    u64::try_from(now.saturating_duration_since(epoch).as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(start: Instant) -> NonceIssuer {
        NonceIssuer::new(
            b"0123456789abcdef0123456789abcdef",
            start,
            Duration::from_secs(60),
        )
    }

    #[test]
    fn fresh_then_stale_by_virtual_time() {
        let start = Instant::now();
        let mut nonces = issuer(start);
        let nonce = nonces.issue(start + Duration::from_secs(5));
        assert_eq!(nonce.len(), NONCE_LEN);
        assert_eq!(
            nonces.check(start + Duration::from_secs(5), &nonce),
            NonceStatus::Fresh
        );
        assert_eq!(
            nonces.check(start + Duration::from_secs(65), &nonce),
            NonceStatus::Fresh
        );
        assert_eq!(
            nonces.check(
                start + Duration::from_secs(65) + Duration::from_millis(1),
                &nonce
            ),
            NonceStatus::Stale
        );
    }

    #[test]
    fn nonces_are_unique_within_one_millisecond() {
        let start = Instant::now();
        let mut nonces = issuer(start);
        assert_ne!(nonces.issue(start), nonces.issue(start));
    }

    #[test]
    fn tampered_foreign_and_future_nonces_are_invalid() {
        let start = Instant::now();
        let mut nonces = issuer(start);
        let later = start + Duration::from_secs(10);
        let nonce = nonces.issue(later);
        // Flip one timestamp digit: the MAC no longer matches.
        let mut tampered = nonce.clone().into_bytes();
        if let Some(first) = tampered.first_mut() {
            *first = if *first == b'0' { b'1' } else { b'0' };
        }
        let tampered = String::from_utf8(tampered).unwrap_or_default();
        assert_eq!(nonces.check(later, &tampered), NonceStatus::Invalid);
        // Another server's secret.
        let other = NonceIssuer::new(b"another secret", start, Duration::from_secs(60));
        assert_eq!(other.check(later, &nonce), NonceStatus::Invalid);
        // Checked before it was minted (different time base).
        assert_eq!(nonces.check(start, &nonce), NonceStatus::Invalid);
        // Garbage of every shape.
        for junk in [
            "",
            "abc",
            &"z".repeat(NONCE_LEN),
            &"é".repeat(NONCE_LEN / 2),
        ] {
            assert_eq!(nonces.check(later, junk), NonceStatus::Invalid);
        }
    }
}
