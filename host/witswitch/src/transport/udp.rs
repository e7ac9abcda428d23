//! UDP (RFC 3261 §18.1.1, §18.2.1): one datagram is one message. The driver reads the
//! socket itself (no task or queue in between); this module binds and sends.

use std::io;
use std::net::SocketAddr;

use tokio::net::UdpSocket;

/// Largest datagram read: the UDP maximum, so nothing is silently truncated.
pub const MAX_DATAGRAM: usize = 65_535;

/// Binds a profile's UDP socket.
pub async fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    UdpSocket::bind(addr).await
}

/// Sends one message. Failures (an ICMP error reported on the socket, a full buffer)
/// lose that datagram only: UDP's retransmission timers (§17) cover it.
pub async fn send(socket: &UdpSocket, bytes: &[u8], to: SocketAddr) {
    if let Err(e) = socket.send_to(bytes, to).await {
        tracing::debug!("udp send to {to} failed: {e}");
    }
}
