//! RTP/RTCP port pairs from the configured range: RTP on an even port and
//! RTCP on the next (odd) one (RFC 3550 §11). The operating system is the
//! record of which ports are taken: a pair is free when both binds succeed,
//! and closing a leg's sockets frees it. A cursor walks the range so a
//! just-freed pair is not handed out again at once (late packets of the old
//! call would land in the new one).

use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};

use super::api::MediaError;

/// The default range, as FreeSWITCH's `rtp-start-port`/`rtp-end-port`.
pub const DEFAULT_PORT_MIN: u16 = 16384;
/// See [`DEFAULT_PORT_MIN`].
pub const DEFAULT_PORT_MAX: u16 = 32768;

/// A bound RTP socket and its RTCP companion (non-blocking, std sockets:
/// the leg's task registers them with tokio).
#[derive(Debug)]
pub struct PortPair {
    /// Bound to the even port.
    pub rtp: UdpSocket,
    /// Bound to the even port + 1.
    pub rtcp: UdpSocket,
    /// The RTP address.
    pub local: SocketAddr,
}

/// Hands out port pairs from `[min, max]`.
#[derive(Debug)]
pub struct PortAllocator {
    first: u16,
    pairs: u16,
    next: u16,
    min: u16,
    max: u16,
}

impl PortAllocator {
    /// An allocator over `[min, max]`; only pairs with both ports inside count.
    pub fn new(min: u16, max: u16) -> Result<Self, MediaError> {
        // Even ports p with p + 1 ≤ max; u32 so that min = 65535 cannot overflow.
        let first = u32::from(min) + u32::from(min % 2);
        let max32 = u32::from(max);
        let pairs = match max32 > first {
            true => (max32 - 1 - first) / 2 + 1,
            false => 0,
        };
        let (Ok(first), Ok(pairs)) = (u16::try_from(first), u16::try_from(pairs)) else {
            return Err(MediaError::EmptyRange { min, max });
        };
        if pairs == 0 {
            return Err(MediaError::EmptyRange { min, max });
        }
        Ok(Self {
            first,
            pairs,
            next: 0,
            min,
            max,
        })
    }

    /// Number of pairs in the range.
    pub fn capacity(&self) -> u16 {
        self.pairs
    }

    /// Binds the next free pair on `ip`, trying each pair of the range once.
    pub fn bind_pair(&mut self, ip: IpAddr) -> Result<PortPair, MediaError> {
        for _ in 0..self.pairs {
            let port = self.first + 2 * self.next;
            self.next = (self.next + 1) % self.pairs;
            match try_bind_pair(ip, port) {
                Ok(pair) => return Ok(pair),
                Err((_, e)) if is_taken(&e) => continue,
                Err((addr, source)) => return Err(MediaError::Bind { addr, source }),
            }
        }
        Err(MediaError::PortsExhausted {
            min: self.min,
            max: self.max,
        })
    }
}

/// Whether a bind error means "someone has this port" (try the next pair).
fn is_taken(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::AddrInUse | io::ErrorKind::PermissionDenied
    )
}

fn try_bind_pair(ip: IpAddr, port: u16) -> Result<PortPair, (SocketAddr, io::Error)> {
    let rtp_addr = SocketAddr::new(ip, port);
    let rtcp_addr = SocketAddr::new(ip, port + 1);
    let rtp = UdpSocket::bind(rtp_addr).map_err(|e| (rtp_addr, e))?;
    let rtcp = UdpSocket::bind(rtcp_addr).map_err(|e| (rtcp_addr, e))?;
    for socket in [&rtp, &rtcp] {
        socket.set_nonblocking(true).map_err(|e| (rtp_addr, e))?;
    }
    Ok(PortPair {
        rtp,
        rtcp,
        local: rtp_addr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn ranges_count_whole_even_odd_pairs() {
        assert_eq!(PortAllocator::new(16384, 32768).unwrap().capacity(), 8192);
        assert_eq!(PortAllocator::new(20001, 20005).unwrap().capacity(), 2);
        assert_eq!(PortAllocator::new(20000, 20003).unwrap().capacity(), 2);
        assert_eq!(PortAllocator::new(20000, 20002).unwrap().capacity(), 1);
        assert_eq!(PortAllocator::new(65534, 65535).unwrap().capacity(), 1);
        assert!(matches!(
            PortAllocator::new(20001, 20002),
            Err(MediaError::EmptyRange { .. })
        ));
        assert!(matches!(
            PortAllocator::new(20010, 20000),
            Err(MediaError::EmptyRange { .. })
        ));
    }

    #[test]
    fn pairs_are_even_odd_skip_taken_ports_and_run_out() {
        // Ports 21100-21107: take 21102 ourselves so the allocator must skip it.
        let blocker = UdpSocket::bind((LOCALHOST, 21102));
        let mut ports = PortAllocator::new(21100, 21107).unwrap();
        let mut held = Vec::new();
        loop {
            match ports.bind_pair(LOCALHOST) {
                Ok(pair) => held.push(pair),
                Err(MediaError::PortsExhausted { min, max }) => {
                    assert_eq!((min, max), (21100, 21107));
                    break;
                }
                Err(other) => panic!("unexpected {other}"),
            }
            assert!(held.len() <= 4);
        }
        for pair in &held {
            let port = pair.local.port();
            assert_eq!(port % 2, 0);
            assert_eq!(pair.rtcp.local_addr().unwrap().port(), port + 1);
            assert!((21100..=21106).contains(&port));
            if blocker.is_ok() {
                assert_ne!(port, 21102);
            }
        }
        // Freeing a pair makes it available again.
        let freed = held.pop().map(|p| p.local.port());
        if let Some(port) = freed {
            let again = ports.bind_pair(LOCALHOST).unwrap();
            assert_eq!(again.local.port(), port);
        }
    }
}
