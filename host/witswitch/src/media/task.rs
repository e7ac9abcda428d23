//! A media task: one tokio task owning one leg, or the two legs of a
//! bridge (so a relayed packet goes from one socket to the other without
//! crossing tasks, locks or channels). It waits on everything at once with
//! one hand-written `poll`: its command queue, each leg's RTP and RTCP
//! socket, ptime ticker, RTP timeout and file opening. Nothing in the loop
//! awaits anything else, so a slow consumer or disk never delays RTP.

use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use tokio::io::ReadBuf;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinError;
use tokio::time::Instant;
use witswitch_media::player::PlayError;
use witswitch_media::{PlaySource, Player, RecordLayout, SilenceDetector};

use super::api::{LegId, MediaEvent, MediaFailure, NegotiatedCodec, PlayRequest, PlaybackEnd};
use super::bridge::BridgePath;
use super::events::EventSink;
use super::leg::{Leg, Opening, Playback};
use super::paths::{self, Scratch};
use super::recording::Recording;
use super::stats::EngineCounters;

/// Commands queued to a task (per-task queue depth).
pub const COMMAND_QUEUE: usize = 32;

/// A command for the task that hosts `leg`.
#[derive(Debug)]
pub enum TaskCommand {
    /// SDP results.
    Configure {
        /// The leg.
        leg: LegId,
        /// Peer address.
        remote: SocketAddr,
        /// Codec.
        codec: NegotiatedCodec,
    },
    /// Start a playback.
    Play {
        /// The leg.
        leg: LegId,
        /// What to play.
        request: Box<PlayRequest>,
    },
    /// Stop the playback.
    StopPlay {
        /// The leg.
        leg: LegId,
    },
    /// Echo mode.
    Echo {
        /// The leg.
        leg: LegId,
    },
    /// Back to silence.
    Idle {
        /// The leg.
        leg: LegId,
    },
    /// Another leg joins this task: the two are bridged.
    Attach {
        /// The leg, moved here with its sockets and state.
        leg: Box<Leg>,
    },
    /// Hand a leg over (it moves to another task).
    Detach {
        /// The leg.
        leg: LegId,
        /// Where to send it.
        reply: oneshot::Sender<Box<Leg>>,
    },
    /// Start recording.
    RecordStart {
        /// The leg.
        leg: LegId,
        /// The WAV.
        path: PathBuf,
        /// Mono or stereo.
        layout: RecordLayout,
    },
    /// Watch a recording's party A for silence.
    WatchSilence {
        /// The leg.
        leg: LegId,
        /// The WAV.
        path: PathBuf,
        /// Energy threshold.
        threshold: u32,
        /// How long.
        silence_ms: u32,
    },
    /// Blank a recording (or stop blanking it).
    MaskRecording {
        /// The leg.
        leg: LegId,
        /// The WAV.
        path: PathBuf,
        /// Silence from now on.
        masked: bool,
    },
    /// Finish recording(s).
    RecordStop {
        /// The leg.
        leg: LegId,
        /// The WAV, or `all`.
        path: PathBuf,
    },
    /// Send digits.
    SendDtmf {
        /// The leg.
        leg: LegId,
        /// `"123"` or `"123@200"`.
        digits: String,
    },
    /// Answer once every command queued before this one is applied.
    Applied {
        /// Told when this command is reached.
        done: oneshot::Sender<()>,
    },
    /// Close the leg.
    Destroy {
        /// The leg.
        leg: LegId,
        /// Told once the sockets are closed.
        done: Option<oneshot::Sender<()>>,
    },
}

/// What woke the task.
#[derive(Debug)]
enum Wake {
    Command(Option<TaskCommand>),
    Rtp(usize, usize, SocketAddr),
    Rtcp(usize),
    RecvError(usize),
    Tick(usize, Instant),
    Timeout(usize),
    Opened(usize, Result<Result<Player, PlayError>, JoinError>),
}

/// The task state.
#[derive(Debug)]
pub struct MediaTask {
    legs: Vec<Leg>,
    bridge: Option<BridgePath>,
    commands: mpsc::Receiver<TaskCommand>,
    events: EventSink,
    counters: Arc<EngineCounters>,
    scratch: Scratch,
    turn: usize,
    /// The media thread this task runs on.
    thread: usize,
}

impl MediaTask {
    /// A task hosting `leg`, to run on media thread `thread`.
    pub fn new(
        leg: Leg,
        commands: mpsc::Receiver<TaskCommand>,
        events: EventSink,
        counters: Arc<EngineCounters>,
        thread: usize,
    ) -> Self {
        let mut task = Self {
            legs: vec![leg],
            bridge: None,
            commands,
            events,
            counters,
            scratch: Scratch::new(),
            turn: 0,
            thread,
        };
        for leg in &mut task.legs {
            leg.echo = false;
        }
        // `run` refreshes, on the task's own thread: the ptime clock must be
        // made where it is polled.
        task
    }

    /// Runs until the task has no legs or the engine is gone.
    pub async fn run(mut self) {
        self.counters.tasks_running.fetch_add(1, Ordering::Relaxed);
        // A leg split off a bridge arrives registered with its partner's thread.
        for leg in std::mem::take(&mut self.legs) {
            if let Some(leg) = self.at_home(leg) {
                self.legs.push(leg);
            }
        }
        self.refresh();
        while !self.legs.is_empty() {
            let wake = poll_fn(|cx| self.poll_wake(cx)).await;
            let changed = match wake {
                Wake::Command(None) => {
                    // The engine is gone: finish recordings and stop.
                    for leg in std::mem::take(&mut self.legs) {
                        self.close(leg);
                    }
                    false
                }
                Wake::Command(Some(command)) => self.handle_command(command),
                Wake::Rtp(i, len, from) => paths::on_rtp(
                    &mut self.legs,
                    &mut self.bridge,
                    &mut self.scratch,
                    &mut self.events,
                    (i, len, from),
                ),
                Wake::Tick(i, at) => paths::on_tick(
                    &mut self.legs,
                    &mut self.bridge,
                    &mut self.scratch,
                    &mut self.events,
                    (i, at),
                ),
                Wake::Rtcp(i) => self.count(i, |c| c.rtcp += 1),
                Wake::RecvError(i) => self.count(i, |c| c.rejected += 1),
                Wake::Timeout(i) => self.on_timeout(i),
                Wake::Opened(i, result) => self.on_opened(i, result),
            };
            if changed {
                self.refresh();
            }
        }
        // Deliver what is parked (the consumer may be briefly behind).
        while self.events.pending() > 0 {
            poll_fn(|cx| {
                self.events.poll_flush(cx);
                match self.events.pending() {
                    0 => Poll::Ready(()),
                    _ => Poll::Pending,
                }
            })
            .await;
        }
        self.counters.tasks_running.fetch_sub(1, Ordering::Relaxed);
    }

    fn count(&mut self, i: usize, f: impl FnOnce(&mut super::leg::LegCounters)) -> bool {
        if let Some(leg) = self.legs.get_mut(i) {
            f(&mut leg.counters);
        }
        false
    }

    /// Polls every source once, starting with a different leg each time
    /// so a flooded leg cannot starve its partner.
    fn poll_wake(&mut self, cx: &mut Context<'_>) -> Poll<Wake> {
        self.events.poll_flush(cx);
        if let Poll::Ready(command) = self.commands.poll_recv(cx) {
            return Poll::Ready(Wake::Command(command));
        }
        let n = self.legs.len();
        for k in 0..n {
            let i = (self.turn + k) % n;
            if let Some(leg) = self.legs.get_mut(i)
                && let Some(wake) = poll_leg(leg, i, &mut self.scratch.recv, cx)
            {
                self.turn = i + 1;
                return Poll::Ready(wake);
            }
        }
        Poll::Pending
    }

    fn index_of(&self, id: LegId) -> Option<usize> {
        self.legs.iter().position(|leg| leg.id == id)
    }

    fn leg_mut(&mut self, id: LegId) -> Option<&mut Leg> {
        match self.legs.iter_mut().find(|leg| leg.id == id) {
            Some(leg) => Some(leg),
            None => {
                self.events.emit(MediaEvent::Error {
                    leg: id,
                    what: MediaFailure::UnknownLeg,
                });
                None
            }
        }
    }

    fn error(&mut self, leg: LegId, what: MediaFailure) {
        self.events.emit(MediaEvent::Error { leg, what });
    }

    /// Applies a command; returns whether modes changed.
    fn handle_command(&mut self, command: TaskCommand) -> bool {
        match command {
            TaskCommand::Configure { leg, remote, codec } => {
                let result = self.leg_mut(leg).map(|l| l.configure(remote, &codec));
                if let Some(Err(e)) = result {
                    self.error(leg, e);
                }
                if let [a, b] = self.legs.as_slice() {
                    self.bridge = Some(BridgePath::between(a, b));
                }
            }
            TaskCommand::Play { leg, request } => self.start_play(leg, *request),
            TaskCommand::StopPlay { leg } => self.stop_play(leg, PlaybackEnd::Stopped),
            TaskCommand::Echo { leg } => {
                if let Some(l) = self.leg_mut(leg) {
                    l.echo = true;
                }
            }
            TaskCommand::Idle { leg } => {
                self.stop_play(leg, PlaybackEnd::Stopped);
                if let Some(l) = self.leg_mut(leg) {
                    l.echo = false;
                }
            }
            TaskCommand::Attach { leg } => self.attach(*leg),
            TaskCommand::Detach { leg, reply } => {
                if let Some(detached) = self.take_leg(leg) {
                    // A dropped receiver means the engine is gone; the leg closes with it.
                    let _ = reply.send(Box::new(detached));
                }
            }
            TaskCommand::RecordStart { leg, path, layout } => self.record_start(leg, &path, layout),
            TaskCommand::RecordStop { leg, path } => self.record_stop(leg, &path),
            TaskCommand::MaskRecording { leg, path, masked } => {
                let recording = self
                    .leg_mut(leg)
                    .and_then(|l| l.recordings.iter_mut().find(|r| r.path() == path));
                match recording {
                    Some(r) => r.set_masked(masked),
                    None => self.error(leg, MediaFailure::NotRecording(path)),
                }
            }
            TaskCommand::WatchSilence {
                leg,
                path,
                threshold,
                silence_ms,
            } => {
                let recording = self
                    .leg_mut(leg)
                    .and_then(|l| l.recordings.iter_mut().find(|r| r.path() == path));
                match recording {
                    Some(r) => r.watch_silence(SilenceDetector::new(threshold, silence_ms)),
                    None => self.error(leg, MediaFailure::NotRecording(path)),
                }
            }
            TaskCommand::SendDtmf { leg, digits } => {
                let result = self.leg_mut(leg).map(|l| l.queue_dtmf(&digits));
                if let Some(Err(e)) = result {
                    self.error(leg, e);
                }
            }
            TaskCommand::Applied { done } => {
                let _ = done.send(());
                return false;
            }
            TaskCommand::Destroy { leg, done } => {
                if let Some(closing) = self.take_leg(leg) {
                    self.close(closing);
                }
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
        }
        true
    }

    /// The bridged partner arrives: both legs stop echoing and playing (a
    /// ringback ends when the call connects) and audio starts crossing.
    /// `leg`, registered with this task's thread (moved if it was elsewhere);
    /// `None` (reported) if the move failed.
    fn at_home(&mut self, leg: Leg) -> Option<Leg> {
        if leg.thread == self.thread {
            return Some(leg);
        }
        let id = leg.id;
        match leg.rehome(self.thread) {
            Ok(leg) => Some(leg),
            Err(e) => {
                self.error(id, MediaFailure::Moved(e));
                None
            }
        }
    }

    fn attach(&mut self, leg: Leg) {
        let Some(leg) = self.at_home(leg) else {
            return;
        };
        if self.legs.len() >= 2 {
            // The control never does this; refuse rather than lose a leg.
            let id = leg.id;
            self.close(leg);
            self.error(id, MediaFailure::TaskGone);
            return;
        }
        self.legs.push(leg);
        let ids: Vec<LegId> = self.legs.iter().map(|l| l.id).collect();
        for id in ids {
            self.stop_play(id, PlaybackEnd::Stopped);
        }
        for leg in &mut self.legs {
            leg.echo = false;
        }
        if let [a, b] = self.legs.as_slice() {
            self.bridge = Some(BridgePath::between(a, b));
        }
    }

    /// Removes a leg from the task; the other one (if any) goes idle.
    fn take_leg(&mut self, id: LegId) -> Option<Leg> {
        let Some(index) = self.index_of(id) else {
            self.error(id, MediaFailure::UnknownLeg);
            return None;
        };
        let leg = self.legs.remove(index);
        self.bridge = None;
        for other in &mut self.legs {
            other.echo = false;
        }
        self.turn = 0;
        Some(leg)
    }

    /// Ends a leg: playback reported stopped, recordings completed, its
    /// counters added to the engine's; dropping it closes the sockets.
    fn close(&mut self, mut leg: Leg) {
        let id = leg.id;
        if let Some(playback) = leg.playback.take() {
            self.playback_done(id, playback.play_id, PlaybackEnd::Stopped);
        }
        if let Some(opening) = leg.opening.take() {
            opening.job.abort();
            self.playback_done(id, opening.play_id, PlaybackEnd::Stopped);
        }
        for recording in std::mem::take(&mut leg.recordings) {
            self.finish_recording(leg.id, recording);
        }
        self.counters.add_leg(&leg.counters);
    }

    fn finish_recording(&mut self, id: LegId, recording: Recording) {
        match recording.finish() {
            Ok((path, ms)) => self
                .events
                .emit(MediaEvent::RecordDone { leg: id, path, ms }),
            Err((path, source)) => self.error(id, MediaFailure::Record { path, source }),
        }
    }

    fn start_play(&mut self, id: LegId, request: PlayRequest) {
        self.stop_play(id, PlaybackEnd::Stopped);
        let Some(leg) = self.leg_mut(id) else {
            return self.play_failed(id, request.play_id, MediaFailure::UnknownLeg);
        };
        let Some(codec) = leg.codec else {
            return self.play_failed(id, request.play_id, MediaFailure::NotConfigured);
        };
        let (rate, ptime) = (codec.pcm_rate, codec.ptime_ms);
        let PlayRequest {
            source,
            play_id,
            interrupt,
        } = request;
        if let PlaySource::File(_) = source {
            // Reading and resampling a file may take milliseconds: off the task.
            let job = tokio::task::spawn_blocking(move || Player::open(&source, rate, ptime));
            leg.opening = Some(Opening {
                job,
                play_id,
                interrupt,
            });
            return;
        }
        match Player::open(&source, rate, ptime) {
            Ok(player) => {
                leg.playback = Some(Playback {
                    player,
                    play_id,
                    interrupt,
                });
            }
            Err(e) => self.play_failed(id, play_id, e.into()),
        }
    }

    /// A playback that could not start: the reason, then its end.
    fn play_failed(&mut self, leg: LegId, play_id: u64, what: MediaFailure) {
        self.error(leg, what);
        self.playback_done(leg, play_id, PlaybackEnd::Failed);
    }

    fn playback_done(&mut self, leg: LegId, play_id: u64, end: PlaybackEnd) {
        self.events
            .emit(MediaEvent::PlaybackDone { leg, play_id, end });
    }

    fn stop_play(&mut self, id: LegId, end: PlaybackEnd) {
        let Some(leg) = self.legs.iter_mut().find(|l| l.id == id) else {
            return;
        };
        let mut stopped = Vec::new();
        if let Some(playback) = leg.playback.take() {
            stopped.push(playback.play_id);
        }
        if let Some(opening) = leg.opening.take() {
            opening.job.abort();
            stopped.push(opening.play_id);
        }
        for play_id in stopped {
            self.playback_done(id, play_id, end);
        }
    }

    fn on_opened(
        &mut self,
        i: usize,
        result: Result<Result<Player, PlayError>, JoinError>,
    ) -> bool {
        let Some(leg) = self.legs.get_mut(i) else {
            return false;
        };
        let Some(opening) = leg.opening.take() else {
            return false;
        };
        let (id, play_id) = (leg.id, opening.play_id);
        match result {
            Ok(Ok(player)) => {
                leg.playback = Some(Playback {
                    player,
                    play_id,
                    interrupt: opening.interrupt,
                });
            }
            Ok(Err(e)) => self.play_failed(id, play_id, e.into()),
            Err(_) => self.play_failed(id, play_id, MediaFailure::TaskGone),
        }
        true
    }

    fn on_timeout(&mut self, i: usize) -> bool {
        let Some(leg) = self.legs.get_mut(i) else {
            return false;
        };
        let now = Instant::now().into_std();
        if leg.session.is_timed_out(now) {
            // Reported once; the call engine hangs up (MEDIA_TIMEOUT).
            leg.timeout_armed = false;
            let id = leg.id;
            self.events.emit(MediaEvent::RtpTimeout { leg: id });
        } else {
            leg.release_quiet_peer(now);
            leg.arm_timeout();
        }
        false
    }

    fn record_start(&mut self, id: LegId, path: &Path, layout: RecordLayout) {
        let Some(leg) = self.leg_mut(id) else {
            return;
        };
        let Some(rate) = leg.codec.map(|c| c.pcm_rate) else {
            return self.error(id, MediaFailure::NotConfigured);
        };
        match Recording::create(path, rate, layout) {
            Ok(recording) => leg.recordings.push(recording),
            Err(source) => self.error(
                id,
                MediaFailure::Record {
                    path: path.to_owned(),
                    source,
                },
            ),
        }
    }

    fn record_stop(&mut self, id: LegId, path: &Path) {
        let Some(leg) = self.leg_mut(id) else {
            return;
        };
        let all = path == Path::new("all");
        let (done, kept): (Vec<Recording>, Vec<Recording>) = std::mem::take(&mut leg.recordings)
            .into_iter()
            .partition(|r| all || r.path() == path);
        leg.recordings = kept;
        if done.is_empty() && !all {
            return self.error(id, MediaFailure::NotRecording(path.to_owned()));
        }
        for recording in done {
            self.finish_recording(id, recording);
        }
    }

    /// Re-evaluates which legs decode and which need the ptime clock.
    fn refresh(&mut self) {
        let bridged = self.legs.len() == 2;
        let transcoding = matches!(self.bridge, Some(BridgePath::Transcode(_)));
        let recording = [0, 1].map(|k| self.legs.get(k).is_some_and(|l| !l.recordings.is_empty()));
        let mut failures = Vec::new();
        for (i, leg) in self.legs.iter_mut().enumerate() {
            let partner_records = bridged && recording[1 - i.min(1)];
            let configured = leg.codec.is_some();
            let decode = configured && (recording[i.min(1)] || partner_records || transcoding);
            if let Err(e) = leg.set_decoding(decode) {
                failures.push((leg.id, e));
            }
            let idle = !bridged && !leg.echo;
            let tick = configured
                && (leg.decoding.is_some()
                    || leg.playback.is_some()
                    || leg.dtmf_out.busy()
                    || idle);
            leg.set_ticking(tick);
        }
        for (id, e) in failures {
            self.error(id, e);
        }
    }
}

/// Polls one leg's sources (in order of urgency) into `buf`.
fn poll_leg(leg: &mut Leg, i: usize, buf: &mut [u8], cx: &mut Context<'_>) -> Option<Wake> {
    if let Some(opening) = leg.opening.as_mut()
        && let Poll::Ready(result) = Pin::new(&mut opening.job).poll(cx)
    {
        return Some(Wake::Opened(i, result));
    }
    if let Some(ticker) = leg.ticker.as_mut()
        && let Poll::Ready(at) = ticker.poll_tick(cx)
    {
        return Some(Wake::Tick(i, at));
    }
    if leg.timeout_armed && leg.timeout.as_mut().poll(cx).is_ready() {
        return Some(Wake::Timeout(i));
    }
    match leg.rtp.poll_recv_from(cx, buf) {
        Poll::Ready(Ok((len, from))) => return Some(Wake::Rtp(i, len, from)),
        Poll::Ready(Err(_)) => return Some(Wake::RecvError(i)),
        Poll::Pending => {}
    }
    let mut read = ReadBuf::new(buf);
    match leg.rtcp.poll_recv_from(cx, &mut read) {
        Poll::Ready(Ok(_)) => Some(Wake::Rtcp(i)),
        Poll::Ready(Err(_)) => Some(Wake::RecvError(i)),
        Poll::Pending => None,
    }
}
