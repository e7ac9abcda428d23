//! IPv4 and IPv6 network prefixes (`10.0.0.0/8`, `2001:db8::/32`, a bare address).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use thiserror::Error;

/// Why a CIDR text was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CidrError {
    /// The part before `/` is not an IP address.
    #[error("\"{0}\" is not an IP address or CIDR prefix")]
    BadAddress(String),
    /// The part after `/` is not a number in range for the address family.
    #[error("prefix length \"{text}\" is not 0-{max}")]
    BadPrefix {
        /// The text after `/`.
        text: String,
        /// 32 for IPv4, 128 for IPv6.
        max: u8,
    },
    /// Bits beyond the prefix are set, which usually means a typo
    /// (`10.1.0.0/8`); the network address is suggested.
    #[error("\"{text}\" has host bits set; did you mean {suggestion}?")]
    HostBitsSet {
        /// The text as written.
        text: String,
        /// The same prefix with host bits cleared.
        suggestion: String,
    },
}

/// A network prefix: every address whose first `len` bits equal `network`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    network: IpAddr,
    len: u8,
}

impl Cidr {
    /// A prefix from an address and a length; host bits are cleared.
    /// Returns `None` when `len` is too long for the address family.
    pub fn new(addr: IpAddr, len: u8) -> Option<Cidr> {
        if len > max_len(addr) {
            return None;
        }
        Some(Cidr {
            network: mask(addr, len),
            len,
        })
    }

    /// The network address (host bits zero).
    pub fn network(&self) -> IpAddr {
        self.network
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    /// True if `addr` lies inside this prefix. IPv4-mapped IPv6 addresses
    /// (`::ffff:192.0.2.1`, what a dual-stack socket reports) match IPv4 prefixes.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        match (self.network, addr) {
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                mask(addr, self.len) == self.network
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Cidr, CidrError> {
        let (addr_text, len_text) = match text.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (text, None),
        };
        let addr = IpAddr::from_str(addr_text.trim())
            .map_err(|_| CidrError::BadAddress(text.to_owned()))?;
        let max = max_len(addr);
        let len = match len_text {
            None => max,
            Some(l) => l
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|len| *len <= max)
                .ok_or_else(|| CidrError::BadPrefix {
                    text: l.to_owned(),
                    max,
                })?,
        };
        let cidr = Cidr {
            network: mask(addr, len),
            len,
        };
        if cidr.network != addr {
            return Err(CidrError::HostBitsSet {
                text: text.to_owned(),
                suggestion: cidr.to_string(),
            });
        }
        Ok(cidr)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.len)
    }
}

/// Treat an IPv4-mapped IPv6 address as the IPv4 address it carries.
pub fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => addr,
        },
        IpAddr::V4(_) => addr,
    }
}

fn max_len(addr: IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

fn mask(addr: IpAddr, len: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let keep = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(bits & keep))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let keep = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(bits & keep))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_v4_v6_and_bare_addresses() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap();
        assert_eq!((c.network(), c.prefix_len()), (ip("10.0.0.0"), 8));
        let c: Cidr = "2001:db8::/32".parse().unwrap();
        assert_eq!((c.network(), c.prefix_len()), (ip("2001:db8::"), 32));
        let c: Cidr = "192.0.2.9".parse().unwrap();
        assert_eq!(c.prefix_len(), 32);
        let c: Cidr = "::1".parse().unwrap();
        assert_eq!(c.prefix_len(), 128);
        let c: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(c.contains(ip("203.0.113.1")));
        assert!(!c.contains(ip("2001:db8::1")));
    }

    #[test]
    fn rejects_bad_text() {
        assert!(matches!(
            "10.0.0/8".parse::<Cidr>(),
            Err(CidrError::BadAddress(_))
        ));
        assert!(matches!(
            "10.0.0.0/33".parse::<Cidr>(),
            Err(CidrError::BadPrefix { max: 32, .. })
        ));
        assert!(matches!(
            "::/129".parse::<Cidr>(),
            Err(CidrError::BadPrefix { max: 128, .. })
        ));
        assert!(matches!(
            "10.0.0.0/x".parse::<Cidr>(),
            Err(CidrError::BadPrefix { .. })
        ));
        assert_eq!(
            "10.1.0.0/8".parse::<Cidr>(),
            Err(CidrError::HostBitsSet {
                text: "10.1.0.0/8".into(),
                suggestion: "10.0.0.0/8".into()
            })
        );
    }

    #[test]
    fn containment_respects_prefix_and_family() {
        let c: Cidr = "172.16.0.0/12".parse().unwrap();
        assert!(c.contains(ip("172.16.0.1")));
        assert!(c.contains(ip("172.31.255.255")));
        assert!(!c.contains(ip("172.32.0.0")));
        assert!(!c.contains(ip("::ffff:172.32.0.0")));
        assert!(c.contains(ip("::ffff:172.20.1.1")));
        let v6: Cidr = "fe80::/10".parse().unwrap();
        assert!(v6.contains(ip("fe80::1")));
        assert!(v6.contains(ip("febf::1")));
        assert!(!v6.contains(ip("fec0::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
    }

    #[test]
    fn new_clears_host_bits() {
        let c = Cidr::new(ip("192.168.7.9"), 16).unwrap();
        assert_eq!(c.to_string(), "192.168.0.0/16");
        assert!(Cidr::new(ip("192.168.7.9"), 33).is_none());
    }
}
