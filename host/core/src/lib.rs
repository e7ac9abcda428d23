//! The witswitch call engine (sans-IO): channels with FreeSWITCH's states
//! and variables, dialplan execution, bridge/originate (B2BUA), app
//! requests, hangup causes, CDRs and channel events.
//!
//! # How a call flows
//! 1. The binary's SIP side hands over a new INVITE with
//!    [`Engine::handle_invite`] (after any `auth-calls` 407 challenge: the
//!    engine never challenges). Session limits apply first (503 +
//!    Retry-After); an offer with no common codec gets 488.
//! 2. The channel enters CS_ROUTING and the engine emits [`Effect::Route`]
//!    with the [`CallInfo`] (context: the profile's, or the caller's
//!    `user_context` when authenticated). The driver runs the dialplan and
//!    calls [`Engine::handle_route_result`].
//! 3. Actions run in order (CS_EXECUTE). Those that wait (playback, sleep,
//!    bridge, echo, park, app, ...) resume the list when they end. When the
//!    list runs out the channel hangs up with NORMAL_CLEARING.
//! 4. Media goes through [`MediaCommand`]s; the media engine answers with
//!    [`MediaEvent`]s ([`Engine::handle_media`]). SIP goes through
//!    [`SipCommand`]s and comes back as [`SipInput`]s ([`Engine::handle_sip`]).
//! 5. At hangup: the SIP message that ends the dialog, CHANNEL_HANGUP, then
//!    a [`CdrRecord`] and CHANNEL_HANGUP_COMPLETE, then [`Effect::Destroyed`].
//!
//! The driver loop: feed one input, drain [`Engine::poll_effect`] until
//! `None`, arm a timer at [`Engine::poll_timeout`], call
//! [`Engine::handle_timeout`] when it fires.
//!
//! Not done here: API-driven originate/transfer/uuid_bridge (the event
//! socket issue builds them on [`Engine`]).

pub mod action;
pub mod app_io;
pub mod call_info;
pub mod cdr;
mod channel;
pub mod clock;
pub mod config;
pub mod dialstring;
pub mod digits;
pub mod effect;
mod engine;
pub mod events;
pub mod http_io;
pub mod limits;
pub mod media_io;
pub mod sip_io;
pub mod states;
mod timers;
pub mod vars;

pub use action::{Action, LogLevel, RouteError, ScriptIdent};
pub use app_io::{
    AppError, AppOutcome, AppRequest, AppResponse, BridgeOutcome, CollectOptions, CollectedDigits,
    PlayAndGetDigitsOptions, PlayOutcome, RecordOptions, Recording, RequestId,
};
pub use call_info::CallInfo;
pub use cdr::{CdrError, CdrRecord, CdrRotation, RotationPlan};
pub use clock::{IdSource, SeededIds, WallClock};
pub use config::{EngineConfig, ProfileConfig};
pub use effect::{Effect, LookupId};
pub use engine::{
    ApiOpError, Engine, EngineStats, OriginateJob, OriginateRequest, OriginateTo, SocketEnd,
    SocketTarget, TransferLegs,
};
pub use events::{ChannelEvent, ChannelSnapshot, EventName};
pub use http_io::{CurlOutput, HttpId, HttpMethod, HttpReply, HttpRequest};
pub use limits::{LimitExceeded, SessionLimits};
pub use media_io::{
    MediaCommand, MediaEvent, NegotiatedCodec, PlayId, PlaybackError, RecordLayout,
};
pub use sip_io::{
    AuthenticatedUser, InboundGateway, InboundInvite, InviteTarget, RegisteredContact, SipCommand,
    SipInput,
};
pub use states::{AnswerState, CallDirection, CallState, ChannelState};
pub use vars::{VarSnapshot, Variables};
pub use witswitch_types::{ChannelId, HangupCause, LegId};
