//! Digest hash algorithms (RFC 7616 §3.2) and the H / KD building blocks.

use std::fmt;

use md5::Md5;
use sha2::Sha256;

/// A digest algorithm named in the `algorithm` parameter (RFC 7616 §3.3, §6.1).
///
/// The `-sess` variants hash the client and server nonces into A1 (RFC 7616 §3.4.2).
/// SHA-512-256 is registered by RFC 7616 but no SIP phone in the field uses it, so it is
/// not offered and a response that names it is refused as an unsupported algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5` (RFC 2617 §3.2.2.2; the default when the parameter is absent).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256` (RFC 7616 §3.2).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl Algorithm {
    /// Parses the token of an `algorithm=` parameter, case-insensitively (RFC 7616 §3.3).
    pub fn from_token(token: &str) -> Option<Self> {
        let token = token.trim().trim_matches('"');
        [Self::Md5, Self::Md5Sess, Self::Sha256, Self::Sha256Sess]
            .into_iter()
            .find(|alg| alg.token().eq_ignore_ascii_case(token))
    }

    /// The token as written on the wire.
    pub fn token(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    /// The hash family, ignoring the `-sess` flavour (which decides how HA1 is built).
    pub fn hash(self) -> HashKind {
        match self {
            Self::Md5 | Self::Md5Sess => HashKind::Md5,
            Self::Sha256 | Self::Sha256Sess => HashKind::Sha256,
        }
    }

    /// True for the `-sess` variants (RFC 7616 §3.4.2).
    pub fn is_session(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

/// A hash function usable as the digest's `H()` (RFC 7616 §3.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashKind {
    /// MD5: 32 hex digits.
    Md5,
    /// SHA-256: 64 hex digits.
    Sha256,
}

impl HashKind {
    /// Length of a lower-case hex digest for this hash.
    pub fn hex_len(self) -> usize {
        match self {
            Self::Md5 => 32,
            Self::Sha256 => 64,
        }
    }

    /// `H(part1 ":" part2 ":" ...)` rendered as lower-case hex (RFC 7616 §3.4.1).
    ///
    /// The parts are fed to the hasher with `:` between them so that no intermediate string
    /// is allocated on the hot REGISTER path.
    pub fn hex_of_parts(self, parts: &[&[u8]]) -> HexDigest {
        match self {
            Self::Md5 => HexDigest::from_bytes(&hash_parts::<Md5>(parts)),
            Self::Sha256 => HexDigest::from_bytes(&hash_parts::<Sha256>(parts)),
        }
    }
}

fn hash_parts<D: md5::Digest>(parts: &[&[u8]]) -> Vec<u8> {
    let mut hasher = D::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            hasher.update(b":");
        }
        hasher.update(part);
    }
    hasher.finalize().to_vec()
}

/// A digest value as lower-case hex, at most 64 digits (SHA-256), stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HexDigest {
    digits: [u8; 64],
    len: u8,
}

impl HexDigest {
    /// Renders raw hash bytes as lower-case hex; input longer than 32 bytes is truncated
    /// (no hash used here is longer).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 64];
        let mut len = 0usize;
        for byte in bytes.iter().take(32) {
            if let (Some(hi), Some(lo)) = (
                HEX.get(usize::from(byte >> 4)),
                HEX.get(usize::from(byte & 0x0f)),
            ) && let Some(slot) = digits.get_mut(len..len + 2)
            {
                slot.copy_from_slice(&[*hi, *lo]);
                len += 2;
            }
        }
        Self {
            digits,
            len: u8::try_from(len).unwrap_or(64),
        }
    }

    /// Accepts a stored hex digest (for example an `a1-hash` from the user directory) if it
    /// has the length `kind` needs and only hex digits; upper case is folded to lower case.
    pub fn parse(kind: HashKind, text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != kind.hex_len() || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut digits = [0u8; 64];
        for (slot, byte) in digits.iter_mut().zip(text.bytes()) {
            *slot = byte.to_ascii_lowercase();
        }
        Some(Self {
            digits,
            len: u8::try_from(text.len()).ok()?,
        })
    }

    /// The digits as bytes (ASCII).
    pub fn as_bytes(&self) -> &[u8] {
        self.digits
            .get(..usize::from(self.len))
            .unwrap_or(&self.digits)
    }

    /// The digits as a string slice.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// Compares with a client-supplied hex string in time independent of where they differ,
    /// case-insensitively (hex digits from the wire may be upper case).
    pub fn matches_hex(&self, other: &str) -> bool {
        let ours = self.as_bytes();
        let theirs = other.as_bytes();
        if ours.len() != theirs.len() {
            return false;
        }
        let diff = ours
            .iter()
            .zip(theirs)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b.to_ascii_lowercase()));
        diff == 0
    }
}

impl fmt::Debug for HexDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HexDigest({})", self.as_str())
    }
}

impl fmt::Display for HexDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_tokens_parse_case_insensitively() {
        assert_eq!(Algorithm::from_token("md5"), Some(Algorithm::Md5));
        assert_eq!(Algorithm::from_token("SHA-256"), Some(Algorithm::Sha256));
        assert_eq!(
            Algorithm::from_token("\"sha-256-SESS\""),
            Some(Algorithm::Sha256Sess)
        );
        assert_eq!(Algorithm::from_token("SHA-512-256"), None);
    }

    #[test]
    fn md5_of_empty_and_joined_parts() {
        // Well-known MD5("") and MD5("a:b").
        assert_eq!(
            HashKind::Md5.hex_of_parts(&[b""]).as_str(),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            HashKind::Md5.hex_of_parts(&[b"a", b"b"]),
            HashKind::Md5.hex_of_parts(&[b"a:b"])
        );
    }

    #[test]
    fn sha256_of_abc() {
        // FIPS 180-2 appendix B.1.
        assert_eq!(
            HashKind::Sha256.hex_of_parts(&[b"abc"]).as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn stored_hex_is_validated_and_folded() {
        let parsed = HexDigest::parse(HashKind::Md5, "D41D8CD98F00B204E9800998ECF8427E");
        assert_eq!(
            parsed.map(|d| d.to_string()),
            Some("d41d8cd98f00b204e9800998ecf8427e".to_owned())
        );
        assert!(HexDigest::parse(HashKind::Md5, "abc").is_none());
        assert!(HexDigest::parse(HashKind::Md5, &"g".repeat(32)).is_none());
        assert!(HexDigest::parse(HashKind::Sha256, &"a".repeat(32)).is_none());
    }

    #[test]
    fn hex_comparison_is_case_insensitive_and_length_checked() {
        let digest = HashKind::Md5.hex_of_parts(&[b""]);
        assert!(digest.matches_hex("D41D8CD98F00B204E9800998ECF8427E"));
        assert!(!digest.matches_hex("d41d8cd98f00b204e9800998ecf8427"));
        assert!(!digest.matches_hex("d41d8cd98f00b204e9800998ecf8427f"));
    }
}
