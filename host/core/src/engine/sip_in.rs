//! Dispatch of SIP inputs on existing channels.

use std::time::Instant;

use witswitch_types::{ChannelId, HangupCause};

use crate::sip_io::SipInput;
use crate::states::CallDirection;

use super::Engine;
use super::hangup::HangupHow;

impl Engine {
    pub(crate) fn sip_input(&mut self, now: Instant, id: ChannelId, input: SipInput) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let outbound = ch.direction == CallDirection::Outbound;
        match input {
            SipInput::Provisional { status, sdp } if outbound => {
                self.b_provisional(now, id, status, sdp)
            }
            SipInput::Answered { sdp } if outbound => self.b_answered(now, id, sdp),
            SipInput::Failed { status, reason } if outbound => {
                self.b_failed(now, id, status, reason)
            }
            SipInput::Provisional { .. } | SipInput::Answered { .. } | SipInput::Failed { .. } => {}
            SipInput::Ack { sdp } => self.ack_received(now, id, sdp),
            SipInput::Bye { reason } => {
                let cause = reason.unwrap_or(HangupCause::NormalClearing);
                self.hangup_with(now, id, cause, HangupHow::RemoteBye);
            }
            SipInput::Cancel { reason } => {
                // A CANCEL after the 2xx does nothing (RFC 3261 §9.2).
                if !ch.is_answered() && !outbound {
                    let cause = match reason {
                        Some(HangupCause::NormalClearing) | None => HangupCause::OriginatorCancel,
                        Some(other) => other,
                    };
                    self.hangup_with(now, id, cause, HangupHow::RemoteCancel);
                }
            }
            SipInput::ReInvite { sdp } => self.reinvite_received(now, id, sdp),
            SipInput::ReInviteAnswered { sdp } => self.reinvite_answered(now, id, sdp),
            SipInput::ReInviteFailed { status } => self.reinvite_failed(id, status),
            SipInput::Dtmf { digit, duration_ms } => {
                self.pass_info_dtmf(id, digit);
                self.on_dtmf(now, id, digit, duration_ms);
            }
            SipInput::AckTimeout => self.hangup_local(now, id, HangupCause::RecoveryOnTimerExpire),
        }
        self.drain(now);
    }
}
