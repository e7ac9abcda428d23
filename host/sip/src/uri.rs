//! URIs: `sip:`/`sips:` (RFC 3261 §19.1), `tel:` (RFC 3966) and any other
//! scheme kept opaque (RFC 3261 §25.1 absoluteURI).
//!
//! Structural equality (`==`) compares the fields as received, so that
//! `parse(print(x)) == x`; [`SipUri::equivalent`] implements the comparison
//! rules of RFC 3261 §19.1.4 (escapes decoded, host and most parameters
//! case-insensitive).

mod compare;
mod escape;
mod parse;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

pub use escape::unescape;

use crate::params::Params;

/// Why a URI did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// Empty input.
    #[error("empty URI")]
    Empty,
    /// No `scheme:` prefix, or the scheme is not `ALPHA *(ALPHA/DIGIT/+/-/.)`.
    #[error("missing or invalid URI scheme")]
    InvalidScheme,
    /// Whitespace, control characters, `<`, `>` or `"` in the URI.
    #[error("forbidden character in URI")]
    ForbiddenCharacter,
    /// Bad character or `%` escape in the user or password part.
    #[error("invalid user part")]
    InvalidUser,
    /// Missing or malformed host.
    #[error("invalid host")]
    InvalidHost,
    /// Port not a decimal number below 65536.
    #[error("invalid port")]
    InvalidPort,
    /// Empty or malformed `;name=value` parameter.
    #[error("invalid URI parameter")]
    InvalidParam,
    /// Malformed `?name=value` header.
    #[error("invalid URI header")]
    InvalidHeader,
    /// Nothing after `tel:` or an opaque scheme.
    #[error("empty URI body")]
    EmptyBody,
}

/// Any URI a SIP message may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uri {
    /// `sip:` or `sips:`.
    Sip(SipUri),
    /// `tel:` (RFC 3966).
    Tel(TelUri),
    /// Any other scheme, kept verbatim.
    Other(OtherUri),
}

/// `sip` or `sips`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SipScheme {
    /// `sip:`
    Sip,
    /// `sips:` (TLS on every hop, RFC 3261 §19.1).
    Sips,
}

/// Host part of a SIP URI or Via.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A host name, spelled as received (compare case-insensitively).
    Domain(String),
    /// A dotted IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 reference, printed in `[...]`.
    Ipv6(Ipv6Addr),
}

/// A `sip:`/`sips:` URI (RFC 3261 §19.1.1). User, password, parameter and
/// header texts are kept escaped as received; use [`unescape`] or
/// [`SipUri::user_unescaped`] to decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUri {
    /// `sip` or `sips`.
    pub scheme: SipScheme,
    /// User part (may contain `;`, see RFC 4475 §3.1.1.9), escaped.
    pub user: Option<String>,
    /// Password (deprecated by RFC 3261 but legal), escaped.
    pub password: Option<String>,
    /// Host.
    pub host: Host,
    /// Explicit port.
    pub port: Option<u16>,
    /// uri-parameters (`;transport=tcp;lr`).
    pub params: Params,
    /// headers (`?Route=...&Subject=...`) as (name, value) pairs, escaped.
    pub headers: Vec<(String, String)>,
}

/// A `tel:` URI (RFC 3966): the number and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelUri {
    /// The number as written, e.g. `+1-201-555-0123`.
    pub number: String,
    /// Parameters such as `phone-context`.
    pub params: Params,
}

/// A URI of a scheme this crate does not interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherUri {
    /// Scheme as received.
    pub scheme: String,
    /// Everything after the `:`.
    pub body: String,
}

impl Uri {
    /// Parses a URI; `sip`, `sips` and `tel` schemes match case-insensitively.
    pub fn parse(s: &str) -> Result<Uri, UriError> {
        parse::parse_uri(s)
    }

    /// The scheme as it prints (lowercase for the known ones).
    pub fn scheme(&self) -> &str {
        match self {
            Uri::Sip(u) => u.scheme.as_str(),
            Uri::Tel(_) => "tel",
            Uri::Other(o) => &o.scheme,
        }
    }

    /// The SIP URI, when this is one.
    pub fn as_sip(&self) -> Option<&SipUri> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// Mutable access to the SIP URI, when this is one.
    pub fn as_sip_mut(&mut self) -> Option<&mut SipUri> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// Printed form as an owned string.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl SipScheme {
    /// `"sip"` or `"sips"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SipScheme::Sip => "sip",
            SipScheme::Sips => "sips",
        }
    }
}

impl Host {
    /// Parses a host: `[v6]`, dotted IPv4, or a host name of letters,
    /// digits, `-`, `.` (and `_`, seen in the wild).
    pub fn parse(s: &str) -> Result<Host, UriError> {
        parse::parse_host(s)
    }

    /// The IP address, when the host is a literal one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Domain(_) => None,
            Host::Ipv4(a) => Some(IpAddr::V4(*a)),
            Host::Ipv6(a) => Some(IpAddr::V6(*a)),
        }
    }
}

impl From<IpAddr> for Host {
    fn from(ip: IpAddr) -> Host {
        match ip {
            IpAddr::V4(a) => Host::Ipv4(a),
            IpAddr::V6(a) => Host::Ipv6(a),
        }
    }
}

impl SipUri {
    /// A `sip:host` URI with nothing else.
    pub fn new(host: Host) -> SipUri {
        SipUri {
            scheme: SipScheme::Sip,
            user: None,
            password: None,
            host,
            port: None,
            params: Params::new(),
            headers: Vec::new(),
        }
    }

    /// The user part with `%HH` escapes decoded (may contain NUL bytes,
    /// RFC 4475 §3.1.1.4, hence bytes).
    pub fn user_unescaped(&self) -> Option<Vec<u8>> {
        self.user.as_deref().map(unescape)
    }

    /// The `transport` parameter.
    pub fn transport(&self) -> Option<&str> {
        self.params.value("transport")
    }

    /// True when the URI has the `lr` (loose routing) parameter.
    pub fn lr(&self) -> bool {
        self.params.contains("lr")
    }

    /// The address-of-record key: `scheme:user@host` with the user
    /// unescaped (non-printable bytes re-escaped) and the host lowercased;
    /// port, parameters and headers dropped (RFC 3261 §10.3 step 5).
    pub fn aor(&self) -> String {
        compare::aor(self)
    }

    /// URI equivalence per RFC 3261 §19.1.4.
    pub fn equivalent(&self, other: &SipUri) -> bool {
        compare::equivalent(self, other)
    }
}

impl FromStr for Uri {
    type Err = UriError;

    fn from_str(s: &str) -> Result<Uri, UriError> {
        Uri::parse(s)
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ipv4(a) => write!(f, "{a}"),
            Host::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.scheme.as_str())?;
        f.write_str(":")?;
        if let Some(user) = &self.user {
            f.write_str(user)?;
            if let Some(password) = &self.password {
                write!(f, ":{password}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write!(f, "{}", self.params)?;
        for (i, (name, value)) in self.headers.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{name}={value}")?;
        }
        Ok(())
    }
}

impl fmt::Display for TelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tel:{}{}", self.number, self.params)
    }
}

impl fmt::Display for OtherUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme, self.body)
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::Sip(u) => u.fmt(f),
            Uri::Tel(u) => u.fmt(f),
            Uri::Other(u) => u.fmt(f),
        }
    }
}
