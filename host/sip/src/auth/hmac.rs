//! HMAC-SHA-256 (RFC 2104) over the `sha2` crate, used to make nonces and tags that only
//! this server can mint and check without keeping per-client state.

use sha2::{Digest as _, Sha256};

/// SHA-256 block size in bytes (FIPS 180-4 §5.1.2).
const BLOCK: usize = 64;

/// A keyed HMAC-SHA-256 whose padded keys are computed once at construction.
#[derive(Clone)]
pub(crate) struct HmacSha256 {
    inner_pad: [u8; BLOCK],
    outer_pad: [u8; BLOCK],
}

impl HmacSha256 {
    /// Prepares the key per RFC 2104 §2: keys longer than the block are hashed first.
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block_key = [0u8; BLOCK];
        if key.len() > BLOCK {
            let hashed = Sha256::digest(key);
            for (slot, byte) in block_key.iter_mut().zip(hashed.iter()) {
                *slot = *byte;
            }
        } else {
            for (slot, byte) in block_key.iter_mut().zip(key) {
                *slot = *byte;
            }
        }
        let mut inner_pad = [0x36u8; BLOCK];
        let mut outer_pad = [0x5cu8; BLOCK];
        for ((inner, outer), key_byte) in inner_pad
            .iter_mut()
            .zip(outer_pad.iter_mut())
            .zip(block_key)
        {
            *inner ^= key_byte;
            *outer ^= key_byte;
        }
        Self {
            inner_pad,
            outer_pad,
        }
    }

    /// `HMAC(K, part1 || part2 || ...)`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut inner = Sha256::new();
        inner.update(self.inner_pad);
        for part in parts {
            inner.update(part);
        }
        let inner_hash = inner.finalize();
        let mut outer = Sha256::new();
        outer.update(self.outer_pad);
        outer.update(inner_hash);
        outer.finalize().into()
    }
}

impl std::fmt::Debug for HmacSha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("HmacSha256(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::algorithm::HexDigest;

    fn hex(bytes: &[u8]) -> String {
        HexDigest::from_bytes(bytes).to_string()
    }

    #[test]
    fn rfc4231_test_case_1() {
        let mac = HmacSha256::new(&[0x0b; 20]).mac(&[b"Hi There"]);
        assert_eq!(
            hex(&mac),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn rfc4231_test_case_2_split_message() {
        let mac = HmacSha256::new(b"Jefe").mac(&[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn rfc4231_test_case_6_long_key() {
        let mac = HmacSha256::new(&[0xaa; 131])
            .mac(&[b"Test Using Larger Than Block-Size Key - Hash Key First"]);
        assert_eq!(
            hex(&mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
