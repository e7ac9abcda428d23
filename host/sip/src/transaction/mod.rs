//! Sans-IO SIP transactions (RFC 3261 §17, with RFC 6026's Accepted states).
//!
//! [`TransactionLayer`] owns every live transaction. The driver feeds it received
//! messages ([`TransactionLayer::handle_incoming`]) and the clock
//! ([`TransactionLayer::handle_timeout`]); the TU starts client transactions
//! ([`TransactionLayer::send_request`]) and answers server ones
//! ([`TransactionLayer::send_response`]). Output is drained with
//! [`TransactionLayer::poll_transmit`], [`TransactionLayer::poll_event`] and
//! [`TransactionLayer::poll_timeout`]. Nothing here reads a clock or touches a socket.
//!
//! Choices worth knowing:
//! - **2xx to INVITE follows RFC 6026.** Both INVITE transactions enter Accepted after a
//!   2xx instead of terminating. The server absorbs INVITE retransmissions there for
//!   Timer L and sends each 2xx the TU hands it (the TU retransmits its 2xx, §13.3.1.4);
//!   the client passes every 2xx (retransmissions included) to the TU for Timer M so it
//!   can ACK each. ACKs for 2xx are sent by the TU with
//!   [`TransactionLayer::send_stateless`].
//! - **100 Trying is sent immediately** for every new INVITE (see `server.rs`).
//! - **Timer B runs only in Calling.** Once a provisional response arrives, how long to
//!   ring is the TU's decision (FreeSWITCH `call_timeout`), which then CANCELs.
//! - **Memory is bounded** by [`TransactionConfig::max_server_transactions`]: a full table
//!   evicts the oldest transaction that only absorbs retransmissions, else answers 503.

mod build;
mod client;
mod client_invite;
mod client_non_invite;
mod common;
mod error;
mod event;
mod fsm;
mod handle_map;
mod layer;
mod matching;
mod server;
mod server_invite;
mod server_non_invite;
mod timer;

pub use build::{ack_for_failure, cancel_for};
pub use client_invite::InviteClientState;
pub use client_non_invite::NonInviteClientState;
pub use error::TransactionError;
pub use event::{CancelTarget, Transmit, TxEvent};
pub use fsm::{ClientState, ServerState};
pub use layer::{
    DEFAULT_MAX_SERVER_TRANSACTIONS, TransactionConfig, TransactionLayer, TransactionStats,
};
pub use matching::{ClientTxKey, MAGIC_COOKIE, ServerTxKey, TxKey, is_rfc3261_branch};
pub use server_invite::InviteServerState;
pub use server_non_invite::NonInviteServerState;
pub use timer::{DEFAULT_T1, DEFAULT_T2, DEFAULT_T4, Timer, TimerConfig};
