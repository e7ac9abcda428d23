//! A leg's RTP socket, connected to the peer while symmetric RTP has it
//! latched.
//!
//! Why connect: a connected UDP socket sends with the route it cached at
//! connect() instead of looking one up for every datagram (on 127.0.0.1
//! with 100 echo calls that was about a tenth of the switch's CPU), and the
//! kernel drops datagrams from other sources, which the latch would drop
//! anyway. Why disconnect again: a re-INVITE may move the peer, and a NAT may
//! rebind it to a new port (RtpSession relatches a quiet peer); both need
//! datagrams from anywhere to reach the leg, so the leg disconnects then
//! (connect to AF_UNSPEC, POSIX connect(2); `rustix` has it safely, std and
//! tokio do not).
//!
//! Packets go through `rustix` too: its system calls are made directly,
//! where the C library's `recvfrom`/`send` are thread cancellation points
//! that switch cancellation on and off around every call (a few percent of
//! the media CPU, measured with perf at 200 calls).

use std::io;
use std::net::{SocketAddr, UdpSocket};

use rustix::net::{RecvFlags, SendFlags};

/// See the module documentation.
#[derive(Debug)]
pub struct RtpSocket {
    socket: UdpSocket,
    /// Where the socket is connected to, if it is.
    peer: Option<SocketAddr>,
}

impl RtpSocket {
    /// Takes `socket` (not connected) and makes it non-blocking.
    pub fn new(socket: UdpSocket) -> io::Result<Self> {
        socket.set_nonblocking(true)?;
        Ok(Self { socket, peer: None })
    }

    /// The socket itself (for the media thread's epoll set).
    pub fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    /// Where the socket is connected to.
    pub fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// Connects to `peer` (a connected socket may be connected elsewhere).
    pub fn connect(&mut self, peer: SocketAddr) -> io::Result<()> {
        rustix::net::connect(&self.socket, &peer)?;
        self.peer = Some(peer);
        Ok(())
    }

    /// Accepts datagrams from anywhere again.
    pub fn disconnect(&mut self) -> io::Result<()> {
        if self.peer.take().is_some() {
            rustix::net::connect_unspec(&self.socket)?;
        }
        Ok(())
    }

    /// The next datagram into `buf`, without waiting: its length and
    /// source (`WouldBlock` when none is queued).
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (len, _, from) = rustix::net::recvfrom(&self.socket, buf, RecvFlags::empty())?;
        match from.and_then(|from| SocketAddr::try_from(from).ok()) {
            Some(from) => Ok((len, from)),
            // A UDP socket of ours always names an IP source.
            None => Err(io::ErrorKind::InvalidData.into()),
        }
    }

    /// Sends without waiting (a full buffer is an error: the packet is lost,
    /// as on the network).
    pub fn send_to(&self, packet: &[u8], to: SocketAddr) -> io::Result<usize> {
        let sent = match self.peer == Some(to) {
            true => rustix::net::send(&self.socket, packet, SendFlags::empty()),
            false => rustix::net::sendto(&self.socket, packet, SendFlags::empty(), &to),
        };
        Ok(sent?)
    }
}
