//! SIP profiles (`profiles/<name>.toml`) and the gateways they hold.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

/// A SIP transport a profile listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// RFC 3261 §18 over UDP.
    Udp,
    /// RFC 3261 §18 over TCP, framed by Content-Length.
    Tcp,
}

impl Transport {
    /// Lower-case name as written in config and Via.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A codec name from `codec-prefs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 μ-law.
    Pcmu,
    /// G.711 A-law.
    Pcma,
    /// Opus.
    Opus,
    /// G.722.
    G722,
}

impl Codec {
    /// The FreeSWITCH spelling (`PCMU`, `PCMA`, `OPUS`, `G722`).
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
            Codec::Opus => "OPUS",
            Codec::G722 => "G722",
        }
    }
}

/// A codec name witswitch does not know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown codec \"{0}\" (known: PCMU, PCMA, OPUS, G722)")]
pub struct UnknownCodec(pub String);

impl FromStr for Codec {
    type Err = UnknownCodec;

    /// Case-insensitive, as FreeSWITCH matches codec names.
    fn from_str(text: &str) -> Result<Codec, UnknownCodec> {
        [Codec::Pcmu, Codec::Pcma, Codec::Opus, Codec::G722]
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownCodec(text.trim().to_owned()))
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `[registration]`: REGISTER expiry bounds in seconds (RFC 3261 §10.2.8, 423 below min).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationSettings {
    /// Shortest accepted expiry; shorter requests get 423 Interval Too Brief with Min-Expires.
    pub min_expires: u32,
    /// Expiry when the request gives none.
    pub default_expires: u32,
    /// Longer requests are cut down to this.
    pub max_expires: u32,
}

/// `[auth-ban]`: the built-in limiter that bans a source IP after repeated auth failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthBanSettings {
    /// Off only when explicitly disabled.
    pub enabled: bool,
    /// Failures from one IP inside `window` that trigger the ban.
    pub max_failures: u32,
    /// The sliding window failures are counted in.
    pub window: Duration,
    /// How long the IP stays banned.
    pub ban: Duration,
}

/// RFC 3261 §17 timer bases (Table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SipTimers {
    /// RTT estimate, 500 ms by default.
    pub t1: Duration,
    /// Longest retransmit interval for non-INVITE requests and INVITE responses, 4 s.
    pub t2: Duration,
    /// Longest time a message stays in the network, 5 s.
    pub t4: Duration,
}

/// One SIP profile: a set of listeners with shared policy, like a sofia profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The file stem (`internal`, `external`); used in `sofia/<profile>/...`.
    pub name: String,
    /// Address the listeners bind (`sip-ip`).
    pub sip_ip: IpAddr,
    /// Port the listeners bind (`sip-port`).
    pub sip_port: u16,
    /// Transports, each listening on `sip-ip:sip-port`.
    pub transports: Vec<Transport>,
    /// Dialplan context for calls that are not authenticated as a directory user.
    pub context: String,
    /// Directory domain users authenticate against, also the digest realm.
    /// `None`: the host of the request's To/From URI is used.
    pub domain: Option<String>,
    /// Challenge INVITEs (407) unless the source passes `apply-inbound-acl`.
    pub auth_calls: bool,
    /// Refuse REGISTER on this profile (FreeSWITCH `disable-register`).
    pub disable_register: bool,
    /// ACL list whose allowed sources may call without digest auth (FreeSWITCH semantics);
    /// other sources are challenged when `auth_calls`, else refused with 403.
    pub apply_inbound_acl: Option<String>,
    /// ACL list a REGISTER source must pass; others get 403.
    pub apply_register_acl: Option<String>,
    /// Log the fail2ban-compatible WARNING line on each failed digest auth.
    pub log_auth_failures: bool,
    /// How long a nonce stays valid before `stale=true` (RFC 7616 §3.3).
    pub nonce_ttl: Duration,
    /// Offered and accepted codecs, most preferred first.
    pub codec_prefs: Vec<Codec>,
    /// Address RTP sockets bind (`rtp-ip`, default `sip-ip`).
    pub rtp_ip: IpAddr,
    /// Address put in Via/Contact instead of `sip-ip` (behind NAT).
    pub ext_sip_ip: Option<IpAddr>,
    /// Address put in SDP instead of `rtp-ip` (behind NAT).
    pub ext_rtp_ip: Option<IpAddr>,
    /// Hang up with MEDIA_TIMEOUT after this long without RTP; `None` never.
    pub rtp_timeout: Option<Duration>,
    /// REGISTER expiry bounds.
    pub registration: RegistrationSettings,
    /// Auth failure ban limiter.
    pub auth_ban: AuthBanSettings,
    /// Transaction timer bases.
    pub timers: SipTimers,
    /// Outbound gateways (usually on `external`), sorted by name.
    pub gateways: Vec<Gateway>,
}

impl Profile {
    /// Every `address, transport` pair this profile listens on.
    pub fn listen_addrs(&self) -> impl Iterator<Item = (SocketAddr, Transport)> + '_ {
        let addr = SocketAddr::new(self.sip_ip, self.sip_port);
        self.transports.iter().map(move |t| (addr, *t))
    }

    /// The gateway called `name` on this profile.
    pub fn gateway(&self, name: &str) -> Option<&Gateway> {
        self.gateways.iter().find(|g| g.name == name)
    }
}

/// A host with an optional port, e.g. a gateway proxy `sip.carrier.example:5060`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// DNS name or IP address (IPv6 without brackets).
    pub host: String,
    /// Port, when given.
    pub port: Option<u16>,
}

impl HostPort {
    /// Parse `host`, `host:port`, `[v6]` or `[v6]:port`. Port 0 and empty hosts are refused.
    pub fn parse(text: &str) -> Option<HostPort> {
        let text = text.trim();
        let bracketed = text.starts_with('[');
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (v6, after) = rest.split_once(']')?;
            v6.parse::<std::net::Ipv6Addr>().ok()?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':')?),
            };
            (v6, port)
        } else if text.parse::<std::net::Ipv6Addr>().is_ok() {
            (text, None)
        } else {
            match text.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (text, None),
            }
        };
        // IPv6 hosts were checked above; other hosts are DNS names or IPv4 addresses.
        let host_ok = bracketed
            || (!host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
                || host.parse::<std::net::Ipv6Addr>().is_ok());
        if !host_ok {
            return None;
        }
        let port = match port {
            None => None,
            Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0)?),
        };
        Some(HostPort {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

/// An outbound gateway (carrier), reached as `sofia/gateway/<name>/<number>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Gateway {
    /// Table name under `[gateways]`; unique across all profiles.
    pub name: String,
    /// Digest realm and default host.
    pub realm: String,
    /// Where requests go (default: the realm).
    pub proxy: HostPort,
    /// Digest username.
    pub username: Option<String>,
    /// Digest password.
    pub password: Option<String>,
    /// Keep a registration up with the carrier.
    pub register: bool,
    /// Transport for REGISTER and calls.
    pub register_transport: Transport,
    /// Registration expiry asked for, seconds (3600).
    pub expire_seconds: u32,
    /// Wait after a failed registration before trying again, seconds (30).
    pub retry_seconds: u32,
    /// User part of From (default: username).
    pub from_user: Option<String>,
    /// Host part of From (default: realm).
    pub from_domain: String,
    /// Put the caller's number in the From user instead of `from-user`.
    pub caller_id_in_from: bool,
    /// Send OPTIONS at this interval to check the carrier is up; `None` never.
    pub ping: Option<Duration>,
    /// Context for calls arriving from this gateway (default: the profile's).
    pub context: String,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("name", &self.name)
            .field("realm", &self.realm)
            .field("proxy", &self.proxy)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("register", &self.register)
            .field("register_transport", &self.register_transport)
            .field("expire_seconds", &self.expire_seconds)
            .field("retry_seconds", &self.retry_seconds)
            .field("from_user", &self.from_user)
            .field("from_domain", &self.from_domain)
            .field("caller_id_in_from", &self.caller_id_in_from)
            .field("ping", &self.ping)
            .field("context", &self.context)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        let hp = |s: &str| HostPort::parse(s);
        assert_eq!(
            hp("127.0.0.1:5090"),
            Some(HostPort {
                host: "127.0.0.1".into(),
                port: Some(5090)
            })
        );
        assert_eq!(
            hp("SIP.Carrier.example"),
            Some(HostPort {
                host: "sip.carrier.example".into(),
                port: None
            })
        );
        assert_eq!(hp("[2001:db8::1]:5060").and_then(|h| h.port), Some(5060));
        assert_eq!(
            hp("2001:db8::1").map(|h| h.to_string()),
            Some("[2001:db8::1]".into())
        );
        assert_eq!(hp("host:0"), None);
        assert_eq!(hp("host:99999"), None);
        assert_eq!(hp(""), None);
        assert_eq!(hp("sip:host"), None);
        assert_eq!(hp("http://x"), None);
        assert_eq!(hp("[::1"), None);
        assert_eq!(hp("a b"), None);
    }

    #[test]
    fn codec_names_are_case_insensitive() {
        assert_eq!("pcmu".parse::<Codec>(), Ok(Codec::Pcmu));
        assert_eq!(" OPUS ".parse::<Codec>(), Ok(Codec::Opus));
        assert_eq!("G729".parse::<Codec>(), Err(UnknownCodec("G729".into())));
        assert_eq!(Codec::G722.to_string(), "G722");
    }
}
