//! Recording: `record_session` (both parties, runs alongside everything
//! else; stereo when `RECORD_STEREO=true`) and an app's `record` (the
//! caller, until a terminator digit or the time limit).

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

/// A running `record`.
#[derive(Debug)]
pub(crate) struct RecordOp {
    path: String,
    terminators: String,
    hit: Option<char>,
    stopping: bool,
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
            self.push_media(MediaCommand::RecordStop {
                leg: id.leg(),
                path,
            });
        }
    }

    /// A recording was closed by the media engine.
    pub(crate) fn on_record_done(&mut self, now: Instant, id: ChannelId, path: String, ms: u64) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        ch.vars.set("record_ms", ms.to_string());
        ch.vars.set("record_seconds", (ms / 1000).to_string());
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
        self.push_media(MediaCommand::RecordStart {
            leg: id.leg(),
            path: path.clone(),
            layout: RecordLayout::Mono,
        });
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

    /// Stops an app's `record` (time limit or terminator); it finishes on `RecordDone`.
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
        self.push_media(MediaCommand::RecordStop {
            leg: id.leg(),
            path,
        });
    }
}
