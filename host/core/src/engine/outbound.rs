//! Responses to our INVITEs (B legs): ringing and early media passed to
//! the A leg, the first answer winning the bridge, failures mapped to
//! causes (RFC 3398 §8.2.6.1, `Reason` header first per RFC 3326).

use std::time::Instant;

use witswitch_types::{ChannelId, HangupCause};

use crate::events::EventName;
use crate::states::{CallState, ChannelState};

use super::Engine;
use super::hangup::HangupHow;
use super::negotiate::Readiness;
use super::ops::OpKind;

impl Engine {
    /// 180/183 to our INVITE.
    pub(crate) fn b_provisional(
        &mut self,
        now: Instant,
        b: ChannelId,
        status: u16,
        sdp: Option<Vec<u8>>,
    ) {
        let Some(ch) = self.channels.get(&b) else {
            return;
        };
        if ch.is_hungup() || ch.is_answered() || status == 100 {
            return;
        }
        let mut early = false;
        if let Some(sdp) = sdp.filter(|s| !s.is_empty()) {
            if let Err(cause) = self.accept_remote_answer(now, b, &sdp) {
                self.hangup_local(now, b, cause);
                return;
            }
            early = true;
        }
        let Some(ch) = self.channels.get_mut(&b) else {
            return;
        };
        let first_news = if early {
            !ch.early_media
        } else {
            ch.call_state != CallState::Ringing
        };
        if early {
            ch.early_media = true;
            ch.call_state = CallState::Early;
        } else if !ch.early_media {
            ch.call_state = CallState::Ringing;
        }
        let ignore_early = ch.vars.is_true("ignore_early_media");
        let oid = ch.originate;
        if first_news {
            let name = if early {
                EventName::ChannelProgressMedia
            } else {
                EventName::ChannelProgress
            };
            self.event(now, b, name, Vec::new());
        }
        let Some(oid) = oid else { return };
        let Some(orig) = self.originates.get(&oid) else {
            return;
        };
        // API originate: nobody hears the early media.
        let Some(a) = orig.a else { return };
        let a_ignores = self
            .channels
            .get(&a)
            .is_some_and(|c| c.vars.is_true("ignore_early_media"));
        let a_can_take_media = self
            .channels
            .get(&a)
            .is_some_and(|c| c.is_answered() || c.early_media || c.media.remote_offer.is_some());
        if !early || ignore_early || a_ignores || !a_can_take_media || orig.early_leg.is_some() {
            self.ring_ready(now, a);
            return;
        }
        // Early media: A hears B's ringback/announcements (183 to A, media bridged).
        if let Some(orig) = self.originates.get_mut(&oid) {
            orig.early_leg = Some(b);
        }
        if self.pre_answer_channel(now, a) == Readiness::Failed {
            return;
        }
        self.want_media_bridge(a, b);
    }

    /// Marks two legs to be media-bridged and bridges them if both are ready.
    pub(crate) fn want_media_bridge(&mut self, a: ChannelId, b: ChannelId) {
        for (x, y) in [(a, b), (b, a)] {
            if let Some(ch) = self.channels.get_mut(&x) {
                ch.media.want_bridge = Some(y);
            }
        }
        self.try_media_bridge(a);
    }

    /// 2xx to our INVITE: this leg wins, the others are cancelled.
    pub(crate) fn b_answered(&mut self, now: Instant, b: ChannelId, sdp: Option<Vec<u8>>) {
        let Some(ch) = self.channels.get(&b) else {
            return;
        };
        if ch.is_hungup() || ch.is_answered() {
            return;
        }
        if let Some(sdp) = sdp.filter(|s| !s.is_empty()) {
            if let Err(cause) = self.accept_remote_answer(now, b, &sdp) {
                self.mark_answered(now, b);
                self.hangup_local(now, b, cause);
                return;
            }
        } else if ch.media.negotiated.is_none() {
            // We always offer, so a 2xx must carry the answer (RFC 3264 §4).
            self.mark_answered(now, b);
            self.hangup_local(now, b, HangupCause::IncompatibleDestination);
            return;
        }
        if let Some(timer) = self.channels.get_mut(&b).and_then(|c| c.leg_timer.take()) {
            self.timers.cancel(timer);
        }
        self.mark_answered(now, b);
        let Some(oid) = self.channels.get_mut(&b).and_then(|c| c.originate.take()) else {
            // Nobody waits for this leg any more (a late 2xx): end it.
            self.hangup_local(now, b, HangupCause::NormalClearing);
            return;
        };
        let Some(orig) = self.originates.remove(&oid) else {
            self.hangup_local(now, b, HangupCause::LoseRace);
            return;
        };
        if let Some(timer) = orig.timer {
            self.timers.cancel(timer);
        }
        for lookup in &orig.lookups {
            self.lookups.remove(lookup);
        }
        for other in orig.legs.iter().copied().filter(|l| *l != b) {
            self.hangup_local(now, other, HangupCause::LoseRace);
        }
        match (orig.a, orig.api) {
            (Some(a), _) => self.bridge_legs(now, a, b),
            (None, Some((job, to))) => self.api_leg_answered(now, b, job, to),
            (None, None) => self.hangup_local(now, b, HangupCause::NormalClearing),
        }
    }

    /// Links A and the winning B: A answered, media bridged, CHANNEL_BRIDGE.
    fn bridge_legs(&mut self, now: Instant, a: ChannelId, b: ChannelId) {
        let Some(a_ch) = self.channels.get_mut(&a) else {
            self.hangup_local(now, b, HangupCause::NormalClearing);
            return;
        };
        a_ch.originate = None;
        if let Some(op) = a_ch.op.as_mut() {
            op.kind = OpKind::Bridged(b);
        }
        if self.answer_channel(now, a) == Readiness::Failed {
            return;
        }
        let a_uuid = self
            .channels
            .get(&a)
            .map(|c| c.uuid.clone())
            .unwrap_or_default();
        let b_uuid = self
            .channels
            .get(&b)
            .map(|c| c.uuid.clone())
            .unwrap_or_default();
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
            ("Bridge-A-Unique-ID", a_uuid.clone()),
            ("Bridge-B-Unique-ID", b_uuid.clone()),
        ];
        self.event(now, a, EventName::ChannelBridge, headers.clone());
        self.event(now, b, EventName::ChannelBridge, headers);
    }

    /// A final error to our INVITE.
    pub(crate) fn b_failed(
        &mut self,
        now: Instant,
        b: ChannelId,
        status: u16,
        reason: Option<HangupCause>,
    ) {
        let Some(ch) = self.channels.get(&b) else {
            return;
        };
        if ch.is_hungup() || ch.is_answered() {
            return;
        }
        let cause = reason
            .or_else(|| HangupCause::from_sip_status(status))
            .unwrap_or(HangupCause::NormalUnspecified);
        self.hangup_with(now, b, cause, HangupHow::Refused(status));
    }
}
