//! One event-socket connection as a sans-IO state machine (inbound on :8021, or the
//! switch's side of an outbound `socket` connection).
//!
//! Driving it (ARCHITECTURE.md "sans-IO"):
//! * bytes from the client → [`EslSession::handle_input`] (read only while
//!   [`EslSession::wants_read`]);
//! * items from the subscriber queue → [`EslSession::handle_item`] (pop while
//!   [`EslSession::pending_output`] is small, so a slow client backs up into its bounded
//!   queue, never into memory here);
//! * drain [`EslSession::poll_transmit`] to the socket and [`EslSession::poll_request`]
//!   to the host: run API commands (off the socket reader) and answer with
//!   [`EslSession::complete_api`], deliver `sendmsg`, publish `sendevent`, apply
//!   subscription changes to the bus;
//! * timers: [`EslSession::poll_timeout`] / [`EslSession::handle_timeout`] (linger);
//! * close the socket once [`EslSession::is_closed`] and the transmit queue is empty.
//!
//! Replies go out in command order: while an `api`, `sendmsg`, `getvar` or `userauth`
//! is with the host, later commands wait in the input buffer (events keep flowing).

mod commands;
pub mod sendmsg;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

pub use sendmsg::CallCommand;

use crate::api::LogLevel;
use crate::call_site;
use crate::event::{Event, EventFactory, EventFormat, EventTime, builders, names, serialize};
use crate::queue::QueueItem;
use crate::subscription::Subscription;
use crate::wire::{Decoder, Limits, frames};

/// Makes the ids the session hands out (bgapi `Job-UUID`, `sendevent`'s `Event-UUID`).
/// Randomness is injected: the binary passes a UUID generator, tests a counter.
pub trait IdSource: Send {
    /// A fresh UUID string.
    fn next_uuid(&mut self) -> String;
}

impl<F: FnMut() -> String + Send> IdSource for F {
    fn next_uuid(&mut self) -> String {
        self()
    }
}

/// Names a deferred command the host must complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(u64);

/// Work for the host.
#[derive(Debug, Clone)]
pub enum Request {
    /// Run an API command line (`status`, `show channels`, ...) and call
    /// [`EslSession::complete_api`] with its output.
    Api {
        /// Completion id.
        id: RequestId,
        /// The command line after `api `.
        command: String,
    },
    /// Run an API command in the background and publish its BACKGROUND_JOB event
    /// ([`builders::background_job`]); the session already replied.
    BgApi {
        /// The job id (client-chosen through a `Job-UUID` header, or generated).
        job_uuid: String,
        /// The command line after `bgapi `.
        command: String,
    },
    /// Deliver a message to a channel; complete with [`EslSession::complete_reply`]
    /// (`+OK`, or `-ERR invalid session id [<uuid>]`).
    SendMsg {
        /// Completion id.
        id: RequestId,
        /// Target channel.
        uuid: String,
        /// What to do.
        command: CallCommand,
    },
    /// Publish a client event (stamp it with [`EventFactory::stamp`] first); with
    /// `target_uuid` deliver it to that channel instead of the bus.
    SendEvent {
        /// The event with the client's headers and `Event-UUID`.
        event: Event,
        /// The `Unique-ID` header, if the client addressed a channel.
        target_uuid: Option<String>,
    },
    /// Read a channel variable; complete with [`EslSession::complete_reply`] (the value).
    GetVar {
        /// Completion id.
        id: RequestId,
        /// The channel.
        uuid: String,
        /// Variable name.
        name: String,
    },
    /// Check `userauth user@domain:password`; complete with [`EslSession::complete_userauth`].
    UserAuth {
        /// Completion id.
        id: RequestId,
        /// User part.
        user: String,
        /// Domain part.
        domain: String,
        /// Password.
        password: String,
    },
    /// The subscription changed: update this subscriber on the bus.
    Subscription(Subscription),
    /// Log forwarding changed (`None` = stopped).
    LogLevel(Option<LogLevel>),
    /// Outbound: continue the dialplan when the socket closes (`resume`).
    Resume,
    /// `divert_events on|off` for the bound channel.
    DivertEvents(bool),
}

/// How the controlled channel is handed to an outbound session.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// The CHANNEL_DATA event (core headers stamped, built with
    /// [`crate::event::channel::ChannelEventKind::ConnectData`]) sent on `connect`.
    pub channel_data: Event,
    /// `async` flag of the `socket` application.
    pub async_mode: bool,
    /// `full` flag: the whole command set instead of the channel-only subset.
    pub full: bool,
}

/// Session settings.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The `auth` password.
    pub password: String,
    /// Input caps.
    pub limits: Limits,
}

/// The time inputs of [`EslSession::handle_item`].
#[derive(Debug, Clone, Copy)]
pub struct Now {
    /// Monotonic time, for the linger timer.
    pub instant: Instant,
    /// Wall time, for events the session makes (the loss notice).
    pub wall: EventTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Inbound, before `auth`.
    Unauthenticated,
    /// Accepting commands.
    Ready,
    /// Nothing more is read or sent except what is queued; the host closes after flushing.
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PendingKind {
    Api,
    Reply,
    UserAuth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Linger {
    Off,
    /// Linger for this long (`None` = until the client closes).
    On(Option<u32>),
}

/// One ESL connection.
pub struct EslSession {
    config: SessionConfig,
    phase: Phase,
    decoder: Decoder,
    transmit: VecDeque<Bytes>,
    transmit_bytes: usize,
    requests: VecDeque<Request>,
    subscription: Subscription,
    log_level: Option<LogLevel>,
    pending: Option<(RequestId, PendingKind)>,
    next_request: u64,
    ids: Box<dyn IdSource>,
    factory: Arc<EventFactory>,
    outbound: Option<OutboundConfig>,
    linger: Linger,
    linger_deadline: Option<Instant>,
    hangup_seen: bool,
    /// The bound channel hung up while a request was with the host: the
    /// disconnect notice waits for that request's reply.
    disconnect_after_pending: bool,
    lost_total: u64,
    /// Outbound: the client sent `resume` (the dialplan continues when it closes).
    resumed: bool,
}

impl std::fmt::Debug for EslSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EslSession")
            .field("phase", &self.phase)
            .field("pending", &self.pending)
            .field("transmit_bytes", &self.transmit_bytes)
            .field("outbound", &self.outbound.is_some())
            .finish_non_exhaustive()
    }
}

impl EslSession {
    fn new(config: SessionConfig, factory: Arc<EventFactory>, ids: Box<dyn IdSource>) -> Self {
        let decoder = Decoder::new(config.limits);
        Self {
            config,
            phase: Phase::Unauthenticated,
            decoder,
            transmit: VecDeque::new(),
            transmit_bytes: 0,
            requests: VecDeque::new(),
            subscription: Subscription::default(),
            log_level: None,
            pending: None,
            next_request: 1,
            ids,
            factory,
            outbound: None,
            linger: Linger::Off,
            linger_deadline: None,
            hangup_seen: false,
            disconnect_after_pending: false,
            lost_total: 0,
            resumed: false,
        }
    }

    /// An inbound session; the `auth/request` greeting is queued.
    pub fn inbound(
        config: SessionConfig,
        factory: Arc<EventFactory>,
        ids: Box<dyn IdSource>,
    ) -> Self {
        let mut session = Self::new(config, factory, ids);
        session.send(frames::AUTH_REQUEST.to_vec());
        session
    }

    /// The switch's side of an outbound socket: already trusted, bound to the channel,
    /// waiting for `connect`.
    pub fn outbound(
        config: SessionConfig,
        factory: Arc<EventFactory>,
        ids: Box<dyn IdSource>,
        outbound: OutboundConfig,
    ) -> Self {
        let mut session = Self::new(config, factory, ids);
        session.phase = Phase::Ready;
        if let Some(uuid) = outbound.channel_data.header("Unique-ID") {
            session.subscription.bind(uuid);
        }
        session.outbound = Some(outbound);
        session
            .requests
            .push_back(Request::Subscription(session.subscription.clone()));
        session
    }

    /// Feeds bytes read from the client.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.phase == Phase::Closed {
            return;
        }
        self.decoder.push(bytes);
        // A driver that honours `wants_read` stays below twice the cap (one read past
        // it at most); more means it does not, and memory must stay bounded anyway.
        if self.decoder.buffered() > self.input_cap().saturating_mul(2) {
            self.fail("-ERR command too long");
            return;
        }
        self.process_input();
    }

    fn input_cap(&self) -> usize {
        self.config
            .limits
            .max_head
            .saturating_add(self.config.limits.max_body)
    }

    /// Whether the driver should read more input (false while closed or while the
    /// client has pipelined a full buffer behind a pending command).
    pub fn wants_read(&self) -> bool {
        self.phase != Phase::Closed && self.decoder.buffered() < self.input_cap()
    }

    /// The client closed its side: nothing more will be read.
    pub fn handle_eof(&mut self) {
        self.phase = Phase::Closed;
    }

    fn process_input(&mut self) {
        while self.pending.is_none() && self.phase != Phase::Closed {
            match self.decoder.next_packet() {
                Ok(Some(packet)) => self.handle_packet(packet),
                Ok(None) => break,
                Err(error) => {
                    self.fail(&format!("-ERR {error}"));
                    break;
                }
            }
        }
    }

    /// Replies with an error, says goodbye and closes (unframeable or oversize input).
    fn fail(&mut self, reply: &str) {
        self.send(frames::command_reply(reply));
        self.send(frames::disconnect_notice());
        self.phase = Phase::Closed;
    }

    /// Next bytes for the socket.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        let bytes = self.transmit.pop_front()?;
        self.transmit_bytes -= bytes.len();
        Some(bytes)
    }

    /// Bytes queued for the socket.
    pub fn pending_output(&self) -> usize {
        self.transmit_bytes
    }

    /// Outbound: whether the client asked with `resume` that the channel's dialplan
    /// continue when the socket closes (else the channel is hung up).
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// Next piece of work for the host.
    pub fn poll_request(&mut self) -> Option<Request> {
        self.requests.pop_front()
    }

    /// Whether the connection is done: flush [`Self::poll_transmit`], then close.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// The subscription (also sent to the host on every change).
    pub fn subscription(&self) -> &Subscription {
        &self.subscription
    }

    /// Loss notices delivered so far, in events.
    pub fn lost_total(&self) -> u64 {
        self.lost_total
    }

    fn send(&mut self, bytes: impl Into<Bytes>) {
        let bytes = bytes.into();
        self.transmit_bytes += bytes.len();
        self.transmit.push_back(bytes);
    }

    fn reply(&mut self, text: &str) {
        self.send(frames::command_reply(text));
    }

    fn request_id(&mut self) -> RequestId {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        id
    }

    fn defer(&mut self, kind: PendingKind) -> RequestId {
        let id = self.request_id();
        self.pending = Some((id, kind));
        id
    }

    fn take_pending(&mut self, id: RequestId, kind: PendingKind) -> bool {
        if self.pending == Some((id, kind)) {
            self.pending = None;
            true
        } else {
            false
        }
    }

    /// The output of an `api` request. Ignored for unknown ids (a late answer after
    /// the session closed).
    pub fn complete_api(&mut self, id: RequestId, output: &str) {
        if !self.take_pending(id, PendingKind::Api) || self.phase == Phase::Closed {
            return;
        }
        self.send(frames::api_response(output));
        self.after_completion();
    }

    /// The reply text of a `sendmsg` or `getvar` request.
    pub fn complete_reply(&mut self, id: RequestId, reply_text: &str) {
        if !self.take_pending(id, PendingKind::Reply) || self.phase == Phase::Closed {
            return;
        }
        self.reply(reply_text);
        self.after_completion();
    }

    /// The verdict on a `userauth` request.
    pub fn complete_userauth(&mut self, id: RequestId, accepted: bool) {
        if !self.take_pending(id, PendingKind::UserAuth) || self.phase == Phase::Closed {
            return;
        }
        self.finish_auth(accepted);
        self.after_completion();
    }

    /// A request's answer went out: the channel's deferred disconnect follows
    /// it, else the next buffered command runs.
    fn after_completion(&mut self) {
        if std::mem::take(&mut self.disconnect_after_pending) && self.phase != Phase::Closed {
            self.say_goodbye();
        } else {
            self.process_input();
        }
    }

    fn finish_auth(&mut self, accepted: bool) {
        if accepted {
            self.phase = Phase::Ready;
            self.reply("+OK accepted");
        } else {
            self.reply("-ERR invalid");
            self.send(frames::disconnect_notice());
            self.phase = Phase::Closed;
        }
    }

    /// Delivers one item popped from this subscriber's queue.
    pub fn handle_item(&mut self, item: QueueItem, now: Now) {
        if self.phase != Phase::Ready {
            return;
        }
        match item {
            QueueItem::Event(shared) => {
                let event = shared.event();
                if self.subscription.matches(event) {
                    let format = self.subscription.format().unwrap_or_default();
                    self.send(shared.frame(format));
                    if event.name() == names::BACKGROUND_JOB
                        && self.subscription.only_bound()
                        && let Some(job) = event.header("Job-UUID")
                    {
                        self.subscription.forget_job(job);
                    }
                }
                if self.subscription.is_bound_hangup(event) && !self.hangup_seen {
                    let channel_name = event.header("Channel-Name").unwrap_or_default().to_string();
                    self.on_bound_hangup(&channel_name, now.instant);
                }
            }
            QueueItem::Log(record) => {
                if self.log_level.is_some_and(|level| record.level <= level) {
                    self.send(frames::log_data(&record));
                }
            }
            QueueItem::Lost(lost) => {
                self.lost_total += lost;
                let notice = builders::event_loss(
                    &self.factory,
                    now.wall,
                    call_site!("deliver"),
                    lost,
                    self.lost_total,
                );
                let format = self.subscription.format().unwrap_or_default();
                self.send(serialize::event_frame(&notice, format));
            }
        }
    }

    /// The bound channel is gone: linger, or say goodbye and close.
    fn on_bound_hangup(&mut self, channel_name: &str, now: Instant) {
        self.hangup_seen = true;
        match self.linger {
            Linger::On(secs) => {
                let uuid = self.subscription.bound_uuid().unwrap_or_default();
                let notice = frames::linger_notice(uuid, channel_name, secs);
                self.send(notice);
                self.linger_deadline = secs.map(|s| now + Duration::from_secs(u64::from(s)));
            }
            // A `sendmsg hangup` is answered before the channel's goodbye (in
            // FreeSWITCH the reply precedes the execution): a client waiting for
            // that reply must get it, so the notice waits for the host.
            Linger::Off if self.pending.is_some() => self.disconnect_after_pending = true,
            Linger::Off => self.say_goodbye(),
        }
    }

    /// The bound channel's disconnect notice, then close.
    fn say_goodbye(&mut self) {
        let uuid = self.subscription.bound_uuid().unwrap_or_default();
        self.send(frames::session_disconnect_notice(uuid));
        self.phase = Phase::Closed;
    }

    /// When [`Self::handle_timeout`] wants to run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.linger_deadline
    }

    /// Ends a linger whose time is up.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.linger_deadline.is_some_and(|deadline| now >= deadline) {
            self.linger_deadline = None;
            self.phase = Phase::Closed;
        }
    }

    fn subscription_changed(&mut self) {
        self.requests
            .push_back(Request::Subscription(self.subscription.clone()));
    }

    fn event_format_word(word: Option<&str>) -> Option<EventFormat> {
        word.and_then(EventFormat::parse)
    }
}

#[cfg(test)]
mod tests;
