//! The client side of the layer: starting client transactions, matching responses to
//! them (§17.1.3), the in-transaction ACK for non-2xx (§17.1.1.3) and CANCEL (§9.1).

use std::net::SocketAddr;
use std::time::Instant;

use crate::headers::Transport;
use crate::message::{Message, Method, Request, Response, ValidationError};

use super::build::{ack_for_failure, cancel_for};
use super::client_invite::{InviteClient, InviteClientAction, InviteClientState};
use super::client_non_invite::{NonInviteClient, NonInviteClientAction};
use super::error::TransactionError;
use super::event::{Transmit, TxEvent};
use super::fsm::{ClientFsm, ClientState};
use super::layer::{ClientTransaction, TransactionLayer};
use super::matching::{ClientMatchKey, ClientTxKey, TxKey, is_rfc3261_branch};

impl TransactionLayer {
    /// Starts a client transaction and queues the request for `dest`. The request must
    /// carry its own top Via with a `z9hG4bK` branch (the TU knows its sent-by and
    /// owns the randomness) and a CSeq naming its method. ACK is refused: see
    /// [`TransactionError::AckIsStateless`].
    pub fn send_request(
        &mut self,
        now: Instant,
        request: Request,
        dest: SocketAddr,
        transport: Transport,
    ) -> Result<ClientTxKey, TransactionError> {
        if request.method == Method::Ack {
            return Err(TransactionError::AckIsStateless);
        }
        let via = request.via_top()?;
        let branch = via
            .branch()
            .filter(|b| is_rfc3261_branch(b))
            .ok_or(TransactionError::BranchWithoutMagicCookie)?;
        let cseq = request.cseq()?;
        if cseq.method != request.method {
            return Err(ValidationError::CSeqMethodMismatch {
                request: request.method.clone(),
                cseq: cseq.method,
            }
            .into());
        }
        let match_key = ClientMatchKey::of_request(branch, &request.method);
        if self.client_index.contains_key(&match_key) {
            return Err(TransactionError::DuplicateBranch {
                branch: branch.to_owned(),
            });
        }
        let reliable = transport.is_reliable();
        let timers = self.config.timers;
        let fsm = match request.method {
            Method::Invite => ClientFsm::Invite(InviteClient::start(now, timers, reliable)),
            _ => ClientFsm::NonInvite(NonInviteClient::start(now, timers, reliable)),
        };
        let key = ClientTxKey(self.allocate_id());
        self.transmits.push_back(Transmit {
            dest,
            transport: transport.clone(),
            message: Message::Request(request.clone()),
            key: Some(TxKey::Client(key)),
        });
        self.client_index.insert(match_key.clone(), key);
        self.clients.insert(
            key,
            ClientTransaction {
                fsm,
                request,
                cseq: cseq.seq,
                match_key,
                dest,
                transport,
                ack: None,
                scheduled: None,
            },
        );
        self.after_change(TxKey::Client(key));
        Ok(key)
    }

    /// Sends a CANCEL for INVITE client transaction `key` as a new non-INVITE client
    /// transaction to the same destination (§9.1). Allowed only in Proceeding: before a
    /// provisional response the CANCEL must wait, and after a final one it is pointless.
    /// The INVITE then gets 64*T1 for its final response (Timer B, §9.1) before it is
    /// destroyed with a Timeout event.
    pub fn cancel(
        &mut self,
        now: Instant,
        key: ClientTxKey,
    ) -> Result<ClientTxKey, TransactionError> {
        let tx = self
            .clients
            .get(&key)
            .ok_or(TransactionError::UnknownClient(key))?;
        let state = tx.fsm.state();
        if state != ClientState::Invite(InviteClientState::Proceeding) {
            return Err(TransactionError::CancelNotAllowed { state });
        }
        let cancel = cancel_for(&tx.request, tx.cseq);
        let (dest, transport) = (tx.dest, tx.transport.clone());
        let cancel_key = self.send_request(now, cancel, dest, transport)?;
        if let Some(ClientFsm::Invite(fsm)) = self.clients.get_mut(&key).map(|tx| &mut tx.fsm) {
            fsm.on_cancel_sent(now);
        }
        self.after_change(TxKey::Client(key));
        Ok(cancel_key)
    }

    /// A response arrived: pass it to its client transaction, or drop it as stray.
    pub(super) fn on_response(
        &mut self,
        now: Instant,
        response: Response,
    ) -> Result<(), TransactionError> {
        let match_key = response
            .validate()
            .map_err(TransactionError::from)
            .and_then(|()| {
                ClientMatchKey::of_response(&response.headers).map_err(TransactionError::from)
            })
            .inspect_err(|_| self.stats.invalid_dropped += 1)?;
        let Some(key) = match_key.and_then(|k| self.client_index.get(&k).copied()) else {
            self.stats.stray_responses += 1;
            return Ok(());
        };
        let Some(tx) = self.clients.get_mut(&key) else {
            self.stats.stray_responses += 1;
            return Ok(());
        };
        let status = response.status;
        let (pass_up, ack) = match &mut tx.fsm {
            ClientFsm::Invite(fsm) => match fsm.on_response(now, status) {
                InviteClientAction::PassToTu => (true, None),
                InviteClientAction::PassToTuAndAck => {
                    let ack = ack_for_failure(&tx.request, tx.cseq, &response);
                    tx.ack = Some(ack.clone());
                    (true, Some(ack))
                }
                InviteClientAction::ResendAck => (false, tx.ack.clone()),
                InviteClientAction::Absorb => (false, None),
            },
            ClientFsm::NonInvite(fsm) => match fsm.on_response(now, status) {
                NonInviteClientAction::PassToTu => (true, None),
                NonInviteClientAction::Absorb => (false, None),
            },
        };
        if let Some(ack) = ack {
            self.transmits.push_back(Transmit {
                dest: tx.dest,
                transport: tx.transport.clone(),
                message: Message::Request(ack),
                key: Some(TxKey::Client(key)),
            });
        }
        if pass_up {
            self.events.push_back(TxEvent::Response { key, response });
        } else {
            self.stats.retransmissions_absorbed += 1;
        }
        self.after_change(TxKey::Client(key));
        Ok(())
    }
}
