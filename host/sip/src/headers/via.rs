//! The Via header (RFC 3261 §20.42, §18.2.1) with the RFC 3581 `rport`
//! extension.

use std::fmt;
use std::net::IpAddr;

use super::Problem;
use super::params::parse_header_params;
use crate::params::Params;
use crate::text::{is_token, is_ws, trim_ws};
use crate::uri::{Host, UriError};

/// The transport named in a Via sent-protocol.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
    /// SCTP.
    Sctp,
    /// WebSocket (RFC 7118).
    Ws,
    /// Secure WebSocket (RFC 7118).
    Wss,
    /// Any other token, as received (RFC 4475 §3.1.1.10).
    Other(String),
}

impl Transport {
    /// Interprets a transport token case-insensitively.
    pub fn parse(s: &str) -> Transport {
        for (name, t) in [
            ("UDP", Transport::Udp),
            ("TCP", Transport::Tcp),
            ("TLS", Transport::Tls),
            ("SCTP", Transport::Sctp),
            ("WS", Transport::Ws),
            ("WSS", Transport::Wss),
        ] {
            if s.eq_ignore_ascii_case(name) {
                return t;
            }
        }
        Transport::Other(s.to_owned())
    }

    /// The token as printed in a Via (uppercase for known transports).
    pub fn as_str(&self) -> &str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Sctp => "SCTP",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
            Transport::Other(s) => s,
        }
    }

    /// True for transports that are reliable (RFC 3261 §17.1.1.2: timers A,
    /// E and G only run over unreliable ones).
    pub fn is_reliable(&self) -> bool {
        !matches!(self, Transport::Udp)
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Via value: `SIP/2.0/UDP host:port;branch=...;received=...;rport`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// Transport from the sent-protocol.
    pub transport: Transport,
    /// sent-by host.
    pub host: Host,
    /// sent-by port, when given.
    pub port: Option<u16>,
    /// via-params in order (branch, received, rport, maddr, ttl, others).
    pub params: Params,
}

impl Via {
    /// A Via with a branch and no other parameter.
    pub fn new(transport: Transport, host: Host, port: Option<u16>, branch: &str) -> Via {
        let mut params = Params::new();
        params.push("branch", Some(branch.to_owned()));
        Via {
            transport,
            host,
            port,
            params,
        }
    }

    /// Parses one Via value; LWS may surround `/`, `:`, `;` and `=`
    /// (RFC 4475 §3.1.1.1).
    pub fn parse(s: &str) -> Result<Via, Problem> {
        let mut parts = s.splitn(3, '/');
        let name = trim_ws(parts.next().unwrap_or_default());
        let version = trim_ws(parts.next().ok_or(Problem::SentProtocol)?);
        let rest = trim_ws(parts.next().ok_or(Problem::SentProtocol)?);
        if !name.eq_ignore_ascii_case("SIP") || version != "2.0" {
            return Err(Problem::SentProtocol);
        }
        let transport_len = rest.find([' ', '\t']).ok_or(Problem::SentProtocol)?;
        let transport = &rest[..transport_len];
        if !is_token(transport) {
            return Err(Problem::SentProtocol);
        }
        let rest = trim_ws(&rest[transport_len..]);
        let sent_by_end = rest.find(';').unwrap_or(rest.len());
        let (host, port) = parse_sent_by(&rest[..sent_by_end])?;
        Ok(Via {
            transport: Transport::parse(transport),
            host,
            port,
            params: parse_header_params(&rest[sent_by_end..])?,
        })
    }

    /// The `branch` parameter (the transaction id, RFC 3261 §17.2.3).
    pub fn branch(&self) -> Option<&str> {
        self.params.value("branch")
    }

    /// The `received` parameter.
    pub fn received(&self) -> Option<&str> {
        self.params.value("received")
    }

    /// `rport` (RFC 3581): `None` when absent, `Some(None)` when present
    /// without a value (the client asks for it), `Some(Some(port))` when a
    /// server filled it in. A value that is not a port reads as `Some(None)`.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| p.parse().ok()))
    }

    /// Records the source address as `received` (RFC 3261 §18.2.1).
    pub fn set_received(&mut self, ip: IpAddr) {
        self.params.set("received", Some(&ip.to_string()));
    }

    /// Fills in `rport` with the source port (RFC 3581 §4).
    pub fn set_rport(&mut self, port: u16) {
        self.params.set("rport", Some(&port.to_string()));
    }

    /// The `maddr` parameter.
    pub fn maddr(&self) -> Option<&str> {
        self.params.value("maddr")
    }
}

/// `host [ SWS ":" SWS port ]`, allowing white space around the colon.
fn parse_sent_by(s: &str) -> Result<(Host, Option<u16>), Problem> {
    let s = trim_ws(s);
    if s.bytes().any(|b| b == b'[') {
        let close = s.find(']').ok_or(Problem::Uri(UriError::InvalidHost))?;
        let host = Host::parse(&s[..=close]).map_err(Problem::Uri)?;
        return Ok((host, parse_port(&s[close + 1..])?));
    }
    let (host, port) = match s.find(':') {
        Some(c) => (trim_ws(&s[..c]), parse_port(&s[c..])?),
        None => (s, None),
    };
    if host.bytes().any(is_ws) {
        return Err(Problem::Trailing);
    }
    Ok((Host::parse(host).map_err(Problem::Uri)?, port))
}

fn parse_port(s: &str) -> Result<Option<u16>, Problem> {
    let s = trim_ws(s);
    if s.is_empty() {
        return Ok(None);
    }
    let digits = s.strip_prefix(':').map(trim_ws).ok_or(Problem::Trailing)?;
    crate::text::parse_decimal(digits)
        .map(Some)
        .ok_or(Problem::Uri(UriError::InvalidPort))
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/2.0/{} {}", self.transport, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write!(f, "{}", self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_via_keeps_branch() {
        let v =
            Via::parse("SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8")
                .unwrap();
        assert_eq!(v.transport, Transport::Tcp);
        assert_eq!(v.host, Host::Domain("spindle.example.com".into()));
        assert_eq!(v.branch(), Some("z9hG4bK9ikj8"));
        let v =
            Via::parse("SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239").unwrap();
        assert_eq!(v.branch(), Some("z9hG4bK30239"));
        assert_eq!(v.host, Host::Ipv4("192.168.255.111".parse().unwrap()));
    }

    #[test]
    fn rport_and_received_round_trip() {
        let mut v = Via::parse("SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bK1;rport").unwrap();
        assert_eq!(v.port, Some(5070));
        assert_eq!(v.rport(), Some(None));
        v.set_received("192.0.2.7".parse().unwrap());
        v.set_rport(40000);
        assert_eq!(v.rport(), Some(Some(40000)));
        assert_eq!(v.received(), Some("192.0.2.7"));
        let printed = v.to_string();
        assert_eq!(
            printed,
            "SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bK1;rport=40000;received=192.0.2.7"
        );
        assert_eq!(Via::parse(&printed), Ok(v));
    }

    #[test]
    fn rejects_bad_vias() {
        for bad in [
            "SIP/2.0/UDP 192.0.2.15;;",
            ";",
            "",
            "SIP/3.0/UDP host",
            "SIP/2.0/UDP",
            "SIP/2.0/UDP host port",
            "SIP/2.0/UDP host:99999",
        ] {
            assert!(Via::parse(bad).is_err(), "{bad:?}");
        }
        let v = Via::parse("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en").unwrap();
        assert_eq!(v.transport, Transport::Other("UNKNOWN".into()));
    }
}
