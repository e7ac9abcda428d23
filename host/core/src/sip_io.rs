//! What the SIP side tells the engine and what the engine asks of it.
//!
//! These are engine-level: the binary translates the dialog layer's
//! `UserAgent` events into [`InboundInvite`] / [`SipInput`] and turns each
//! [`SipCommand`] into a UA command. Every command and input is keyed by the
//! engine's [`ChannelId`](witswitch_types::ChannelId); the binary keeps the map
//! channel ↔ (profile, dialog). SDP travels as bytes.
//!
//! What the SIP side does before and around the engine:
//! - `auth-calls`: the 407 challenge and digest check happen before the
//!   engine sees an INVITE; an authenticated INVITE arrives with
//!   [`InboundInvite::auth`] filled in (user and directory variables).
//! - 100 Trying, ACK for 2xx of outgoing INVITEs, 200 OK to BYE/CANCEL,
//!   the 487 to a cancelled INVITE, retransmissions and digest answers to 401/407 on outgoing INVITEs
//!   (gateways) are the UA's job.

use std::net::SocketAddr;

use witswitch_types::HangupCause;

/// An INVITE that starts a new dialog (the A leg of a call).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboundInvite {
    /// The SIP profile it arrived on (`internal`, `external`).
    pub profile: String,
    /// `Call-ID`.
    pub call_id: String,
    /// The Request-URI user: becomes `destination_number`.
    pub request_user: String,
    /// The Request-URI host.
    pub request_host: String,
    /// From display name (`caller_id_name`; the user is used when absent).
    pub from_display: Option<String>,
    /// From URI user (`sip_from_user`, `caller_id_number`).
    pub from_user: String,
    /// From URI host (`sip_from_host`).
    pub from_host: String,
    /// To URI user (`sip_to_user`).
    pub to_user: String,
    /// To URI host (`sip_to_host`).
    pub to_host: String,
    /// Where the INVITE came from (`network_addr`, `sip_network_port`).
    pub source: Option<SocketAddr>,
    /// `User-Agent`, if sent.
    pub user_agent: Option<String>,
    /// Headers a dialplan may look at (`X-*`, `P-Asserted-Identity`,
    /// `Remote-Party-ID`, `Diversion`), names as received.
    pub headers: Vec<(String, String)>,
    /// The SDP offer; `None` for late offer (RFC 3261 §13.2.1: we offer in
    /// the 200 and the peer answers in the ACK).
    pub sdp: Option<Vec<u8>>,
    /// The digest-authenticated user, when the profile challenged the INVITE.
    pub auth: Option<AuthenticatedUser>,
    /// The gateway whose registration this INVITE was sent to (the
    /// Request-URI is the Contact we registered: `gw=<name>`).
    pub gateway: Option<InboundGateway>,
}

/// A call arriving through one of our gateway registrations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboundGateway {
    /// The gateway's name (`sip_gateway_name`).
    pub name: String,
    /// The gateway's `context`: where the call routes.
    pub context: String,
}

/// A caller that passed digest authentication.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthenticatedUser {
    /// The directory user id (`1000`).
    pub user: String,
    /// Its domain.
    pub domain: String,
    /// The user's directory variables (`user_context`,
    /// `effective_caller_id_name/number`, `accountcode`, ...), copied onto the
    /// channel. `user_context` picks the routing context.
    pub variables: Vec<(String, String)>,
}

/// Everything else the SIP side reports about a channel's dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SipInput {
    /// 1xx (other than 100) to our INVITE, with early-media SDP for 183.
    Provisional {
        /// The status code (180, 183, ...).
        status: u16,
        /// The SDP answer carried by the response.
        sdp: Option<Vec<u8>>,
    },
    /// 2xx to our INVITE (the UA sends the ACK).
    Answered {
        /// The SDP answer.
        sdp: Option<Vec<u8>>,
    },
    /// A final error response to our INVITE, or a transport failure/timeout
    /// (report those as 408 or 503, as RFC 3261 §8.1.3.1 says).
    Failed {
        /// The status code.
        status: u16,
        /// The cause from a `Reason: Q.850;cause=N` header (RFC 3326), which
        /// wins over the status mapping.
        reason: Option<HangupCause>,
    },
    /// The ACK for our 2xx; carries the answer for a late offer.
    Ack {
        /// SDP in the ACK.
        sdp: Option<Vec<u8>>,
    },
    /// The peer sent BYE (the UA answered 200).
    Bye {
        /// The cause from a `Reason` header.
        reason: Option<HangupCause>,
    },
    /// The peer cancelled its INVITE (the UA answered the CANCEL with 200
    /// and the INVITE with 487; the engine only ends the channel).
    Cancel {
        /// The cause from a `Reason` header.
        reason: Option<HangupCause>,
    },
    /// A re-INVITE in the dialog (hold/unhold, new media); `sdp: None` asks
    /// us to offer in the 200 (answer arrives in the ACK).
    ReInvite {
        /// The new offer.
        sdp: Option<Vec<u8>>,
    },
    /// 2xx to a re-INVITE we sent.
    ReInviteAnswered {
        /// The SDP answer.
        sdp: Option<Vec<u8>>,
    },
    /// A final error to a re-INVITE we sent (the old media stays, RFC 3261 §14.1).
    ReInviteFailed {
        /// The status code.
        status: u16,
    },
    /// A DTMF digit from SIP INFO (`application/dtmf-relay` or `application/dtmf`).
    Dtmf {
        /// `0-9`, `*`, `#`, `A-D`.
        digit: char,
        /// Duration in ms.
        duration_ms: u32,
    },
    /// Our 2xx was never ACKed (RFC 3261 §13.3.1.4, 64·T1).
    AckTimeout,
}

/// Where an outgoing INVITE goes, resolved from a dial string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteTarget {
    /// A registered contact of a `user/` target: send to `uri`, over the
    /// flow the REGISTER came from (`source`) when the contact is behind NAT.
    Contact {
        /// The directory user (`To` user).
        user: String,
        /// Its domain (empty when the dial string named none: the binary's default domain).
        domain: String,
        /// The Contact URI it registered.
        uri: String,
        /// The address the REGISTER came from.
        source: Option<SocketAddr>,
    },
    /// `sofia/gateway/<name>/<number>`: the binary builds the URI from the
    /// gateway's settings and answers its digest challenges.
    Gateway {
        /// Gateway name.
        name: String,
        /// The number to dial.
        number: String,
    },
    /// `sofia/<profile>/<user@host[:port]>`: a SIP URI (without `sip:` when
    /// the dial string had none).
    Uri {
        /// `user@host[:port]` or a full `sip:` URI.
        uri: String,
    },
}

/// A registered contact of a directory user (the answer to
/// [`crate::Effect::Locate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredContact {
    /// The profile the user registered on.
    pub profile: String,
    /// The Contact URI.
    pub uri: String,
    /// The source address of the REGISTER (for NAT).
    pub source: Option<SocketAddr>,
}

/// What the engine asks the SIP side to do on a channel's dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SipCommand {
    /// A provisional response to the incoming INVITE: 180 Ringing, or 183
    /// Session Progress with early-media SDP.
    Progress {
        /// 180 or 183.
        status: u16,
        /// The SDP (183).
        sdp: Option<Vec<u8>>,
    },
    /// 200 OK to the incoming INVITE.
    Answer {
        /// Our SDP (an answer, or an offer for a late-offer INVITE).
        sdp: Vec<u8>,
    },
    /// A final error response to the incoming INVITE.
    Reject {
        /// The status (RFC 3398 mapping of `cause`, or 503/488/487...).
        status: u16,
        /// The cause for `Reason: Q.850;cause=N;text="NAME"` (RFC 3326).
        cause: HangupCause,
        /// `Retry-After` seconds (503 over a session limit).
        retry_after: Option<u32>,
    },
    /// Send an INVITE for a new outgoing leg.
    Invite {
        /// Where to.
        target: InviteTarget,
        /// From display name (caller id name).
        caller_id_name: String,
        /// From user (caller id number).
        caller_id_number: String,
        /// Our SDP offer.
        sdp: Vec<u8>,
        /// Extra headers from `sip_h_*` channel variables.
        headers: Vec<(String, String)>,
    },
    /// End an established dialog.
    Bye {
        /// For the `Reason` header.
        cause: HangupCause,
    },
    /// Cancel our unanswered INVITE (RFC 3261 §9.1).
    Cancel {
        /// For the `Reason` header (FreeSWITCH sends
        /// `Reason: SIP;cause=487;text="ORIGINATOR_CANCEL"`).
        cause: HangupCause,
    },
    /// Send a re-INVITE with a new offer.
    ReInvite {
        /// The offer.
        sdp: Vec<u8>,
    },
    /// Answer a re-INVITE we received.
    RespondReInvite {
        /// 200, or 488 when the new offer is unusable.
        status: u16,
        /// Our answer (or offer, for an offerless re-INVITE).
        sdp: Option<Vec<u8>>,
    },
}
