//! The driver's table of open stream connections, by id and by peer address.
//!
//! The transaction layer names a stream destination by the peer's address (the source
//! of the request); a peer address identifies at most one open connection here.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use tokio::sync::mpsc;
use witswitch_sip::Message;

use crate::transport::ConnId;

/// Open connections of one profile.
#[derive(Debug, Default)]
pub struct Connections {
    by_id: HashMap<ConnId, (SocketAddr, mpsc::Sender<Bytes>)>,
    by_peer: HashMap<SocketAddr, ConnId>,
}

/// What happened to bytes handed to [`Connections::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// Queued on the open connection.
    Queued,
    /// The connection's queue is full (the peer does not read): dropped.
    QueueFull,
    /// No open connection to that peer.
    NoConnection,
}

impl Connections {
    /// Records a new connection; a newer one to the same peer replaces the older in the
    /// peer index.
    pub fn opened(&mut self, conn: ConnId, peer: SocketAddr, outbound: mpsc::Sender<Bytes>) {
        self.by_id.insert(conn, (peer, outbound));
        self.by_peer.insert(peer, conn);
    }

    /// Forgets a closed connection.
    pub fn closed(&mut self, conn: ConnId) {
        if let Some((peer, _)) = self.by_id.remove(&conn)
            && self.by_peer.get(&peer) == Some(&conn)
        {
            self.by_peer.remove(&peer);
        }
    }

    /// Queues `bytes` on the connection to `peer`, never waiting.
    pub fn send(&mut self, peer: SocketAddr, bytes: Bytes) -> SendOutcome {
        let Some(conn) = self.by_peer.get(&peer).copied() else {
            return SendOutcome::NoConnection;
        };
        let Some((_, outbound)) = self.by_id.get(&conn) else {
            return SendOutcome::NoConnection;
        };
        match outbound.try_send(bytes) {
            Ok(()) => SendOutcome::Queued,
            Err(mpsc::error::TrySendError::Full(_)) => SendOutcome::QueueFull,
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.closed(conn);
                SendOutcome::NoConnection
            }
        }
    }

    /// Open connections.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
}

/// Where a response goes when its connection has closed (RFC 3261 §18.2.2): the top
/// Via's `received` address (else its sent-by host when that is an IP, else the
/// original peer's address) at the sent-by port (default 5060). Requests go to `dest`.
pub fn reconnect_target(message: &Message, dest: SocketAddr) -> SocketAddr {
    let Message::Response(response) = message else {
        return dest;
    };
    let Ok(via) = response.headers.via_top() else {
        return dest;
    };
    let ip = via
        .received()
        .and_then(|r| r.parse::<IpAddr>().ok())
        .or_else(|| via.host.to_string().trim_matches(['[', ']']).parse().ok())
        .unwrap_or(dest.ip());
    SocketAddr::new(ip, via.port.unwrap_or(5060))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(via: &str) -> Message {
        let text = format!(
            "SIP/2.0 200 OK\r\nVia: {via}\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>;tag=2\r\n\
             Call-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        );
        Message::parse(text.as_bytes()).unwrap().message
    }

    #[test]
    fn reconnect_uses_received_and_sent_by_port() {
        let dest: SocketAddr = "198.51.100.1:40000".parse().unwrap();
        let m = response("SIP/2.0/TCP 10.0.0.1:5070;branch=z9hG4bK1;received=198.51.100.1");
        assert_eq!(
            reconnect_target(&m, dest),
            "198.51.100.1:5070".parse().unwrap()
        );
        let m = response("SIP/2.0/TCP 192.0.2.4;branch=z9hG4bK1");
        assert_eq!(
            reconnect_target(&m, dest),
            "192.0.2.4:5060".parse().unwrap()
        );
        let m = response("SIP/2.0/TCP phone.example:5099;branch=z9hG4bK1");
        assert_eq!(
            reconnect_target(&m, dest),
            "198.51.100.1:5099".parse().unwrap()
        );
    }

    #[tokio::test]
    async fn send_follows_the_peer_index() {
        let mut table = Connections::default();
        let peer: SocketAddr = "127.0.0.1:5555".parse().unwrap();
        assert_eq!(table.send(peer, Bytes::new()), SendOutcome::NoConnection);
        let (tx, mut rx) = mpsc::channel(1);
        table.opened(ConnId(1), peer, tx);
        assert_eq!(
            table.send(peer, Bytes::from_static(b"a")),
            SendOutcome::Queued
        );
        assert_eq!(
            table.send(peer, Bytes::from_static(b"b")),
            SendOutcome::QueueFull
        );
        assert_eq!(rx.recv().await.as_deref(), Some(b"a".as_slice()));
        table.closed(ConnId(1));
        assert_eq!(table.len(), 0);
        assert_eq!(table.send(peer, Bytes::new()), SendOutcome::NoConnection);
    }
}
