//! Errors of the transaction layer.

use crate::headers::HeaderError;
use crate::message::ValidationError;

use super::fsm::{ClientState, ServerState};
use super::matching::{ClientTxKey, ServerTxKey};

/// Why the transaction layer refused an input or a TU call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionError {
    /// A received request or response lacks the headers RFC 3261 §8.1.1 makes
    /// mandatory; it was dropped. A request may be answered 400 statelessly by the caller.
    #[error("invalid message: {0}")]
    Invalid(#[from] ValidationError),
    /// A request to send has a missing or malformed header the layer needs.
    #[error("request to send: {0}")]
    Header(#[from] HeaderError),
    /// A request to send has no top Via branch starting with `z9hG4bK`; this layer only
    /// originates RFC 3261 transactions (§8.1.1.7).
    #[error("top Via branch missing or without the z9hG4bK magic cookie")]
    BranchWithoutMagicCookie,
    /// A client transaction with this branch and method is still alive.
    #[error("a client transaction with branch {branch} is already running")]
    DuplicateBranch {
        /// The branch in question.
        branch: String,
    },
    /// ACK is never a client transaction: the ACK for a non-2xx is generated inside the
    /// INVITE transaction, and the ACK for a 2xx is sent statelessly by the TU (§17.1.1.3).
    #[error("ACK is sent statelessly, not as a client transaction")]
    AckIsStateless,
    /// No live server transaction has this key (it terminated, or never existed).
    #[error("no live server transaction {0}")]
    UnknownServer(ServerTxKey),
    /// No live client transaction has this key.
    #[error("no live client transaction {0}")]
    UnknownClient(ClientTxKey),
    /// The status code is outside 100-699.
    #[error("status code {0} is outside 100-699")]
    InvalidStatus(u16),
    /// The server transaction's state forbids this response (e.g. a second final
    /// response, §17.2.1/§17.2.2).
    #[error("cannot send a {status} response in state {state:?}")]
    ResponseNotAllowed {
        /// The status the TU tried to send.
        status: u16,
        /// The state that forbids it.
        state: ServerState,
    },
    /// CANCEL applies to an INVITE that got a provisional response and no final one
    /// (§9.1: wait for a provisional response before sending CANCEL).
    #[error("cannot CANCEL a client transaction in state {state:?}")]
    CancelNotAllowed {
        /// The INVITE transaction's state.
        state: ClientState,
    },
    /// The server transaction table is full of live transactions; the request was
    /// answered 503 statelessly.
    #[error("transaction table full; answered 503")]
    Overloaded,
}
