//! The client side of digest authentication: answering a 401 `WWW-Authenticate` or a
//! 407 `Proxy-Authenticate` challenge with `Authorization` / `Proxy-Authorization`
//! (RFC 3261 §22.2-§22.3, RFC 7616 §3.4, RFC 2617 §3.2.2).
//!
//! The hashing is the server's own ([`crate::auth::expected_response`]), so client and
//! verifier cannot drift apart. What lives here is the client's policy:
//!
//! - **Which challenge.** Challenges are grouped by realm; for each realm the first one
//!   with an algorithm we support (MD5, MD5-sess, SHA-256, SHA-256-sess) and a usable qop
//!   is answered. RFC 7616 §3.7 lets the server list its preferred challenge first, and
//!   our own verifier lists MD5 first only for old clients, so "first supported" honours
//!   the server's order.
//! - **qop.** `auth` when offered (with a fresh `cnonce` and `nc`); no qop (the RFC 2069
//!   form of RFC 2617 §3.2.2.1) when the challenge offers none. `auth-int` alone is not
//!   answered.
//! - **Once per challenge.** A request chain answers each realm once. A second challenge
//!   for a realm already answered means the credentials were refused, unless it says
//!   `stale=true` (RFC 7616 §3.3: the password was right, only the nonce expired), which
//!   is answered again with the new nonce.

use std::fmt;

use crate::auth::{Algorithm, Credential, DigestInput, QopAuth, expected_response};
use crate::headers::{DigestChallenge, DigestCredentials, Problem};
use crate::message::{HeaderName, Request, Response};

/// A username and password to answer challenges with (FreeSWITCH gateway `username` /
/// `password`). `Debug` never prints the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The digest `username`.
    pub username: String,
    /// The clear-text password.
    pub password: String,
}

impl ClientCredentials {
    /// Credentials from a username and a password.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        ClientCredentials {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Why a challenge could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UacAuthError {
    /// The response is not a 401 or 407, or carries no Digest challenge.
    #[error("no digest challenge in a {0} response")]
    NoChallenge(u16),
    /// A Digest challenge does not parse.
    #[error("malformed digest challenge: {0}")]
    Malformed(Problem),
    /// No challenge of this realm uses an algorithm and qop we can answer.
    #[error("no supported algorithm or qop offered for realm {realm:?}")]
    Unsupported {
        /// The realm.
        realm: String,
    },
    /// The realm challenged again after we answered, without `stale=true`: the
    /// credentials are wrong.
    #[error("credentials refused for realm {realm:?}")]
    Rejected {
        /// The realm.
        realm: String,
    },
}

/// What one request chain (a REGISTER and its retries, an INVITE and its retries)
/// remembers about the challenges it answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestSession {
    answered: Vec<AnsweredRealm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AnsweredRealm {
    realm: String,
    nonce: String,
    nonce_count: u32,
}

/// The two header names of one challenge kind.
fn header_names(status: u16) -> Option<(HeaderName, HeaderName)> {
    match status {
        401 => Some((HeaderName::WwwAuthenticate, HeaderName::Authorization)),
        407 => Some((
            HeaderName::ProxyAuthenticate,
            HeaderName::ProxyAuthorization,
        )),
        _ => None,
    }
}

/// The qop a challenge lets us use: `Some(true)` for `auth`, `Some(false)` for none
/// offered (legacy), `None` when only options we do not implement are offered.
fn usable_qop(challenge: &DigestChallenge) -> Option<bool> {
    if challenge.qop.is_empty() {
        return Some(false);
    }
    challenge
        .qop
        .iter()
        .any(|q| q.eq_ignore_ascii_case("auth"))
        .then_some(true)
}

fn algorithm_of(challenge: &DigestChallenge) -> Option<Algorithm> {
    match &challenge.algorithm {
        None => Some(Algorithm::Md5),
        Some(algorithm) => Algorithm::from_token(algorithm.as_str()),
    }
}

impl DigestSession {
    /// A session that has answered nothing yet.
    pub fn new() -> Self {
        DigestSession::default()
    }

    /// True once at least one challenge was answered.
    pub fn has_answered(&self) -> bool {
        !self.answered.is_empty()
    }

    /// Adds `Authorization` (for a 401) or `Proxy-Authorization` (for a 407) headers to
    /// `request`, answering every realm challenged in `challenge`. Earlier answers for
    /// those realms are replaced. `cnonce` is fresh client randomness (hex is fine).
    /// The caller then sends `request` with a new branch and CSeq+1 (RFC 3261 §22.2).
    pub fn authorize(
        &mut self,
        request: &mut Request,
        challenge: &Response,
        credentials: &ClientCredentials,
        cnonce: &str,
    ) -> Result<(), UacAuthError> {
        let (challenge_name, answer_name) =
            header_names(challenge.status).ok_or(UacAuthError::NoChallenge(challenge.status))?;
        let challenges = digest_challenges(challenge, &challenge_name)?;
        if challenges.is_empty() {
            return Err(UacAuthError::NoChallenge(challenge.status));
        }
        let mut realms: Vec<&str> = Vec::new();
        for c in &challenges {
            if !realms.contains(&c.realm.as_str()) {
                realms.push(&c.realm);
            }
        }
        let mut answers = Vec::with_capacity(realms.len());
        for realm in realms {
            let chosen = challenges
                .iter()
                .filter(|c| c.realm == realm)
                .find_map(|c| Some((c, algorithm_of(c)?, usable_qop(c)?)))
                .ok_or_else(|| UacAuthError::Unsupported {
                    realm: realm.to_owned(),
                })?;
            answers.push(chosen);
        }
        // Check every realm before touching the request, so a refusal leaves it as it was.
        for (c, _, _) in &answers {
            if !c.stale && self.answered.iter().any(|a| a.realm == c.realm) {
                return Err(UacAuthError::Rejected {
                    realm: c.realm.clone(),
                });
            }
        }
        for (c, algorithm, with_qop) in answers {
            let nonce_count = self.next_nonce_count(&c.realm, &c.nonce);
            let answer = answer(
                request,
                c,
                algorithm,
                with_qop,
                nonce_count,
                credentials,
                cnonce,
            );
            remove_answers_for_realm(request, &answer_name, &c.realm);
            request
                .headers
                .push(answer_name.clone(), answer.to_string());
        }
        Ok(())
    }

    /// Records an answer for (realm, nonce) and returns its `nc`: 1 for a new nonce,
    /// one more for a nonce answered before (RFC 7616 §3.4).
    fn next_nonce_count(&mut self, realm: &str, nonce: &str) -> u32 {
        match self.answered.iter_mut().find(|a| a.realm == realm) {
            Some(entry) if entry.nonce == nonce => {
                entry.nonce_count = entry.nonce_count.saturating_add(1);
                entry.nonce_count
            }
            Some(entry) => {
                entry.nonce = nonce.to_owned();
                entry.nonce_count = 1;
                1
            }
            None => {
                self.answered.push(AnsweredRealm {
                    realm: realm.to_owned(),
                    nonce: nonce.to_owned(),
                    nonce_count: 1,
                });
                1
            }
        }
    }
}

/// Every Digest challenge of `name`; other schemes (Basic, ...) are skipped.
fn digest_challenges(
    response: &Response,
    name: &HeaderName,
) -> Result<Vec<DigestChallenge>, UacAuthError> {
    let mut out = Vec::new();
    for value in response.headers.get_all(name) {
        match DigestChallenge::parse(value) {
            Ok(c) => out.push(c),
            Err(Problem::AuthScheme(_)) => {}
            Err(problem) => return Err(UacAuthError::Malformed(problem)),
        }
    }
    Ok(out)
}

/// The credentials answering `challenge` for `request` (RFC 7616 §3.4).
fn answer(
    request: &Request,
    challenge: &DigestChallenge,
    algorithm: Algorithm,
    with_qop: bool,
    nonce_count: u32,
    credentials: &ClientCredentials,
    cnonce: &str,
) -> DigestCredentials {
    let uri = request.uri.to_string();
    let nc = format!("{nonce_count:08x}");
    let qop = with_qop.then_some(QopAuth {
        nonce_count: &nc,
        cnonce,
    });
    // A -sess algorithm needs a cnonce even without qop (RFC 7616 §3.4.2).
    let send_cnonce = with_qop || algorithm.is_session();
    let input = DigestInput {
        algorithm,
        nonce: &challenge.nonce,
        qop,
        cnonce: send_cnonce.then_some(cnonce),
        method: request.method.as_str(),
        uri: &uri,
    };
    let password = Credential::Password(credentials.password.clone());
    let response = password
        .ha1(algorithm.hash(), &credentials.username, &challenge.realm)
        .map(|ha1| expected_response(&ha1, &input).to_string())
        .unwrap_or_default();
    DigestCredentials {
        username: credentials.username.clone(),
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri,
        response,
        algorithm: challenge.algorithm.clone(),
        cnonce: send_cnonce.then(|| cnonce.to_owned()),
        opaque: challenge.opaque.clone(),
        qop: with_qop.then(|| "auth".to_owned()),
        nc: with_qop.then_some(nc),
        other: Default::default(),
    }
}

/// Removes `name` headers answering `realm` (a previous attempt's credentials).
fn remove_answers_for_realm(request: &mut Request, name: &HeaderName, realm: &str) {
    let kept: Vec<String> = request
        .headers
        .get_all(name)
        .filter(|v| DigestCredentials::parse(v).map_or(true, |c| c.realm != realm))
        .map(str::to_owned)
        .collect();
    request.headers.remove(name);
    for value in kept {
        request.headers.push(name.clone(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::HashKind;
    use crate::message::Message;

    fn request() -> Request {
        let raw = b"INVITE sip:+15551234567@carrier.example SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5080;branch=z9hG4bKa\r\n\
Max-Forwards: 70\r\n\
From: <sip:acct@carrier.example>;tag=f1\r\n\
To: <sip:+15551234567@carrier.example>\r\n\
Call-ID: c1\r\n\
CSeq: 1 INVITE\r\n\
Content-Length: 0\r\n\r\n";
        match Message::parse(raw).map(|p| p.message) {
            Ok(Message::Request(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    fn challenge(status: u16, values: &[&str]) -> Response {
        let name = if status == 401 {
            HeaderName::WwwAuthenticate
        } else {
            HeaderName::ProxyAuthenticate
        };
        let mut response = Response::for_request(&request(), status, "Challenge");
        for v in values {
            response.headers.push(name.clone(), *v);
        }
        response
    }

    fn creds() -> ClientCredentials {
        ClientCredentials::new("acct", "s3cret")
    }

    fn answer_of(request: &Request, name: &HeaderName) -> DigestCredentials {
        let value = request.headers.get(name).expect("answer header");
        DigestCredentials::parse(value).expect("answer parses")
    }

    #[test]
    fn qop_auth_md5_answer_matches_by_hand_computation() {
        let mut req = request();
        let resp = challenge(
            407,
            &[r#"Digest realm="carrier", nonce="n1", opaque="op", qop="auth", algorithm=MD5"#],
        );
        let mut session = DigestSession::new();
        session
            .authorize(&mut req, &resp, &creds(), "c0ffee")
            .unwrap();
        let a = answer_of(&req, &HeaderName::ProxyAuthorization);
        assert_eq!(a.uri, "sip:+15551234567@carrier.example");
        assert_eq!(a.nc.as_deref(), Some("00000001"));
        assert_eq!(a.cnonce.as_deref(), Some("c0ffee"));
        assert_eq!(a.opaque.as_deref(), Some("op"));
        let ha1 = HashKind::Md5.hex_of_parts(&[b"acct", b"carrier", b"s3cret"]);
        let ha2 = HashKind::Md5.hex_of_parts(&[b"INVITE", a.uri.as_bytes()]);
        let expected = HashKind::Md5.hex_of_parts(&[
            ha1.as_bytes(),
            b"n1",
            b"00000001",
            b"c0ffee",
            b"auth",
            ha2.as_bytes(),
        ]);
        assert_eq!(a.response, expected.as_str());
        assert!(req.headers.get(&HeaderName::Authorization).is_none());
    }

    #[test]
    fn legacy_no_qop_and_sha256_first_supported() {
        let mut req = request();
        let resp = challenge(
            401,
            &[
                r#"Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth""#,
                r#"Digest realm="r", nonce="n", algorithm=SHA-256"#,
                r#"Digest realm="r", nonce="n", algorithm=MD5"#,
            ],
        );
        DigestSession::new()
            .authorize(&mut req, &resp, &creds(), "cn")
            .unwrap();
        let a = answer_of(&req, &HeaderName::Authorization);
        assert_eq!(a.algorithm.as_ref().map(|x| x.as_str()), Some("SHA-256"));
        assert_eq!(a.qop, None);
        assert_eq!(a.nc, None);
        assert_eq!(a.cnonce, None);
        let ha1 = HashKind::Sha256.hex_of_parts(&[b"acct", b"r", b"s3cret"]);
        let ha2 = HashKind::Sha256.hex_of_parts(&[b"INVITE", a.uri.as_bytes()]);
        let expected = HashKind::Sha256.hex_of_parts(&[ha1.as_bytes(), b"n", ha2.as_bytes()]);
        assert_eq!(a.response, expected.as_str());
    }

    #[test]
    fn second_challenge_fails_unless_stale() {
        let mut req = request();
        let mut session = DigestSession::new();
        let first = challenge(401, &[r#"Digest realm="r", nonce="n1", qop="auth""#]);
        session.authorize(&mut req, &first, &creds(), "c1").unwrap();
        let stale = challenge(
            401,
            &[r#"Digest realm="r", nonce="n2", qop="auth", stale=true"#],
        );
        session.authorize(&mut req, &stale, &creds(), "c2").unwrap();
        assert_eq!(req.headers.count(&HeaderName::Authorization), 1);
        let a = answer_of(&req, &HeaderName::Authorization);
        assert_eq!(a.nonce, "n2");
        assert_eq!(a.nc.as_deref(), Some("00000001"));
        let again = challenge(401, &[r#"Digest realm="r", nonce="n3", qop="auth""#]);
        assert_eq!(
            session.authorize(&mut req, &again, &creds(), "c3"),
            Err(UacAuthError::Rejected { realm: "r".into() })
        );
        // The refused attempt left the previous answer in place.
        assert_eq!(answer_of(&req, &HeaderName::Authorization).nonce, "n2");
    }

    #[test]
    fn unusable_challenges_are_reported() {
        let mut req = request();
        let int_only = challenge(401, &[r#"Digest realm="r", nonce="n", qop="auth-int""#]);
        assert_eq!(
            DigestSession::new().authorize(&mut req, &int_only, &creds(), "c"),
            Err(UacAuthError::Unsupported { realm: "r".into() })
        );
        let basic = challenge(401, &[r#"Basic realm="r""#]);
        assert_eq!(
            DigestSession::new().authorize(&mut req, &basic, &creds(), "c"),
            Err(UacAuthError::NoChallenge(401))
        );
        let not_a_challenge = Response::for_request(&req, 403, "Forbidden");
        assert_eq!(
            DigestSession::new().authorize(&mut req, &not_a_challenge, &creds(), "c"),
            Err(UacAuthError::NoChallenge(403))
        );
        let broken = challenge(407, &[r#"Digest nonce="n""#]);
        assert!(matches!(
            DigestSession::new().authorize(&mut req, &broken, &creds(), "c"),
            Err(UacAuthError::Malformed(_))
        ));
    }

    #[test]
    fn debug_hides_the_password() {
        assert!(!format!("{:?}", creds()).contains("s3cret"));
    }
}
