//! The server side of digest auth: build challenges, judge answers (RFC 7616 §3.3-§3.5,
//! RFC 3261 §22.4).

use std::fmt;
use std::time::Instant;

use super::algorithm::{Algorithm, HexDigest};
use super::credential::CredentialStore;
use super::digest::{DigestInput, QopAuth, expected_response};
use super::hmac::HmacSha256;
use super::nonce::{NonceIssuer, NonceStatus};

/// One `WWW-Authenticate` / `Proxy-Authenticate` value to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The protection space.
    pub realm: String,
    /// A fresh server nonce.
    pub nonce: String,
    /// The algorithm this challenge is for.
    pub algorithm: Algorithm,
    /// RFC 7616 §3.3 `stale=true`: the previous answer was right but its nonce expired.
    pub stale: bool,
}

impl fmt::Display for Challenge {
    /// `Digest realm="r", nonce="n", algorithm=MD5, qop="auth"[, stale=true]`, the parameter
    /// order FreeSWITCH uses (testdata `sip/register.txt`). The realm never contains `"` or
    /// `\` because [`DigestVerifier::challenges`] strips them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Digest realm=\"{}\", nonce=\"{}\", algorithm={}, qop=\"auth\"",
            self.realm, self.nonce, self.algorithm
        )?;
        if self.stale {
            f.write_str(", stale=true")?;
        }
        Ok(())
    }
}

/// The client's digest answer, parameters already unquoted (from `Authorization` or
/// `Proxy-Authorization`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DigestAnswer<'a> {
    /// `username`.
    pub username: Option<&'a str>,
    /// `realm`.
    pub realm: Option<&'a str>,
    /// `nonce`.
    pub nonce: Option<&'a str>,
    /// `uri` (digest-uri; RFC 3261 §22.4 lets it differ from the Request-URI).
    pub uri: Option<&'a str>,
    /// `response`.
    pub response: Option<&'a str>,
    /// `algorithm`; absent means MD5.
    pub algorithm: Option<&'a str>,
    /// `qop`.
    pub qop: Option<&'a str>,
    /// `nc`.
    pub nonce_count: Option<&'a str>,
    /// `cnonce`.
    pub cnonce: Option<&'a str>,
    /// `userhash` (RFC 7616 §3.4.4); never offered, so `true` is refused.
    pub userhash: Option<&'a str>,
}

/// The verdict on an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The digest is right and the nonce fresh: the user is who they say.
    Authenticated {
        /// The authenticated user name.
        username: String,
        /// The algorithm used.
        algorithm: Algorithm,
    },
    /// The digest is right but the nonce expired: re-challenge with `stale=true`.
    Stale,
    /// Not a usable answer to one of our challenges (foreign or forged nonce, other realm,
    /// algorithm or qop we did not offer): send a fresh challenge; not a password guess.
    Rechallenge(RechallengeReason),
    /// A required parameter is missing: 400 Bad Request (RFC 7616 §3.4).
    Malformed(&'static str),
    /// Wrong password, unknown user, or no secret for the chosen algorithm; all three look
    /// the same on the wire (403) and count as an auth failure.
    Failed,
}

/// Why an answer was re-challenged rather than judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RechallengeReason {
    /// The nonce is not one we minted (restart, forgery, other server).
    UnknownNonce,
    /// The answer is for another realm.
    OtherRealm,
    /// An algorithm we did not offer or do not support.
    UnofferedAlgorithm,
    /// A qop other than `auth`, or no qop when legacy answers are disabled.
    UnsupportedQop,
    /// `userhash=true`, which we never offer.
    UserHash,
}

/// Settings of a [`DigestVerifier`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestConfig {
    /// Algorithms offered, one challenge each, in order (RFC 7616 §3.7: the client picks the
    /// first it supports). sipp 3.6.1 only understands MD5 and takes the first challenge it
    /// parses; with `[Sha256, Md5]` it computes an MD5 digest over the SHA-256 challenge's
    /// `algorithm`... see the module docs of `registrar` for the tested default.
    pub algorithms: Vec<Algorithm>,
    /// Accept RFC 2069 answers without `qop` (old phones); RFC 7616 forbids them for new
    /// clients but FreeSWITCH accepts them.
    pub allow_legacy_no_qop: bool,
}

impl Default for DigestConfig {
    fn default() -> Self {
        Self {
            algorithms: vec![Algorithm::Md5],
            allow_legacy_no_qop: true,
        }
    }
}

/// Mints challenges and verifies answers; all state is the nonce secret and config.
#[derive(Debug)]
pub struct DigestVerifier {
    nonces: NonceIssuer,
    config: DigestConfig,
    /// Derives a decoy HA1 for unknown users from the secret, so that an unknown user costs
    /// the same hashing work as a known one (no timing oracle for enumeration).
    decoy: HmacSha256,
}

impl DigestVerifier {
    /// Creates a verifier around a nonce issuer.
    pub fn new(nonces: NonceIssuer, secret: &[u8], config: DigestConfig) -> Self {
        Self {
            nonces,
            decoy: HmacSha256::new(&[b"decoy-ha1:".as_slice(), secret].concat()),
            config,
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &DigestConfig {
        &self.config
    }

    /// One challenge per offered algorithm, sharing one fresh nonce.
    pub fn challenges(&mut self, now: Instant, realm: &str, stale: bool) -> Vec<Challenge> {
        let nonce = self.nonces.issue(now);
        let realm: String = realm.chars().filter(|c| *c != '"' && *c != '\\').collect();
        self.config
            .algorithms
            .iter()
            .map(|algorithm| Challenge {
                realm: realm.clone(),
                nonce: nonce.clone(),
                algorithm: *algorithm,
                stale,
            })
            .collect()
    }

    /// Judges `answer` to a challenge for `realm`, for a request with `method`.
    pub fn verify(
        &self,
        now: Instant,
        method: &str,
        realm: &str,
        answer: &DigestAnswer<'_>,
        store: &dyn CredentialStore,
    ) -> Verdict {
        let (Some(username), Some(answer_realm), Some(nonce), Some(uri), Some(response)) = (
            answer.username,
            answer.realm,
            answer.nonce,
            answer.uri,
            answer.response,
        ) else {
            return Verdict::Malformed(
                "digest answer lacks username, realm, nonce, uri or response",
            );
        };
        if answer_realm != realm {
            return Verdict::Rechallenge(RechallengeReason::OtherRealm);
        }
        if answer
            .userhash
            .is_some_and(|flag| flag.eq_ignore_ascii_case("true"))
        {
            return Verdict::Rechallenge(RechallengeReason::UserHash);
        }
        let algorithm = match answer.algorithm.map(Algorithm::from_token) {
            None => Algorithm::Md5,
            Some(Some(algorithm)) => algorithm,
            Some(None) => return Verdict::Rechallenge(RechallengeReason::UnofferedAlgorithm),
        };
        if !self.config.algorithms.contains(&algorithm) {
            return Verdict::Rechallenge(RechallengeReason::UnofferedAlgorithm);
        }
        let qop = match (answer.qop, answer.nonce_count, answer.cnonce) {
            (None, _, _) if self.config.allow_legacy_no_qop => None,
            (Some(qop), Some(nonce_count), Some(cnonce)) if qop.eq_ignore_ascii_case("auth") => {
                Some(QopAuth {
                    nonce_count,
                    cnonce,
                })
            }
            (Some(qop), _, _) if qop.eq_ignore_ascii_case("auth") => {
                return Verdict::Malformed("qop=auth without nc and cnonce");
            }
            _ => return Verdict::Rechallenge(RechallengeReason::UnsupportedQop),
        };
        if algorithm.is_session() && qop.is_none() && answer.cnonce.is_none() {
            return Verdict::Malformed("-sess algorithm without cnonce");
        }
        let nonce_status = self.nonces.check(now, nonce);
        if nonce_status == NonceStatus::Invalid {
            return Verdict::Rechallenge(RechallengeReason::UnknownNonce);
        }
        let input = DigestInput {
            algorithm,
            nonce,
            qop,
            cnonce: answer.cnonce,
            method,
            uri,
        };
        let known = store
            .credential(username, realm)
            .and_then(|credential| credential.ha1(algorithm.hash(), username, realm));
        // Same work whether or not the user exists: hash against a decoy that cannot match
        // any response the client could know.
        let (ha1, is_known) = match known {
            Some(ha1) => (ha1, true),
            None => (self.decoy_ha1(algorithm, username, realm), false),
        };
        let digest_ok = expected_response(&ha1, &input).matches_hex(response) && is_known;
        match (digest_ok, nonce_status) {
            (true, NonceStatus::Fresh) => Verdict::Authenticated {
                username: username.to_owned(),
                algorithm,
            },
            (true, _) => Verdict::Stale,
            (false, _) => Verdict::Failed,
        }
    }

    fn decoy_ha1(&self, algorithm: Algorithm, username: &str, realm: &str) -> HexDigest {
        let mac = self
            .decoy
            .mac(&[username.as_bytes(), b"\0", realm.as_bytes()]);
        let digest = HexDigest::from_bytes(&mac);
        let len = algorithm.hash().hex_len();
        HexDigest::parse(
            algorithm.hash(),
            digest.as_str().get(..len).unwrap_or_default(),
        )
        .unwrap_or(digest)
    }
}
