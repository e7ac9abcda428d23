//! The SIP user agent layer the call engine sits on: dialogs (RFC 3261 §12), INVITE
//! sessions on both sides (§13-§15), CANCEL (§9), in-dialog INFO/OPTIONS, and digest
//! retries for our requests (§22.2), sans-IO.
//!
//! [`UserAgent`] owns the sessions and drives a borrowed
//! [`TransactionLayer`](crate::transaction::TransactionLayer). The call engine:
//!
//! 1. passes every [`TxEvent`](crate::transaction::TxEvent) to
//!    [`UserAgent::handle_tx_event`] and forwards what comes back unclaimed (REGISTER,
//!    out-of-dialog OPTIONS, other users' transactions) to the registrar and friends;
//! 2. drains [`UserAgent::poll_event`] and acts on each [`UaEvent`];
//! 3. arms a timer at [`UserAgent::poll_timeout`] (besides the layer's own) and calls
//!    [`UserAgent::handle_timeout`];
//! 4. issues commands: [`UserAgent::respond`], [`answer`](UserAgent::answer),
//!    [`invite`](UserAgent::invite), [`cancel`](UserAgent::cancel),
//!    [`ack`](UserAgent::ack), [`bye`](UserAgent::bye),
//!    [`reinvite`](UserAgent::reinvite), [`send_info`](UserAgent::send_info),
//!    [`send_dtmf_info`](UserAgent::send_dtmf_info),
//!    [`send_options`](UserAgent::send_options).
//!
//! Choices worth knowing:
//! - **Incoming CANCEL is answered here**: 200 to the CANCEL and 487 to the INVITE, then
//!   [`UaEvent::Cancelled`] and [`UaEvent::Terminated`]. The engine only hangs up.
//! - **2xx retransmission and the ACK wait are here** (§13.3.1.4): T1 doubling to T2,
//!   [`UaEvent::AckTimeout`] after 64*T1 with a NAT diagnosis for the log.
//! - **The ACK for a 2xx goes out statelessly** for the first 2xx and for every
//!   retransmission (RFC 6026), to the route set / remote target.
//! - **Forked or late 2xx** (another To tag, or a 2xx crossing our CANCEL) are ACKed
//!   and BYEd at once; the session keeps the first answer.
//! - **Inbound sessions answer where the INVITE came from** ([`PeerRouting::Symmetric`]),
//!   outbound ones follow RFC routing unless told otherwise.

mod agent;
mod config;
pub mod dtmf;
mod error;
mod event;
mod ids;
mod in_dialog;
mod leg;
mod state;
mod uac;
mod uas;

pub use agent::UserAgent;
pub use config::{DEFAULT_ALLOW, UaConfig};
pub use dtmf::Dtmf;
pub use error::UaError;
pub use event::{
    AckTimeoutDiagnosis, Body, OutgoingInvite, Reply, SDP, TerminationReason, UaEvent, sdp_of,
};
pub use ids::{DialogId, DialogKey, IdSource};
pub use state::{Dialog, DialogState, PeerRouting, Role, is_private_ip, uri_address};
