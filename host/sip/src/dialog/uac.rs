//! The UAC side: our INVITE (RFC 3261 §13.2), its responses, the ACK for 2xx
//! (§13.2.2.4, sent statelessly for every 2xx retransmission as RFC 6026 intends),
//! CANCEL (§9.1), digest retries (§22.2), and 2xx we do not want (forks, CANCEL races).

use std::time::Instant;

use crate::headers::{CSeq, NameAddr};
use crate::message::{HeaderName, Method, Request, Response};
use crate::transaction::{ClientState, ClientTxKey, InviteClientState, TransactionLayer};
use crate::uri::Uri;

use super::agent::UserAgent;
use super::error::UaError;
use super::event::{Body, OutgoingInvite, TerminationReason, UaEvent, sdp_of};
use super::ids::DialogKey;
use super::leg::{ClientKind, ClientUse, LateAck, Leg, OutgoingInvite as PendingInvite};
use super::state::{Dialog, DialogState};

impl UserAgent {
    /// Sends a new INVITE (§13.2.1): Via with a fresh branch and `rport`, Max-Forwards
    /// 70, From with a fresh tag, a fresh Call-ID (unless given), CSeq 1, Contact, Allow,
    /// the SDP offer and the extra headers. Returns the session's key; what happens next
    /// arrives as [`UaEvent`]s.
    pub fn invite(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        spec: OutgoingInvite,
    ) -> Result<DialogKey, UaError> {
        let request = self.build_invite(&spec);
        let dialog = Dialog::for_outgoing(&request)?;
        let tx = layer.send_request(now, request.clone(), spec.dest, spec.transport.clone())?;
        let key = self.allocate_key();
        let contact = match spec.contact {
            Some(contact) => contact,
            None => {
                let user = spec.from.uri.as_sip().and_then(|u| u.user.clone());
                self.contact_for(user.as_deref(), &spec.transport)
            }
        };
        self.by_tag
            .insert((dialog.call_id.clone(), dialog.local_tag.clone()), key);
        self.clients.insert(
            tx,
            ClientUse {
                dialog: key,
                kind: ClientKind::Invite,
                request,
                auth: Default::default(),
                dest: spec.dest,
                transport: spec.transport.clone(),
                acks: Vec::new(),
            },
        );
        self.legs.insert(
            key,
            Leg {
                dialog,
                peer: spec.dest,
                transport: spec.transport,
                routing: spec.routing,
                contact,
                credentials: spec.credentials,
                via_sent_by: String::new(),
                incoming: None,
                outgoing: Some(PendingInvite {
                    key: tx,
                    reinvite: false,
                    cancel_requested: false,
                    cancel_sent: false,
                    offered: spec.sdp.is_some(),
                }),
                awaiting_ack: None,
                ack_body_needed: None,
                terminating: false,
                bye_after_ack: false,
                timer: None,
            },
        );
        Ok(key)
    }

    fn build_invite(&mut self, spec: &OutgoingInvite) -> Request {
        let via = self.new_via(&spec.transport);
        let call_id = spec.call_id.clone().unwrap_or_else(|| self.ids.call_id());
        let mut from = spec.from.clone();
        from.set_tag(&self.ids.tag());
        let mut to = spec.to.clone();
        to.params.remove("tag");
        let contact = match &spec.contact {
            Some(contact) => contact.clone(),
            None => {
                let user = spec.from.uri.as_sip().and_then(|u| u.user.clone());
                self.contact_for(user.as_deref(), &spec.transport)
            }
        };
        let mut request = Request::new(Method::Invite, spec.target.clone());
        let headers = &mut request.headers;
        headers.push(HeaderName::Via, via.to_string());
        headers.push(HeaderName::MaxForwards, super::state::MAX_FORWARDS);
        headers.push(HeaderName::From, from.to_string());
        headers.push(HeaderName::To, to.to_string());
        headers.push(HeaderName::CallId, call_id);
        headers.push(HeaderName::CSeq, CSeq::new(1, Method::Invite).to_string());
        headers.push(
            HeaderName::Contact,
            NameAddr::new(Uri::Sip(contact)).to_string(),
        );
        self.capabilities(&mut request.headers);
        self.decorate(&mut request.headers);
        request.headers.extend(spec.headers.iter().cloned());
        if let Some(sdp) = &spec.sdp {
            let body = Body::sdp(sdp.clone());
            request
                .headers
                .push(HeaderName::ContentType, body.content_type);
            request.body = body.bytes;
        }
        request
    }

    /// CANCELs our pending INVITE of `key` (§9.1). Before any provisional response the
    /// CANCEL waits for one (the peer may not have the INVITE yet); the session ends
    /// with [`UaEvent::Failed`] (usually 487) and [`UaEvent::Terminated`]. A 2xx that
    /// crosses the CANCEL is ACKed and BYEd at once.
    pub fn cancel(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
    ) -> Result<(), UaError> {
        let leg = self.legs.get_mut(&key).ok_or(UaError::UnknownDialog(key))?;
        let outgoing = leg
            .outgoing
            .as_mut()
            .filter(|o| !o.reinvite)
            .ok_or(UaError::NothingToCancel(key))?;
        outgoing.cancel_requested = true;
        let tx = outgoing.key;
        self.send_pending_cancel(now, layer, key, tx);
        Ok(())
    }

    /// Sends the requested CANCEL once the INVITE is Proceeding.
    fn send_pending_cancel(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        tx: ClientTxKey,
    ) {
        let Some(outgoing) = self.legs.get_mut(&key).and_then(|l| l.outgoing.as_mut()) else {
            return;
        };
        let proceeding =
            layer.client_state(tx) == Some(ClientState::Invite(InviteClientState::Proceeding));
        if !outgoing.cancel_requested || outgoing.cancel_sent || !proceeding {
            return;
        }
        let Ok(cancel_tx) = layer.cancel(now, tx) else {
            return;
        };
        outgoing.cancel_sent = true;
        let Some(invite) = self.clients.get(&tx) else {
            return;
        };
        let cancel = ClientUse {
            dialog: key,
            kind: ClientKind::Cancel,
            request: invite.request.clone(),
            auth: Default::default(),
            dest: invite.dest,
            transport: invite.transport.clone(),
            acks: Vec::new(),
        };
        self.clients.insert(cancel_tx, cancel);
    }

    /// Sends the ACK of a late-offer call with the engine's SDP answer, after
    /// [`UaEvent::Answered`] brought the peer's offer.
    pub fn ack(
        &mut self,
        layer: &mut TransactionLayer,
        key: DialogKey,
        sdp: impl Into<Vec<u8>>,
    ) -> Result<(), UaError> {
        let leg = self.legs.get_mut(&key).ok_or(UaError::UnknownDialog(key))?;
        let late = leg
            .ack_body_needed
            .take()
            .ok_or(UaError::NoAckPending(key))?;
        self.send_ack(
            layer,
            key,
            late.invite_key,
            &late.to_tag,
            Some(Body::sdp(sdp)),
        );
        Ok(())
    }

    /// A response to one of our client transactions.
    pub(super) fn on_response(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        response: Response,
    ) {
        let Some(use_) = self.clients.get(&tx) else {
            return;
        };
        let (kind, dialog) = (use_.kind, use_.dialog);
        if (200..300).contains(&response.status)
            && matches!(kind, ClientKind::Invite | ClientKind::ReInvite)
            && self.resend_ack(layer, tx, &response)
        {
            return;
        }
        if response.status >= 300 && self.retry_with_auth(now, layer, tx, &response) {
            return;
        }
        match kind {
            ClientKind::Invite => self.on_invite_response(now, layer, tx, dialog, response),
            ClientKind::ReInvite => self.on_reinvite_response(now, layer, tx, dialog, response),
            ClientKind::Bye => {
                if response.status >= 200 {
                    self.terminate(now, layer, dialog, TerminationReason::LocalBye);
                }
            }
            ClientKind::Info | ClientKind::Options => {
                if matches!(response.status, 408 | 481) {
                    let reason = TerminationReason::DialogLost(response.status);
                    self.terminate(now, layer, dialog, reason);
                }
            }
            ClientKind::Cancel | ClientKind::CleanupBye => {}
        }
    }

    /// A retransmitted 2xx to an INVITE we already ACKed for this To tag: ACK again.
    fn resend_ack(
        &mut self,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        response: &Response,
    ) -> bool {
        let Some(use_) = self.clients.get(&tx) else {
            return false;
        };
        let tag = to_tag(response);
        let Some((_, ack, dest)) = use_.acks.iter().find(|(t, _, _)| *t == tag) else {
            return false;
        };
        let (ack, dest, transport) = (ack.clone(), *dest, use_.transport.clone());
        Self::send_stateless_request(layer, ack, dest, transport);
        true
    }

    fn on_invite_response(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        key: DialogKey,
        response: Response,
    ) {
        let current = self
            .legs
            .get(&key)
            .and_then(|leg| leg.outgoing.as_ref())
            .is_some_and(|o| o.key == tx);
        match response.status {
            100 => {}
            101..=199 if current => self.on_provisional(now, layer, tx, key, response),
            200..=299 => self.on_invite_2xx(now, layer, tx, key, response, current),
            300..=699 if current => {
                let cancelled = self
                    .legs
                    .get_mut(&key)
                    .and_then(|leg| leg.outgoing.take())
                    .is_some_and(|o| o.cancel_requested);
                let status = response.status;
                self.events.push_back(UaEvent::Failed {
                    dialog: key,
                    status,
                    reason: response.reason.clone(),
                    response: Some(Box::new(response)),
                });
                let reason = if cancelled {
                    TerminationReason::LocalCancel
                } else {
                    TerminationReason::Failed(status)
                };
                self.terminate(now, layer, key, reason);
            }
            // Responses to an INVITE superseded by its authenticated retry.
            _ => {}
        }
    }

    fn on_provisional(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        key: DialogKey,
        response: Response,
    ) {
        if let Some(leg) = self.legs.get_mut(&key)
            && response.to().is_ok_and(|to| to.tag().is_some())
            && leg.dialog.update_from_response(&response).is_ok()
            && leg.dialog.state == DialogState::Pending
        {
            leg.dialog.state = DialogState::Early;
        }
        self.send_pending_cancel(now, layer, key, tx);
        self.events.push_back(UaEvent::Provisional {
            dialog: key,
            status: response.status,
            reason: response.reason.clone(),
            sdp: sdp_of(response.content_type(), &response.body),
            response: Box::new(response),
        });
    }

    /// The first 2xx confirms the dialog and is ACKed; a 2xx from another fork, or one
    /// for a session we no longer want, is ACKed and BYEd (§13.2.2.4, §9.1).
    fn on_invite_2xx(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        key: DialogKey,
        response: Response,
        current: bool,
    ) {
        // A retransmission of the 2xx we accepted whose ACK waits for the engine's
        // late-offer answer (answered ones were re-ACKed before getting here).
        let tag = to_tag(&response);
        let awaiting_answer = self
            .legs
            .get(&key)
            .and_then(|leg| leg.ack_body_needed.as_ref())
            .is_some_and(|late| late.invite_key == tx && late.to_tag == tag);
        if awaiting_answer {
            return;
        }
        let wanted = current
            && self.legs.get(&key).is_some_and(|leg| {
                leg.dialog.state != DialogState::Confirmed
                    && !leg.outgoing.as_ref().is_some_and(|o| o.cancel_requested)
            });
        if !wanted {
            let cancelled = current && self.legs.contains_key(&key);
            self.ack_and_bye(now, layer, tx, &response);
            if cancelled {
                self.events.push_back(UaEvent::Failed {
                    dialog: key,
                    status: 487,
                    reason: "Request Terminated".to_owned(),
                    response: None,
                });
                self.terminate(now, layer, key, TerminationReason::LocalCancel);
            }
            return;
        }
        let Some(leg) = self.legs.get_mut(&key) else {
            return;
        };
        let offered = leg.outgoing.take().is_some_and(|o| o.offered);
        if leg.dialog.update_from_response(&response).is_err() {
            return;
        }
        leg.dialog.state = DialogState::Confirmed;
        if offered {
            self.send_ack(layer, key, tx, &tag, None);
        } else if let Some(leg) = self.legs.get_mut(&key) {
            leg.ack_body_needed = Some(LateAck {
                invite_key: tx,
                to_tag: tag,
            });
        }
        self.events.push_back(UaEvent::Answered {
            dialog: key,
            status: response.status,
            reason: response.reason.clone(),
            sdp: sdp_of(response.content_type(), &response.body),
            response: Box::new(response),
        });
    }

    /// Builds and sends the ACK for the 2xx (To tag `tag`) to INVITE `tx` in the dialog
    /// of `key`, and remembers it for retransmitted 2xx.
    pub(super) fn send_ack(
        &mut self,
        layer: &mut TransactionLayer,
        key: DialogKey,
        tx: ClientTxKey,
        tag: &str,
        body: Option<Body>,
    ) {
        let Some(leg) = self.legs.get(&key) else {
            return;
        };
        let Some(invite) = self.clients.get(&tx).map(|u| u.request.clone()) else {
            return;
        };
        let transport = leg.transport.clone();
        let via = self.new_via(&transport);
        let Some(leg) = self.legs.get(&key) else {
            return;
        };
        let ack = ack_request(&leg.dialog, &invite, &via, body);
        let dest = leg.dialog.next_hop(leg.routing, leg.peer);
        if let Some(use_) = self.clients.get_mut(&tx) {
            use_.acks.push((tag.to_owned(), ack.clone(), dest));
        }
        Self::send_stateless_request(layer, ack, dest, transport);
    }

    /// ACK and BYE for an unwanted 2xx to INVITE `tx`, outside any session.
    fn ack_and_bye(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        response: &Response,
    ) {
        let Some(use_) = self.clients.get(&tx) else {
            return;
        };
        let (invite, dest, transport, key) = (
            use_.request.clone(),
            use_.dest,
            use_.transport.clone(),
            use_.dialog,
        );
        let Ok(mut dialog) = Dialog::for_outgoing(&invite) else {
            return;
        };
        if dialog.update_from_response(response).is_err() {
            return;
        }
        let routing = self
            .legs
            .get(&key)
            .map_or(super::state::PeerRouting::RemoteTarget, |l| l.routing);
        let next_hop = dialog.next_hop(routing, dest);
        let via = self.new_via(&transport);
        let ack = ack_request(&dialog, &invite, &via, None);
        if let Some(use_) = self.clients.get_mut(&tx) {
            use_.acks.push((to_tag(response), ack.clone(), next_hop));
        }
        Self::send_stateless_request(layer, ack, next_hop, transport.clone());
        let via = self.new_via(&transport);
        let seq = dialog.next_local_seq();
        let mut bye = dialog.request(Method::Bye, seq, &via);
        self.decorate(&mut bye.headers);
        if let Ok(bye_tx) = layer.send_request(now, bye.clone(), next_hop, transport.clone()) {
            self.clients.insert(
                bye_tx,
                ClientUse {
                    dialog: key,
                    kind: ClientKind::CleanupBye,
                    request: bye,
                    auth: Default::default(),
                    dest: next_hop,
                    transport,
                    acks: Vec::new(),
                },
            );
        }
    }

    /// §22.2: answers a 401/407 to one of our requests once per challenge, resending it
    /// with a new branch and CSeq+1. False when there is nothing to retry with.
    fn retry_with_auth(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        response: &Response,
    ) -> bool {
        if !matches!(response.status, 401 | 407) {
            return false;
        }
        let Some(use_) = self.clients.get(&tx) else {
            return false;
        };
        let key = use_.dialog;
        let retryable = matches!(
            use_.kind,
            ClientKind::Invite
                | ClientKind::ReInvite
                | ClientKind::Bye
                | ClientKind::Info
                | ClientKind::Options
        );
        let Some(leg) = self.legs.get(&key).filter(|_| retryable) else {
            return false;
        };
        let Some(credentials) = leg.credentials.clone() else {
            return false;
        };
        let superseded = match (&leg.outgoing, use_.kind) {
            (Some(o), ClientKind::Invite | ClientKind::ReInvite) => {
                o.key != tx || o.cancel_requested
            }
            (None, ClientKind::Invite | ClientKind::ReInvite) => true,
            _ => false,
        };
        if superseded {
            return false;
        }
        let mut request = use_.request.clone();
        let mut auth = use_.auth.clone();
        let (kind, dest, transport) = (use_.kind, use_.dest, use_.transport.clone());
        let cnonce = self.ids.cnonce();
        if auth
            .authorize(&mut request, response, &credentials, &cnonce)
            .is_err()
        {
            return false;
        }
        let via = self.new_via(&transport);
        request.headers.set(HeaderName::Via, via.to_string());
        let Some(leg) = self.legs.get_mut(&key) else {
            return false;
        };
        let seq = leg.dialog.next_local_seq();
        let method = request.method.clone();
        request
            .headers
            .set(HeaderName::CSeq, CSeq::new(seq, method).to_string());
        let Ok(new_tx) = layer.send_request(now, request.clone(), dest, transport.clone()) else {
            return false;
        };
        if let Some(outgoing) = leg.outgoing.as_mut().filter(|o| o.key == tx) {
            outgoing.key = new_tx;
        }
        self.clients.insert(
            new_tx,
            ClientUse {
                dialog: key,
                kind,
                request,
                auth,
                dest,
                transport,
                acks: Vec::new(),
            },
        );
        true
    }

    /// Timer B/F (408) or a transport error (503) on one of our client transactions.
    pub(super) fn on_client_failure(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        tx: ClientTxKey,
        status: u16,
    ) {
        let Some(use_) = self.clients.get(&tx) else {
            return;
        };
        let (kind, key) = (use_.kind, use_.dialog);
        let Some(leg) = self.legs.get(&key) else {
            return;
        };
        let current = leg.outgoing.as_ref().is_some_and(|o| o.key == tx);
        let reason = match kind {
            ClientKind::Invite if current => {
                let cancelled = leg.outgoing.as_ref().is_some_and(|o| o.cancel_requested);
                self.events.push_back(UaEvent::Failed {
                    dialog: key,
                    status,
                    reason: Response::default_reason(status).to_owned(),
                    response: None,
                });
                match (cancelled, status) {
                    (true, _) => TerminationReason::LocalCancel,
                    (false, 503) => TerminationReason::TransportError,
                    (false, _) => TerminationReason::Failed(status),
                }
            }
            ClientKind::ReInvite if current => {
                self.events.push_back(UaEvent::ReInviteResult {
                    dialog: key,
                    status,
                    reason: Response::default_reason(status).to_owned(),
                    sdp: None,
                    retry_after: None,
                });
                TerminationReason::DialogLost(status)
            }
            ClientKind::Bye => TerminationReason::LocalBye,
            ClientKind::Info | ClientKind::Options => TerminationReason::DialogLost(status),
            _ => return,
        };
        self.terminate(now, layer, key, reason);
    }
}

/// The To tag of a response ("" when absent).
pub(super) fn to_tag(response: &Response) -> String {
    response
        .to()
        .ok()
        .and_then(|to| to.tag().map(str::to_owned))
        .unwrap_or_default()
}

/// §13.2.2.4: the ACK for a 2xx is built like any in-dialog request, with the INVITE's
/// CSeq number and the INVITE's credentials (§22.1), plus the late-offer answer if any.
fn ack_request(
    dialog: &Dialog,
    invite: &Request,
    via: &crate::headers::Via,
    body: Option<Body>,
) -> Request {
    let seq = invite.cseq().map(|c| c.seq).unwrap_or(dialog.local_seq);
    let mut ack = dialog.request(Method::Ack, seq, via);
    for name in [HeaderName::Authorization, HeaderName::ProxyAuthorization] {
        for value in invite.headers.get_all(&name) {
            ack.headers.push(name.clone(), value);
        }
    }
    if let Some(body) = body {
        ack.headers.push(HeaderName::ContentType, body.content_type);
        ack.body = body.bytes;
    }
    ack
}
