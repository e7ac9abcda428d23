//! One channel (one SIP leg): its states, variables, media negotiation and
//! what its controller (dialplan or app) is waiting for.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use witswitch_sdp::{NegotiatedMedia, SdpOrigin, SessionDescription};
use witswitch_types::{ChannelId, HangupCause};

use crate::action::{Action, ScriptIdent};
use crate::app_io::{AppRequest, RequestId};
use crate::config::ProfileConfig;
use crate::engine::ops::OpKind;
use crate::engine::originate::OriginateId;
use crate::sip_io::InviteTarget;
use crate::states::{AnswerState, CallDirection, CallState, ChannelState};
use crate::timers::TimerId;
use crate::vars::Variables;

/// Most DTMF digits buffered per channel; older ones are dropped.
pub(crate) const MAX_DTMF_BUFFER: usize = 128;

/// The media leg's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegStatus {
    /// No `CreateLeg` sent yet.
    None,
    /// `CreateLeg` sent, waiting for `LegReady`.
    Creating,
    /// Bound: our RTP address.
    Ready(SocketAddr),
}

/// Offer/answer and media state of a channel.
#[derive(Debug)]
pub(crate) struct ChannelMedia {
    pub leg: LegStatus,
    pub origin: SdpOrigin,
    /// An offer we received and have not answered yet.
    pub remote_offer: Option<SessionDescription>,
    /// An offer we sent, waiting for its answer (late offer, B legs, re-INVITEs).
    pub our_offer: Option<SessionDescription>,
    /// The description we sent last in 183/200 (the 200 repeats the 183's).
    pub local_sdp: Option<Vec<u8>>,
    pub negotiated: Option<NegotiatedMedia>,
    /// `Configure` was sent: media can flow.
    pub configured: bool,
    /// The leg this one should be media-bridged to (early media or answer).
    pub want_bridge: Option<ChannelId>,
    /// The media engine has been asked to relay to this peer.
    pub bridged_to: Option<ChannelId>,
    /// Recordings running (paths).
    pub recordings: Vec<String>,
    /// `record_session` asked before media was configured.
    pub pending_recordings: Vec<String>,
    /// Recordings asked to stop whose `RecordDone` has not come back: the
    /// CDR waits for them (their `record_ms`...), at most
    /// `RECORD_CLOSE_GRACE`, with this timer.
    pub closing_recordings: Vec<String>,
    /// Armed while a hung-up channel's report waits for `closing_recordings`.
    pub report_wait: Option<TimerId>,
}

/// Something deferred until the media leg is up (and configured).
#[derive(Debug, Clone)]
pub(crate) enum Deferred {
    Action(Action),
    App(RequestId, AppRequest),
}

/// Who waits for the current operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Owner {
    /// The dialplan; `var` receives digits of `play_and_get_digits`/`read`.
    Dialplan { var: Option<String> },
    /// An app request.
    App(RequestId),
}

/// The blocking operation a channel's controller waits on.
#[derive(Debug)]
pub(crate) struct Op {
    pub owner: Owner,
    pub kind: OpKind,
    pub timer: Option<TimerId>,
}

/// A running `app` component.
#[derive(Debug)]
pub(crate) struct AppRun {
    pub name: String,
    /// `transfer` was requested: route again when the app returns.
    pub transfer: Option<(String, Option<String>)>,
}

/// Dialplan execution state.
#[derive(Debug, Default)]
pub(crate) struct Exec {
    pub queue: VecDeque<Action>,
    pub transfers: u32,
    /// Application running (for EXECUTE_COMPLETE): name, data.
    pub current: Option<(String, String)>,
    /// `Application-UUID`s of the first actions of `queue` (a `sendmsg`
    /// execute's `Event-UUID`, which clients such as modesl wait for).
    pub queued_uuids: VecDeque<Option<String>>,
    /// The `Application-UUID` of the running application.
    pub current_uuid: Option<String>,
    /// A `park` or `echo` suspended while `sendmsg`'d applications run: the
    /// next one popped from the queue resumes it, without a second
    /// CHANNEL_EXECUTE or CHANNEL_PARK (FreeSWITCH runs such applications inside
    /// the loop of `park` or `echo`).
    pub suspended: bool,
    /// An outbound event socket (`socket` application) controls the channel.
    pub socket: bool,
    /// `uuid_record` limits armed: the timer and the recording it stops.
    pub record_limits: Vec<(crate::timers::TimerId, String)>,
}

/// An outgoing INVITE waiting for the leg's RTP address.
#[derive(Debug, Clone)]
pub(crate) struct PendingInvite {
    pub target: InviteTarget,
    pub caller_id_name: String,
    pub caller_id_number: String,
    pub headers: Vec<(String, String)>,
    /// The A leg's codec, offered first so the bridge can relay.
    pub first_codec: Option<witswitch_sdp::CodecName>,
}

/// How the channel ended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HangupRecord {
    pub cause: HangupCause,
    pub sip_status: Option<u16>,
    pub disposition: &'static str,
}

/// A channel.
#[derive(Debug)]
pub(crate) struct Channel {
    pub id: ChannelId,
    pub uuid: String,
    pub call_uuid: String,
    pub direction: CallDirection,
    pub profile: String,
    /// The profile's settings when the channel was created (a reload does
    /// not change a live channel).
    pub profile_cfg: Arc<ProfileConfig>,
    pub name: String,
    pub state: ChannelState,
    pub call_state: CallState,
    pub vars: Variables,
    /// Selected headers of the INVITE (A legs).
    pub sip_headers: Vec<(String, String)>,
    pub created: Instant,
    pub answered: Option<Instant>,
    pub hangup_at: Option<Instant>,
    /// 183 with media sent (inbound) or received (outbound).
    pub early_media: bool,
    /// 180 sent (inbound).
    pub ringing_sent: bool,
    pub media: ChannelMedia,
    pub hangup: Option<HangupRecord>,
    pub exec: Exec,
    pub op: Option<Op>,
    pub app: Option<AppRun>,
    pub dtmf: String,
    /// The bridged peer (both legs point at each other).
    pub peer: Option<ChannelId>,
    /// A legs: the originate they run. B legs: the originate that made them.
    pub originate: Option<OriginateId>,
    /// B legs: the INVITE to send once the leg is up; `None` once sent.
    pub pending_invite: Option<PendingInvite>,
    pub invite_sent: bool,
    /// B legs: their `leg_timeout`.
    pub leg_timer: Option<TimerId>,
    pub script: Option<ScriptIdent>,
    /// The party called (To user of B legs, destination of A legs).
    pub callee: String,
    pub route_pending: bool,
    /// The other leg's uuid, kept for the CDR after the bridge ends.
    pub other_leg_uuid: Option<String>,
    /// The state and call state last reported in CHANNEL_STATE / CHANNEL_CALLSTATE
    /// (`None` until the channel's first event).
    pub reported: Option<(crate::states::ChannelState, crate::states::CallState)>,
}

impl Channel {
    /// Whether the channel has been answered.
    pub fn is_answered(&self) -> bool {
        self.answered.is_some()
    }

    /// Whether the channel is hanging up or gone.
    pub fn is_hungup(&self) -> bool {
        self.hangup.is_some()
    }

    /// ESL's `Answer-State`.
    pub fn answer_state(&self) -> AnswerState {
        if self.hangup.is_some() {
            AnswerState::Hangup
        } else if self.answered.is_some() {
            AnswerState::Answered
        } else if self.early_media {
            AnswerState::Early
        } else {
            AnswerState::Ringing
        }
    }

    /// A variable, falling back to nothing.
    pub fn var(&self, name: &str) -> &str {
        self.vars.get(name).unwrap_or_default()
    }

    /// Buffers a DTMF digit, dropping the oldest past the cap.
    pub fn buffer_dtmf(&mut self, digit: char) {
        if self.dtmf.len() >= MAX_DTMF_BUFFER {
            self.dtmf.remove(0);
        }
        self.dtmf.push(digit);
    }
}
