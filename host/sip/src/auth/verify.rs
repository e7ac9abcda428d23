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
    /// Algorithms offered, one challenge each, in order; answers using any other are
    /// re-challenged. RFC 7616 §3.7 suggests the preferred (strongest) first, but sipp 3.6.1
    /// reads only the first challenge and aborts unless it says MD5 ("authentication must
    /// use MD5 or AKAv1-MD5"), and many deployed phones behave alike, so the default is
    /// `[Md5, Sha256]`: everyone can answer, SHA-256-capable clients may choose it.
    pub algorithms: Vec<Algorithm>,
    /// Accept RFC 2069 answers without `qop` (old phones); RFC 7616 forbids them for new
    /// clients but FreeSWITCH accepts them.
    pub allow_legacy_no_qop: bool,
}

impl Default for DigestConfig {
    fn default() -> Self {
        Self {
            algorithms: vec![Algorithm::Md5, Algorithm::Sha256],
            allow_legacy_no_qop: true,
        }
    }
}

/// An answer whose shape passed [`DigestVerifier::check_shape`].
struct CheckedAnswer<'a> {
    username: &'a str,
    nonce: &'a str,
    uri: &'a str,
    response: &'a str,
    algorithm: Algorithm,
    qop: Option<QopAuth<'a>>,
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
        let checked = match self.check_shape(realm, answer) {
            Ok(checked) => checked,
            Err(verdict) => return verdict,
        };
        let CheckedAnswer {
            username,
            nonce,
            uri,
            response,
            algorithm,
            qop,
        } = checked;
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

    /// The checks that need no secret: required parameters, realm, algorithm and qop.
    fn check_shape<'a>(
        &self,
        realm: &str,
        answer: &DigestAnswer<'a>,
    ) -> Result<CheckedAnswer<'a>, Verdict> {
        let (Some(username), Some(answer_realm), Some(nonce), Some(uri), Some(response)) = (
            answer.username,
            answer.realm,
            answer.nonce,
            answer.uri,
            answer.response,
        ) else {
            return Err(Verdict::Malformed(
                "digest answer lacks username, realm, nonce, uri or response",
            ));
        };
        if answer_realm != realm {
            return Err(Verdict::Rechallenge(RechallengeReason::OtherRealm));
        }
        if answer
            .userhash
            .is_some_and(|flag| flag.eq_ignore_ascii_case("true"))
        {
            return Err(Verdict::Rechallenge(RechallengeReason::UserHash));
        }
        let algorithm = match answer.algorithm.map(Algorithm::from_token) {
            None => Algorithm::Md5,
            Some(Some(algorithm)) if self.config.algorithms.contains(&algorithm) => algorithm,
            Some(_) => return Err(Verdict::Rechallenge(RechallengeReason::UnofferedAlgorithm)),
        };
        if !self.config.algorithms.contains(&algorithm) {
            return Err(Verdict::Rechallenge(RechallengeReason::UnofferedAlgorithm));
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
                return Err(Verdict::Malformed("qop=auth without nc and cnonce"));
            }
            _ => return Err(Verdict::Rechallenge(RechallengeReason::UnsupportedQop)),
        };
        if algorithm.is_session() && qop.is_none() && answer.cnonce.is_none() {
            return Err(Verdict::Malformed("-sess algorithm without cnonce"));
        }
        Ok(CheckedAnswer {
            username,
            nonce,
            uri,
            response,
            algorithm,
            qop,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::algorithm::HashKind;
    use crate::auth::credential::Credential;
    use std::collections::HashMap;
    use std::time::Duration;

    const REALM: &str = "pbx.example";

    fn verifier(start: Instant, config: DigestConfig) -> DigestVerifier {
        let secret = b"unit-test-secret-unit-test-secret";
        DigestVerifier::new(
            NonceIssuer::new(secret, start, Duration::from_secs(30)),
            secret,
            config,
        )
    }

    fn users() -> HashMap<String, Credential> {
        HashMap::from([(
            "alice".to_owned(),
            Credential::Password("wonderland".to_owned()),
        )])
    }

    /// Computes a correct answer for alice with the crate's own digest math.
    fn response(
        algorithm: Algorithm,
        nonce: &str,
        qop: Option<QopAuth<'_>>,
        cnonce: Option<&str>,
    ) -> String {
        let ha1 = Credential::Password("wonderland".to_owned())
            .ha1(algorithm.hash(), "alice", REALM)
            .unwrap_or_else(|| HashKind::Md5.hex_of_parts(&[]));
        let input = DigestInput {
            algorithm,
            nonce,
            qop,
            cnonce,
            method: "REGISTER",
            uri: "sip:pbx.example",
        };
        expected_response(&ha1, &input).to_string()
    }

    fn answer<'a>(nonce: &'a str, response: &'a str) -> DigestAnswer<'a> {
        DigestAnswer {
            username: Some("alice"),
            realm: Some(REALM),
            nonce: Some(nonce),
            uri: Some("sip:pbx.example"),
            response: Some(response),
            qop: Some("auth"),
            nonce_count: Some("00000001"),
            cnonce: Some("abc"),
            ..DigestAnswer::default()
        }
    }

    #[test]
    fn session_algorithm_round_trip() {
        let t0 = Instant::now();
        let mut v = verifier(
            t0,
            DigestConfig {
                algorithms: vec![Algorithm::Sha256Sess],
                allow_legacy_no_qop: false,
            },
        );
        let challenge = v.challenges(t0, REALM, false);
        assert_eq!(challenge.len(), 1);
        let nonce = challenge
            .first()
            .map(|c| c.nonce.clone())
            .unwrap_or_default();
        let qop = QopAuth {
            nonce_count: "00000001",
            cnonce: "abc",
        };
        let digest = response(Algorithm::Sha256Sess, &nonce, Some(qop), None);
        let a = DigestAnswer {
            algorithm: Some("SHA-256-sess"),
            ..answer(&nonce, &digest)
        };
        assert_eq!(
            v.verify(t0, "REGISTER", REALM, &a, &users()),
            Verdict::Authenticated {
                username: "alice".to_owned(),
                algorithm: Algorithm::Sha256Sess
            }
        );
    }

    #[test]
    fn answers_outside_what_was_offered_are_rechallenged() {
        let t0 = Instant::now();
        let mut v = verifier(
            t0,
            DigestConfig {
                algorithms: vec![Algorithm::Sha256],
                allow_legacy_no_qop: false,
            },
        );
        let nonce = v
            .challenges(t0, REALM, false)
            .first()
            .map(|c| c.nonce.clone())
            .unwrap_or_default();
        let digest = response(
            Algorithm::Md5,
            &nonce,
            Some(QopAuth {
                nonce_count: "00000001",
                cnonce: "abc",
            }),
            None,
        );
        let cases = [
            (
                DigestAnswer {
                    algorithm: None,
                    ..answer(&nonce, &digest)
                },
                RechallengeReason::UnofferedAlgorithm,
            ),
            (
                DigestAnswer {
                    algorithm: Some("SHA-512-256"),
                    ..answer(&nonce, &digest)
                },
                RechallengeReason::UnofferedAlgorithm,
            ),
            (
                DigestAnswer {
                    algorithm: Some("SHA-256"),
                    qop: Some("auth-int"),
                    ..answer(&nonce, &digest)
                },
                RechallengeReason::UnsupportedQop,
            ),
            (
                DigestAnswer {
                    algorithm: Some("SHA-256"),
                    qop: None,
                    ..answer(&nonce, &digest)
                },
                RechallengeReason::UnsupportedQop,
            ),
            (
                DigestAnswer {
                    algorithm: Some("SHA-256"),
                    userhash: Some("true"),
                    ..answer(&nonce, &digest)
                },
                RechallengeReason::UserHash,
            ),
            (
                DigestAnswer {
                    algorithm: Some("SHA-256"),
                    realm: Some("other"),
                    ..answer(&nonce, &digest)
                },
                RechallengeReason::OtherRealm,
            ),
        ];
        for (a, reason) in cases {
            assert_eq!(
                v.verify(t0, "REGISTER", REALM, &a, &users()),
                Verdict::Rechallenge(reason),
                "{a:?}"
            );
        }
    }

    #[test]
    fn missing_parameters_are_malformed() {
        let t0 = Instant::now();
        let mut v = verifier(t0, DigestConfig::default());
        let nonce = v
            .challenges(t0, REALM, false)
            .first()
            .map(|c| c.nonce.clone())
            .unwrap_or_default();
        let no_nc = DigestAnswer {
            nonce_count: None,
            ..answer(&nonce, "00")
        };
        assert!(matches!(
            v.verify(t0, "REGISTER", REALM, &no_nc, &users()),
            Verdict::Malformed(_)
        ));
        let no_response = DigestAnswer {
            response: None,
            ..answer(&nonce, "00")
        };
        assert!(matches!(
            v.verify(t0, "REGISTER", REALM, &no_response, &users()),
            Verdict::Malformed(_)
        ));
    }

    #[test]
    fn method_is_part_of_the_digest() {
        let t0 = Instant::now();
        let mut v = verifier(t0, DigestConfig::default());
        let nonce = v
            .challenges(t0, REALM, false)
            .first()
            .map(|c| c.nonce.clone())
            .unwrap_or_default();
        let digest = response(
            Algorithm::Md5,
            &nonce,
            Some(QopAuth {
                nonce_count: "00000001",
                cnonce: "abc",
            }),
            None,
        );
        let a = answer(&nonce, &digest);
        assert!(matches!(
            v.verify(t0, "REGISTER", REALM, &a, &users()),
            Verdict::Authenticated { .. }
        ));
        assert_eq!(v.verify(t0, "INVITE", REALM, &a, &users()), Verdict::Failed);
        // Upper-case hex from the client is accepted.
        let upper = digest.to_ascii_uppercase();
        let a = answer(&nonce, &upper);
        assert!(matches!(
            v.verify(t0, "REGISTER", REALM, &a, &users()),
            Verdict::Authenticated { .. }
        ));
    }

    #[test]
    fn challenge_text_matches_freeswitch_parameter_order() {
        let challenge = Challenge {
            realm: "127.0.0.1".to_owned(),
            nonce: "n1".to_owned(),
            algorithm: Algorithm::Md5,
            stale: false,
        };
        assert_eq!(
            challenge.to_string(),
            r#"Digest realm="127.0.0.1", nonce="n1", algorithm=MD5, qop="auth""#
        );
        let stale = Challenge {
            stale: true,
            algorithm: Algorithm::Sha256,
            ..challenge
        };
        assert_eq!(
            stale.to_string(),
            r#"Digest realm="127.0.0.1", nonce="n1", algorithm=SHA-256, qop="auth", stale=true"#
        );
        // And the message model reads it back field for field.
        let parsed = crate::headers::DigestChallenge::parse(&stale.to_string());
        let parsed = parsed.unwrap_or_default();
        assert_eq!(parsed.realm, "127.0.0.1");
        assert_eq!(parsed.nonce, "n1");
        assert!(parsed.stale);
        assert_eq!(
            parsed.algorithm,
            Some(crate::headers::DigestAlgorithm::Sha256)
        );
        assert_eq!(parsed.qop, vec!["auth".to_owned()]);
    }
}
