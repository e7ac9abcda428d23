//! To tags for responses the switch answers statelessly (REGISTER, OPTIONS).
//!
//! RFC 3261 §8.2.6.2 wants a UAS to add a To tag, and §19.3 wants tags globally unique and
//! unguessable. The core has no RNG, so a tag is a keyed hash (HMAC-SHA-256 under a server
//! secret) of the request's Call-ID, From tag and CSeq: unique per request, unpredictable
//! without the secret, and identical for a retransmission of the same request.

use crate::auth::algorithm::HexDigest;
use crate::auth::hmac::HmacSha256;
use crate::message::{HeaderName, Request};

/// Mints To tags from a server secret.
#[derive(Debug, Clone)]
pub struct ToTagMinter {
    mac: HmacSha256,
}

impl ToTagMinter {
    /// `secret`: caller-supplied random bytes (may be the registrar's secret; a domain
    /// separator is mixed in so the derived keys differ).
    pub fn new(secret: &[u8]) -> Self {
        Self {
            mac: HmacSha256::new(&[b"to-tag:".as_slice(), secret].concat()),
        }
    }

    /// A 16-hex-digit tag for `request`.
    pub fn tag_for(&self, request: &Request) -> String {
        let call_id = request.headers.get(&HeaderName::CallId).unwrap_or_default();
        let from = request.headers.get(&HeaderName::From).unwrap_or_default();
        let cseq = request.headers.get(&HeaderName::CSeq).unwrap_or_default();
        let mac = self.mac.mac(&[
            call_id.as_bytes(),
            b"\0",
            from.as_bytes(),
            b"\0",
            cseq.as_bytes(),
        ]);
        HexDigest::from_bytes(mac.get(..8).unwrap_or(&mac)).to_string()
    }
}
