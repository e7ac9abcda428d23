//! What the transaction layer hands to the driver (transmissions) and to the TU (events).

use std::net::SocketAddr;

use crate::headers::Transport;
use crate::message::{Message, Request, Response};

use super::matching::{ClientTxKey, ServerTxKey, TxKey};
use super::timer::Timer;

/// A message the driver must put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it: the request's next hop, or the source of the request a
    /// response answers (RFC 3261 §18.2.2 with RFC 3581 symmetric response routing).
    pub dest: SocketAddr,
    /// Which transport to use (on streams: the connection the request came on).
    pub transport: Transport,
    /// The message; print it with [`Message::to_bytes`].
    pub message: Message,
    /// The transaction that sent it, to report a send failure with
    /// [`TransactionLayer::handle_transport_error`]; `None` for stateless sends.
    ///
    /// [`TransactionLayer::handle_transport_error`]: super::TransactionLayer::handle_transport_error
    pub key: Option<TxKey>,
}

/// Which INVITE server transaction a received CANCEL refers to (§9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelTarget {
    /// The INVITE has no final response yet: answer the CANCEL 200 and the INVITE 487.
    Pending(ServerTxKey),
    /// The INVITE was already answered with a final response: answer the CANCEL 200
    /// and leave the INVITE alone.
    Answered(ServerTxKey),
    /// No INVITE matches: answer the CANCEL 481 (Call/Transaction Does Not Exist).
    NotFound,
}

/// Something the TU must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxEvent {
    /// A new request (not ACK, not CANCEL) created server transaction `key`; answer it
    /// with [`TransactionLayer::send_response`]. For INVITE, 100 Trying is already sent.
    ///
    /// [`TransactionLayer::send_response`]: super::TransactionLayer::send_response
    NewRequest {
        /// The new server transaction.
        key: ServerTxKey,
        /// The request.
        request: Request,
        /// Where it came from.
        source: SocketAddr,
        /// What it came over.
        transport: Transport,
    },
    /// A CANCEL created server transaction `key` (answer it 200 or 481); `target` says
    /// which INVITE it cancels.
    Cancel {
        /// The CANCEL's own server transaction.
        key: ServerTxKey,
        /// The INVITE transaction it refers to.
        target: CancelTarget,
        /// The CANCEL request.
        request: Request,
        /// Where it came from.
        source: SocketAddr,
        /// What it came over.
        transport: Transport,
    },
    /// An ACK for a 2xx: it matched an INVITE transaction in the RFC 6026 Accepted state
    /// (`key` is `Some`), or no transaction at all (`None`, the usual case, since a
    /// 2xx ACK carries a new branch). The dialog layer consumes it.
    Ack {
        /// The Accepted INVITE transaction it matched, if any.
        key: Option<ServerTxKey>,
        /// The ACK.
        request: Request,
        /// Where it came from.
        source: SocketAddr,
        /// What it came over.
        transport: Transport,
    },
    /// A response for client transaction `key`. Retransmitted non-2xx final responses
    /// are absorbed; retransmitted 2xx to INVITE are passed up (RFC 6026) so the TU can
    /// ACK each one.
    Response {
        /// The client transaction.
        key: ClientTxKey,
        /// The response.
        response: Response,
    },
    /// A transaction gave up: Timer B or F (no final response: act as if a 408 came)
    /// or Timer H (our final response to an INVITE was never ACKed).
    Timeout {
        /// The transaction.
        key: TxKey,
        /// Which timer fired.
        timer: Timer,
    },
    /// The driver reported a send failure for this transaction (§17.1.1.2, §17.2.1).
    TransportError {
        /// The transaction.
        key: TxKey,
    },
    /// The transaction ended and was removed; its key is no longer valid.
    Terminated {
        /// The transaction.
        key: TxKey,
    },
}
