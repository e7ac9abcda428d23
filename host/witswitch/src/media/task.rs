//! A media task: one leg, or the two legs of a bridge (so a relayed packet
//! goes from one socket to the other without crossing tasks, locks or
//! channels). A plain state machine: its media thread (`reactor.rs`) calls
//! it when one of its sockets is readable, when its earliest timer is due
//! (ptime clock, RTP timeout, a file being opened) and with each command.
//! Nothing in it waits, so a slow consumer or disk never delays RTP.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::oneshot;
use witswitch_media::{PlaySource, Player, RecordLayout, SilenceDetector};

use super::api::{LegId, MediaEvent, MediaFailure, NegotiatedCodec, PlayRequest, PlaybackEnd};
use super::bridge::BridgePath;
use super::events::EventSink;
use super::leg::{Leg, LegCounters, Opening, Playback};
use super::paths::{self, Scratch};
use super::reactor::Registry;
use super::recording::Recording;
use super::stats::EngineCounters;

/// How often a task looks whether a file it is opening is ready.
const OPENING_POLL: Duration = Duration::from_millis(5);

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
    /// Panic (tests of the media thread's isolation of a failing task).
    #[cfg(test)]
    Fault,
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

/// The task state.
#[derive(Debug)]
pub struct MediaTask {
    legs: Vec<Leg>,
    bridge: Option<BridgePath>,
    events: EventSink,
    counters: Arc<EngineCounters>,
    scratch: Scratch,
}

/// What a task needs from its media thread while it handles something.
#[derive(Debug)]
pub struct TaskIo<'a> {
    /// Registers and removes the legs' sockets.
    pub registry: Registry<'a>,
    /// Runs file opening off the media thread.
    pub blocking: &'a Handle,
}

impl MediaTask {
    /// A task hosting `leg` (registered by the caller).
    pub fn new(mut leg: Leg, events: EventSink, counters: Arc<EngineCounters>) -> Self {
        leg.echo = false;
        let mut task = Self {
            legs: vec![leg],
            bridge: None,
            events,
            counters,
            scratch: Scratch::new(),
        };
        task.refresh();
        task
    }

    /// Whether the task has no leg left (it ends).
    pub fn is_empty(&self) -> bool {
        self.legs.is_empty()
    }

    /// A socket of the leg registered as `token` is readable: reads one
    /// datagram (the thread's epoll is level-triggered, so one still queued
    /// is reported again) and handles it.
    pub fn on_readable(&mut self, token: u32, rtcp: bool) {
        let Some(i) = self.legs.iter().position(|l| l.token == token) else {
            return; // a leg that left this task since the event was collected
        };
        let (leg, buf) = (&mut self.legs[i], &mut self.scratch.recv);
        if rtcp {
            if datagram(leg.rtcp.recv_from(buf), &mut leg.counters).is_some() {
                leg.counters.rtcp += 1;
            }
            return;
        }
        let Some((len, from)) = datagram(leg.rtp.recv_from(buf), &mut leg.counters) else {
            return;
        };
        let changed = paths::on_rtp(
            &mut self.legs,
            &mut self.bridge,
            &mut self.scratch,
            &mut self.events,
            (i, len, from),
        );
        if changed {
            self.refresh();
        }
    }

    /// Runs every timer due at `now`: ptime ticks (missed ones in a burst,
    /// stamped with their scheduled times), RTP timeouts, opened files.
    pub fn on_timer(&mut self, now: Instant) {
        let mut changed = false;
        for i in 0..self.legs.len() {
            while let Some(leg) = self.legs.get_mut(i)
                && let (Some(due), Some(codec)) = (leg.next_tick, leg.codec)
                && due <= now
            {
                leg.next_tick = Some(due + codec.ptime);
                changed |= paths::on_tick(
                    &mut self.legs,
                    &mut self.bridge,
                    &mut self.scratch,
                    &mut self.events,
                    (i, due),
                );
            }
            if self
                .legs
                .get(i)
                .and_then(|l| l.timeout_at)
                .is_some_and(|t| t <= now)
            {
                self.on_timeout(i, now);
            }
            if self
                .legs
                .get(i)
                .and_then(|l| l.opening.as_ref())
                .is_some_and(|o| o.check_at <= now)
            {
                changed |= self.on_opening(i, now);
            }
        }
        if changed {
            self.refresh();
        }
    }

    /// When `on_timer` is due next.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.legs
            .iter()
            .flat_map(|leg| {
                [
                    leg.next_deadline(),
                    leg.opening.as_ref().map(|o| o.check_at),
                ]
            })
            .flatten()
            .min()
    }

    /// The legs, as they are (the task failed: nothing is finished).
    pub fn into_legs(self) -> Vec<Leg> {
        self.legs
    }

    /// The task's event sink (it ended).
    pub fn into_events(self) -> EventSink {
        self.events
    }

    /// Moves parked events into the channel; whether some still wait.
    pub fn flush_events(&mut self) -> bool {
        self.events.flush()
    }

    /// The engine is gone: every leg ends (recordings finished).
    pub fn close_all(&mut self, io: &mut TaskIo<'_>) {
        for leg in std::mem::take(&mut self.legs) {
            io.registry.remove(&leg);
            self.close(leg);
        }
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

    /// Applies a command.
    pub fn on_command(&mut self, command: TaskCommand, io: &mut TaskIo<'_>) {
        if self.apply(command, io) {
            self.refresh();
        }
    }

    /// Applies a command; returns whether modes changed.
    fn apply(&mut self, command: TaskCommand, io: &mut TaskIo<'_>) -> bool {
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
            TaskCommand::Play { leg, request } => self.start_play(leg, *request, io.blocking),
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
            TaskCommand::Attach { leg } => self.attach(*leg, io),
            TaskCommand::Detach { leg, reply } => {
                if let Some(detached) = self.take_leg(leg, io) {
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
            #[cfg(test)]
            TaskCommand::Fault => panic!("a fault injected by a test"),
            TaskCommand::Applied { done } => {
                let _ = done.send(());
                return false;
            }
            TaskCommand::Destroy { leg, done } => {
                if let Some(closing) = self.take_leg(leg, io) {
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
    fn attach(&mut self, mut leg: Leg, io: &mut TaskIo<'_>) {
        if self.legs.len() >= 2 {
            // The control never does this; refuse rather than lose a leg.
            let id = leg.id;
            self.close(leg);
            self.error(id, MediaFailure::TaskGone);
            return;
        }
        if let Err(e) = io.registry.add(&mut leg) {
            let id = leg.id;
            self.close(leg);
            self.error(id, MediaFailure::Moved(e));
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
    fn take_leg(&mut self, id: LegId, io: &mut TaskIo<'_>) -> Option<Leg> {
        let Some(index) = self.index_of(id) else {
            self.error(id, MediaFailure::UnknownLeg);
            return None;
        };
        let leg = self.legs.remove(index);
        io.registry.remove(&leg);
        self.bridge = None;
        for other in &mut self.legs {
            other.echo = false;
        }
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

    fn start_play(&mut self, id: LegId, request: PlayRequest, blocking: &Handle) {
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
            // Reading and resampling a file may take milliseconds: off the
            // media thread. The result waits in the channel until the task
            // looks (every OPENING_POLL), wherever the leg has moved to.
            let (done, result) = oneshot::channel();
            blocking.spawn_blocking(move || {
                let _ = done.send(Player::open(&source, rate, ptime));
            });
            leg.opening = Some(Opening {
                result,
                check_at: Instant::now() + OPENING_POLL,
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
            stopped.push(opening.play_id);
        }
        for play_id in stopped {
            self.playback_done(id, play_id, end);
        }
    }

    /// Looks whether leg `i`'s file is open; returns whether modes changed.
    fn on_opening(&mut self, i: usize, now: Instant) -> bool {
        let Some(leg) = self.legs.get_mut(i) else {
            return false;
        };
        let Some(opening) = leg.opening.as_mut() else {
            return false;
        };
        let result = match opening.result.try_recv() {
            Ok(result) => Ok(result),
            Err(oneshot::error::TryRecvError::Empty) => {
                opening.check_at = now + OPENING_POLL;
                return false;
            }
            Err(oneshot::error::TryRecvError::Closed) => Err(()),
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
            Err(()) => self.play_failed(id, play_id, MediaFailure::TaskGone),
        }
        true
    }

    fn on_timeout(&mut self, i: usize, now: Instant) {
        let Some(leg) = self.legs.get_mut(i) else {
            return;
        };
        if leg.session.is_timed_out(now) {
            // Reported once; the call engine hangs up (MEDIA_TIMEOUT).
            leg.timeout_at = None;
            let id = leg.id;
            self.events.emit(MediaEvent::RtpTimeout { leg: id });
        } else {
            leg.release_quiet_peer(now);
            leg.arm_timeout();
        }
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

/// What a non-blocking read gave: the datagram, or `None` when nothing was
/// queued (a spurious wake) or the read failed (ICMP errors on a connected
/// socket and the like, counted as rejected).
fn datagram<T>(read: std::io::Result<T>, counters: &mut LegCounters) -> Option<T> {
    match read {
        Ok(datagram) => Some(datagram),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => None,
        Err(_) => {
            counters.rejected += 1;
            None
        }
    }
}
