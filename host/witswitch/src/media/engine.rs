//! `MediaEngine`: the cloneable handle the call task drives, and the
//! control task behind it that binds ports, spawns media tasks and routes
//! each command to the task that currently hosts the leg (a bridge moves
//! one leg into its partner's task; unbridging moves it out again).
//!
//! Commands are rare (a handful per call) and go through the one control
//! task in order, so routing needs no shared map or lock; packets never
//! touch it.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use witswitch_media::RecordLayout;

use super::api::{
    LegId, MediaCommand, MediaError, MediaEvent, MediaFailure, NegotiatedCodec, PlayRequest,
};
use super::events::EventSink;
use super::leg::{Leg, LegTiming};
use super::ports::{DEFAULT_PORT_MAX, DEFAULT_PORT_MIN, PortAllocator};
use super::reactor::{TaskId, ThreadMessage};
use super::stats::{EngineCounters, MediaStats};
use super::task::TaskCommand;
use super::threads::{self, MediaThreads, Placement};

/// How the engine is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaConfig {
    /// First port of the RTP range (`rtp-start-port`).
    pub port_min: u16,
    /// Last port of the RTP range (`rtp-end-port`).
    pub port_max: u16,
    /// Address legs bind to unless `create_leg` names one (`rtp-ip`).
    pub local_ip: IpAddr,
    /// Silence from the peer this long raises `RtpTimeout` (`rtp-timeout-sec`);
    /// `None` disables it.
    pub rtp_timeout: Option<Duration>,
    /// A latched peer silent this long may be replaced by a new source
    /// address with its SSRC (NAT rebinding; symmetric RTP).
    pub relatch_after: Duration,
    /// Legs a media thread takes before the next thread gets any (see
    /// `threads::Placement`).
    pub pack: usize,
    /// Depth of the event channel.
    pub event_capacity: usize,
    /// Media threads; 0 runs one per core.
    pub threads: usize,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            port_min: DEFAULT_PORT_MIN,
            port_max: DEFAULT_PORT_MAX,
            local_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            rtp_timeout: Some(witswitch_media::session::DEFAULT_RTP_TIMEOUT),
            relatch_after: witswitch_media::session::DEFAULT_RELATCH_AFTER,
            pack: threads::PACK,
            event_capacity: 4096,
            threads: 0,
        }
    }
}

/// A message to the control task.
#[derive(Debug)]
enum Control {
    /// `create_leg`, answered on `reply` (or by `LegReady`/`Error` events).
    Create {
        leg: LegId,
        local_ip: Option<IpAddr>,
        reply: Option<oneshot::Sender<Result<SocketAddr, MediaError>>>,
    },
    /// `destroy_leg`; `done` is told when the sockets are closed.
    Destroy {
        leg: LegId,
        done: Option<oneshot::Sender<()>>,
    },
    /// `applied`: `done` is told once the leg's task has reached it.
    Applied {
        leg: LegId,
        done: oneshot::Sender<()>,
    },
    /// Every other command.
    Command(MediaCommand),
}

/// The media engine handle: cheap to clone, every method a message to the
/// control task. Fire-and-forget commands report failures as
/// `MediaEvent::Error`; their `Result` only says whether the engine runs.
#[derive(Debug, Clone)]
pub struct MediaEngine {
    control: mpsc::Sender<Control>,
    counters: Arc<EngineCounters>,
}

impl MediaEngine {
    /// Starts the engine on media threads of its own (see `threads.rs`).
    /// Returns the handle and the receiver of every leg's events (bounded;
    /// see `events.rs` for what happens when it is not read fast enough).
    pub fn new(config: MediaConfig) -> Result<(Self, mpsc::Receiver<MediaEvent>), MediaError> {
        let ports = PortAllocator::new(config.port_min, config.port_max)?;
        let counters = Arc::new(EngineCounters::default());
        let (event_tx, event_rx) = mpsc::channel(config.event_capacity.max(16));
        let (control_tx, control_rx) = mpsc::channel(256);
        let sink = EventSink::new(event_tx.clone(), counters.clone());
        let task_counters = counters.clone();
        let thread_count = match config.threads {
            0 => threads::default_count(),
            n => n,
        };
        let pack = config.pack;
        let orphans = sink.fork();
        MediaThreads::start(thread_count, counters.clone(), &orphans, move |threads| {
            let control = ControlTask {
                config,
                ports,
                routes: HashMap::new(),
                events: event_tx,
                sink,
                counters: task_counters,
                placement: Placement::new(threads.count(), pack),
                threads,
                next_task: 0,
            };
            control.run(control_rx)
        })?;
        Ok((
            Self {
                control: control_tx,
                counters,
            },
            event_rx,
        ))
    }

    async fn send(&self, message: Control) -> Result<(), MediaError> {
        self.control
            .send(message)
            .await
            .map_err(|_| MediaError::Stopped)
    }

    /// Binds an RTP/RTCP pair for `leg` on `local_ip` (or the configured
    /// address); returns the RTP address for SDP.
    pub async fn create_leg(
        &self,
        leg: LegId,
        local_ip: Option<IpAddr>,
    ) -> Result<SocketAddr, MediaError> {
        let (reply, answer) = oneshot::channel();
        self.send(Control::Create {
            leg,
            local_ip,
            reply: Some(reply),
        })
        .await?;
        answer.await.map_err(|_| MediaError::Stopped)?
    }

    /// Closes the leg (recordings finished, playback reported stopped);
    /// returns once its ports are free.
    pub async fn destroy_leg(&self, leg: LegId) -> Result<(), MediaError> {
        let (done, closed) = oneshot::channel();
        self.send(Control::Destroy {
            leg,
            done: Some(done),
        })
        .await?;
        // An unknown leg answers at once (the sender is dropped).
        let _ = closed.await;
        Ok(())
    }

    /// Returns once every command sent for `leg` before it has been applied
    /// by the leg's task (commands are otherwise fire-and-forget). Packets
    /// sent to the leg after this meet its new configuration; an unknown
    /// leg answers at once.
    pub async fn applied(&self, leg: LegId) -> Result<(), MediaError> {
        let (done, reached) = oneshot::channel();
        self.send(Control::Applied { leg, done }).await?;
        let _ = reached.await;
        Ok(())
    }

    /// Runs any command of the table without waiting for its outcome:
    /// `CreateLeg` answers with `LegReady` (or `Error` with
    /// `MediaFailure::Create`), the others as their methods do. This is what
    /// the call task's adapter feeds the core's `Effect::Media` into.
    pub async fn execute(&self, command: MediaCommand) -> Result<(), MediaError> {
        let message = match command {
            MediaCommand::CreateLeg { leg, local_ip } => Control::Create {
                leg,
                local_ip,
                reply: None,
            },
            MediaCommand::DestroyLeg { leg } => Control::Destroy { leg, done: None },
            other => Control::Command(other),
        };
        self.send(message).await
    }

    /// Sets the peer address and codec (again on re-INVITE); an
    /// unspecified address (`0.0.0.0`) is SDP hold.
    pub async fn configure(
        &self,
        leg: LegId,
        remote: SocketAddr,
        codec: NegotiatedCodec,
    ) -> Result<(), MediaError> {
        self.execute(MediaCommand::Configure { leg, remote, codec })
            .await
    }

    /// Plays a source; `PlaybackDone` follows. The request may name digits
    /// that stop it (`Interrupt`); the call engine does barge-in itself and
    /// uses `Interrupt::Never`.
    pub async fn play(&self, leg: LegId, request: PlayRequest) -> Result<(), MediaError> {
        self.execute(MediaCommand::Play { leg, request }).await
    }

    /// Stops the current playback (its `PlaybackDone` still comes).
    pub async fn stop_play(&self, leg: LegId) -> Result<(), MediaError> {
        self.execute(MediaCommand::StopPlay { leg }).await
    }

    /// Echoes received audio back.
    pub async fn echo(&self, leg: LegId) -> Result<(), MediaError> {
        self.execute(MediaCommand::Echo { leg }).await
    }

    /// Stops echo/playback; the leg sends silence.
    pub async fn idle(&self, leg: LegId) -> Result<(), MediaError> {
        self.execute(MediaCommand::Idle { leg }).await
    }

    /// Bridges two legs.
    pub async fn bridge(&self, a: LegId, b: LegId) -> Result<(), MediaError> {
        self.execute(MediaCommand::Bridge { a, b }).await
    }

    /// Separates `leg` from its bridge partner; both go idle.
    pub async fn unbridge(&self, leg: LegId) -> Result<(), MediaError> {
        self.execute(MediaCommand::Unbridge { leg }).await
    }

    /// Starts recording both parties of `leg`.
    pub async fn record_start(
        &self,
        leg: LegId,
        path: PathBuf,
        layout: RecordLayout,
    ) -> Result<(), MediaError> {
        self.execute(MediaCommand::RecordStart { leg, path, layout })
            .await
    }

    /// Finishes a recording (`all`: every one); `RecordDone` follows.
    pub async fn record_stop(&self, leg: LegId, path: PathBuf) -> Result<(), MediaError> {
        self.execute(MediaCommand::RecordStop { leg, path }).await
    }

    /// Sends RFC 4733 digits (`"123#"`, or `"123#@500"` for 500 ms each).
    pub async fn send_dtmf(&self, leg: LegId, digits: &str) -> Result<(), MediaError> {
        self.execute(MediaCommand::SendDtmf {
            leg,
            digits: digits.to_owned(),
        })
        .await
    }

    /// Engine-wide counters.
    pub fn stats(&self) -> MediaStats {
        self.counters.snapshot()
    }
}

/// A media task and the thread it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TaskRef {
    thread: usize,
    id: TaskId,
}

/// Where a leg lives.
#[derive(Debug)]
struct Route {
    task: TaskRef,
    partner: Option<LegId>,
    /// The media thread the leg was placed on (its task runs there unless
    /// bridged into its partner's).
    home: usize,
}

/// The control task's state.
#[derive(Debug)]
struct ControlTask {
    config: MediaConfig,
    ports: PortAllocator,
    routes: HashMap<LegId, Route>,
    events: mpsc::Sender<MediaEvent>,
    sink: EventSink,
    counters: Arc<EngineCounters>,
    threads: MediaThreads,
    placement: Placement,
    next_task: u64,
}

impl ControlTask {
    async fn run(mut self, mut inbox: mpsc::Receiver<Control>) {
        while let Some(message) = inbox.recv().await {
            match message {
                Control::Create {
                    leg,
                    local_ip,
                    reply,
                } => self.create(leg, local_ip, reply).await,
                Control::Destroy { leg, done } => self.destroy(leg, done).await,
                Control::Command(command) => self.command(command).await,
                Control::Applied { leg, done } => {
                    // The task's queue is FIFO behind everything forwarded
                    // before; an unknown leg drops `done` (answered at once).
                    if let Some(route) = self.routes.get(&leg) {
                        let _ = self.send(route.task, TaskCommand::Applied { done });
                    }
                }
            }
        }
        // The threads stop next (`MediaThreads::start`): every leg ends.
    }

    /// A name for a new task.
    fn new_task(&mut self, thread: usize) -> TaskRef {
        self.next_task += 1;
        TaskRef {
            thread,
            id: TaskId(self.next_task),
        }
    }

    /// Queues `command` to `task` (fails only once its thread is gone).
    fn send(&self, task: TaskRef, command: TaskCommand) -> Result<(), MediaError> {
        self.threads.send(
            task.thread,
            ThreadMessage::Command {
                task: task.id,
                command,
            },
        )
    }

    /// Reports a failure on the event channel (the control may wait here:
    /// it is not on the RTP path).
    async fn report(&mut self, leg: LegId, what: MediaFailure) {
        let _ = self.events.send(MediaEvent::Error { leg, what }).await;
    }

    async fn create(
        &mut self,
        id: LegId,
        local_ip: Option<IpAddr>,
        reply: Option<oneshot::Sender<Result<SocketAddr, MediaError>>>,
    ) {
        let result = self.bind_and_spawn(id, local_ip).await;
        match reply {
            Some(reply) => {
                let _ = reply.send(result);
            }
            None => {
                let event = match result {
                    Ok(local) => MediaEvent::LegReady { leg: id, local },
                    Err(e) => MediaEvent::Error {
                        leg: id,
                        what: MediaFailure::Create(e),
                    },
                };
                let _ = self.events.send(event).await;
            }
        }
    }

    async fn bind_and_spawn(
        &mut self,
        id: LegId,
        local_ip: Option<IpAddr>,
    ) -> Result<SocketAddr, MediaError> {
        if self.routes.contains_key(&id) {
            return Err(MediaError::LegExists(id));
        }
        let ip = local_ip.unwrap_or(self.config.local_ip);
        let pair = self.ports.bind_pair(ip)?;
        let local = pair.local;
        let thread = self.placement.place();
        let task = self.new_task(thread);
        let (ready, created) = oneshot::channel();
        let timing = LegTiming {
            rtp_timeout: self.config.rtp_timeout,
            relatch_after: self.config.relatch_after,
        };
        let sent = self.threads.send(
            thread,
            ThreadMessage::NewLeg {
                task: task.id,
                id,
                pair,
                timing,
                events: self.sink.fork(),
                ready,
            },
        );
        let failure = match sent {
            Err(e) => Some(e),
            Ok(()) => match created.await {
                Ok(Ok(())) => None,
                Ok(Err(source)) => Some(MediaError::Bind {
                    addr: local,
                    source,
                }),
                Err(_) => Some(MediaError::Stopped),
            },
        };
        if let Some(failure) = failure {
            self.placement.leave(thread);
            return Err(failure);
        }
        self.counters.legs_created.fetch_add(1, Ordering::Relaxed);
        self.routes.insert(
            id,
            Route {
                task,
                partner: None,
                home: thread,
            },
        );
        Ok(local)
    }

    /// Drops a leg's route (destroyed, or its task is gone) and its place
    /// on its home thread.
    fn forget(&mut self, id: LegId) -> Option<Route> {
        let route = self.routes.remove(&id)?;
        self.placement.leave(route.home);
        Some(route)
    }

    /// A task of its own for `leg` (split off a bridge), on the leg's home
    /// thread, which registers the leg's sockets.
    fn spawn(&mut self, leg: Leg, thread: usize) -> Result<TaskRef, MediaError> {
        let task = self.new_task(thread);
        let message = ThreadMessage::NewTask {
            task: task.id,
            leg: Box::new(leg),
            events: self.sink.fork(),
        };
        self.threads.send(thread, message).map(|()| task)
    }

    async fn destroy(&mut self, id: LegId, done: Option<oneshot::Sender<()>>) {
        let Some(route) = self.forget(id) else {
            return self.report(id, MediaFailure::UnknownLeg).await;
        };
        if let Some(partner) = route.partner
            && let Some(other) = self.routes.get_mut(&partner)
        {
            other.partner = None;
        }
        let _ = self.send(route.task, TaskCommand::Destroy { leg: id, done });
    }

    async fn command(&mut self, command: MediaCommand) {
        let (id, task_command) = match command {
            MediaCommand::Bridge { a, b } => return self.bridge(a, b).await,
            MediaCommand::Unbridge { leg } => return self.split(leg).await,
            MediaCommand::CreateLeg { leg, local_ip } => {
                return self.create(leg, local_ip, None).await;
            }
            MediaCommand::DestroyLeg { leg } => return self.destroy(leg, None).await,
            MediaCommand::Echo { leg } => {
                self.split(leg).await;
                (leg, TaskCommand::Echo { leg })
            }
            MediaCommand::Idle { leg } => {
                self.split(leg).await;
                (leg, TaskCommand::Idle { leg })
            }
            MediaCommand::Configure { leg, remote, codec } => {
                (leg, TaskCommand::Configure { leg, remote, codec })
            }
            MediaCommand::Play { leg, request } => {
                let request = Box::new(request);
                (leg, TaskCommand::Play { leg, request })
            }
            MediaCommand::StopPlay { leg } => (leg, TaskCommand::StopPlay { leg }),
            MediaCommand::RecordStart { leg, path, layout } => {
                (leg, TaskCommand::RecordStart { leg, path, layout })
            }
            MediaCommand::RecordStop { leg, path } => (leg, TaskCommand::RecordStop { leg, path }),
            MediaCommand::WatchSilence {
                leg,
                path,
                threshold,
                silence_ms,
            } => (
                leg,
                TaskCommand::WatchSilence {
                    leg,
                    path,
                    threshold,
                    silence_ms,
                },
            ),
            MediaCommand::MaskRecording { leg, path, masked } => {
                (leg, TaskCommand::MaskRecording { leg, path, masked })
            }
            MediaCommand::SendDtmf { leg, digits } => (leg, TaskCommand::SendDtmf { leg, digits }),
            #[cfg(test)]
            MediaCommand::Fault { leg } => (leg, TaskCommand::Fault),
        };
        self.forward(id, task_command).await;
    }

    async fn forward(&mut self, id: LegId, command: TaskCommand) {
        let Some(route) = self.routes.get(&id) else {
            return self.report(id, MediaFailure::UnknownLeg).await;
        };
        if self.send(route.task, command).is_err() {
            self.forget(id);
            self.report(id, MediaFailure::TaskGone).await;
        }
    }

    /// Takes `id` out of its task (awaiting the hand-over).
    async fn detach(&mut self, id: LegId) -> Option<Leg> {
        let task = self.routes.get(&id)?.task;
        let (reply, handed) = oneshot::channel();
        if self
            .send(task, TaskCommand::Detach { leg: id, reply })
            .is_err()
        {
            return None;
        }
        handed.await.ok().map(|leg| *leg)
    }

    /// Separates `id` from its partner: the partner moves to a task of its own.
    async fn split(&mut self, id: LegId) {
        let Some(partner) = self.routes.get(&id).and_then(|r| r.partner) else {
            return;
        };
        let moved = self.detach(partner).await;
        if let Some(route) = self.routes.get_mut(&id) {
            route.partner = None;
        }
        let home = self.routes.get(&partner).map_or(0, |r| r.home);
        match moved.map(|leg| self.spawn(leg, home)) {
            Some(Ok(task)) => {
                if let Some(route) = self.routes.get_mut(&partner) {
                    route.task = task;
                    route.partner = None;
                }
            }
            Some(Err(_)) | None => {
                self.forget(partner);
                self.report(partner, MediaFailure::TaskGone).await;
            }
        }
    }

    async fn bridge(&mut self, a: LegId, b: LegId) {
        if a == b {
            return self.report(a, MediaFailure::SelfBridge).await;
        }
        for id in [a, b] {
            if !self.routes.contains_key(&id) {
                return self.report(id, MediaFailure::UnknownLeg).await;
            }
        }
        if self.routes.get(&a).and_then(|r| r.partner) == Some(b) {
            return;
        }
        self.split(a).await;
        self.split(b).await;
        let Some(leg) = self.detach(b).await else {
            self.forget(b);
            return self.report(b, MediaFailure::TaskGone).await;
        };
        let Some(task) = self.routes.get(&a).map(|r| r.task) else {
            return;
        };
        if self
            .send(task, TaskCommand::Attach { leg: Box::new(leg) })
            .is_err()
        {
            self.forget(a);
            self.forget(b);
            return self.report(a, MediaFailure::TaskGone).await;
        }
        if let Some(route) = self.routes.get_mut(&a) {
            route.partner = Some(b);
        }
        if let Some(route) = self.routes.get_mut(&b) {
            route.task = task;
            route.partner = Some(a);
        }
    }
}
