//! The call engine: owns every channel, consumes SIP/media/script inputs
//! and produces [`Effect`]s. Sans-IO: time is an argument, randomness comes
//! from the injected [`IdSource`], and nothing here blocks.
//!
//! Split by concern: `inbound` (new INVITEs), `negotiate` (SDP and
//! answering), `exec` (dialplan actions), `execute_app` (FreeSWITCH
//! application names), `ops` (play/collect/record/sleep...), `app` (app
//! component requests), `originate` + `outbound` (bridge dialing),
//! `bridged` (a live bridge, re-INVITEs), `hangup` (teardown, CDR),
//! `emit` (effects, events, snapshots), `sip_in` / `media_in` (dispatch).

mod api_calls;
mod api_ops;
pub use api_calls::TransferLegs;
mod api_originate;
mod socket;
mod state_events;
pub use api_ops::ApiOpError;
pub use api_originate::{OriginateJob, OriginateRequest, OriginateTo};
pub use socket::{SocketEnd, SocketTarget};
mod app;
mod bridged;
mod curl;
mod digit_ops;
mod emit;
mod exec;
mod execute_app;
mod hangup;
mod inbound;
mod media_in;
mod negotiate;
pub(crate) mod ops;
pub(crate) mod originate;
mod outbound;
mod recording;
mod sip_in;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use witswitch_types::{ChannelId, HangupCause};

use crate::action::{Action, RouteError, ScriptIdent};
use crate::app_io::{AppOutcome, AppRequest, RequestId};
use crate::channel::Channel;
use crate::clock::{IdSource, WallClock};
use crate::config::{EngineConfig, ProfileConfig};
use crate::effect::{Effect, LookupId};
use crate::limits::SessionLimits;
use crate::media_io::MediaEvent;
use crate::sip_io::{InboundInvite, RegisteredContact, SipInput};
use crate::timers::{TimerKind, Timers};

use self::originate::{Originate, OriginateId, PendingLookup};

/// Counters for `status` and `show` (FreeSWITCH's "sessions since startup").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Channels created since start.
    pub sessions_since_start: u64,
    /// Most channels up at once.
    pub peak_sessions: usize,
    /// INVITEs refused by a session limit.
    pub refused_by_limits: u64,
}

/// The call engine. See the crate docs for the flow of a call.
pub struct Engine {
    config: EngineConfig,
    profiles: HashMap<String, Arc<ProfileConfig>>,
    channels: HashMap<ChannelId, Channel>,
    originates: HashMap<OriginateId, Originate>,
    lookups: HashMap<LookupId, PendingLookup>,
    timers: Timers,
    limits: SessionLimits,
    effects: VecDeque<Effect>,
    /// Dialplans to continue at the end of the current input.
    resumes: VecDeque<ChannelId>,
    ids: Box<dyn IdSource>,
    wall: WallClock,
    next_id: u64,
    stats: EngineStats,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("channels", &self.channels.len())
            .field("originates", &self.originates.len())
            .field("timers", &self.timers.len())
            .field("effects", &self.effects.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine with `config`, uuids from `ids`, and wall-clock times from `wall`.
    pub fn new(config: EngineConfig, ids: Box<dyn IdSource>, wall: WallClock) -> Self {
        let limits = SessionLimits::new(config.max_sessions, config.sessions_per_second);
        let profiles = shared_profiles(&config);
        Self {
            config,
            profiles,
            channels: HashMap::new(),
            originates: HashMap::new(),
            lookups: HashMap::new(),
            timers: Timers::default(),
            limits,
            effects: VecDeque::new(),
            resumes: VecDeque::new(),
            ids,
            wall,
            next_id: 1,
            stats: EngineStats::default(),
        }
    }

    /// Replaces the global variables (`global_setvar`, `reloadxml`).
    pub fn set_globals(&mut self, globals: HashMap<String, String>) {
        self.config.globals = globals;
    }

    /// A new INVITE (outside any dialog). Returns the channel the engine
    /// allocated for it: every effect about this INVITE (the 503 of a
    /// session limit included) names that channel.
    pub fn handle_invite(&mut self, now: Instant, invite: InboundInvite) -> ChannelId {
        self.inbound_invite(now, invite)
    }

    /// Anything else the SIP side reports about a channel's dialog.
    pub fn handle_sip(&mut self, now: Instant, channel: ChannelId, input: SipInput) {
        self.sip_input(now, channel, input);
    }

    /// The dialplan's answer to [`Effect::Route`]: the actions to run, or why
    /// there are none. `script` names the dialplan script (for the CDR).
    pub fn handle_route_result(
        &mut self,
        now: Instant,
        channel: ChannelId,
        script: Option<ScriptIdent>,
        result: Result<Vec<Action>, RouteError>,
    ) {
        self.route_result(now, channel, script, result);
    }

    /// An event from the media engine.
    pub fn handle_media(&mut self, now: Instant, event: MediaEvent) {
        self.media_event(now, event);
    }

    /// The answer to [`Effect::Locate`]: the user's registered contacts
    /// (empty: not registered).
    pub fn handle_locate_result(
        &mut self,
        now: Instant,
        lookup: LookupId,
        contacts: Vec<RegisteredContact>,
    ) {
        self.locate_result(now, lookup, contacts);
    }

    /// A `call` method of a running app. Exactly one [`Effect::AppReply`]
    /// follows, now or when the operation ends.
    pub fn handle_app_request(
        &mut self,
        now: Instant,
        channel: ChannelId,
        request: RequestId,
        req: AppRequest,
    ) {
        self.app_request(now, channel, request, req);
    }

    /// The app component started by [`Effect::RunApp`] returned.
    pub fn handle_app_finished(&mut self, now: Instant, channel: ChannelId, outcome: AppOutcome) {
        self.app_finished(now, channel, outcome);
    }

    /// The answer to [`Effect::Http`] (`curl`): sets `curl_response_code` and
    /// `curl_response_data` and continues the dialplan. Late answers (the
    /// call hung up meanwhile) are ignored.
    pub fn handle_http_result(
        &mut self,
        now: Instant,
        channel: ChannelId,
        request: crate::http_io::HttpId,
        result: Result<crate::http_io::HttpReply, String>,
    ) {
        self.http_result(now, channel, request, result);
        self.drain(now);
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((id, kind)) = self.timers.pop_due(now) {
            match kind {
                TimerKind::Sleep(ch) | TimerKind::Digits(ch) | TimerKind::RecordLimit(ch) => {
                    self.op_timer(now, ch, id);
                }
                TimerKind::OriginateGroup(orig) => self.originate_timeout(now, orig),
                TimerKind::LegTimeout(ch) => self.leg_timeout(now, ch),
                TimerKind::ReportDue(ch) => self.report_due(now, ch, id),
                TimerKind::SessionRecordLimit(ch) => self.session_record_limit(now, ch, id),
            }
        }
        self.drain(now);
    }

    /// The next deadline to call [`Engine::handle_timeout`] at.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// The next effect to carry out.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }

    /// Hangs up a channel (API `uuid_kill`, shutdown). Unknown channels are ignored.
    pub fn hangup(&mut self, now: Instant, channel: ChannelId, cause: HangupCause) {
        self.hangup_local(now, channel, cause);
    }

    /// Hangs up every channel (`hupall`, shutdown).
    pub fn hangup_all(&mut self, now: Instant, cause: HangupCause) {
        let mut ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        ids.sort();
        for id in ids {
            self.hangup_local(now, id, cause);
        }
        if cause == HangupCause::SystemShutdown {
            // Nothing will answer after this: report the channels that wait
            // for their recordings to close now rather than never.
            self.report_waiting_now(now);
        }
    }

    /// Turns channel events on or off (the driver turns them off while no event
    /// socket client listens, so no snapshot is built for nobody).
    pub fn set_events(&mut self, on: bool) {
        self.config.events = on;
    }

    /// Sets a channel variable (`uuid_setvar`); `None` unsets it. Unknown channels
    /// are ignored; returns whether the channel exists.
    pub fn set_channel_var(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: Option<String>,
    ) -> bool {
        let Some(ch) = self.channels.get_mut(&channel) else {
            return false;
        };
        match value {
            Some(value) => ch.vars.set(name, value),
            None => ch.vars.unset(name),
        }
        true
    }

    /// Every channel, in creation order (`show channels`, `hupall`).
    pub fn channel_ids(&self) -> Vec<ChannelId> {
        let mut ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        ids.sort();
        ids
    }

    /// Changes `max-sessions` (`fsctl max_sessions`).
    pub fn set_max_sessions(&mut self, max: u32) {
        self.limits.set_max_sessions(max);
    }

    /// Changes `sessions-per-second` (`fsctl sps`).
    pub fn set_sessions_per_second(&mut self, per_second: u32) {
        self.limits.set_sessions_per_second(per_second);
    }

    /// The session limits in force.
    pub fn limits(&self) -> &SessionLimits {
        &self.limits
    }

    /// Replaces the profiles and gateways (config reload). Live channels
    /// keep what they negotiated.
    pub fn update_config(&mut self, config: EngineConfig) {
        self.limits.set_max_sessions(config.max_sessions);
        self.limits
            .set_sessions_per_second(config.sessions_per_second);
        self.profiles = shared_profiles(&config);
        self.config = config;
    }

    /// Channels up (all states before CS_DESTROY).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Counters.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// A channel's uuid.
    pub fn channel_uuid(&self, channel: ChannelId) -> Option<&str> {
        self.channels.get(&channel).map(|c| c.uuid.as_str())
    }

    /// The channel with this uuid (`uuid_*` API commands).
    pub fn find_channel(&self, uuid: &str) -> Option<ChannelId> {
        self.channels
            .values()
            .find(|c| c.uuid == uuid)
            .map(|c| c.id)
    }

    /// A channel variable (`uuid_getvar`).
    pub fn channel_var(&self, channel: ChannelId, name: &str) -> Option<&str> {
        self.channels.get(&channel)?.vars.get(name)
    }

    /// Every channel variable, sorted by name (`uuid_dump`).
    pub fn channel_vars(&self, channel: ChannelId) -> Option<Vec<(String, String)>> {
        let ch = self.channels.get(&channel)?;
        Some(
            ch.vars
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    /// A snapshot of a channel (`show channels`).
    pub fn channel_snapshot(&self, channel: ChannelId) -> Option<crate::ChannelSnapshot> {
        let ch = self.channels.get(&channel)?;
        Some(self.snapshot(ch))
    }

    fn alloc_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

fn shared_profiles(config: &EngineConfig) -> HashMap<String, Arc<ProfileConfig>> {
    config
        .profiles
        .iter()
        .map(|(name, p)| (name.clone(), Arc::new(p.clone())))
        .collect()
}
