//! Recording: `record_session` (both parties, runs alongside everything
//! else; stereo when `RECORD_STEREO=true`) and `record` (an app's method or
//! the dialplan application: the caller, until a terminator digit, the time
//! limit or a run of silence the media engine reports).
//!
//! A hung-up channel's CDR waits (at most [`RECORD_CLOSE_GRACE`]) for the
//! `RecordDone` of every recording it stopped, as FreeSWITCH closes its
//! media bugs before CS_REPORTING: `record_ms`, `record_seconds` and
//! `record_samples` are in the CDR line, and the file is complete when the
//! line is written.

use std::time::{Duration, Instant};

use witswitch_types::ChannelId;

use crate::action::LogLevel;
use crate::app_io::{AppError, AppResponse, RecordOptions, Recording};
use crate::channel::Owner;
use crate::events::EventName;
use crate::media_io::{MediaCommand, RecordLayout};
use crate::timers::TimerKind;

use super::Engine;
use super::ops::OpKind;
use crate::timers::TimerId;

/// How long a hung-up channel's report waits for its recordings to close
/// (the media engine answers in microseconds; this only bounds a lost answer).
pub(crate) const RECORD_CLOSE_GRACE: Duration = Duration::from_secs(2);

/// A running `record`.
#[derive(Debug)]
pub(crate) struct RecordOp {
    path: String,
    terminators: String,
    hit: Option<char>,
    stopping: bool,
}

impl RecordOp {
    /// The file, while nothing has asked it to stop yet.
    pub(crate) fn open_path(&self) -> Option<&str> {
        (!self.stopping).then_some(self.path.as_str())
    }
}

impl Engine {
    /// `record_session <path>`: starts now if media is up, else when it is.
    pub(crate) fn record_session(&mut self, now: Instant, id: ChannelId, path: String) {
        if path.trim().is_empty() {
            self.log(id, LogLevel::Err, "record_session: no path".to_owned());
            return;
        }
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if ch.media.recordings.contains(&path) || ch.media.pending_recordings.contains(&path) {
            return;
        }
        if ch.media.configured {
            self.start_session_recording(now, id, path);
        } else {
            ch.media.pending_recordings.push(path);
        }
    }

    pub(crate) fn start_session_recording(&mut self, now: Instant, id: ChannelId, path: String) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let layout = if ch.vars.is_true("RECORD_STEREO") {
            RecordLayout::Stereo
        } else {
            RecordLayout::Mono
        };
        ch.media.recordings.push(path.clone());
        ch.vars.set("record_session_path", path.clone());
        self.push_media(MediaCommand::RecordStart {
            leg: id.leg(),
            path: path.clone(),
            layout,
        });
        self.event(
            now,
            id,
            EventName::RecordStart,
            vec![("Record-File-Path", path)],
        );
    }

    /// `stop_record_session <path|all>`.
    pub(crate) fn stop_record_session(&mut self, _now: Instant, id: ChannelId, path: &str) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let all = path.trim().eq_ignore_ascii_case("all");
        ch.media.pending_recordings.retain(|p| !all && p != path);
        let (stop, keep): (Vec<String>, Vec<String>) = std::mem::take(&mut ch.media.recordings)
            .into_iter()
            .partition(|p| all || p == path);
        ch.media.recordings = keep;
        for path in stop {
            self.close_recording(id, path);
        }
    }

    /// Asks the media engine to finish `path`; its `RecordDone` is awaited.
    pub(crate) fn close_recording(&mut self, id: ChannelId, path: String) {
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.media.closing_recordings.push(path.clone());
        }
        self.push_media(MediaCommand::RecordStop {
            leg: id.leg(),
            path,
        });
    }

    /// CS_REPORTING now, or once the recordings being closed are done.
    pub(crate) fn report_when_closed(&mut self, now: Instant, id: ChannelId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if ch.media.closing_recordings.is_empty() {
            return self.report(now, id);
        }
        if ch.media.report_wait.is_none() {
            let timer = self
                .timers
                .arm(now + RECORD_CLOSE_GRACE, TimerKind::ReportDue(id));
            if let Some(ch) = self.channels.get_mut(&id) {
                ch.media.report_wait = Some(timer);
            }
        }
    }

    /// The grace ran out: report without the missing `RecordDone`s.
    pub(crate) fn report_due(&mut self, now: Instant, id: ChannelId, timer: TimerId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if ch.media.report_wait != Some(timer) {
            return;
        }
        ch.media.report_wait = None;
        let missing = std::mem::take(&mut ch.media.closing_recordings);
        self.log(
            id,
            LogLevel::Warning,
            format!("recordings not confirmed closed: {}", missing.join(", ")),
        );
        self.report(now, id);
    }

    /// Shutdown: every channel still waiting for recordings is reported.
    pub(crate) fn report_waiting_now(&mut self, now: Instant) {
        let mut waiting: Vec<ChannelId> = self
            .channels
            .values()
            .filter(|c| c.media.report_wait.is_some())
            .map(|c| c.id)
            .collect();
        waiting.sort();
        for id in waiting {
            if let Some(timer) = self
                .channels
                .get_mut(&id)
                .and_then(|c| c.media.report_wait.take())
            {
                self.timers.cancel(timer);
            }
            self.report(now, id);
        }
    }

    /// A recording was closed by the media engine.
    pub(crate) fn on_record_done(&mut self, now: Instant, id: ChannelId, path: String, ms: u64) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        ch.vars.set("record_ms", ms.to_string());
        ch.vars.set("record_seconds", (ms / 1000).to_string());
        // The file's rate is the leg's decoded rate; the media engine reports
        // whole milliseconds, so this is exact for 8/16/48 kHz.
        if let Some(rate) = ch
            .media
            .negotiated
            .as_ref()
            .map(|n| n.codec.pcm_sample_rate())
        {
            let samples = ms * u64::from(rate) / 1000;
            ch.vars.set("record_samples", samples.to_string());
        }
        if let Some(k) = ch.media.closing_recordings.iter().position(|p| *p == path) {
            ch.media.closing_recordings.remove(k);
        }
        if ch.is_hungup() {
            // RECORD_STOP went out at the hangup; report once all are closed.
            if ch.app.is_none()
                && ch.media.closing_recordings.is_empty()
                && let Some(timer) = ch.media.report_wait.take()
            {
                self.timers.cancel(timer);
                self.report(now, id);
            }
            return;
        }
        let hit = match ch.op.as_ref().map(|op| &op.kind) {
            Some(OpKind::Record(rec)) if rec.path == path => Some(rec.hit),
            _ => None,
        };
        self.event(
            now,
            id,
            EventName::RecordStop,
            vec![("Record-File-Path", path.clone())],
        );
        if let Some(terminator) = hit {
            let duration_ms = u32::try_from(ms).unwrap_or(u32::MAX);
            let recording = Recording {
                path,
                duration_ms,
                terminator,
            };
            self.finish_op(now, id, Ok(AppResponse::Recorded(recording)));
        }
    }

    /// A media error on the leg: a `record` in progress fails.
    pub(crate) fn on_media_error(&mut self, now: Instant, id: ChannelId, what: String) {
        let recording = matches!(
            self.channels
                .get(&id)
                .and_then(|c| c.op.as_ref())
                .map(|op| &op.kind),
            Some(OpKind::Record(_))
        );
        self.log(id, LogLevel::Err, format!("media error: {what}"));
        if recording {
            self.finish_op(now, id, Err(AppError::Failed(what)));
        }
    }

    /// An app's `record`.
    pub(crate) fn start_record(
        &mut self,
        now: Instant,
        id: ChannelId,
        owner: Owner,
        options: RecordOptions,
    ) {
        let path = options.path.clone();
        let rec = RecordOp {
            path: path.clone(),
            terminators: options.terminators,
            hit: None,
            stopping: false,
        };
        self.set_op(id, owner, OpKind::Record(rec), None);
        self.set_var(id, "silence_hits_exhausted", "false".to_owned());
        self.push_media(MediaCommand::RecordStart {
            leg: id.leg(),
            path: path.clone(),
            layout: RecordLayout::Mono,
        });
        if options.silence_seconds > 0 {
            self.push_media(MediaCommand::WatchSilence {
                leg: id.leg(),
                path: path.clone(),
                threshold: options.silence_threshold,
                silence_ms: options.silence_seconds.saturating_mul(1000),
            });
        }
        self.event(
            now,
            id,
            EventName::RecordStart,
            vec![("Record-File-Path", path)],
        );
        if options.max_seconds > 0 {
            let limit = Duration::from_secs(u64::from(options.max_seconds));
            self.arm_op_timer(now, id, limit, TimerKind::RecordLimit(id));
        }
    }

    pub(crate) fn record_digit(&mut self, id: ChannelId, digit: char) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let Some(OpKind::Record(rec)) = ch.op.as_mut().map(|op| &mut op.kind) else {
            return;
        };
        if rec.stopping || !rec.terminators.contains(digit) {
            return;
        }
        rec.hit = Some(digit);
        self.record_limit(id);
    }

    /// The media engine heard the caller silent long enough: `record` stops.
    pub(crate) fn on_silence(&mut self, id: ChannelId, path: &str) {
        let recording = matches!(
            self.channels.get(&id).and_then(|c| c.op.as_ref()).map(|op| &op.kind),
            Some(OpKind::Record(rec)) if rec.path == path
        );
        if recording {
            self.set_var(id, "silence_hits_exhausted", "true".to_owned());
            self.record_limit(id);
        }
    }

    /// Stops a `record` (time limit, terminator, silence); it finishes on `RecordDone`.
    pub(crate) fn record_limit(&mut self, id: ChannelId) {
        let Some(op) = self.channels.get_mut(&id).and_then(|c| c.op.as_mut()) else {
            return;
        };
        let timer = op.timer.take();
        let OpKind::Record(rec) = &mut op.kind else {
            return;
        };
        if rec.stopping {
            return;
        }
        rec.stopping = true;
        let path = rec.path.clone();
        if let Some(timer) = timer {
            self.timers.cancel(timer);
        }
        self.close_recording(id, path);
    }
}
