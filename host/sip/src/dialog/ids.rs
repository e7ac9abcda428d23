//! Identifiers of the dialog layer: the handle the call engine holds ([`DialogKey`]),
//! the RFC 3261 §12 dialog id ([`DialogId`]), and the injected randomness that mints
//! tags, branches, Call-IDs and cnonces ([`IdSource`]).

use std::fmt;

use crate::transaction::MAGIC_COOKIE;

/// Handle of one INVITE session (a call leg) in a [`UserAgent`](super::UserAgent),
/// from the INVITE until the session ends. It names the usage before a dialog exists
/// (an outgoing INVITE with no tagged response yet) and survives re-INVITEs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogKey(pub(crate) u64);

impl fmt::Display for DialogKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dialog#{}", self.0)
    }
}

/// The dialog identifier of RFC 3261 §12: Call-ID, local tag and remote tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialogId {
    /// The Call-ID.
    pub call_id: String,
    /// Our tag (From tag on requests we send).
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
}

/// The randomness of the dialog layer, injected so that the core never reads an RNG
/// and tests can be deterministic. Each call of the function must return 64 fresh
/// random bits (the binary passes a CSPRNG; RFC 3261 §19.3 wants tags and Call-IDs
/// globally unique and §8.1.1.7 branches unique in space and time).
pub struct IdSource {
    next: Box<dyn FnMut() -> u64 + Send>,
}

impl fmt::Debug for IdSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdSource(..)")
    }
}

impl IdSource {
    /// An id source drawing 64 random bits per call from `next`.
    pub fn new(next: impl FnMut() -> u64 + Send + 'static) -> IdSource {
        IdSource {
            next: Box::new(next),
        }
    }

    /// 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        (self.next)()
    }

    /// A From/To tag: 16 hex digits (64 bits, RFC 3261 §19.3 asks for at least 32).
    pub fn tag(&mut self) -> String {
        format!("{:016x}", self.next_u64())
    }

    /// A Via branch with the RFC 3261 magic cookie (§8.1.1.7).
    pub fn branch(&mut self) -> String {
        format!("{MAGIC_COOKIE}{:016x}", self.next_u64())
    }

    /// A Call-ID shaped like a version-4 UUID, as FreeSWITCH's are (128 random bits
    /// minus the six fixed version/variant bits).
    pub fn call_id(&mut self) -> String {
        let high = self.next_u64();
        let low = self.next_u64();
        let time_hi = ((high & 0x0fff) as u16) | 0x4000;
        let clock = (((low >> 48) as u16) & 0x3fff) | 0x8000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (high >> 32) as u32,
            ((high >> 16) & 0xffff) as u16,
            time_hi,
            clock,
            low & 0xffff_ffff_ffff
        )
    }

    /// A digest client nonce (RFC 7616 §3.4).
    pub fn cnonce(&mut self) -> String {
        format!("{:016x}", self.next_u64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> IdSource {
        let mut n = 0u64;
        IdSource::new(move || {
            n += 1;
            n.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        })
    }

    #[test]
    fn branches_carry_the_cookie_and_differ() {
        let mut ids = counter();
        let a = ids.branch();
        let b = ids.branch();
        assert!(crate::transaction::is_rfc3261_branch(&a));
        assert_ne!(a, b);
        assert_eq!(ids.tag().len(), 16);
    }

    #[test]
    fn call_id_is_uuid_v4_shaped() {
        let mut ids = IdSource::new(|| u64::MAX);
        let id = ids.call_id();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{id}");
        assert!(
            matches!(parts[3].chars().next(), Some('8' | '9' | 'a' | 'b')),
            "{id}"
        );
    }
}
