//! The messages between the profile SIP tasks and the call task.
//!
//! Every dialog lives in its profile's `UserAgent`; the call task knows it by
//! `(profile index, DialogKey)` and maps that to the engine's `ChannelId`
//! (`sip_map`). Inbound dialogs arrive with [`ProfileMsg::Invite`]; outbound
//! ones are started by [`ProfileCommand::Invite`] and named back by
//! [`ProfileMsg::InviteStarted`] before any event of that dialog (one FIFO
//! channel per direction keeps that order).
//!
//! The channels are unbounded on purpose: the profile task and the call task
//! send to each other, so two bounded queues could deadlock when both fill.
//! The session limits (max-sessions, sessions-per-second) bound the traffic.

use witswitch_core::{
    ChannelId, InboundInvite, InviteTarget, LookupId, RegisteredContact, SipCommand, SipInput,
};
use witswitch_sip::dialog::{DialogKey, TerminationReason};

/// Position of a profile in the configuration's profile list.
pub type ProfileIndex = usize;

/// What a profile task tells the call task.
#[derive(Debug)]
pub enum ProfileMsg {
    /// A new INVITE, already past the ACL and `auth-calls`.
    Invite {
        /// Its session in the profile's user agent.
        dialog: DialogKey,
        /// What the engine needs of it.
        invite: Box<InboundInvite>,
    },
    /// Anything else about a dialog.
    Dialog {
        /// The session.
        dialog: DialogKey,
        /// What happened.
        input: SipInput,
    },
    /// The session is over in the user agent.
    Ended {
        /// The session.
        dialog: DialogKey,
        /// Why.
        reason: TerminationReason,
    },
    /// The INVITE of an outgoing leg went out as this session.
    InviteStarted {
        /// The engine's channel.
        channel: ChannelId,
        /// Its session.
        dialog: DialogKey,
    },
    /// The INVITE of an outgoing leg could not be sent (bad target, unknown
    /// gateway, transport): `status` as if the far end had answered it.
    InviteFailed {
        /// The engine's channel.
        channel: ChannelId,
        /// 404 for an unusable target, 503 otherwise.
        status: u16,
    },
    /// The answer to [`ProfileCommand::Locate`].
    Located {
        /// The lookup.
        lookup: LookupId,
        /// The live registrations of the user on this profile.
        contacts: Vec<RegisteredContact>,
    },
}

/// The parts of an outgoing INVITE (the engine's `SipCommand::Invite`).
#[derive(Debug, Clone)]
pub struct InviteSpec {
    /// Where to.
    pub target: InviteTarget,
    /// From display name.
    pub caller_id_name: String,
    /// From user.
    pub caller_id_number: String,
    /// Our offer.
    pub sdp: Vec<u8>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Where to send a `sofia/<profile>/user@host` INVITE whose host is a
    /// name: looked up by the call task before the profile sends it.
    pub resolved: Option<std::net::SocketAddr>,
}

/// What the call task asks of a profile task.
#[derive(Debug)]
pub enum ProfileCommand {
    /// A command on an existing session.
    Dialog {
        /// The session.
        dialog: DialogKey,
        /// What to do (never `Invite`).
        command: SipCommand,
    },
    /// Start an outgoing leg.
    Invite {
        /// The engine's channel.
        channel: ChannelId,
        /// The INVITE.
        spec: Box<InviteSpec>,
    },
    /// Find the registered contacts of `user@domain` (the profile's domain
    /// when `None`).
    Locate {
        /// The lookup.
        lookup: LookupId,
        /// The user id.
        user: String,
        /// Its domain.
        domain: Option<String>,
    },
}
