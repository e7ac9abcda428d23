//! Ending a channel: the SIP message that ends its dialog (RFC 3398
//! status for an unanswered inbound call, BYE when answered, CANCEL for an
//! unanswered outbound one), propagation to the bridged leg, the end of
//! whatever it was doing, then CS_REPORTING (CDR, HANGUP_COMPLETE) and
//! CS_DESTROY. A channel whose app is still running stays in CS_HANGUP
//! until the app returns (its requests get the `hangup` error meanwhile).

use std::time::Instant;

use witswitch_types::{ChannelId, HangupCause};

use crate::app_io::{AppError, AppResponse, BridgeOutcome};
use crate::channel::{HangupRecord, LegStatus, Owner};
use crate::effect::Effect;
use crate::events::EventName;
use crate::media_io::MediaCommand;
use crate::sip_io::SipCommand;
use crate::states::{CallDirection, CallState, ChannelState};

use super::Engine;
use super::ops::OpKind;

/// Who ended the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HangupHow {
    /// We did (dialplan, API, timeout, the other leg).
    Local,
    /// The peer sent BYE.
    RemoteBye,
    /// The peer cancelled its INVITE.
    RemoteCancel,
    /// The peer refused our INVITE with this status.
    Refused(u16),
}

impl Engine {
    /// Hangs up `id` on our side.
    pub(crate) fn hangup_local(&mut self, now: Instant, id: ChannelId, cause: HangupCause) {
        self.hangup_with(now, id, cause, HangupHow::Local);
    }

    /// Hangs up `id`.
    pub(crate) fn hangup_with(
        &mut self,
        now: Instant,
        id: ChannelId,
        cause: HangupCause,
        how: HangupHow,
    ) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if ch.is_hungup() {
            return;
        }
        let answered = ch.is_answered();
        let (command, status, disposition) = match (how, ch.direction) {
            (HangupHow::Local, _) if answered => {
                (Some(SipCommand::Bye { cause }), Some(200), "send_bye")
            }
            (HangupHow::Local, CallDirection::Inbound) => {
                let status = cause.sip_status();
                let reject = SipCommand::Reject {
                    status,
                    cause,
                    retry_after: None,
                };
                (Some(reject), Some(status), "send_refuse")
            }
            (HangupHow::Local, CallDirection::Outbound) => {
                let cancel = ch.invite_sent.then_some(SipCommand::Cancel { cause });
                (cancel, None, "send_cancel")
            }
            (HangupHow::RemoteBye, _) => (None, Some(200), "recv_bye"),
            // The UA answered the CANCEL (200) and the INVITE (487) itself.
            (HangupHow::RemoteCancel, CallDirection::Inbound) => (None, Some(487), "recv_cancel"),
            (HangupHow::RemoteCancel, CallDirection::Outbound) => (None, None, "recv_cancel"),
            (HangupHow::Refused(status), _) => (None, Some(status), "recv_refuse"),
        };
        ch.hangup = Some(HangupRecord {
            cause,
            sip_status: status,
            disposition,
        });
        ch.hangup_at = Some(now);
        ch.state = ChannelState::Hangup;
        ch.call_state = CallState::Hangup;
        ch.route_pending = false;
        ch.exec.queue.clear();
        ch.vars.set("hangup_cause", cause.name());
        ch.vars.set("hangup_cause_q850", cause.q850().to_string());
        ch.vars.set("sip_hangup_disposition", disposition);
        if let Some(status) = status {
            ch.vars.set("sip_term_status", status.to_string());
        }
        if let Some(timer) = ch.leg_timer.take() {
            self.timers.cancel(timer);
        }
        if let Some(command) = command {
            self.push_sip(id, command);
        }
        self.end_operation(now, id, cause);
        self.end_bridge(now, id, cause);
        self.release_media(now, id);
        self.event(now, id, EventName::ChannelHangup, Vec::new());
        let app_running = self.channels.get(&id).is_some_and(|c| c.app.is_some());
        if !app_running {
            self.report_when_closed(now, id);
        }
    }

    /// Whatever the channel waited on ends: an app request gets the hangup
    /// error, an originate cancels its legs.
    fn end_operation(&mut self, now: Instant, id: ChannelId, cause: HangupCause) {
        let Some(op) = self.take_op(id) else { return };
        // An app's `record` still open: the leg's end closes the file, and
        // its RecordDone is worth waiting for (record_ms in the CDR).
        if let OpKind::Record(rec) = &op.kind
            && let Some(path) = rec.open_path()
            && let Some(ch) = self.channels.get_mut(&id)
        {
            ch.media.closing_recordings.push(path.to_owned());
        }
        if let OpKind::Originate(oid) = op.kind {
            if let Some(ch) = self.channels.get_mut(&id) {
                ch.originate = None;
            }
            self.abort_originate(now, oid, HangupCause::OriginatorCancel);
        }
        if let Owner::App(request) = op.owner {
            let result = Err(AppError::Hangup(cause));
            self.effects.push_back(Effect::AppReply {
                channel: id,
                request,
                result,
            });
        }
    }

    /// Bridge side effects: the peer learns the bridge is over; an
    /// unanswered B leg tells its originate it failed.
    fn end_bridge(&mut self, now: Instant, id: ChannelId, cause: HangupCause) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if let Some(oid) = ch
            .originate
            .take()
            .filter(|_| ch.direction == CallDirection::Outbound)
        {
            self.leg_failed(now, oid, id, cause);
        }
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let Some(peer) = ch.peer.take() else { return };
        let Some(other) = self.channels.get_mut(&peer) else {
            return;
        };
        other.peer = None;
        other.vars.set("bridge_hangup_cause", cause.name());
        other.vars.set("last_bridge_hangup_cause", cause.name());
        if other.state == ChannelState::ExchangeMedia {
            other.state = ChannelState::Execute;
        }
        let peer_waits =
            matches!(other.op.as_ref().map(|op| &op.kind), Some(OpKind::Bridged(p)) if *p == id);
        self.event(now, peer, EventName::ChannelUnbridge, Vec::new());
        if peer_waits {
            // The A leg: its bridge application returns; the dialplan decides
            // (hangup_after_bridge, or the next action).
            self.finish_op(
                now,
                peer,
                Ok(AppResponse::Bridged(BridgeOutcome::Completed(cause))),
            );
        } else {
            // The B leg: nothing else holds it; BYE propagates.
            self.hangup_local(now, peer, cause);
        }
    }

    /// Stops recordings, unbridges the peer's media and frees the leg.
    fn release_media(&mut self, now: Instant, id: ChannelId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let recordings = std::mem::take(&mut ch.media.recordings);
        ch.media.pending_recordings.clear();
        let leg = ch.media.leg;
        let bridged_to = ch.media.bridged_to.take();
        ch.media.want_bridge = None;
        if let Some(other) = bridged_to.and_then(|p| self.channels.get_mut(&p))
            && other.media.bridged_to == Some(id)
        {
            other.media.bridged_to = None;
            other.media.want_bridge = None;
            let other_leg = other.id.leg();
            self.push_media(MediaCommand::Unbridge { a: other_leg });
        }
        for path in recordings {
            self.close_recording(id, path.clone());
            self.event(
                now,
                id,
                EventName::RecordStop,
                vec![("Record-File-Path", path)],
            );
        }
        if leg != LegStatus::None {
            self.push_media(MediaCommand::DestroyLeg { leg: id.leg() });
        }
    }

    /// CS_REPORTING: the CDR and HANGUP_COMPLETE; then CS_DESTROY.
    pub(crate) fn report(&mut self, now: Instant, id: ChannelId) {
        self.set_state(id, ChannelState::Reporting);
        if let Some(ch) = self.channels.get(&id) {
            let cdr = self.cdr(ch, now);
            self.effects.push_back(Effect::Cdr(Box::new(cdr)));
        }
        self.event(now, id, EventName::ChannelHangupComplete, Vec::new());
        self.set_state(id, ChannelState::Destroy);
        self.event(now, id, EventName::ChannelDestroy, Vec::new());
        self.channels.remove(&id);
        self.effects.push_back(Effect::Destroyed { channel: id });
    }
}
