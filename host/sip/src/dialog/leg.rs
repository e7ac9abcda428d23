//! The per-session bookkeeping of the user agent: the dialog plus the transactions and
//! timers in flight on it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::headers::Transport;
use crate::message::{Request, Response};
use crate::transaction::{ClientTxKey, ServerTxKey};
use crate::uac_auth::{ClientCredentials, DigestSession};
use crate::uri::SipUri;

use super::ids::DialogKey;
use super::state::{Dialog, PeerRouting};

/// One INVITE session.
#[derive(Debug)]
pub(super) struct Leg {
    pub(super) dialog: Dialog,
    /// Where the dialog was set up: the INVITE's source (inbound) or destination
    /// (outbound).
    pub(super) peer: SocketAddr,
    pub(super) transport: Transport,
    pub(super) routing: PeerRouting,
    /// Our Contact for this session.
    pub(super) contact: SipUri,
    /// For 401/407 on requests we send in this session.
    pub(super) credentials: Option<ClientCredentials>,
    /// The top Via sent-by of the peer's INVITE (for the ACK timeout diagnosis).
    pub(super) via_sent_by: String,
    /// An INVITE (initial or re-INVITE) from the peer that has no final response yet.
    pub(super) incoming: Option<IncomingInvite>,
    /// Our INVITE (initial or re-INVITE) that has no final response yet.
    pub(super) outgoing: Option<OutgoingInvite>,
    /// Our 2xx waiting for its ACK.
    pub(super) awaiting_ack: Option<AwaitingAck>,
    /// A 2xx to our offerless INVITE, waiting for the engine's answer to put in the ACK.
    pub(super) ack_body_needed: Option<LateAck>,
    /// BYE sent (or deferred until the ACK): the session is ending.
    pub(super) terminating: bool,
    /// The engine asked for BYE while our 2xx was unacknowledged (§15: wait for the
    /// ACK or its timeout).
    pub(super) bye_after_ack: bool,
    /// The deadline queued for this leg's 2xx retransmission / ACK wait.
    pub(super) timer: Option<Instant>,
}

/// An INVITE we received and have not answered finally.
#[derive(Debug)]
pub(super) struct IncomingInvite {
    pub(super) key: ServerTxKey,
    pub(super) request: Request,
    pub(super) reinvite: bool,
}

/// Our INVITE in flight; the request itself is in the client table.
#[derive(Debug)]
pub(super) struct OutgoingInvite {
    pub(super) key: ClientTxKey,
    pub(super) reinvite: bool,
    /// The engine asked to CANCEL; sent once the INVITE is Proceeding (§9.1).
    pub(super) cancel_requested: bool,
    pub(super) cancel_sent: bool,
    /// The INVITE carried an SDP offer (else the ACK must carry the answer).
    pub(super) offered: bool,
}

/// Our 2xx and its retransmission schedule (RFC 3261 §13.3.1.4).
#[derive(Debug)]
pub(super) struct AwaitingAck {
    pub(super) key: ServerTxKey,
    pub(super) cseq: u32,
    pub(super) response: Response,
    pub(super) interval: Duration,
    pub(super) next: Instant,
    pub(super) started: Instant,
    pub(super) give_up: Instant,
}

/// What the ACK of a late-offer INVITE needs once the engine has the answer.
#[derive(Debug)]
pub(super) struct LateAck {
    pub(super) invite_key: ClientTxKey,
    pub(super) to_tag: String,
}

/// What a client transaction of ours is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClientKind {
    Invite,
    ReInvite,
    Bye,
    Info,
    Options,
    Cancel,
    /// The BYE for a 2xx we do not want (a forked answer, or one that crossed our
    /// CANCEL or arrived after the session ended).
    CleanupBye,
}

/// A client transaction of ours, with what a retry or a late 2xx needs.
#[derive(Debug)]
pub(super) struct ClientUse {
    pub(super) dialog: DialogKey,
    pub(super) kind: ClientKind,
    pub(super) request: Request,
    pub(super) auth: DigestSession,
    pub(super) dest: SocketAddr,
    pub(super) transport: Transport,
    /// ACKs sent for 2xx to this INVITE, by To tag, resent for each retransmitted 2xx
    /// (RFC 6026 §8.4 hands every retransmission to us).
    pub(super) acks: Vec<(String, Request, SocketAddr)>,
}
