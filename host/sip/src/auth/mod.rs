//! HTTP digest authentication for SIP (RFC 3261 §22.4, RFC 2617, RFC 7616): MD5 and SHA-256,
//! qop=auth and legacy no-qop, stateless nonces with a TTL and `stale=true`, and the
//! FreeSWITCH-compatible auth-failure line.

pub mod algorithm;
pub mod credential;
pub mod digest;
pub(crate) mod hmac;
pub mod nonce;
pub mod report;
pub mod verify;

pub use algorithm::{Algorithm, HashKind, HexDigest};
pub use credential::{Credential, CredentialStore};
pub use digest::{DigestInput, QopAuth, expected_response};
pub use nonce::{NonceIssuer, NonceStatus};
pub use report::{AuthChallengeNotice, AuthFailure};
pub use verify::{
    Challenge, DigestAnswer, DigestConfig, DigestVerifier, RechallengeReason, Verdict,
};
