//! Operations a channel's controller (dialplan or app) waits on: playback,
//! sleep, echo, park, digit collection, recording, a bridge. One at a time
//! per channel; each ends in exactly one result, which goes back to its
//! owner (an app reply, or the dialplan's next step).

use std::time::{Duration, Instant};

use witswitch_types::ChannelId;

use crate::app_io::{AppError, AppResponse, PlayOutcome};
use crate::channel::{Deferred, Op, Owner};
use crate::digits::Collector;
use crate::effect::Effect;
use crate::events::EventName;
use crate::media_io::{MediaCommand, PlayId, PlaybackError};
use crate::states::ChannelState;
use crate::timers::{TimerId, TimerKind};

use super::Engine;
use super::digit_ops::Pagd;
use super::originate::OriginateId;
use super::recording::RecordOp;

/// FreeSWITCH's default `playback_terminators`.
pub(crate) const PLAYBACK_TERMINATORS_DEFAULT: &str = "*";
/// Every DTMF digit: an app's `play` stops on any of them.
pub(crate) const ALL_DIGITS: &str = "0123456789*#ABCDabcd";

/// What the operation is.
#[derive(Debug)]
pub(crate) enum OpKind {
    /// Waiting for the media leg or the SDP answer; then `Deferred` runs again.
    AwaitMedia(Deferred),
    /// A playback; `hit` is the terminator digit that stopped it.
    Play {
        play_id: PlayId,
        source: String,
        terminators: String,
        hit: Option<char>,
    },
    /// `sleep`.
    Sleep,
    /// `collect-digits`.
    Collect(Collector),
    /// `play-and-get-digits` / `read`.
    PlayAndGet(Box<Pagd>),
    /// `record`.
    Record(RecordOp),
    /// A bridge dialing out.
    Originate(OriginateId),
    /// A bridge up with this peer.
    Bridged(ChannelId),
    /// `echo` (until hangup).
    Echo,
    /// `park` (until hangup).
    Park,
    /// `curl`: the request is out; its output goes to `curl_response_data`.
    Http(crate::http_io::HttpId, crate::http_io::CurlOutput),
}

pub(crate) type OpResult = Result<AppResponse, AppError>;

impl Engine {
    pub(crate) fn set_op(
        &mut self,
        id: ChannelId,
        owner: Owner,
        kind: OpKind,
        timer: Option<TimerId>,
    ) {
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.op = Some(Op { owner, kind, timer });
        }
    }

    /// Removes the channel's operation and disarms its timer.
    pub(crate) fn take_op(&mut self, id: ChannelId) -> Option<Op> {
        let op = self.channels.get_mut(&id)?.op.take()?;
        if let Some(timer) = op.timer {
            self.timers.cancel(timer);
        }
        Some(op)
    }

    /// Ends the channel's operation with `result`, delivered to its owner.
    pub(crate) fn finish_op(&mut self, now: Instant, id: ChannelId, result: OpResult) {
        let Some(op) = self.take_op(id) else { return };
        self.deliver(now, id, op.owner, result);
    }

    /// Hands a result to whoever waits for it.
    pub(crate) fn deliver(&mut self, now: Instant, id: ChannelId, owner: Owner, result: OpResult) {
        match owner {
            Owner::App(request) => self.effects.push_back(Effect::AppReply {
                channel: id,
                request,
                result,
            }),
            Owner::Dialplan { var } => self.dialplan_after(now, id, var, result),
        }
    }

    /// Arms (or re-arms) the operation's timer.
    pub(crate) fn arm_op_timer(
        &mut self,
        now: Instant,
        id: ChannelId,
        after: Duration,
        kind: TimerKind,
    ) {
        let Some(op) = self.channels.get_mut(&id).and_then(|c| c.op.as_mut()) else {
            return;
        };
        if let Some(old) = op.timer.take() {
            self.timers.cancel(old);
        }
        op.timer = Some(self.timers.arm(now + after, kind));
    }

    /// Runs deferred work once the leg is bound or media is configured.
    pub(crate) fn wake_deferred(&mut self, now: Instant, id: ChannelId) {
        let waiting = matches!(
            self.channels.get(&id).and_then(|c| c.op.as_ref()),
            Some(Op {
                kind: OpKind::AwaitMedia(_),
                ..
            })
        );
        if !waiting {
            return;
        }
        let Some(op) = self.take_op(id) else { return };
        let OpKind::AwaitMedia(deferred) = op.kind else {
            return;
        };
        match deferred {
            Deferred::Action(action) => {
                if self.run_action(now, id, action) == super::exec::Flow::Continue {
                    self.resume(id);
                }
            }
            Deferred::App(request, req) => self.app_dispatch(now, id, request, req),
        }
    }

    pub(crate) fn start_play(
        &mut self,
        now: Instant,
        id: ChannelId,
        owner: Owner,
        source: String,
        terminators: String,
    ) {
        let play_id = self.play(now, id, &source);
        self.set_op(
            id,
            owner,
            OpKind::Play {
                play_id,
                source,
                terminators,
                hit: None,
            },
            None,
        );
    }

    /// Sends a `Play` and emits PLAYBACK_START.
    pub(crate) fn play(&mut self, now: Instant, id: ChannelId, source: &str) -> PlayId {
        let play_id = PlayId(self.alloc_id());
        self.push_media(MediaCommand::Play {
            leg: id.leg(),
            source: source.to_owned(),
            play_id,
        });
        self.event(
            now,
            id,
            EventName::PlaybackStart,
            vec![("Playback-File-Path", source.to_owned())],
        );
        play_id
    }

    pub(crate) fn start_sleep(
        &mut self,
        now: Instant,
        id: ChannelId,
        owner: Owner,
        duration: Duration,
    ) {
        self.set_op(id, owner, OpKind::Sleep, None);
        if duration.is_zero() {
            self.finish_op(now, id, Ok(AppResponse::Done));
            return;
        }
        self.arm_op_timer(now, id, duration, TimerKind::Sleep(id));
    }

    pub(crate) fn start_echo(&mut self, _now: Instant, id: ChannelId, owner: Owner) {
        self.push_media(MediaCommand::Echo { leg: id.leg() });
        self.set_op(id, owner, OpKind::Echo, None);
    }

    pub(crate) fn start_park(&mut self, now: Instant, id: ChannelId, owner: Owner) {
        self.set_op(id, owner, OpKind::Park, None);
        self.set_state(id, ChannelState::Park);
        self.event(now, id, EventName::ChannelPark, Vec::new());
    }

    /// Back in a `park` that `sendmsg`'d applications interrupted (no events:
    /// for the client the channel never left it).
    pub(crate) fn resume_park(&mut self, id: ChannelId) {
        self.set_op(id, Owner::Dialplan { var: None }, OpKind::Park, None);
        self.set_state(id, ChannelState::Park);
    }

    /// A timer of the channel's operation ran out.
    pub(crate) fn op_timer(&mut self, now: Instant, id: ChannelId, timer: TimerId) {
        let Some(op) = self.channels.get_mut(&id).and_then(|c| c.op.as_mut()) else {
            return;
        };
        if op.timer != Some(timer) {
            return;
        }
        op.timer = None;
        enum Due {
            Sleep,
            Collected(crate::app_io::CollectedDigits),
            Pagd,
            Record,
            Nothing,
        }
        let due = match &mut op.kind {
            OpKind::Sleep => Due::Sleep,
            OpKind::Collect(collector) => Due::Collected(collector.timeout()),
            OpKind::PlayAndGet(_) => Due::Pagd,
            OpKind::Record(_) => Due::Record,
            _ => Due::Nothing,
        };
        match due {
            Due::Sleep => self.finish_op(now, id, Ok(AppResponse::Done)),
            Due::Collected(digits) => self.finish_op(now, id, Ok(AppResponse::Digits(digits))),
            Due::Pagd => self.pagd_timeout(now, id),
            Due::Record => self.record_limit(id),
            Due::Nothing => {}
        }
    }

    /// A DTMF digit from RTP or SIP INFO.
    pub(crate) fn on_dtmf(&mut self, now: Instant, id: ChannelId, digit: char, duration_ms: u32) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        if ch.is_hungup() || !crate::digits::is_dtmf_digit(digit) {
            return;
        }
        let digit = digit.to_ascii_uppercase();
        // ESL's DTMF-Duration is in samples at 8 kHz.
        let samples = duration_ms.saturating_mul(8);
        let headers = vec![
            ("DTMF-Digit", digit.to_string()),
            ("DTMF-Duration", samples.to_string()),
        ];
        self.event(now, id, EventName::Dtmf, headers);
        enum Route {
            StopPlay,
            Collect,
            Pagd,
            Record,
            Done,
        }
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let route = match ch.op.as_mut().map(|op| &mut op.kind) {
            Some(OpKind::Play {
                terminators, hit, ..
            }) if terminators.contains(digit) => match hit {
                None => {
                    *hit = Some(digit);
                    Route::StopPlay
                }
                Some(_) => Route::Done,
            },
            Some(OpKind::Collect(_)) => Route::Collect,
            Some(OpKind::PlayAndGet(_)) => Route::Pagd,
            Some(OpKind::Record(_)) => Route::Record,
            _ => {
                ch.buffer_dtmf(digit);
                Route::Done
            }
        };
        match route {
            Route::StopPlay => self.push_media(MediaCommand::StopPlay { leg: id.leg() }),
            Route::Collect => self.collect_digit(now, id, digit),
            Route::Pagd => self.pagd_digit(now, id, digit),
            Route::Record => self.record_digit(id, digit),
            Route::Done => {}
        }
    }

    /// The media engine finished (or stopped) a playback.
    pub(crate) fn on_playback_done(
        &mut self,
        now: Instant,
        id: ChannelId,
        play_id: PlayId,
        interrupted_by: Option<char>,
    ) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        enum Whose {
            Play(String, Option<char>),
            Pagd,
            Nobody,
        }
        let whose = match ch.op.as_ref().map(|op| &op.kind) {
            Some(OpKind::Play {
                play_id: p,
                source,
                hit,
                ..
            }) if *p == play_id => Whose::Play(source.clone(), *hit),
            Some(OpKind::PlayAndGet(pagd)) if pagd.is_playing(play_id) => Whose::Pagd,
            _ => Whose::Nobody,
        };
        match whose {
            Whose::Play(source, hit) => {
                let outcome = match hit.or(interrupted_by) {
                    Some(digit) => PlayOutcome::Interrupted(digit),
                    None => PlayOutcome::Completed,
                };
                let status = if matches!(outcome, PlayOutcome::Completed) {
                    "done"
                } else {
                    "break"
                };
                let headers = vec![
                    ("Playback-File-Path", source),
                    ("Playback-Status", status.to_owned()),
                ];
                self.event(now, id, EventName::PlaybackStop, headers);
                self.finish_op(now, id, Ok(AppResponse::Played(outcome)));
            }
            Whose::Pagd => {
                self.event(
                    now,
                    id,
                    EventName::PlaybackStop,
                    vec![("Playback-Status", "done".to_owned())],
                );
                self.pagd_playback_done(now, id);
            }
            Whose::Nobody => {}
        }
    }

    /// A playback could not start (missing file, bad tone spec).
    pub(crate) fn on_playback_failed(
        &mut self,
        now: Instant,
        id: ChannelId,
        play_id: PlayId,
        error: PlaybackError,
    ) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let ours = match ch.op.as_ref().map(|op| &op.kind) {
            Some(OpKind::Play { play_id: p, .. }) => *p == play_id,
            Some(OpKind::PlayAndGet(pagd)) => pagd.is_playing(play_id),
            _ => false,
        };
        if !ours {
            return;
        }
        let error = match error {
            PlaybackError::NotFound(path) => AppError::FileNotFound(path),
            PlaybackError::Invalid(what) => AppError::Failed(what),
        };
        self.finish_op(now, id, Err(error));
    }
}
