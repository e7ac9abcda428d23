//! SIP transports (RFC 3261 §18): UDP sockets and TCP listeners with their connections.
//!
//! Transports move bytes; they know framing and limits, not SIP semantics. Whole
//! messages go to the profile driver as [`StreamEvent`]s (streams) or are read by the
//! driver straight from the UDP socket. TLS and WebSocket plug in later as other
//! `AsyncRead + AsyncWrite` streams and another [`framing::StreamFraming`].

pub mod bad_request;
pub mod framing;
pub mod tcp;
pub mod udp;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;

/// Caps that keep a transport's memory bounded whatever the peers send.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest header section accepted on a stream (bytes).
    pub max_header_bytes: usize,
    /// Largest body accepted on a stream (bytes).
    pub max_body_bytes: usize,
    /// Open stream connections per listener; more are refused at accept.
    pub max_connections: usize,
    /// A connection silent this long is closed.
    pub idle_timeout: Duration,
    /// A write blocked this long (peer not reading) closes the connection.
    pub write_timeout: Duration,
    /// Messages queued for sending on one connection; beyond it they are dropped.
    pub connection_queue: usize,
}

impl Limits {
    /// The caps in the SIP parser's terms.
    pub fn message_limits(&self) -> witswitch_sip::Limits {
        witswitch_sip::Limits {
            max_header_bytes: self.max_header_bytes,
            max_body_bytes: self.max_body_bytes,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 64 * 1024,
            max_body_bytes: 1024 * 1024,
            max_connections: 1024,
            idle_timeout: Duration::from_secs(300),
            write_timeout: Duration::from_secs(10),
            connection_queue: 64,
        }
    }
}

/// Names one stream connection for the lifetime of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// What stream connections tell their profile driver.
#[derive(Debug)]
pub enum StreamEvent {
    /// A connection opened (accepted or connected); `outbound` sends bytes on it.
    Opened {
        /// The connection.
        conn: ConnId,
        /// The peer's address.
        peer: SocketAddr,
        /// Queue of bytes to write on the connection.
        outbound: mpsc::Sender<Bytes>,
    },
    /// One framed message arrived.
    Message {
        /// The peer's address (names the connection in the driver's table).
        peer: SocketAddr,
        /// The whole message.
        data: Bytes,
    },
    /// The connection is gone.
    Closed {
        /// The connection.
        conn: ConnId,
    },
}

/// Counters of what the transports refused, readable by status commands later.
/// Shared by `Arc` between a profile's driver and its connection tasks.
#[derive(Debug, Default)]
pub struct Counters {
    /// Input dropped without a response (unparsable, unroutable).
    pub dropped: AtomicU64,
    /// 400 responses sent for malformed input.
    pub bad_requests: AtomicU64,
    /// Stream connections refused at the connection cap.
    pub refused_connections: AtomicU64,
    /// Stream connections closed for a framing error.
    pub framing_errors: AtomicU64,
    /// Outbound messages dropped because a connection's queue was full.
    pub queue_overflows: AtomicU64,
}

impl Counters {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
