//! Event socket call control on live channels: `uuid_answer`, `uuid_bridge`,
//! `uuid_record`, `uuid_transfer -bleg|-both` (and of bridged calls), and
//! `sendmsg` `call-command: execute`. Each returns whether it applied, for the
//! `+OK` / `-ERR` reply.

use std::time::Instant;

use witswitch_types::{ChannelId, HangupCause};

use crate::action::Action;
use crate::app_io::{AppResponse, BridgeOutcome};
use crate::events::EventName;
use crate::media_io::MediaCommand;
use crate::states::ChannelState;

use super::Engine;
use super::api_ops::ApiOpError;
use super::negotiate::Readiness;
use super::ops::OpKind;
use crate::timers::{TimerId, TimerKind};

/// Which legs `uuid_transfer` moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferLegs {
    /// The named channel (its bridged peer, if any, loses the bridge).
    This,
    /// `-bleg`: the named channel's bridged peer.
    Peer,
    /// `-both`: the channel and its peer, both to the destination.
    Both,
}

impl Engine {
    /// `uuid_answer`: answers an inbound channel that is not answered yet.
    pub fn answer_api(&mut self, now: Instant, id: ChannelId) -> Result<(), ApiOpError> {
        self.live(id)?;
        match self.answer_channel(now, id) {
            Readiness::Ready => {
                self.drain(now);
                Ok(())
            }
            Readiness::Failed => Err(ApiOpError::NoChannel),
            // No media leg yet: `answer` runs as an application (it waits for
            // the leg), parked channels park again after it.
            Readiness::Waiting => self.execute_api(now, id, ("answer", ""), 1, None),
        }
    }

    /// `uuid_record <uuid> start|stop <path> [limit]`: `record_session` /
    /// `stop_record_session` on a live channel; `limit` seconds stop it by itself.
    pub fn record_api(
        &mut self,
        now: Instant,
        id: ChannelId,
        start: bool,
        path: &str,
        limit_secs: Option<u32>,
    ) -> Result<(), ApiOpError> {
        self.live(id)?;
        if !start {
            // Its limit, if any, is void now (a later recording of the same path
            // must not be cut short by it).
            if let Some(ch) = self.channels.get_mut(&id) {
                let (void, keep) = std::mem::take(&mut ch.exec.record_limits)
                    .into_iter()
                    .partition(|(_, p)| p == path || path.eq_ignore_ascii_case("all"));
                ch.exec.record_limits = keep;
                for (timer, _) in void {
                    self.timers.cancel(timer);
                }
            }
            self.stop_record_session(now, id, path);
            return Ok(());
        }
        self.record_session(now, id, path.to_owned());
        if let Some(secs) = limit_secs.filter(|s| *s > 0) {
            let at = now + std::time::Duration::from_secs(u64::from(secs));
            let timer = self.timers.arm(at, TimerKind::SessionRecordLimit(id));
            if let Some(ch) = self.channels.get_mut(&id) {
                ch.exec.record_limits.push((timer, path.to_owned()));
            }
        }
        Ok(())
    }

    /// `uuid_record <uuid> mask|unmask <path>`: the session recording to `path`
    /// gets silence instead of both parties from now on, or audio again (the
    /// file keeps its length and timing).
    pub fn mask_record_api(
        &mut self,
        id: ChannelId,
        path: &str,
        masked: bool,
    ) -> Result<(), ApiOpError> {
        self.live(id)?;
        let recording = self
            .channels
            .get(&id)
            .is_some_and(|ch| ch.media.recordings.iter().any(|p| p == path));
        if !recording {
            return Err(ApiOpError::NotRecording);
        }
        self.push_media(MediaCommand::MaskRecording {
            leg: id.leg(),
            path: path.to_owned(),
            masked,
        });
        Ok(())
    }

    /// A `uuid_record` limit ran out: that recording stops (the others go on).
    pub(crate) fn session_record_limit(&mut self, now: Instant, id: ChannelId, timer: TimerId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let Some(pos) = ch.exec.record_limits.iter().position(|(t, _)| *t == timer) else {
            return;
        };
        let (_, path) = ch.exec.record_limits.remove(pos);
        self.stop_record_session(now, id, &path);
    }

    /// `uuid_bridge <a> <b>`: both channels stop what they do and are bridged to
    /// each other. As in FreeSWITCH, when one of them hangs up the other does too.
    pub fn bridge_api(
        &mut self,
        now: Instant,
        a: ChannelId,
        b: ChannelId,
    ) -> Result<(), ApiOpError> {
        if a == b {
            return Err(ApiOpError::Busy);
        }
        self.live(a)?;
        self.live(b)?;
        for id in [a, b] {
            if self.channels.get(&id).is_some_and(|c| c.app.is_some()) {
                return Err(ApiOpError::Busy);
            }
        }
        for id in [a, b] {
            self.leave_bridge(now, id, false);
            self.interrupt(id)?;
            if let Some(ch) = self.channels.get_mut(&id) {
                ch.exec.queue.clear();
                ch.exec.queued_uuids.clear();
                ch.exec.current = None;
            }
            if self.answer_channel(now, id) == Readiness::Failed {
                return Err(ApiOpError::NoChannel);
            }
        }
        self.link_peers(now, a, b);
        self.drain(now);
        Ok(())
    }

    /// `uuid_transfer [-bleg|-both] <uuid> <exten> [dialplan] [context]`, bridged
    /// calls included: the moved legs leave the bridge and are routed again; a
    /// peer left behind continues its dialplan (it ran `bridge`) or hangs up (it
    /// was dialed by the bridge), as in FreeSWITCH.
    pub fn transfer_legs(
        &mut self,
        now: Instant,
        id: ChannelId,
        legs: TransferLegs,
        extension: &str,
        context: Option<&str>,
    ) -> Result<(), ApiOpError> {
        self.live(id)?;
        let peer = self.channels.get(&id).and_then(|c| c.peer);
        let moved = match (legs, peer) {
            (TransferLegs::This, _) => vec![id],
            (TransferLegs::Peer, Some(p)) => vec![p],
            (TransferLegs::Both, Some(p)) => vec![id, p],
            (TransferLegs::Both, None) => vec![id],
            (TransferLegs::Peer, None) => return Err(ApiOpError::NoChannel),
        };
        for leg in &moved {
            let ch = self.channels.get(leg).ok_or(ApiOpError::NoChannel)?;
            let busy = ch.app.is_some()
                || matches!(
                    ch.op.as_ref().map(|op| &op.kind),
                    Some(OpKind::Originate(_) | OpKind::Record(_))
                );
            if busy {
                return Err(ApiOpError::Busy);
            }
        }
        let both = moved.len() == 2;
        for leg in &moved {
            self.leave_bridge(now, *leg, both);
            self.interrupt(*leg)?;
            self.transfer(now, *leg, extension.to_owned(), context.map(str::to_owned));
        }
        self.drain(now);
        Ok(())
    }

    /// `sendmsg` `call-command: execute`: runs `name(data)` `loops` times on the
    /// channel. A channel in `park` or `echo` runs it now and goes back to what
    /// it did (FreeSWITCH runs it inside their loops: no second CHANNEL_EXECUTE
    /// or CHANNEL_PARK); otherwise it runs when the current application ends.
    /// `app_uuid` (the message's `Event-UUID`) is sent as `Application-UUID` in
    /// its CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE.
    pub fn execute_api(
        &mut self,
        now: Instant,
        id: ChannelId,
        app: (&str, &str),
        loops: u32,
        app_uuid: Option<&str>,
    ) -> Result<(), ApiOpError> {
        let (name, data) = app;
        self.live(id)?;
        let running = self
            .channels
            .get(&id)
            .and_then(|c| c.op.as_ref())
            .and_then(|op| match op.kind {
                OpKind::Park => Some(Action::Park),
                OpKind::Echo => Some(Action::Echo),
                _ => None,
            });
        let idle = self
            .channels
            .get(&id)
            .is_some_and(|c| c.op.is_none() && c.app.is_none() && !c.route_pending);
        let Some(ch) = self.channels.get_mut(&id) else {
            return Err(ApiOpError::NoChannel);
        };
        let suspends = running.is_some();
        if let Some(action) = running {
            ch.exec.queue.push_front(action);
            ch.exec.queued_uuids.push_front(None);
            ch.exec.suspended = true;
        }
        for _ in 0..loops.max(1) {
            ch.exec.queue.push_front(Action::Execute {
                name: name.to_owned(),
                data: data.to_owned(),
            });
            ch.exec.queued_uuids.push_front(app_uuid.map(str::to_owned));
        }
        if suspends {
            // Suspended, not finished: no EXECUTE_COMPLETE for park or echo.
            ch.exec.current = None;
            self.interrupt(id)?;
            self.resume(id);
        } else if idle {
            self.resume(id);
        }
        self.drain(now);
        Ok(())
    }

    fn live(&self, id: ChannelId) -> Result<(), ApiOpError> {
        match self.channels.get(&id) {
            Some(ch) if !ch.is_hungup() => Ok(()),
            _ => Err(ApiOpError::NoChannel),
        }
    }

    /// Stops what the channel's dialplan waits on (echo, park, playback, sleep,
    /// digit collection) without resuming the dialplan.
    fn interrupt(&mut self, id: ChannelId) -> Result<(), ApiOpError> {
        let busy = self.channels.get(&id).is_some_and(|c| {
            matches!(
                c.op.as_ref().map(|op| &op.kind),
                Some(OpKind::Originate(_) | OpKind::Record(_))
            )
        });
        if busy {
            return Err(ApiOpError::Busy);
        }
        if let Some(op) = self.take_op(id) {
            let leg = id.leg();
            match op.kind {
                OpKind::Echo | OpKind::Park => self.push_media(MediaCommand::Idle { leg }),
                OpKind::Play { .. } | OpKind::PlayAndGet(_) => {
                    self.push_media(MediaCommand::StopPlay { leg });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Takes `id` out of its bridge. The peer continues its dialplan when it ran
    /// the `bridge`, else (a dialed leg, or a `uuid_bridge`) it hangs up; unless
    /// `peer_moves` (it is transferred too: its operation just ends).
    fn leave_bridge(&mut self, now: Instant, id: ChannelId, peer_moves: bool) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let Some(peer) = ch.peer.take() else { return };
        ch.state = ChannelState::Execute;
        if matches!(ch.op.as_ref().map(|op| &op.kind), Some(OpKind::Bridged(p)) if *p == peer) {
            self.take_op(id);
        }
        self.unbridge_media(id, peer);
        self.event(now, id, EventName::ChannelUnbridge, Vec::new());
        let Some(other) = self.channels.get_mut(&peer) else {
            return;
        };
        other.peer = None;
        if other.state == ChannelState::ExchangeMedia {
            other.state = ChannelState::Execute;
        }
        let waits =
            matches!(other.op.as_ref().map(|op| &op.kind), Some(OpKind::Bridged(p)) if *p == id);
        self.event(now, peer, EventName::ChannelUnbridge, Vec::new());
        if peer_moves {
            if waits {
                self.take_op(peer);
            }
        } else if waits {
            let done = BridgeOutcome::Completed(HangupCause::NormalClearing);
            self.finish_op(now, peer, Ok(AppResponse::Bridged(done)));
        } else {
            self.hangup_local(now, peer, HangupCause::NormalClearing);
        }
    }

    fn unbridge_media(&mut self, a: ChannelId, b: ChannelId) {
        let mut bridged = false;
        for x in [a, b] {
            if let Some(ch) = self.channels.get_mut(&x) {
                bridged |= ch.media.bridged_to.is_some();
                ch.media.bridged_to = None;
                ch.media.want_bridge = None;
            }
        }
        if bridged {
            self.push_media(MediaCommand::Unbridge { a: a.leg() });
        }
    }

    /// Links two answered channels as peers: media bridged, CHANNEL_BRIDGE.
    fn link_peers(&mut self, now: Instant, a: ChannelId, b: ChannelId) {
        let uuid = |e: &Self, id: ChannelId| {
            e.channels
                .get(&id)
                .map(|c| c.uuid.clone())
                .unwrap_or_default()
        };
        let (a_uuid, b_uuid) = (uuid(self, a), uuid(self, b));
        for (x, y, other_uuid) in [(a, b, &b_uuid), (b, a, &a_uuid)] {
            if let Some(ch) = self.channels.get_mut(&x) {
                ch.peer = Some(y);
                ch.other_leg_uuid = Some(other_uuid.clone());
                ch.state = ChannelState::ExchangeMedia;
                ch.vars.set("bridge_uuid", other_uuid.clone());
            }
        }
        self.want_media_bridge(a, b);
        let headers = vec![
            ("Bridge-A-Unique-ID", a_uuid),
            ("Bridge-B-Unique-ID", b_uuid),
        ];
        self.event(now, a, EventName::ChannelBridge, headers.clone());
        self.event(now, b, EventName::ChannelBridge, headers);
    }
}
