//! Errors of the dialog layer's commands.

use crate::headers::HeaderError;
use crate::transaction::TransactionError;

use super::DialogKey;

/// Why a [`UserAgent`](super::UserAgent) command was refused. Network input never
/// produces one of these: bad requests are answered, bad responses dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UaError {
    /// No live session has this key (it ended, or never existed).
    #[error("no live session {0}")]
    UnknownDialog(DialogKey),
    /// `respond`/`answer` on a session with no incoming INVITE waiting for an answer.
    #[error("{0} has no incoming INVITE awaiting a response")]
    NothingToAnswer(DialogKey),
    /// A status code the command cannot send: 100 (the transaction layer sends it),
    /// or outside 101-699.
    #[error("status {0} cannot be sent here")]
    InvalidStatus(u16),
    /// The request needs a confirmed dialog (BYE, re-INVITE, INFO, OPTIONS).
    #[error("{0} has no confirmed dialog")]
    NotConfirmed(DialogKey),
    /// CANCEL applies only to our own INVITE before its final response.
    #[error("{0} has no outgoing INVITE to cancel")]
    NothingToCancel(DialogKey),
    /// An INVITE of ours or of the peer is still in progress on this dialog
    /// (RFC 3261 §14.1: one INVITE transaction at a time in each direction).
    #[error("an INVITE is already in progress on {0}")]
    InviteInProgress(DialogKey),
    /// `ack` on a session that is not waiting for the engine's late-offer answer.
    #[error("{0} is not waiting for an ACK body")]
    NoAckPending(DialogKey),
    /// The session is ending (BYE sent or received).
    #[error("{0} is terminating")]
    Terminating(DialogKey),
    /// A DTMF digit outside `0-9*#A-D`.
    #[error("{0:?} is not a DTMF digit")]
    InvalidDtmf(char),
    /// A header needed to build the message is malformed.
    #[error("cannot build the message: {0}")]
    Header(#[from] HeaderError),
    /// The transaction layer refused the message.
    #[error("transaction layer: {0}")]
    Transaction(#[from] TransactionError),
}
