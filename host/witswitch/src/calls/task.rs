//! The call task: the one owner of the call engine. It feeds the engine what
//! the profiles, the media engine and the script tasks report, and carries
//! out every effect: SIP commands to the profile tasks, media commands,
//! dialplan and app invocations, app replies, `user/` lookups, CDR lines and
//! log lines. One input at a time, then all effects, then the next input.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot, watch};
use witswitch_core::{
    AppError, AppResponse, CdrRecord, ChannelId, Effect, Engine, HangupCause, LogLevel, LookupId,
    MediaEvent as CoreMediaEvent, RegisteredContact, RequestId, SipCommand, SipInput,
};
use witswitch_sip::dialog::TerminationReason;

use super::control_link;
use super::invoke::{Internal, Invoker};
use super::link::{InviteSpec, ProfileCommand, ProfileIndex, ProfileMsg};
use super::media_link::MediaLink;
use super::originate_link::Originates;
use super::sip_map::{Route, SipMap};
use crate::control::CallControl;
use crate::control::channel_events::EventSink;
use crate::media::MediaEvent;

/// The call task's view of one profile.
#[derive(Debug)]
pub struct ProfilePort {
    /// Profile name, as the engine names it.
    pub name: String,
    /// Its command queue.
    pub commands: mpsc::UnboundedSender<ProfileCommand>,
    /// Whether phones register there (asked in `user/` lookups).
    pub registers: bool,
}

/// Where the call task's inputs come from.
#[derive(Debug)]
pub struct CallInputs {
    /// Every profile task.
    pub profiles: mpsc::UnboundedReceiver<(ProfileIndex, ProfileMsg)>,
    /// Script tasks.
    pub internal: mpsc::UnboundedReceiver<Internal>,
    /// The media engine.
    pub media: mpsc::Receiver<MediaEvent>,
    /// API commands and `sendmsg` from the event socket.
    pub control: mpsc::UnboundedReceiver<CallControl>,
    /// Set to true at shutdown.
    pub shutdown: watch::Receiver<bool>,
}

/// A `user/` lookup waiting for its profiles' answers.
#[derive(Debug, Default)]
struct PendingLookup {
    waiting: usize,
    contacts: Vec<RegisteredContact>,
}

type AppReply = oneshot::Sender<Result<AppResponse, AppError>>;

/// The call task's state.
#[derive(Debug)]
pub struct CallTask {
    engine: Engine,
    sip: SipMap,
    profiles: Vec<ProfilePort>,
    media: MediaLink,
    invoker: Invoker,
    cdr: Option<mpsc::UnboundedSender<CdrRecord>>,
    app_replies: HashMap<(ChannelId, RequestId), AppReply>,
    lookups: HashMap<LookupId, PendingLookup>,
    events: Option<EventSink>,
    originates: Originates,
}

impl CallTask {
    /// A task around `engine`.
    pub fn new(
        engine: Engine,
        profiles: Vec<ProfilePort>,
        media: MediaLink,
        invoker: Invoker,
        cdr: Option<mpsc::UnboundedSender<CdrRecord>>,
        events: Option<EventSink>,
    ) -> Self {
        CallTask {
            engine,
            sip: SipMap::default(),
            profiles,
            media,
            invoker,
            cdr,
            app_replies: HashMap::new(),
            lookups: HashMap::new(),
            events,
            originates: Originates::default(),
        }
    }

    /// Runs until shutdown, then hangs every call up.
    pub async fn run(mut self, mut inputs: CallInputs) {
        loop {
            let deadline = self.engine.poll_timeout();
            // Channel events only while an event socket client listens.
            let listening = self.events.as_ref().is_some_and(EventSink::listening);
            self.engine.set_events(listening);
            tokio::select! {
                Some((index, msg)) = inputs.profiles.recv() => {
                    self.on_profile(Instant::now(), index, msg);
                }
                Some(event) = inputs.media.recv() => self.on_media(Instant::now(), event),
                Some(msg) = inputs.internal.recv() => self.on_internal(Instant::now(), msg),
                Some(request) = inputs.control.recv() => {
                    let now = Instant::now();
                    if let Some(request) = self.originates.intercept(&mut self.engine, now, request) {
                        control_link::handle(&mut self.engine, now, request);
                    }
                }
                () = sleep_until(deadline) => self.engine.handle_timeout(Instant::now()),
                changed = inputs.shutdown.changed() => {
                    if changed.is_err() || *inputs.shutdown.borrow() {
                        self.engine.hangup_all(Instant::now(), HangupCause::SystemShutdown);
                        self.dispatch().await;
                        self.media.log_totals();
                        return;
                    }
                }
            }
            self.dispatch().await;
        }
    }

    fn on_profile(&mut self, now: Instant, index: ProfileIndex, msg: ProfileMsg) {
        match msg {
            ProfileMsg::Invite { dialog, invite } => {
                let channel = self.engine.handle_invite(now, *invite);
                self.sip.bind(channel, index, dialog);
            }
            ProfileMsg::Dialog { dialog, input } => {
                let Some(channel) = self.sip.channel(index, dialog) else {
                    return;
                };
                if let SipInput::Dtmf { digit, duration_ms } = &input {
                    self.log_dtmf(channel, *digit, *duration_ms, "SIP INFO");
                }
                self.engine.handle_sip(now, channel, input);
            }
            ProfileMsg::Ended { dialog, reason } => {
                let Some(channel) = self.sip.ended(index, dialog) else {
                    return;
                };
                // The dialog died under a live channel (481/408 to an in-dialog
                // request, a transport failure): the call cannot go on.
                let cause = match reason {
                    TerminationReason::DialogLost(408) => HangupCause::RecoveryOnTimerExpire,
                    TerminationReason::DialogLost(_) => HangupCause::NormalClearing,
                    TerminationReason::TransportError => HangupCause::NetworkOutOfOrder,
                    _ => return,
                };
                self.engine.hangup(now, channel, cause);
            }
            ProfileMsg::InviteStarted { channel, dialog } => {
                let (queued, _alive) = self.sip.started(channel, dialog);
                for command in queued {
                    self.send_profile(index, ProfileCommand::Dialog { dialog, command });
                }
            }
            ProfileMsg::InviteFailed { channel, status } => {
                if self.sip.failed(channel) {
                    let input = SipInput::Failed {
                        status,
                        reason: None,
                    };
                    self.engine.handle_sip(now, channel, input);
                }
            }
            ProfileMsg::Located { lookup, contacts } => {
                let Some(pending) = self.lookups.get_mut(&lookup) else {
                    return;
                };
                pending.contacts.extend(contacts);
                pending.waiting = pending.waiting.saturating_sub(1);
                if pending.waiting == 0
                    && let Some(done) = self.lookups.remove(&lookup)
                {
                    self.engine.handle_locate_result(now, lookup, done.contacts);
                }
            }
        }
    }

    fn on_media(&mut self, now: Instant, event: MediaEvent) {
        let Some(event) = self.media.event(event) else {
            return;
        };
        if let CoreMediaEvent::Dtmf {
            leg,
            digit,
            duration_ms,
        } = &event
        {
            self.log_dtmf(leg.channel(), *digit, *duration_ms, "RFC 4733");
        }
        self.engine.handle_media(now, event);
    }

    fn log_dtmf(&self, channel: ChannelId, digit: char, duration_ms: u32, how: &str) {
        let uuid = self.engine.channel_uuid(channel).unwrap_or("-");
        tracing::info!("{uuid} DTMF {digit} ({duration_ms} ms, {how})");
    }

    fn on_internal(&mut self, now: Instant, msg: Internal) {
        match msg {
            Internal::Routed {
                channel,
                script,
                result,
            } => self
                .engine
                .handle_route_result(now, channel, script, result),
            Internal::AppRequest {
                channel,
                request,
                req,
                reply,
            } => {
                self.app_replies.insert((channel, request), reply);
                self.engine.handle_app_request(now, channel, request, req);
            }
            Internal::HttpDone {
                channel,
                request,
                result,
            } => self
                .engine
                .handle_http_result(now, channel, request, result),
            Internal::AppFinished { channel, outcome } => {
                self.engine.handle_app_finished(now, channel, outcome);
            }
        }
    }

    /// Carries out every effect the engine has queued.
    async fn dispatch(&mut self) {
        while let Some(effect) = self.engine.poll_effect() {
            match effect {
                Effect::Sip {
                    channel,
                    profile,
                    command,
                } => self.sip_effect(channel, &profile, command),
                Effect::Media(command) => match self.media.execute(command).await {
                    Ok(Some(event)) => self.engine.handle_media(Instant::now(), event),
                    Ok(None) => {}
                    Err(e) => tracing::error!("media engine: {e}"),
                },
                Effect::Route { channel, call_info } => self.invoker.route(channel, call_info),
                Effect::RunApp {
                    channel,
                    name,
                    call_info,
                    ..
                } => self.invoker.run_app(channel, name, call_info),
                Effect::Http { channel, request } => {
                    let uuid = self.engine.channel_uuid(channel).unwrap_or("-").to_owned();
                    self.invoker.curl(channel, uuid, request);
                }
                Effect::AppReply {
                    channel,
                    request,
                    result,
                } => {
                    if let Some(reply) = self.app_replies.remove(&(channel, request)) {
                        let _ = reply.send(result);
                    }
                }
                Effect::Locate {
                    lookup,
                    user,
                    domain,
                } => self.locate(lookup, user, domain),
                Effect::Cdr(record) => self.write_cdr(*record),
                Effect::Event(event) => {
                    if let Some(events) = &self.events {
                        events.send(event);
                    }
                }
                Effect::Log {
                    uuid,
                    level,
                    message,
                    ..
                } => log_line(&uuid, level, &message),
                Effect::Originated { job, result } => self.originates.finish(job, result),
                Effect::Socket {
                    channel,
                    target,
                    data,
                } => match &self.events {
                    Some(events) => {
                        crate::control::outbound::spawn(Arc::clone(events.hub()), target, &data);
                    }
                    // No event socket configured: nothing can serve the session.
                    None => {
                        let end = witswitch_core::SocketEnd::Refused;
                        self.engine.socket_ended(Instant::now(), channel, end);
                    }
                },
                Effect::Destroyed { channel } => {
                    self.sip.destroyed(channel);
                    // Requests the engine never answered end with the call.
                    self.app_replies.retain(|(c, _), _| *c != channel);
                }
            }
        }
    }

    fn sip_effect(&mut self, channel: ChannelId, profile: &str, command: SipCommand) {
        if let SipCommand::Invite {
            target,
            caller_id_name,
            caller_id_number,
            sdp,
            headers,
        } = command
        {
            let Some(index) = self.profiles.iter().position(|p| p.name == profile) else {
                tracing::warn!("no profile {profile} for an outgoing call");
                let input = SipInput::Failed {
                    status: 503,
                    reason: None,
                };
                self.engine.handle_sip(Instant::now(), channel, input);
                return;
            };
            self.sip.dialing(channel, index);
            let spec = InviteSpec {
                target,
                caller_id_name,
                caller_id_number,
                sdp,
                headers,
                resolved: None,
            };
            match self.profiles.get(index) {
                Some(port) => super::dns::send_invite(&port.commands, channel, Box::new(spec)),
                None => tracing::debug!("profile {index} gone before an outgoing INVITE"),
            }
            return;
        }
        match self.sip.route(channel, &command) {
            Route::Dialog(index, dialog) => {
                self.send_profile(index, ProfileCommand::Dialog { dialog, command });
            }
            Route::Queued => {}
            Route::Unknown => tracing::debug!("no dialog for {channel:?}: {command:?} dropped"),
        }
    }

    fn send_profile(&self, index: ProfileIndex, command: ProfileCommand) {
        if let Some(port) = self.profiles.get(index)
            && port.commands.send(command).is_err()
        {
            tracing::debug!("profile {} stopped", port.name);
        }
    }

    /// Asks every profile phones register on; the engine hears once all answered.
    fn locate(&mut self, lookup: LookupId, user: String, domain: Option<String>) {
        let targets: Vec<ProfileIndex> = (0..self.profiles.len())
            .filter(|i| self.profiles.get(*i).is_some_and(|p| p.registers))
            .collect();
        if targets.is_empty() {
            self.engine
                .handle_locate_result(Instant::now(), lookup, Vec::new());
            return;
        }
        self.lookups.insert(
            lookup,
            PendingLookup {
                waiting: targets.len(),
                contacts: Vec::new(),
            },
        );
        for index in targets {
            self.send_profile(
                index,
                ProfileCommand::Locate {
                    lookup,
                    user: user.clone(),
                    domain: domain.clone(),
                },
            );
        }
    }

    fn write_cdr(&self, record: CdrRecord) {
        tracing::info!(
            "{} hangup {} ({}) billsec {}",
            record.uuid,
            record.hangup_cause.name(),
            record.sip_hangup_disposition,
            record.billsec
        );
        if let Some(cdr) = &self.cdr
            && cdr.send(record).is_err()
        {
            tracing::error!("CDR writer stopped");
        }
    }
}

fn log_line(uuid: &str, level: LogLevel, message: &str) {
    match level {
        LogLevel::Debug => tracing::debug!("{uuid} {message}"),
        LogLevel::Info => tracing::info!("{uuid} {message}"),
        LogLevel::Notice => tracing::info!("{uuid} {message}"),
        LogLevel::Warning => tracing::warn!("{uuid} {message}"),
        LogLevel::Err | LogLevel::Crit | LogLevel::Alert => tracing::error!("{uuid} {message}"),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
        None => std::future::pending().await,
    }
}
