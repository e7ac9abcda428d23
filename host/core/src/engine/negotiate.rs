//! SDP offer/answer for channels, answering (200), early media (183),
//! ringing (180), and getting a channel's media ready for an application.

use std::time::Instant;

use witswitch_sdp::{
    CodecName, CodecPref, CodecPrefs, Direction, LocalMedia, NegotiatedMedia, SessionDescription,
    accept_answer, answer_offer, create_offer,
};
use witswitch_types::{ChannelId, HangupCause};

use crate::channel::LegStatus;
use crate::config::ProfileConfig;
use crate::events::EventName;
use crate::media_io::{MediaCommand, NegotiatedCodec};
use crate::sip_io::SipCommand;
use crate::states::{CallDirection, CallState};

use super::Engine;

/// Whether an application can use the channel's media now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readiness {
    /// Go ahead.
    Ready,
    /// Wait (leg being created, or the ACK with the answer to come); the
    /// caller defers its work with `OpKind::AwaitMedia`.
    Waiting,
    /// The channel was hung up (e.g. 488); stop.
    Failed,
}

/// Local media for a channel of `profile` whose leg is bound at `port`.
pub(crate) fn local_media(profile: &ProfileConfig, port: u16, direction: Direction) -> LocalMedia {
    let mut local = LocalMedia::new(profile.sdp_ip(), port, profile.codecs.clone());
    local.policy = profile.codec_policy;
    local.telephone_event_pt = profile.telephone_event_pt;
    local.direction = direction;
    local
}

/// Checks an offer against a profile before any port is bound: the same
/// negotiation with a placeholder port. `Some(codec)` when it would succeed.
pub(crate) fn precheck_offer(
    profile: &ProfileConfig,
    offer: &SessionDescription,
) -> Option<CodecName> {
    let local = local_media(profile, 9, Direction::SendRecv);
    let mut origin = witswitch_sdp::SdpOrigin::new(0, profile.sdp_ip());
    answer_offer(&local, &mut origin, offer)
        .ok()
        .map(|(_, media)| media.codec)
}

/// `prefs` with `first` moved to the front (so a B leg offers the A leg's
/// codec first and the bridge can relay without transcoding).
pub(crate) fn prefs_with_first(prefs: &CodecPrefs, first: Option<CodecName>) -> CodecPrefs {
    let Some(first) = first else {
        return prefs.clone();
    };
    let mut entries: Vec<CodecPref> = prefs.entries().to_vec();
    if let Some(pos) = entries.iter().position(|e| e.codec == first) {
        let entry = entries.remove(pos);
        entries.insert(0, entry);
    }
    CodecPrefs::new(entries).unwrap_or_else(|_| prefs.clone())
}

impl Engine {
    /// Asks for the channel's RTP leg; true when it is already bound.
    pub(crate) fn ensure_leg(&mut self, id: ChannelId) -> bool {
        let Some(ch) = self.channels.get_mut(&id) else {
            return false;
        };
        match ch.media.leg {
            LegStatus::Ready(_) => true,
            LegStatus::Creating => false,
            LegStatus::None => {
                ch.media.leg = LegStatus::Creating;
                let local_ip = ch.profile_cfg.rtp_ip;
                self.push_media(MediaCommand::CreateLeg {
                    leg: id.leg(),
                    local_ip,
                });
                false
            }
        }
    }

    fn leg_local_media(&self, id: ChannelId, direction: Direction) -> Option<LocalMedia> {
        let ch = self.channels.get(&id)?;
        let LegStatus::Ready(addr) = ch.media.leg else {
            return None;
        };
        Some(local_media(&ch.profile_cfg, addr.port(), direction))
    }

    /// The SDP to send in a 183/200 to an inbound INVITE: the answer to its
    /// offer, or our offer for a late-offer INVITE. Made once and repeated.
    fn local_sdp_for_inbound(
        &mut self,
        now: Instant,
        id: ChannelId,
    ) -> Result<Vec<u8>, HangupCause> {
        let local = self
            .leg_local_media(id, Direction::SendRecv)
            .ok_or(HangupCause::NormalTemporaryFailure)?;
        let Some(ch) = self.channels.get_mut(&id) else {
            return Err(HangupCause::NormalClearing);
        };
        if let Some(sdp) = &ch.media.local_sdp {
            return Ok(sdp.clone());
        }
        match ch.media.remote_offer.take() {
            Some(offer) => {
                let (answer, media) = answer_offer(&local, &mut ch.media.origin, &offer)
                    .map_err(|_| HangupCause::IncompatibleDestination)?;
                let bytes = answer.to_bytes();
                ch.media.local_sdp = Some(bytes.clone());
                self.configure(now, id, media);
                Ok(bytes)
            }
            None => {
                let offer = create_offer(&local, &mut ch.media.origin);
                let bytes = offer.to_bytes();
                ch.media.our_offer = Some(offer);
                ch.media.local_sdp = Some(bytes.clone());
                Ok(bytes)
            }
        }
    }

    /// Records the negotiated media, tells the media engine, and lets
    /// whatever waited for media proceed.
    pub(crate) fn configure(&mut self, now: Instant, id: ChannelId, media: NegotiatedMedia) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let codec = NegotiatedCodec::from(&media);
        let remote = media.remote_rtp;
        let name = media.codec.encoding_name();
        let rate = media.codec.pcm_sample_rate().to_string();
        for (var, value) in [("read_codec", name), ("write_codec", name)] {
            ch.vars.set(var, value);
        }
        ch.vars.set("read_rate", rate.clone());
        ch.vars.set("write_rate", rate);
        ch.media.negotiated = Some(media);
        ch.media.configured = true;
        self.push_media(MediaCommand::Configure {
            leg: id.leg(),
            remote,
            codec,
        });
        self.media_configured(now, id);
    }

    /// Answers an inbound channel (200 OK with SDP).
    pub(crate) fn answer_channel(&mut self, now: Instant, id: ChannelId) -> Readiness {
        let Some(ch) = self.channels.get(&id) else {
            return Readiness::Failed;
        };
        if ch.is_hungup() {
            return Readiness::Failed;
        }
        if ch.is_answered() || ch.direction == CallDirection::Outbound {
            return Readiness::Ready;
        }
        if !self.ensure_leg(id) {
            return Readiness::Waiting;
        }
        let sdp = match self.local_sdp_for_inbound(now, id) {
            Ok(sdp) => sdp,
            Err(cause) => {
                self.hangup_local(now, id, cause);
                return Readiness::Failed;
            }
        };
        self.push_sip(id, SipCommand::Answer { sdp });
        self.mark_answered(now, id);
        Readiness::Ready
    }

    /// Marks a channel answered and emits CHANNEL_ANSWER.
    pub(crate) fn mark_answered(&mut self, now: Instant, id: ChannelId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if ch.answered.is_some() {
            return;
        }
        ch.answered = Some(now);
        ch.call_state = CallState::Active;
        ch.vars.set(
            "answer_epoch",
            (self.wall.epoch_us(now) / 1_000_000).to_string(),
        );
        self.event(now, id, EventName::ChannelAnswer, Vec::new());
    }

    /// Early media (183 with SDP). A late-offer INVITE cannot take early
    /// media without reliable provisionals (RFC 3262), so it is answered.
    pub(crate) fn pre_answer_channel(&mut self, now: Instant, id: ChannelId) -> Readiness {
        let Some(ch) = self.channels.get(&id) else {
            return Readiness::Failed;
        };
        if ch.is_hungup() {
            return Readiness::Failed;
        }
        if ch.is_answered() || ch.early_media || ch.direction == CallDirection::Outbound {
            return Readiness::Ready;
        }
        if ch.media.remote_offer.is_none() && ch.media.negotiated.is_none() {
            return self.answer_channel(now, id);
        }
        if !self.ensure_leg(id) {
            return Readiness::Waiting;
        }
        let sdp = match self.local_sdp_for_inbound(now, id) {
            Ok(sdp) => sdp,
            Err(cause) => {
                self.hangup_local(now, id, cause);
                return Readiness::Failed;
            }
        };
        self.push_sip(
            id,
            SipCommand::Progress {
                status: 183,
                sdp: Some(sdp),
            },
        );
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.early_media = true;
            ch.call_state = CallState::Early;
        }
        self.event(now, id, EventName::ChannelProgressMedia, Vec::new());
        Readiness::Ready
    }

    /// 180 Ringing, once, before any answer or early media.
    pub(crate) fn ring_ready(&mut self, now: Instant, id: ChannelId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if ch.is_hungup() || ch.is_answered() || ch.early_media || ch.ringing_sent {
            return;
        }
        if ch.direction == CallDirection::Outbound {
            return;
        }
        ch.ringing_sent = true;
        ch.call_state = CallState::Ringing;
        self.push_sip(
            id,
            SipCommand::Progress {
                status: 180,
                sdp: None,
            },
        );
        self.event(now, id, EventName::ChannelProgress, Vec::new());
    }

    /// Media for an application (playback, echo, digits, record): pre-answers
    /// an unanswered inbound channel, and waits for the leg or the ACK.
    pub(crate) fn media_ready(&mut self, now: Instant, id: ChannelId) -> Readiness {
        let Some(ch) = self.channels.get(&id) else {
            return Readiness::Failed;
        };
        if ch.is_hungup() {
            return Readiness::Failed;
        }
        if ch.media.configured {
            return Readiness::Ready;
        }
        match self.pre_answer_channel(now, id) {
            Readiness::Failed => Readiness::Failed,
            _ => match self.channels.get(&id) {
                Some(ch) if ch.media.configured => Readiness::Ready,
                Some(_) => Readiness::Waiting,
                None => Readiness::Failed,
            },
        }
    }

    /// Reads an SDP answer to the offer we made on this channel.
    pub(crate) fn accept_remote_answer(
        &mut self,
        now: Instant,
        id: ChannelId,
        sdp: &[u8],
    ) -> Result<(), HangupCause> {
        let answer =
            SessionDescription::parse(sdp).map_err(|_| HangupCause::IncompatibleDestination)?;
        let local = self
            .leg_local_media(id, Direction::SendRecv)
            .ok_or(HangupCause::NormalTemporaryFailure)?;
        let Some(ch) = self.channels.get_mut(&id) else {
            return Err(HangupCause::NormalClearing);
        };
        let Some(offer) = ch.media.our_offer.take() else {
            // A repeated answer (the 200 after a 183): the first one stands.
            return if ch.media.negotiated.is_some() {
                Ok(())
            } else {
                Err(HangupCause::IncompatibleDestination)
            };
        };
        let media = accept_answer(&local, &offer, &answer)
            .map_err(|_| HangupCause::IncompatibleDestination)?;
        self.configure(now, id, media);
        Ok(())
    }

    /// A fresh offer from this channel's leg (B legs, re-INVITEs), kept as
    /// `our_offer` until the answer arrives.
    pub(crate) fn make_offer(
        &mut self,
        id: ChannelId,
        codecs: Option<CodecPrefs>,
        direction: Direction,
    ) -> Option<Vec<u8>> {
        let mut local = self.leg_local_media(id, direction)?;
        if let Some(codecs) = codecs {
            local.codecs = codecs;
        }
        let ch = self.channels.get_mut(&id)?;
        let offer = create_offer(&local, &mut ch.media.origin);
        let bytes = offer.to_bytes();
        ch.media.our_offer = Some(offer);
        Some(bytes)
    }

    /// Media is configured on `id`: start what waited for it.
    pub(crate) fn media_configured(&mut self, now: Instant, id: ChannelId) {
        let pending = match self.channels.get_mut(&id) {
            Some(ch) => std::mem::take(&mut ch.media.pending_recordings),
            None => return,
        };
        for path in pending {
            self.start_session_recording(now, id, path);
        }
        self.try_media_bridge(id);
        self.wake_deferred(now, id);
    }

    /// Relays media between `id` and the leg it wants once both are configured.
    pub(crate) fn try_media_bridge(&mut self, id: ChannelId) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let Some(peer) = ch.media.want_bridge else {
            return;
        };
        let Some(other) = self.channels.get(&peer) else {
            return;
        };
        let ready =
            ch.media.configured && other.media.configured && other.media.want_bridge == Some(id);
        if !ready || ch.media.bridged_to == Some(peer) {
            return;
        }
        let stale = [ch.media.bridged_to, other.media.bridged_to];
        for (leg, stale) in [(id, stale[0]), (peer, stale[1])] {
            if stale.is_some() {
                self.push_media(MediaCommand::Unbridge { a: leg.leg() });
            }
        }
        for (leg, to) in [(id, peer), (peer, id)] {
            if let Some(c) = self.channels.get_mut(&leg) {
                c.media.bridged_to = Some(to);
            }
        }
        self.push_media(MediaCommand::Bridge {
            a: id.leg(),
            b: peer.leg(),
        });
    }
}
