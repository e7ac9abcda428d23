//! Re-INVITEs on established dialogs. We answer the offer ourselves (new
//! remote address, hold via `sendonly`/`inactive`, RFC 3264 §8.4), and, as
//! a B2BUA, pass the change across a bridge: the other leg gets a
//! re-INVITE from us with the same direction, so hold and unhold reach it.

use std::time::Instant;

use witswitch_sdp::{Direction, SessionDescription, answer_offer};
use witswitch_types::{ChannelId, HangupCause};

use crate::action::LogLevel;
use crate::channel::LegStatus;
use crate::sip_io::SipCommand;
use crate::states::CallState;

use super::Engine;
use super::negotiate::local_media;

impl Engine {
    /// The peer sent a re-INVITE.
    pub(crate) fn reinvite_received(&mut self, now: Instant, id: ChannelId, sdp: Option<Vec<u8>>) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let LegStatus::Ready(addr) = ch.media.leg else {
            // No media leg yet (e.g. an early re-INVITE): RFC 3261 §14.2 491.
            self.push_sip(
                id,
                SipCommand::RespondReInvite {
                    status: 491,
                    sdp: None,
                },
            );
            return;
        };
        if ch.is_hungup() {
            return;
        }
        let Some(sdp) = sdp.filter(|s| !s.is_empty()) else {
            // Offerless re-INVITE: we offer in the 200, the answer comes in the ACK.
            let offer = self.make_offer(id, None, Direction::SendRecv);
            self.push_sip(
                id,
                SipCommand::RespondReInvite {
                    status: 200,
                    sdp: offer,
                },
            );
            return;
        };
        let Ok(offer) = SessionDescription::parse(&sdp) else {
            self.push_sip(
                id,
                SipCommand::RespondReInvite {
                    status: 488,
                    sdp: None,
                },
            );
            return;
        };
        let local = local_media(&ch.profile_cfg, addr.port(), Direction::SendRecv);
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let answered = answer_offer(&local, &mut ch.media.origin, &offer);
        let Ok((answer, media)) = answered else {
            // RFC 3261 §14.2: an unacceptable re-INVITE leaves the session as it was.
            self.push_sip(
                id,
                SipCommand::RespondReInvite {
                    status: 488,
                    sdp: None,
                },
            );
            return;
        };
        let held = offer
            .audio()
            .map(|(_, m)| offer.media_direction(m))
            .unwrap_or(Direction::SendRecv);
        let answer_bytes = answer.to_bytes();
        ch.media.local_sdp = Some(answer_bytes.clone());
        ch.call_state = if held.receives() {
            CallState::Active
        } else {
            CallState::Held
        };
        let peer = ch.peer;
        self.push_sip(
            id,
            SipCommand::RespondReInvite {
                status: 200,
                sdp: Some(answer_bytes),
            },
        );
        self.configure(now, id, media);
        if let Some(peer) = peer {
            self.pass_reinvite(id, peer, held);
        }
    }

    /// Offers the other leg of a bridge the direction the first leg asked for.
    fn pass_reinvite(&mut self, from: ChannelId, peer: ChannelId, direction: Direction) {
        let Some(other) = self.channels.get(&peer) else {
            return;
        };
        if other.is_hungup() || !other.is_answered() {
            return;
        }
        if other.media.our_offer.is_some() {
            // Our previous re-INVITE is still open (RFC 3261 §14.1: one at a time).
            self.log(
                from,
                LogLevel::Warning,
                "re-INVITE not passed on: one is already pending".to_owned(),
            );
            return;
        }
        if let Some(sdp) = self.make_offer(peer, None, direction) {
            self.push_sip(peer, SipCommand::ReInvite { sdp });
        }
    }

    /// A SIP INFO digit on a bridged leg goes on to the other leg as RFC
    /// 4733 (RTP telephone-events cross a relay bridge in the media engine).
    pub(crate) fn pass_info_dtmf(&mut self, id: ChannelId, digit: char) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let Some(peer) = ch.peer.filter(|_| crate::digits::is_dtmf_digit(digit)) else {
            return;
        };
        if self.channels.get(&peer).is_some_and(|p| p.media.configured) {
            let digits = digit.to_ascii_uppercase().to_string();
            self.push_media(crate::media_io::MediaCommand::SendDtmf {
                leg: peer.leg(),
                digits,
            });
        }
    }

    /// 2xx to our re-INVITE.
    pub(crate) fn reinvite_answered(&mut self, now: Instant, id: ChannelId, sdp: Option<Vec<u8>>) {
        let Some(sdp) = sdp.filter(|s| !s.is_empty()) else {
            if let Some(ch) = self.channels.get_mut(&id) {
                ch.media.our_offer = None;
            }
            return;
        };
        if let Err(cause) = self.accept_remote_answer(now, id, &sdp) {
            self.log(
                id,
                LogLevel::Warning,
                format!("unusable answer to our re-INVITE ({cause}); media unchanged"),
            );
        }
    }

    /// Our re-INVITE was refused: the old session stays (RFC 3261 §14.1).
    pub(crate) fn reinvite_failed(&mut self, id: ChannelId, status: u16) {
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.media.our_offer = None;
        }
        self.log(
            id,
            LogLevel::Notice,
            format!("re-INVITE refused with {status}; media unchanged"),
        );
    }

    /// The ACK for our 2xx: for a late offer (initial or re-INVITE) it
    /// carries the answer.
    pub(crate) fn ack_received(&mut self, now: Instant, id: ChannelId, sdp: Option<Vec<u8>>) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        if ch.media.our_offer.is_none() {
            return;
        }
        let first_answer = ch.media.negotiated.is_none();
        match sdp.filter(|s| !s.is_empty()) {
            Some(sdp) => {
                if let Err(cause) = self.accept_remote_answer(now, id, &sdp) {
                    self.hangup_local(now, id, cause);
                }
            }
            None if first_answer => {
                // RFC 3261 §13.2.1: the ACK must carry the answer to our offer.
                self.hangup_local(now, id, HangupCause::IncompatibleDestination);
            }
            None => {
                if let Some(ch) = self.channels.get_mut(&id) {
                    ch.media.our_offer = None;
                }
            }
        }
    }
}
