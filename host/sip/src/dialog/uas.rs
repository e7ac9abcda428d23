//! The UAS side: new INVITEs, our responses to them (RFC 3261 §13.3), the 2xx
//! retransmission until the ACK (§13.3.1.4), ACK and CANCEL (§9.2) handling.

use std::net::SocketAddr;
use std::time::Instant;

use crate::headers::{NameAddr, Transport};
use crate::message::{HeaderName, Method, Request, Response};
use crate::transaction::{CancelTarget, ServerTxKey, TransactionLayer};
use crate::uri::Uri;

use super::agent::UserAgent;
use super::error::UaError;
use super::event::{AckTimeoutDiagnosis, Reply, TerminationReason, UaEvent, sdp_of};
use super::ids::DialogKey;
use super::leg::{AwaitingAck, IncomingInvite, Leg};
use super::state::{Dialog, DialogState, PeerRouting};

impl UserAgent {
    /// A new request the agent claimed: a new INVITE, or something for a dialog.
    pub(super) fn on_request(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ServerTxKey,
        request: Request,
        source: SocketAddr,
        transport: Transport,
    ) {
        if self.refuse_unsupported(now, layer, key, &request) {
            return;
        }
        let has_to_tag = request.to().is_ok_and(|to| to.tag().is_some());
        if request.method == Method::Invite && !has_to_tag {
            self.on_new_invite(now, layer, key, request, source, transport);
            return;
        }
        match self.find_by_to_tag(&request) {
            Some(dialog) => self.on_in_dialog_request(now, layer, key, request, dialog),
            None => {
                // §12.2.2: a request for a dialog we do not know.
                let response = self.simple_response(&request, 481);
                self.reply(now, layer, key, response);
            }
        }
    }

    /// §8.2.2.3: a request requiring an extension we do not support (100rel, timer,
    /// ...) is answered 420 listing them in Unsupported. True when it was.
    fn refuse_unsupported(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ServerTxKey,
        request: &Request,
    ) -> bool {
        let unsupported: Vec<String> = request
            .headers
            .get_all(&HeaderName::Require)
            .filter(|tag| {
                !self
                    .config
                    .supported
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(tag))
            })
            .map(str::to_owned)
            .collect();
        if unsupported.is_empty() {
            return false;
        }
        let mut response = self.simple_response(request, 420);
        response
            .headers
            .push(HeaderName::Unsupported, unsupported.join(", "));
        self.reply(now, layer, key, response);
        true
    }

    /// §12.1.1: a new session for an INVITE from `source`. The To tag is chosen now so
    /// that every response (180, 183, 200) carries the same one.
    fn on_new_invite(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ServerTxKey,
        request: Request,
        source: SocketAddr,
        transport: Transport,
    ) {
        let local_tag = self.ids.tag();
        let dialog = match Dialog::for_incoming(&request, local_tag) {
            Ok(dialog) => dialog,
            Err(_) => {
                let response = self.simple_response(&request, 400);
                self.reply(now, layer, key, response);
                return;
            }
        };
        let user = request.uri.as_sip().and_then(|u| u.user.clone());
        let contact = self.contact_for(user.as_deref(), &transport);
        let via_sent_by = request
            .via_top()
            .map(|v| match v.port {
                Some(port) => format!("{}:{port}", v.host),
                None => v.host.to_string(),
            })
            .unwrap_or_default();
        let dialog_key = self.allocate_key();
        self.by_tag.insert(
            (dialog.call_id.clone(), dialog.local_tag.clone()),
            dialog_key,
        );
        self.servers.insert(key, dialog_key);
        self.legs.insert(
            dialog_key,
            Leg {
                dialog,
                peer: source,
                transport: transport.clone(),
                // Inbound: answer where the INVITE came from (NAT-proof; a proxy on the
                // path forwards by Request-URI). See PeerRouting.
                routing: PeerRouting::Symmetric,
                contact,
                credentials: None,
                via_sent_by,
                incoming: Some(IncomingInvite {
                    key,
                    request: request.clone(),
                    reinvite: false,
                }),
                outgoing: None,
                awaiting_ack: None,
                ack_body_needed: None,
                terminating: false,
                bye_after_ack: false,
                timer: None,
            },
        );
        self.events.push_back(UaEvent::IncomingInvite {
            dialog: dialog_key,
            request: Box::new(request),
            source,
            transport,
        });
    }

    /// Answers the peer's pending INVITE (initial or re-INVITE) of `key`. A 1xx makes
    /// the dialog early; a 2xx confirms it and starts retransmitting until the ACK; a
    /// 300-699 ends an initial INVITE's session (a re-INVITE's dialog goes on).
    pub fn respond(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        reply: Reply,
    ) -> Result<(), UaError> {
        if !(101..=699).contains(&reply.status) {
            return Err(UaError::InvalidStatus(reply.status));
        }
        let leg = self.legs.get(&key).ok_or(UaError::UnknownDialog(key))?;
        let incoming = leg.incoming.as_ref().ok_or(UaError::NothingToAnswer(key))?;
        let (tx, reinvite) = (incoming.key, incoming.reinvite);
        let response = self.build_response(leg, &incoming.request, reply);
        let status = response.status;
        layer.send_response(now, tx, response.clone())?;
        let t1 = self.config.timers.t1;
        let leg = self.legs.get_mut(&key).ok_or(UaError::UnknownDialog(key))?;
        match status {
            101..=199 => {
                if leg.dialog.state == DialogState::Pending {
                    leg.dialog.state = DialogState::Early;
                }
            }
            200..=299 => {
                leg.dialog.state = DialogState::Confirmed;
                let cseq = leg
                    .incoming
                    .take()
                    .and_then(|inc| inc.request.cseq().ok())
                    .map_or(0, |c| c.seq);
                leg.awaiting_ack = Some(AwaitingAck {
                    key: tx,
                    cseq,
                    response,
                    interval: t1,
                    next: now + t1,
                    started: now,
                    give_up: now + t1 * 64,
                });
                self.schedule(key, now + t1);
            }
            _ => {
                leg.incoming = None;
                if !reinvite {
                    self.terminate(now, layer, key, TerminationReason::Rejected(status));
                }
            }
        }
        Ok(())
    }

    /// `respond` with 200 OK and an SDP answer (FreeSWITCH `answer`).
    pub fn answer(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        sdp: impl Into<Vec<u8>>,
    ) -> Result<(), UaError> {
        self.respond(now, layer, key, Reply::new(200).sdp(sdp))
    }

    /// The response for `request` (the pending INVITE of `leg`): our To tag, Record-Route
    /// and Contact on 1xx/2xx (§12.1.1), Allow/Supported on 2xx, the body and extras.
    fn build_response(&self, leg: &Leg, request: &Request, reply: Reply) -> Response {
        let reason = reply
            .reason
            .unwrap_or_else(|| Response::default_reason(reply.status).to_owned());
        let mut response = Response::for_request(request, reply.status, reason);
        if !request.to().is_ok_and(|to| to.tag().is_some()) {
            // Cannot fail: the transaction layer validated the To header.
            let _ = response.headers.set_to_tag(&leg.dialog.local_tag);
        }
        if reply.status < 300 {
            for route in request.headers.get_all(&HeaderName::RecordRoute) {
                response.headers.push(HeaderName::RecordRoute, route);
            }
            let contact = NameAddr::new(Uri::Sip(leg.contact.clone()));
            response
                .headers
                .push(HeaderName::Contact, contact.to_string());
        }
        if (200..300).contains(&reply.status) {
            self.capabilities(&mut response.headers);
        }
        self.decorate(&mut response.headers);
        if let Some(body) = reply.body {
            response
                .headers
                .push(HeaderName::ContentType, body.content_type);
            response.body = body.bytes;
        }
        response.headers.extend(reply.headers);
        response
    }

    /// The 2xx retransmission timer of `key` fired: resend with the interval doubled up
    /// to T2, or give up after 64*T1 and report the missing ACK (§13.3.1.4).
    pub(super) fn on_ack_timer(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
    ) {
        let t2 = self.config.timers.t2;
        let Some(leg) = self.legs.get_mut(&key) else {
            return;
        };
        let Some(waiting) = leg.awaiting_ack.as_mut() else {
            return;
        };
        if now >= waiting.give_up {
            let waiting = leg.awaiting_ack.take();
            let diagnosis = waiting.map(|w| AckTimeoutDiagnosis {
                call_id: leg.dialog.call_id.clone(),
                our_contact: Uri::Sip(leg.contact.clone()),
                invite_source: leg.peer,
                via_sent_by: leg.via_sent_by.clone(),
                remote_contact: leg.dialog.remote_target.clone(),
                waited: now.saturating_duration_since(w.started),
            });
            if let Some(diagnosis) = diagnosis {
                self.events.push_back(UaEvent::AckTimeout {
                    dialog: key,
                    diagnosis: Box::new(diagnosis),
                });
            }
            self.after_ack_wait(now, layer, key);
            return;
        }
        let response = waiting.response.clone();
        let tx = waiting.key;
        waiting.interval = (waiting.interval * 2).min(t2);
        waiting.next = (now + waiting.interval).min(waiting.give_up);
        let next = waiting.next;
        let (peer, transport) = (leg.peer, leg.transport.clone());
        if layer.send_response(now, tx, response.clone()).is_err() {
            // The server transaction already ended (Timer L): retransmit statelessly.
            layer.send_stateless(crate::message::Message::Response(response), peer, transport);
        }
        self.schedule(key, next);
    }

    /// An ACK for a 2xx: it stops the retransmissions of our 2xx with the same CSeq.
    pub(super) fn on_ack(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: Option<ServerTxKey>,
        ack: &Request,
    ) {
        let dialog = self
            .find_by_to_tag(ack)
            .or_else(|| tx.and_then(|k| self.servers.get(&k).copied()));
        let Some(key) = dialog else {
            return;
        };
        let Some(leg) = self.legs.get_mut(&key) else {
            return;
        };
        let cseq = ack.cseq().map(|c| c.seq).ok();
        let matches = leg
            .awaiting_ack
            .as_ref()
            .is_some_and(|w| Some(w.cseq) == cseq);
        if !matches {
            // A retransmitted ACK, or one for a 2xx we no longer wait on.
            return;
        }
        leg.awaiting_ack = None;
        leg.timer = None;
        let sdp = sdp_of(ack.content_type(), &ack.body);
        self.events
            .push_back(UaEvent::AckReceived { dialog: key, sdp });
        self.after_ack_wait(now, layer, key);
    }

    /// The ACK wait is over (ACK or timeout): send a BYE the engine asked for meanwhile.
    fn after_ack_wait(&mut self, now: Instant, layer: &mut TransactionLayer, key: DialogKey) {
        let deferred = self.legs.get(&key).is_some_and(|leg| leg.bye_after_ack);
        if deferred && self.send_bye(now, layer, key).is_err() {
            self.terminate(now, layer, key, TerminationReason::LocalBye);
        }
    }

    /// A CANCEL (§9.2): 200 to the CANCEL, and for an INVITE still pending, 487 to it
    /// and the end of the session. Done here rather than by the engine because the
    /// protocol leaves no choice, and the INVITE must be answered at once.
    pub(super) fn on_cancel(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ServerTxKey,
        target: CancelTarget,
        cancel: &Request,
    ) {
        let invite_tx = match target {
            CancelTarget::NotFound => {
                let response = self.simple_response(cancel, 481);
                self.reply(now, layer, key, response);
                return;
            }
            CancelTarget::Answered(_) => None,
            CancelTarget::Pending(invite) => Some(invite),
        };
        let dialog = invite_tx.and_then(|tx| self.servers.get(&tx).copied());
        let local_tag = dialog
            .and_then(|d| self.legs.get(&d))
            .map(|leg| leg.dialog.local_tag.clone());
        let mut ok = self.simple_response(cancel, 200);
        if let Some(tag) = &local_tag
            && !cancel.to().is_ok_and(|to| to.tag().is_some())
        {
            let _ = ok.headers.set_to_tag(tag);
        }
        self.reply(now, layer, key, ok);
        let Some(invite_tx) = invite_tx else {
            return;
        };
        let ours = dialog.filter(|d| {
            self.legs
                .get(d)
                .and_then(|leg| leg.incoming.as_ref())
                .is_some_and(|inc| inc.key == invite_tx)
        });
        match ours {
            Some(dialog) => self.cancel_incoming(now, layer, dialog),
            None => {
                // Not a session of ours (cannot normally happen): still end the INVITE.
                let mut terminated = self.simple_response(cancel, 487);
                terminated
                    .headers
                    .set(HeaderName::CSeq, cancel_cseq_as_invite(cancel));
                self.reply(now, layer, invite_tx, terminated);
            }
        }
    }

    /// Ends the peer's pending INVITE of `dialog` with 487 after its CANCEL.
    fn cancel_incoming(&mut self, now: Instant, layer: &mut TransactionLayer, dialog: DialogKey) {
        let reinvite = self
            .legs
            .get(&dialog)
            .and_then(|leg| leg.incoming.as_ref())
            .is_some_and(|inc| inc.reinvite);
        if reinvite {
            // A cancelled re-INVITE leaves the dialog as it was (§9.2, §14.2).
            if let Some(inc) = self.legs.get_mut(&dialog).and_then(|l| l.incoming.take()) {
                let response = self.simple_response(&inc.request, 487);
                self.reply(now, layer, inc.key, response);
            }
            return;
        }
        self.events.push_back(UaEvent::Cancelled { dialog });
        self.terminate(now, layer, dialog, TerminationReason::RemoteCancel);
    }
}

/// `<seq> INVITE` from a CANCEL's CSeq (their numbers are equal, §9.1).
fn cancel_cseq_as_invite(cancel: &Request) -> String {
    let seq = cancel.cseq().map(|c| c.seq).unwrap_or_default();
    format!("{seq} INVITE")
}
