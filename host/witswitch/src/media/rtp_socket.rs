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

use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use tokio::io::ReadBuf;
use tokio::net::UdpSocket;

/// See the module documentation.
#[derive(Debug)]
pub struct RtpSocket {
    socket: UdpSocket,
    /// Where the socket is connected to, if it is.
    peer: Option<SocketAddr>,
}

impl RtpSocket {
    /// Registers `socket` (non-blocking, not connected) with the current runtime.
    pub fn new(socket: std::net::UdpSocket) -> io::Result<Self> {
        Ok(Self {
            socket: UdpSocket::from_std(socket)?,
            peer: None,
        })
    }

    /// The same socket registered with the current runtime instead (a
    /// bridge moved the leg to another media thread); it stays connected.
    pub fn rehome(self) -> io::Result<Self> {
        Ok(Self {
            socket: UdpSocket::from_std(self.socket.into_std()?)?,
            peer: self.peer,
        })
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

    /// The next datagram into `buf`: its length and source.
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        let mut read = ReadBuf::new(buf);
        self.socket
            .poll_recv_from(cx, &mut read)
            .map_ok(|from| (read.filled().len(), from))
    }

    /// Waits until the reactor has seen the socket writable (a fresh
    /// registration is not until then, and `send_to` would fail).
    pub async fn writable(&self) -> io::Result<()> {
        self.socket.writable().await
    }

    /// Sends without waiting (a full buffer is an error: the packet is lost,
    /// as on the network).
    pub fn send_to(&self, packet: &[u8], to: SocketAddr) -> io::Result<usize> {
        match self.peer == Some(to) {
            true => self.socket.try_send(packet),
            false => self.socket.try_send_to(packet, to),
        }
    }
}
