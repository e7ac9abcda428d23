//! The call side of a profile core: its [`UserAgent`] (INVITE sessions), the
//! `auth-calls` check, the gateways of the profile, and the translation of
//! dialog events and engine commands to and from the call task
//! (`crate::calls::link`). A child module of `core`, so it works on the
//! profile's transaction layer and registrar directly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;
use witswitch_core::{RegisteredContact, SipCommand, SipInput};
use witswitch_sip::dialog::{DialogKey, Reply, UaEvent, UserAgent};
use witswitch_sip::gateway::{CallerId, Gateway};
use witswitch_sip::registrar::Aor;
use witswitch_sip::{HeaderName, Request, Transport};

use super::ProfileCore;
use crate::calls::link::{InviteSpec, ProfileCommand, ProfileIndex, ProfileMsg};
use crate::driver::invite_auth::{InviteAuth, InviteAuthOutcome};
use crate::driver::invite_build::{
    finish, inbound_gateway, inbound_invite, outgoing_invite, reason_cause, reason_header,
};

/// What a profile needs to take part in calls.
#[derive(Debug)]
pub struct CallSide {
    pub(super) ua: UserAgent,
    /// `auth-calls`: `None` lets every INVITE through unauthenticated.
    auth: Option<InviteAuth>,
    config: Arc<witswitch_config::Config>,
    /// The profile's directory domain (default domain of `user/` lookups).
    domain: String,
    /// Our host for From of outgoing calls.
    local_host: String,
    pub(super) gateways: Vec<Gateway>,
    index: ProfileIndex,
    to_calls: mpsc::UnboundedSender<(ProfileIndex, ProfileMsg)>,
}

impl CallSide {
    /// The call side of profile `index`, reporting to `to_calls`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ua: UserAgent,
        auth: Option<InviteAuth>,
        config: Arc<witswitch_config::Config>,
        domain: String,
        local_host: String,
        gateways: Vec<Gateway>,
        index: ProfileIndex,
        to_calls: mpsc::UnboundedSender<(ProfileIndex, ProfileMsg)>,
    ) -> Self {
        CallSide {
            ua,
            auth,
            config,
            domain,
            local_host,
            gateways,
            index,
            to_calls,
        }
    }

    fn send(&self, msg: ProfileMsg) {
        if self.to_calls.send((self.index, msg)).is_err() {
            tracing::debug!("call task gone; dropping a dialog event");
        }
    }
}

impl ProfileCore {
    /// Takes part in calls from now on: INVITEs go through the user agent to
    /// the call task; the profile's gateways start registering/pinging.
    pub fn attach_calls(&mut self, now: Instant, side: CallSide) {
        self.calls = Some(side);
        if let Some(side) = self.calls.as_mut() {
            for gateway in &mut side.gateways {
                gateway.start(now, &mut self.parts.transactions);
            }
        }
        self.drain_events(now);
    }

    /// Gives a transaction event to the user agent, then to the gateways;
    /// returns it when neither claims it.
    pub(super) fn offer_to_calls(
        &mut self,
        now: Instant,
        event: witswitch_sip::transaction::TxEvent,
    ) -> Option<witswitch_sip::transaction::TxEvent> {
        let Some(side) = self.calls.as_mut() else {
            return Some(event);
        };
        let layer = &mut self.parts.transactions;
        let mut event = side.ua.handle_tx_event(now, layer, event)?;
        for gateway in &mut side.gateways {
            event = gateway.handle_tx_event(now, layer, event)?;
        }
        Some(event)
    }

    /// Acts on every pending user agent and gateway event; true if there was one.
    pub(super) fn drain_call_events(&mut self, now: Instant) -> bool {
        let mut any = false;
        while let Some(event) = self.calls.as_mut().and_then(|s| s.ua.poll_event()) {
            any = true;
            self.on_ua_event(now, event);
        }
        if let Some(side) = self.calls.as_mut() {
            for gateway in &mut side.gateways {
                while let Some(event) = gateway.poll_event() {
                    tracing::info!(
                        "gateway {} state {} ({})",
                        gateway.name(),
                        event.state.as_str(),
                        event.status.as_str()
                    );
                    if let Some(observer) = &self.parts.bindings {
                        observer.gateway_changed(&self.parts.profile, &event);
                    }
                }
            }
        }
        any
    }

    /// The earliest deadline of the user agent and gateways.
    pub(super) fn calls_timeout(&mut self) -> Option<Instant> {
        let side = self.calls.as_mut()?;
        let gateways = side.gateways.iter().filter_map(Gateway::poll_timeout).min();
        [side.ua.poll_timeout(), gateways]
            .into_iter()
            .flatten()
            .min()
    }

    /// Fires the user agent's and gateways' timers.
    pub(super) fn calls_handle_timeout(&mut self, now: Instant) {
        if let Some(side) = self.calls.as_mut() {
            let layer = &mut self.parts.transactions;
            side.ua.handle_timeout(now, layer);
            for gateway in &mut side.gateways {
                gateway.handle_timeout(now, layer);
            }
        }
    }

    fn on_ua_event(&mut self, now: Instant, event: UaEvent) {
        let msg = match event {
            UaEvent::IncomingInvite {
                dialog,
                request,
                source,
                transport,
            } => {
                self.on_incoming_invite(now, dialog, &request, source, &transport);
                return;
            }
            UaEvent::Provisional {
                dialog,
                status,
                sdp,
                ..
            } => dialog_msg(dialog, SipInput::Provisional { status, sdp }),
            UaEvent::Answered { dialog, sdp, .. } => dialog_msg(dialog, SipInput::Answered { sdp }),
            UaEvent::Failed {
                dialog,
                status,
                response,
                ..
            } => {
                let reason = response
                    .as_ref()
                    .and_then(|r| reason_cause(r.headers.get(&HeaderName::Reason)));
                dialog_msg(dialog, SipInput::Failed { status, reason })
            }
            UaEvent::AckReceived { dialog, sdp } => dialog_msg(dialog, SipInput::Ack { sdp }),
            UaEvent::AckTimeout { dialog, diagnosis } => {
                tracing::warn!("{diagnosis}");
                dialog_msg(dialog, SipInput::AckTimeout)
            }
            UaEvent::ByeReceived { dialog } => dialog_msg(dialog, SipInput::Bye { reason: None }),
            UaEvent::Cancelled { dialog } => dialog_msg(dialog, SipInput::Cancel { reason: None }),
            UaEvent::ReInvite { dialog, sdp, .. } => dialog_msg(dialog, SipInput::ReInvite { sdp }),
            UaEvent::ReInviteResult {
                dialog,
                status,
                sdp,
                ..
            } => {
                let input = if (200..300).contains(&status) {
                    SipInput::ReInviteAnswered { sdp }
                } else {
                    SipInput::ReInviteFailed { status }
                };
                dialog_msg(dialog, input)
            }
            UaEvent::Info { dialog, dtmf, .. } => match dtmf {
                Some(d) => dialog_msg(
                    dialog,
                    SipInput::Dtmf {
                        digit: d.digit,
                        duration_ms: d.duration_ms,
                    },
                ),
                None => return,
            },
            UaEvent::Terminated { dialog, reason } => ProfileMsg::Ended { dialog, reason },
        };
        if let Some(side) = &self.calls {
            side.send(msg);
        }
    }

    /// ACL, then `auth-calls`, then the call task.
    fn on_incoming_invite(
        &mut self,
        now: Instant,
        dialog: DialogKey,
        request: &Request,
        source: SocketAddr,
        transport: &Transport,
    ) {
        if !self.parts.access.may_call(source.ip()) {
            tracing::info!("INVITE from {source} over {transport} denied by ACL");
            self.reply_invite(now, dialog, Reply::new(403));
            return;
        }
        let users = Arc::clone(&self.parts.users);
        let Some(side) = self.calls.as_mut() else {
            return;
        };
        let auth = match side.auth.as_mut() {
            None => None,
            Some(auth) => match auth.check(now, request, source, users.as_ref(), &side.config) {
                InviteAuthOutcome::Authenticated(user) => Some(user),
                InviteAuthOutcome::Challenge(challenges) => {
                    let mut reply = Reply::new(407);
                    for challenge in challenges {
                        reply = reply.header(HeaderName::ProxyAuthenticate, challenge.to_string());
                    }
                    self.reply_invite(now, dialog, reply);
                    return;
                }
                InviteAuthOutcome::Malformed => {
                    self.reply_invite(now, dialog, Reply::new(400));
                    return;
                }
                InviteAuthOutcome::Failed(failure) => {
                    if self.parts.log_auth_failures {
                        // The fail2ban line, verbatim.
                        tracing::warn!("{failure}");
                    }
                    if let Some(limiter) = &mut self.parts.limiter
                        && let Some(ban) = limiter.record_failure(source.ip(), now)
                    {
                        tracing::warn!(
                            "banning {} on sofia profile '{}' for {} s after {} auth failures",
                            ban.source,
                            self.parts.profile,
                            ban.until.saturating_duration_since(now).as_secs(),
                            ban.failures
                        );
                    }
                    self.reply_invite(now, dialog, Reply::new(403));
                    return;
                }
            },
        };
        let mut invite = inbound_invite(&self.parts.profile, request, source, auth);
        if let Some(side) = &self.calls {
            invite.gateway = side
                .config
                .profile(&self.parts.profile)
                .and_then(|profile| inbound_gateway(request, profile));
            side.send(ProfileMsg::Invite {
                dialog,
                invite: Box::new(invite),
            });
        }
    }

    fn reply_invite(&mut self, now: Instant, dialog: DialogKey, reply: Reply) {
        let Some(side) = self.calls.as_mut() else {
            return;
        };
        if let Err(e) = side
            .ua
            .respond(now, &mut self.parts.transactions, dialog, reply)
        {
            tracing::debug!("{dialog}: reply not sent: {e}");
        }
    }

    /// Carries out a command of the call task.
    pub fn handle_call_command(&mut self, now: Instant, command: ProfileCommand) {
        match command {
            ProfileCommand::Dialog { dialog, command } => self.dialog_command(now, dialog, command),
            ProfileCommand::Invite { channel, spec } => {
                let msg = match self.start_invite(now, &spec) {
                    Ok(dialog) => ProfileMsg::InviteStarted { channel, dialog },
                    Err(status) => ProfileMsg::InviteFailed { channel, status },
                };
                if let Some(side) = &self.calls {
                    side.send(msg);
                }
            }
            ProfileCommand::Locate {
                lookup,
                user,
                domain,
            } => {
                let contacts = self.locate(now, &user, domain.as_deref());
                if let Some(side) = &self.calls {
                    side.send(ProfileMsg::Located { lookup, contacts });
                }
            }
        }
        self.drain_events(now);
    }

    /// The live registrations of `user@domain` on this profile.
    fn locate(&self, now: Instant, user: &str, domain: Option<&str>) -> Vec<RegisteredContact> {
        let Some(side) = &self.calls else {
            return Vec::new();
        };
        let aor = Aor::new(user, domain.unwrap_or(&side.domain));
        self.parts
            .registrar
            .lookup(&aor)
            .iter()
            .filter(|b| !b.is_expired(now))
            .map(|b| RegisteredContact {
                profile: self.parts.profile.clone(),
                uri: b.contact.uri.to_string(),
                source: Some(b.source),
            })
            .collect()
    }

    /// Sends an outgoing INVITE; the error is the status to report.
    fn start_invite(&mut self, now: Instant, spec: &InviteSpec) -> Result<DialogKey, u16> {
        let side = self.calls.as_mut().ok_or(503u16)?;
        let invite = match &spec.target {
            witswitch_core::InviteTarget::Gateway { name, number } => {
                let Some(gateway) = side.gateways.iter().find(|g| g.name() == name) else {
                    tracing::warn!("no gateway {name} on profile {}", self.parts.profile);
                    return Err(503);
                };
                let caller = CallerId {
                    name: Some(spec.caller_id_name.as_str()).filter(|n| !n.is_empty()),
                    number: &spec.caller_id_number,
                };
                let mut invite = gateway.invite_for(number, Some(caller)).map_err(|e| {
                    tracing::warn!("gateway {name}: cannot call {number}: {e}");
                    404u16
                })?;
                finish(&mut invite, spec);
                invite
            }
            _ => outgoing_invite(spec, &side.local_host).map_err(|e| {
                tracing::info!("outgoing INVITE not sent: {e}");
                e.status()
            })?,
        };
        side.ua
            .invite(now, &mut self.parts.transactions, invite)
            .map_err(|e| {
                tracing::info!("outgoing INVITE not sent: {e}");
                503
            })
    }

    fn dialog_command(&mut self, now: Instant, dialog: DialogKey, command: SipCommand) {
        let Some(side) = self.calls.as_mut() else {
            return;
        };
        let layer = &mut self.parts.transactions;
        let ua = &mut side.ua;
        let result = match command {
            SipCommand::Progress { status, sdp } => {
                let mut reply = Reply::new(status);
                if let Some(sdp) = sdp {
                    reply = reply.sdp(sdp);
                }
                ua.respond(now, layer, dialog, reply)
            }
            SipCommand::Answer { sdp } => ua.answer(now, layer, dialog, sdp),
            SipCommand::Reject {
                status,
                cause,
                retry_after,
            } => {
                let mut reply = Reply::new(status).header(HeaderName::Reason, reason_header(cause));
                if let Some(seconds) = retry_after {
                    reply = reply.header(HeaderName::RetryAfter, seconds.to_string());
                }
                ua.respond(now, layer, dialog, reply)
            }
            SipCommand::Bye { .. } => match ua.bye(now, layer, dialog) {
                // Our INVITE is still unanswered: CANCEL is the way to end it.
                Err(witswitch_sip::dialog::UaError::NotConfirmed(_)) => {
                    ua.cancel(now, layer, dialog)
                }
                other => other,
            },
            SipCommand::Cancel { .. } => ua.cancel(now, layer, dialog),
            SipCommand::ReInvite { sdp } => ua.reinvite(now, layer, dialog, sdp),
            SipCommand::RespondReInvite { status, sdp } => {
                let mut reply = Reply::new(status);
                if let Some(sdp) = sdp {
                    reply = reply.sdp(sdp);
                }
                ua.respond(now, layer, dialog, reply)
            }
            SipCommand::Invite { .. } => {
                tracing::debug!("{dialog}: INVITE command on an existing dialog ignored");
                Ok(())
            }
        };
        if let Err(e) = result {
            // The dialog may have ended on the wire meanwhile (CANCEL, BYE crossing).
            tracing::debug!("{dialog}: command not carried out: {e}");
        }
    }
}

fn dialog_msg(dialog: DialogKey, input: SipInput) -> ProfileMsg {
    ProfileMsg::Dialog { dialog, input }
}
