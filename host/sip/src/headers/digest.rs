//! Digest authentication header syntax: WWW-Authenticate /
//! Proxy-Authenticate challenges and Authorization / Proxy-Authorization
//! credentials (RFC 3261 §25.1, RFC 7616 §3.3 and §3.4). Only the syntax
//! lives here; hashing belongs to the auth module.

use std::fmt;

use super::Problem;
use crate::params::Params;
use crate::text::{is_token, quote, quoted_len, split_top_level, trim_ws, unquote};

/// The `algorithm` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// `MD5` (the default when absent).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256` (RFC 7616).
    Sha256,
    /// `SHA-256-sess` (RFC 7616).
    Sha256Sess,
    /// Anything else, as received.
    Other(String),
}

impl DigestAlgorithm {
    /// Interprets an algorithm token case-insensitively.
    pub fn parse(s: &str) -> DigestAlgorithm {
        match s.to_ascii_uppercase().as_str() {
            "MD5" => DigestAlgorithm::Md5,
            "MD5-SESS" => DigestAlgorithm::Md5Sess,
            "SHA-256" => DigestAlgorithm::Sha256,
            "SHA-256-SESS" => DigestAlgorithm::Sha256Sess,
            _ => DigestAlgorithm::Other(s.to_owned()),
        }
    }

    /// The token as printed.
    pub fn as_str(&self) -> &str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Md5Sess => "MD5-sess",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha256Sess => "SHA-256-sess",
            DigestAlgorithm::Other(s) => s,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Digest challenge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestChallenge {
    /// `realm` (required).
    pub realm: String,
    /// `domain`, space-separated URIs.
    pub domain: Option<String>,
    /// `nonce` (required).
    pub nonce: String,
    /// `opaque`, echoed by the client.
    pub opaque: Option<String>,
    /// `stale=true`: the nonce expired but the credentials were right.
    pub stale: bool,
    /// `algorithm`; absent means MD5.
    pub algorithm: Option<DigestAlgorithm>,
    /// `qop` options offered (e.g. `auth`), empty when absent.
    pub qop: Vec<String>,
    /// Other parameters, values as received (quotes kept).
    pub other: Params,
}

/// Digest credentials from an Authorization or Proxy-Authorization header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestCredentials {
    /// `username` (required).
    pub username: String,
    /// `realm` (required).
    pub realm: String,
    /// `nonce` (required).
    pub nonce: String,
    /// `uri`, the digest-uri the response was computed over (required).
    pub uri: String,
    /// `response`, the hex digest (required).
    pub response: String,
    /// `algorithm`; absent means MD5.
    pub algorithm: Option<DigestAlgorithm>,
    /// `cnonce` (required with qop).
    pub cnonce: Option<String>,
    /// `opaque` echoed from the challenge.
    pub opaque: Option<String>,
    /// Chosen `qop` (e.g. `auth`).
    pub qop: Option<String>,
    /// `nc`, nonce count as the 8 hex digits received (hashed verbatim).
    pub nc: Option<String>,
    /// Other parameters, values as received (quotes kept).
    pub other: Params,
}

/// Splits `Digest a=b, c="d"` into (name, raw value) pairs after checking
/// the scheme.
fn auth_params(s: &str) -> Result<Vec<(&str, &str)>, Problem> {
    let s = trim_ws(s);
    let scheme_end = s.find([' ', '\t']).unwrap_or(s.len());
    let scheme = &s[..scheme_end];
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(Problem::AuthScheme(scheme.to_owned()));
    }
    let mut out = Vec::new();
    for piece in split_top_level(&s[scheme_end..], b',') {
        let piece = trim_ws(piece);
        if piece.is_empty() {
            continue;
        }
        let (name, value) = piece.split_once('=').ok_or(Problem::Param)?;
        let (name, value) = (trim_ws(name), trim_ws(value));
        let value_ok = if value.starts_with('"') {
            quoted_len(value.as_bytes()) == Some(value.len())
        } else {
            !value.is_empty() && !value.contains([' ', '\t', '"'])
        };
        if !is_token(name) || !value_ok {
            return Err(Problem::Param);
        }
        out.push((name, value));
    }
    Ok(out)
}

impl DigestChallenge {
    /// Parses a WWW-Authenticate / Proxy-Authenticate value.
    pub fn parse(s: &str) -> Result<DigestChallenge, Problem> {
        let mut c = DigestChallenge::default();
        let (mut realm, mut nonce) = (None, None);
        for (name, raw) in auth_params(s)? {
            let value = unquote(raw);
            match name.to_ascii_lowercase().as_str() {
                "realm" => realm = Some(value),
                "nonce" => nonce = Some(value),
                "domain" => c.domain = Some(value),
                "opaque" => c.opaque = Some(value),
                "stale" => c.stale = value.eq_ignore_ascii_case("true"),
                "algorithm" => c.algorithm = Some(DigestAlgorithm::parse(&value)),
                "qop" => {
                    c.qop = value
                        .split(',')
                        .map(trim_ws)
                        .filter(|q| !q.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                _ => c.other.push(name, Some(raw.to_owned())),
            }
        }
        c.realm = realm.ok_or(Problem::MissingParam("realm"))?;
        c.nonce = nonce.ok_or(Problem::MissingParam("nonce"))?;
        Ok(c)
    }
}

impl DigestCredentials {
    /// Parses an Authorization / Proxy-Authorization value. A scheme other
    /// than Digest gives [`Problem::AuthScheme`] (RFC 4475 §3.3.7: a
    /// registrar ignores such a header or challenges again).
    pub fn parse(s: &str) -> Result<DigestCredentials, Problem> {
        let mut c = DigestCredentials::default();
        let mut seen = [false; 5];
        for (name, raw) in auth_params(s)? {
            let value = unquote(raw);
            let lower = name.to_ascii_lowercase();
            let slot = match lower.as_str() {
                "username" => Some((0, &mut c.username)),
                "realm" => Some((1, &mut c.realm)),
                "nonce" => Some((2, &mut c.nonce)),
                "uri" => Some((3, &mut c.uri)),
                "response" => Some((4, &mut c.response)),
                _ => None,
            };
            if let Some((index, field)) = slot {
                seen[index] = true;
                *field = value;
                continue;
            }
            match lower.as_str() {
                "algorithm" => c.algorithm = Some(DigestAlgorithm::parse(&value)),
                "cnonce" => c.cnonce = Some(value),
                "opaque" => c.opaque = Some(value),
                "qop" => c.qop = Some(value),
                "nc" => c.nc = Some(value),
                _ => c.other.push(name, Some(raw.to_owned())),
            }
        }
        const REQUIRED: [&str; 5] = ["username", "realm", "nonce", "uri", "response"];
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(Problem::MissingParam(REQUIRED[missing]));
        }
        Ok(c)
    }
}

fn write_other(f: &mut fmt::Formatter<'_>, other: &Params) -> fmt::Result {
    for p in other {
        match &p.value {
            Some(v) => write!(f, ", {}={}", p.name, v)?,
            None => write!(f, ", {}", p.name)?,
        }
    }
    Ok(())
}

impl fmt::Display for DigestChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest realm={}", quote(&self.realm))?;
        if let Some(domain) = &self.domain {
            write!(f, ", domain={}", quote(domain))?;
        }
        write!(f, ", nonce={}", quote(&self.nonce))?;
        if let Some(opaque) = &self.opaque {
            write!(f, ", opaque={}", quote(opaque))?;
        }
        if self.stale {
            f.write_str(", stale=true")?;
        }
        if let Some(algorithm) = &self.algorithm {
            write!(f, ", algorithm={algorithm}")?;
        }
        if !self.qop.is_empty() {
            write!(f, ", qop={}", quote(&self.qop.join(",")))?;
        }
        write_other(f, &self.other)
    }
}

impl fmt::Display for DigestCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Digest username={}, realm={}, nonce={}, uri={}, response={}",
            quote(&self.username),
            quote(&self.realm),
            quote(&self.nonce),
            quote(&self.uri),
            quote(&self.response)
        )?;
        if let Some(algorithm) = &self.algorithm {
            write!(f, ", algorithm={algorithm}")?;
        }
        if let Some(cnonce) = &self.cnonce {
            write!(f, ", cnonce={}", quote(cnonce))?;
        }
        if let Some(opaque) = &self.opaque {
            write!(f, ", opaque={}", quote(opaque))?;
        }
        if let Some(qop) = &self.qop {
            write!(f, ", qop={qop}")?;
        }
        if let Some(nc) = &self.nc {
            write!(f, ", nc={nc}")?;
        }
        write_other(f, &self.other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_round_trip() {
        let text = r#"Digest realm="example.com", nonce="abc,def", opaque="x", stale=TRUE, algorithm=SHA-256, qop="auth,auth-int", charset=UTF-8"#;
        let c = DigestChallenge::parse(text).unwrap();
        assert_eq!(c.realm, "example.com");
        assert_eq!(c.nonce, "abc,def");
        assert!(c.stale);
        assert_eq!(c.algorithm, Some(DigestAlgorithm::Sha256));
        assert_eq!(c.qop, vec!["auth", "auth-int"]);
        assert_eq!(c.other.value("charset"), Some("UTF-8"));
        assert_eq!(DigestChallenge::parse(&c.to_string()), Ok(c));
    }

    #[test]
    fn credentials_round_trip() {
        let text = r#"digest username="1000",realm="example.com", nonce="n", uri="sip:example.com", response="0123abcd", algorithm=MD5, cnonce="c", qop=auth, nc=0000000A"#;
        let c = DigestCredentials::parse(text).unwrap();
        assert_eq!(c.username, "1000");
        assert_eq!(c.uri, "sip:example.com");
        assert_eq!(c.nc.as_deref(), Some("0000000A"));
        assert_eq!(c.qop.as_deref(), Some("auth"));
        assert_eq!(DigestCredentials::parse(&c.to_string()), Ok(c));
    }

    #[test]
    fn errors() {
        assert_eq!(
            DigestCredentials::parse("NoOneKnowsThisScheme opaque-data=here"),
            Err(Problem::AuthScheme("NoOneKnowsThisScheme".into()))
        );
        assert_eq!(
            DigestCredentials::parse(r#"Digest username="a", realm="r", nonce="n", uri="u""#),
            Err(Problem::MissingParam("response"))
        );
        assert_eq!(
            DigestChallenge::parse(r#"Digest nonce="n""#),
            Err(Problem::MissingParam("realm"))
        );
        assert_eq!(
            DigestChallenge::parse(r#"Digest realm="r"#),
            Err(Problem::Param)
        );
    }
}
