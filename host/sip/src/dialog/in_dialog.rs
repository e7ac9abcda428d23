//! Requests inside a dialog (RFC 3261 §12.2): the peer's BYE, re-INVITE, INFO and
//! OPTIONS, and ours (BYE §15, re-INVITE §14, INFO RFC 6086, OPTIONS §11).

use std::time::{Duration, Instant};

use crate::message::{HeaderName, Method, Request, Response};
use crate::transaction::{ClientTxKey, ServerTxKey, TransactionLayer};

use super::agent::UserAgent;
use super::dtmf::{DTMF_RELAY, Dtmf, dtmf_relay_body, parse_info_dtmf};
use super::error::UaError;
use super::event::{Body, TerminationReason, UaEvent, sdp_of};
use super::ids::DialogKey;
use super::leg::{IncomingInvite, OutgoingInvite as PendingInvite};
use super::state::{DialogState, PeerRouting, Role};
use super::uac::to_tag;

/// Methods a dialog knows but does not serve: 405 with Allow rather than 501.
const KNOWN_UNSERVED: [Method; 7] = [
    Method::Prack,
    Method::Update,
    Method::Refer,
    Method::Notify,
    Method::Subscribe,
    Method::Message,
    Method::Publish,
];

impl UserAgent {
    /// A request for the dialog of `key` (its To tag is our local tag).
    pub(super) fn on_in_dialog_request(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ServerTxKey,
        request: Request,
        key: DialogKey,
    ) {
        let Some(leg) = self.legs.get_mut(&key) else {
            return;
        };
        let from_tag = request.from().ok().and_then(|f| f.tag().map(str::to_owned));
        if leg.dialog.remote_tag.is_some() && leg.dialog.remote_tag != from_tag {
            let response = self.simple_response(&request, 481);
            self.reply(now, layer, tx, response);
            return;
        }
        let cseq = request.cseq().map(|c| c.seq).unwrap_or_default();
        // §12.2.2: a CSeq lower than the last one is out of order.
        if leg.dialog.remote_seq.is_some_and(|last| cseq < last) {
            let response = self.simple_response(&request, 500);
            self.reply(now, layer, tx, response);
            return;
        }
        leg.dialog.remote_seq = Some(cseq);
        match request.method {
            Method::Bye => self.on_bye(now, layer, tx, &request, key),
            Method::Invite => self.on_reinvite(now, layer, tx, request, key),
            Method::Info => {
                let response = self.simple_response(&request, 200);
                self.reply(now, layer, tx, response);
                let content_type = request.content_type().map(str::to_owned);
                let dtmf = content_type
                    .as_deref()
                    .and_then(|ct| parse_info_dtmf(ct, &request.body));
                self.events.push_back(UaEvent::Info {
                    dialog: key,
                    dtmf,
                    content_type,
                    body: request.body,
                });
            }
            Method::Options => {
                let mut response = self.simple_response(&request, 200);
                self.capabilities(&mut response.headers);
                response.headers.push(HeaderName::Accept, super::event::SDP);
                self.reply(now, layer, tx, response);
            }
            ref method if KNOWN_UNSERVED.contains(method) => {
                let mut response = self.simple_response(&request, 405);
                self.capabilities(&mut response.headers);
                self.reply(now, layer, tx, response);
            }
            _ => {
                let response = self.simple_response(&request, 501);
                self.reply(now, layer, tx, response);
            }
        }
    }

    /// §15.1.2: the peer hangs up. A pending INVITE of ours on the dialog is cancelled.
    fn on_bye(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ServerTxKey,
        bye: &Request,
        key: DialogKey,
    ) {
        let response = self.simple_response(bye, 200);
        self.reply(now, layer, tx, response);
        let pending = self
            .legs
            .get(&key)
            .and_then(|leg| leg.outgoing.as_ref())
            .filter(|o| !o.reinvite)
            .map(|o| o.key);
        if let Some(invite) = pending {
            let _ = layer.cancel(now, invite);
        }
        self.events.push_back(UaEvent::ByeReceived { dialog: key });
        self.terminate(now, layer, key, TerminationReason::RemoteBye);
    }

    /// §14.2: a re-INVITE. Glare with our own re-INVITE gets 491; a second one while
    /// the first is unanswered gets 500 with Retry-After.
    fn on_reinvite(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ServerTxKey,
        request: Request,
        key: DialogKey,
    ) {
        let Some(leg) = self.legs.get(&key) else {
            return;
        };
        let refusal = if leg.outgoing.is_some() {
            Some((491, None))
        } else if leg.incoming.is_some() || leg.dialog.state != DialogState::Confirmed {
            Some((500, Some(self.ids.next_u64() % 11)))
        } else if leg.terminating {
            Some((481, None))
        } else {
            None
        };
        if let Some((status, retry_after)) = refusal {
            let mut response = self.simple_response(&request, status);
            if let Some(seconds) = retry_after {
                response
                    .headers
                    .push(HeaderName::RetryAfter, seconds.to_string());
            }
            self.reply(now, layer, tx, response);
            return;
        }
        let Some(leg) = self.legs.get_mut(&key) else {
            return;
        };
        leg.dialog.refresh_target(&request.headers);
        leg.incoming = Some(IncomingInvite {
            key: tx,
            request: request.clone(),
            reinvite: true,
        });
        self.servers.insert(tx, key);
        self.events.push_back(UaEvent::ReInvite {
            dialog: key,
            sdp: sdp_of(request.content_type(), &request.body),
            request: Box::new(request),
        });
    }

    /// Hangs up a confirmed session with BYE (§15.1.1). While our 2xx awaits its ACK the
    /// BYE is deferred until the ACK or the ACK timeout (§15: the callee must not send
    /// BYE before). [`UaEvent::Terminated`] follows the BYE's final response.
    pub fn bye(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
    ) -> Result<(), UaError> {
        let leg = self.legs.get_mut(&key).ok_or(UaError::UnknownDialog(key))?;
        if leg.terminating {
            return Err(UaError::Terminating(key));
        }
        if leg.dialog.state != DialogState::Confirmed {
            return Err(UaError::NotConfirmed(key));
        }
        if leg.awaiting_ack.is_some() {
            leg.bye_after_ack = true;
            leg.terminating = true;
            return Ok(());
        }
        self.send_bye(now, layer, key)
    }

    /// Sends the BYE now; a still-pending re-INVITE from the peer is answered 487 first.
    pub(super) fn send_bye(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
    ) -> Result<(), UaError> {
        let leg = self.legs.get_mut(&key).ok_or(UaError::UnknownDialog(key))?;
        leg.terminating = true;
        leg.bye_after_ack = false;
        if let Some(inc) = leg.incoming.take() {
            let response = self.simple_response(&inc.request, 487);
            self.reply(now, layer, inc.key, response);
        }
        self.send_in_dialog(now, layer, key, Method::Bye, None)?;
        Ok(())
    }

    /// Sends a re-INVITE with a new SDP offer (hold: `a=sendonly`; unhold: `a=sendrecv`),
    /// §14.1. The answer arrives as [`UaEvent::ReInviteResult`]; the ACK is automatic.
    pub fn reinvite(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        sdp: impl Into<Vec<u8>>,
    ) -> Result<(), UaError> {
        let leg = self.legs.get(&key).ok_or(UaError::UnknownDialog(key))?;
        self.check_usable(key)?;
        if leg.outgoing.is_some() || leg.incoming.is_some() {
            return Err(UaError::InviteInProgress(key));
        }
        let tx = self.send_in_dialog(now, layer, key, Method::Invite, Some(Body::sdp(sdp)))?;
        if let Some(leg) = self.legs.get_mut(&key) {
            leg.outgoing = Some(PendingInvite {
                key: tx,
                reinvite: true,
                cancel_requested: false,
                cancel_sent: false,
                offered: true,
            });
        }
        Ok(())
    }

    /// The final response to our re-INVITE: 2xx refreshes the target and is ACKed; 491
    /// suggests a retry delay (§14.1); 481/408 end the dialog (§12.2.1.2); any other
    /// failure leaves the session as it was.
    pub(super) fn on_reinvite_response(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        key: DialogKey,
        response: Response,
    ) {
        let Some(leg) = self.legs.get_mut(&key) else {
            return;
        };
        if response.status < 200 || leg.outgoing.as_ref().is_none_or(|o| o.key != tx) {
            return;
        }
        leg.outgoing = None;
        let status = response.status;
        if status < 300 {
            leg.dialog.refresh_target(&response.headers);
            let tag = to_tag(&response);
            self.send_ack(layer, key, tx, &tag, None);
        }
        let owner = self.legs.get(&key).map(|l| l.dialog.role);
        let retry_after = (status == 491).then(|| self.glare_delay(owner == Some(Role::Uac)));
        self.events.push_back(UaEvent::ReInviteResult {
            dialog: key,
            status,
            reason: response.reason.clone(),
            sdp: sdp_of(response.content_type(), &response.body),
            retry_after,
        });
        if matches!(status, 408 | 481) {
            self.terminate(now, layer, key, TerminationReason::DialogLost(status));
        }
    }

    /// §14.1: after a 491, the owner of the Call-ID waits 2.1-4 s, the other side 0-2 s,
    /// in units of 10 ms.
    fn glare_delay(&mut self, owns_call_id: bool) -> Duration {
        let units = self.ids.next_u64();
        if owns_call_id {
            Duration::from_millis(2100 + (units % 191) * 10)
        } else {
            Duration::from_millis((units % 201) * 10)
        }
    }

    /// Sends an INFO with `body` (RFC 6086).
    pub fn send_info(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        body: Body,
    ) -> Result<(), UaError> {
        self.check_usable(key)?;
        self.send_in_dialog(now, layer, key, Method::Info, Some(body))?;
        Ok(())
    }

    /// Sends one DTMF digit as `application/dtmf-relay` INFO (`Signal=5`,
    /// `Duration=160`), the form FreeSWITCH sends for `dtmf_type=info`.
    pub fn send_dtmf_info(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        dtmf: Dtmf,
    ) -> Result<(), UaError> {
        let bytes = dtmf_relay_body(dtmf).ok_or(UaError::InvalidDtmf(dtmf.digit))?;
        let body = Body {
            content_type: DTMF_RELAY.to_owned(),
            bytes,
        };
        self.send_info(now, layer, key, body)
    }

    /// Sends an OPTIONS in the dialog (a keepalive: 481 or no answer ends the session).
    pub fn send_options(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
    ) -> Result<(), UaError> {
        self.check_usable(key)?;
        self.send_in_dialog(now, layer, key, Method::Options, None)?;
        Ok(())
    }

    /// Changes how in-dialog requests of `key` find the peer (e.g. `Symmetric` for an
    /// outbound leg to a registered contact behind NAT).
    pub fn set_routing(&mut self, key: DialogKey, routing: PeerRouting) -> Result<(), UaError> {
        let leg = self.legs.get_mut(&key).ok_or(UaError::UnknownDialog(key))?;
        leg.routing = routing;
        Ok(())
    }

    /// The session exists, is confirmed and is not hanging up.
    fn check_usable(&self, key: DialogKey) -> Result<(), UaError> {
        let leg = self.legs.get(&key).ok_or(UaError::UnknownDialog(key))?;
        if leg.terminating {
            return Err(UaError::Terminating(key));
        }
        if leg.dialog.state != DialogState::Confirmed {
            return Err(UaError::NotConfirmed(key));
        }
        Ok(())
    }
}
