//! [`Gateway`]: the outbound registration and ping state machine of one gateway.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::dialog::{IdSource, OutgoingInvite};
use crate::headers::ContactList;
use crate::message::{Request, Response};
use crate::transaction::{ClientTxKey, TransactionLayer, TxEvent, TxKey};
use crate::uac_auth::DigestSession;
use crate::uri::UriError;

use super::request::{self, CallerId, GatewayAddresses, RegisterParts};
use super::settings::GatewaySettings;
use super::state::{GatewayEvent, GatewayState, GatewayStatus};

/// The status FreeSWITCH reports for a registration that timed out.
const TIMEOUT_STATUS: u16 = 908;

/// Why a gateway could not be set up from its settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The proxy, From address or Contact built from the settings is not a valid URI.
    #[error("gateway {name}: invalid address: {source}")]
    InvalidAddress {
        /// The gateway.
        name: String,
        /// What is wrong.
        source: UriError,
    },
    /// `register = true` without username and password.
    #[error("gateway {0}: register = true needs username and password")]
    MissingCredentials(String),
}

/// What a client transaction of the gateway is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Register,
    Unregister,
}

/// One outbound gateway, sans-IO. The driver calls [`start`](Gateway::start) once,
/// feeds [`handle_tx_event`](Gateway::handle_tx_event) and
/// [`handle_timeout`](Gateway::handle_timeout), and drains
/// [`poll_event`](Gateway::poll_event).
///
/// Timing follows FreeSWITCH's `sofia_reg_check_gateway`: a registration granted for
/// `freq` seconds is refreshed `freq - 15` s later when `freq > 30`, else after
/// `freq / 2` s (at least 1 s); a failed one is retried after `retry-seconds`, times the
/// number of consecutive failures unless the failure was a 503 or a timeout.
#[derive(Debug)]
pub struct Gateway {
    settings: GatewaySettings,
    addresses: GatewayAddresses,
    ids: IdSource,
    state: GatewayState,
    status: GatewayStatus,
    ping_ok: Option<bool>,
    call_id: String,
    from_tag: String,
    cseq: u32,
    /// Expiry asked for; raised by 423 Min-Expires.
    expires: u32,
    /// Expiry granted by the last 200 (FreeSWITCH `freq`).
    granted: u32,
    failures: u32,
    register_tx: Option<(ClientTxKey, Pending, Request)>,
    auth: DigestSession,
    interval_raised: bool,
    ping_tx: Option<ClientTxKey>,
    next_register: Option<Instant>,
    next_ping: Option<Instant>,
    stopped: bool,
    events: VecDeque<GatewayEvent>,
}

impl Gateway {
    /// A gateway in `UNREGED` (registering) or `NOREG`; nothing is sent before
    /// [`start`](Gateway::start).
    pub fn new(settings: GatewaySettings, mut ids: IdSource) -> Result<Gateway, GatewayError> {
        let addresses =
            GatewayAddresses::new(&settings).map_err(|source| GatewayError::InvalidAddress {
                name: settings.name.clone(),
                source,
            })?;
        if settings.register && settings.credentials().is_none() {
            return Err(GatewayError::MissingCredentials(settings.name.clone()));
        }
        let state = if settings.register {
            GatewayState::Unreged
        } else {
            GatewayState::Noreg
        };
        Ok(Gateway {
            call_id: ids.call_id(),
            from_tag: ids.tag(),
            cseq: 0,
            expires: settings.expire_seconds,
            granted: 0,
            failures: 0,
            settings,
            addresses,
            ids,
            state,
            status: GatewayStatus::Down,
            ping_ok: None,
            register_tx: None,
            auth: DigestSession::new(),
            interval_raised: false,
            ping_tx: None,
            next_register: None,
            next_ping: None,
            stopped: false,
            events: VecDeque::new(),
        })
    }

    /// The gateway name.
    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// The settings in use.
    pub fn settings(&self) -> &GatewaySettings {
        &self.settings
    }

    /// The registration state.
    pub fn state(&self) -> GatewayState {
        self.state
    }

    /// Whether calls may use the gateway.
    pub fn status(&self) -> GatewayStatus {
        self.status
    }

    /// Seconds the registrar granted in its last 200 (0 before one).
    pub fn granted_expires(&self) -> u32 {
        self.granted
    }

    /// The next state change for the event socket (`sofia::gateway_state`).
    pub fn poll_event(&mut self) -> Option<GatewayEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Gateway::handle_timeout) must run next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.next_register, self.next_ping]
            .into_iter()
            .flatten()
            .min()
    }

    /// The outline of a call to `number` through this gateway, for
    /// [`UserAgent::invite`](crate::dialog::UserAgent::invite): set its `sdp` and send.
    pub fn invite_for(
        &self,
        number: &str,
        caller: Option<CallerId<'_>>,
    ) -> Result<OutgoingInvite, UriError> {
        request::invite_outline(&self.settings, &self.addresses, number, caller)
    }

    /// Starts the gateway: the first REGISTER (`UNREGED` → `TRYING`), or `NOREG`
    /// (up at once unless pinged). Pings start now when configured.
    pub fn start(&mut self, now: Instant, layer: &mut TransactionLayer) {
        if self.settings.register {
            self.emit(None, None);
            self.send_register(now, layer);
        } else {
            if self.settings.ping.is_none() {
                self.status = GatewayStatus::Up;
            }
            self.emit(None, None);
        }
        if self.settings.ping.is_some() {
            self.next_ping = Some(now);
        }
        self.handle_timeout(now, layer);
    }

    /// Unregisters (shutdown, `killgw`): REGISTER with Expires: 0 when registered or
    /// registering (`UNREGISTER`), then `NOREG`. Refreshes and pings stop.
    pub fn unregister(&mut self, now: Instant, layer: &mut TransactionLayer) {
        self.stopped = true;
        self.next_register = None;
        self.next_ping = None;
        let registered = matches!(
            self.state,
            GatewayState::Reged | GatewayState::Register | GatewayState::Trying
        );
        if !registered {
            self.register_tx = None;
            self.status = GatewayStatus::Down;
            self.set_state(GatewayState::Noreg, None, None);
            return;
        }
        self.status = GatewayStatus::Down;
        self.set_state(GatewayState::Unregister, None, None);
        self.auth = DigestSession::new();
        self.send(now, layer, Pending::Unregister, 0);
    }

    /// Registers again at once (`sofia profile <p> register <gw>`): a failed or
    /// waiting gateway retries now, a registered one refreshes, a killed one comes
    /// back. False for a gateway that does not register (`register = false`).
    pub fn register_now(&mut self, now: Instant, layer: &mut TransactionLayer) -> bool {
        if !self.settings.register {
            return false;
        }
        self.stopped = false;
        if self.register_tx.is_some() {
            // A REGISTER is already in flight; its answer is as good as a new one.
            return true;
        }
        self.failures = 0;
        self.next_register = None;
        self.set_state(GatewayState::Unreged, None, None);
        self.send_register(now, layer);
        if self.next_ping.is_none() && self.ping_tx.is_none() {
            self.schedule_ping(now);
        }
        true
    }

    /// Fires what is due at `now`: a refresh or retry REGISTER, a ping.
    pub fn handle_timeout(&mut self, now: Instant, layer: &mut TransactionLayer) {
        if self.next_register.is_some_and(|at| at <= now) {
            self.next_register = None;
            if matches!(self.state, GatewayState::Reged | GatewayState::FailWait) {
                self.set_state(GatewayState::Unreged, None, None);
                self.send_register(now, layer);
            }
        }
        if self.next_ping.is_some_and(|at| at <= now) && self.ping_tx.is_none() {
            self.next_ping = None;
            // FreeSWITCH pings only gateways that are registered or not registering.
            if matches!(self.state, GatewayState::Reged | GatewayState::Noreg) {
                self.send_ping(now, layer);
            } else {
                self.schedule_ping(now);
            }
        }
    }

    /// Takes a transaction event; returns it when it is not about this gateway.
    pub fn handle_tx_event(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        event: TxEvent,
    ) -> Option<TxEvent> {
        let key = match &event {
            TxEvent::Response { key, .. } => *key,
            TxEvent::Timeout {
                key: TxKey::Client(key),
                ..
            }
            | TxEvent::TransportError {
                key: TxKey::Client(key),
            }
            | TxEvent::Terminated {
                key: TxKey::Client(key),
            } => *key,
            _ => return Some(event),
        };
        let register = self
            .register_tx
            .as_ref()
            .filter(|(k, _, _)| *k == key)
            .map(|(_, p, _)| *p);
        let ping = self.ping_tx == Some(key);
        if register.is_none() && !ping {
            return Some(event);
        }
        let status = match event {
            TxEvent::Response { response, .. } => Ok(response),
            TxEvent::Timeout { .. } => Err(TIMEOUT_STATUS),
            TxEvent::TransportError { .. } => Err(503),
            // Terminated comes after the final response or timeout we already handled.
            _ => return None,
        };
        match register {
            Some(pending) => self.on_register_result(now, layer, pending, status),
            None => self.on_ping_result(now, status),
        }
        None
    }

    fn send_register(&mut self, now: Instant, layer: &mut TransactionLayer) {
        self.auth = DigestSession::new();
        self.interval_raised = false;
        self.set_state(GatewayState::Trying, None, None);
        self.send(now, layer, Pending::Register, self.expires);
    }

    fn send(&mut self, now: Instant, layer: &mut TransactionLayer, pending: Pending, expires: u32) {
        self.cseq += 1;
        let branch = self.ids.branch();
        let parts = RegisterParts {
            branch: &branch,
            call_id: &self.call_id,
            from_tag: &self.from_tag,
            cseq: self.cseq,
            expires,
        };
        let request = request::register(&self.settings, &self.addresses, &parts);
        self.transmit(now, layer, pending, request);
    }

    fn transmit(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        pending: Pending,
        request: Request,
    ) {
        let dest = self.settings.proxy_addr;
        let transport = self.settings.transport.clone();
        match layer.send_request(now, request.clone(), dest, transport) {
            Ok(key) => self.register_tx = Some((key, pending, request)),
            Err(_) => {
                self.register_tx = None;
                self.on_register_result(now, layer, pending, Err(503));
            }
        }
    }

    fn on_register_result(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        pending: Pending,
        result: Result<Response, u16>,
    ) {
        if let Ok(response) = &result
            && response.status < 200
        {
            return;
        }
        let request = self.register_tx.take().map(|(_, _, r)| r);
        let response = match result {
            Ok(response) => response,
            Err(_) if pending == Pending::Unregister => {
                self.set_state(GatewayState::Noreg, None, None);
                return;
            }
            Err(code) => {
                if code == TIMEOUT_STATUS {
                    self.set_state(GatewayState::Timeout, Some(code), Some("Timeout"));
                }
                self.fail(now, code, Response::default_reason(code).to_owned());
                return;
            }
        };
        if matches!(response.status, 401 | 407)
            && self.answer_challenge(now, layer, pending, request, &response)
        {
            return;
        }
        if pending == Pending::Unregister {
            // Whatever the answer, we are done with this binding.
            self.set_state(GatewayState::Noreg, None, None);
            return;
        }
        match response.status {
            200..=299 => self.on_registered(now, &response),
            423 => self.raise_interval(now, layer, &response),
            status => self.fail(now, status, response.reason.clone()),
        }
    }

    /// 200 OK: the granted expiry is our Contact's `expires`, else the Expires header,
    /// else what we asked for (RFC 3261 §10.2.4).
    fn on_registered(&mut self, now: Instant, response: &Response) {
        let ours = match response.contacts() {
            Ok(ContactList::Addresses(list)) => list.into_iter().find(|c| {
                c.uri
                    .as_sip()
                    .is_some_and(|u| u.equivalent(&self.addresses.contact))
            }),
            _ => None,
        };
        let granted = ours
            .and_then(|c| c.expires())
            .or_else(|| response.expires().ok().flatten())
            .unwrap_or(self.expires);
        if granted == 0 {
            self.set_state(GatewayState::Expired, Some(response.status), None);
            self.fail(now, response.status, "binding not kept".to_owned());
            return;
        }
        self.granted = granted;
        self.failures = 0;
        self.status = GatewayStatus::Up;
        if self.ping_ok == Some(false) {
            self.status = GatewayStatus::Down;
        }
        self.set_state(GatewayState::Register, Some(response.status), None);
        self.set_state(GatewayState::Reged, None, None);
        self.next_register = Some(now + refresh_delay(granted));
    }

    /// Answers a 401/407 once per challenge (see [`DigestSession`]); false when the
    /// credentials were refused or the challenge cannot be answered.
    fn answer_challenge(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        pending: Pending,
        request: Option<Request>,
        response: &Response,
    ) -> bool {
        let (Some(mut request), Some(credentials)) = (request, self.settings.credentials()) else {
            return false;
        };
        let cnonce = self.ids.cnonce();
        if self
            .auth
            .authorize(&mut request, response, &credentials, &cnonce)
            .is_err()
        {
            return false;
        }
        self.resend(now, layer, pending, request);
        true
    }

    /// 423 Interval Too Brief: ask again with the registrar's Min-Expires (§10.2.8),
    /// once per attempt.
    fn raise_interval(&mut self, now: Instant, layer: &mut TransactionLayer, response: &Response) {
        let min = response.headers.min_expires().ok().flatten();
        match min {
            Some(min) if !self.interval_raised && min > self.expires => {
                self.interval_raised = true;
                self.expires = min;
                self.send(now, layer, Pending::Register, min);
            }
            _ => self.fail(now, response.status, response.reason.clone()),
        }
    }

    /// Resends `request` (with new credentials) as a new transaction: new branch, CSeq+1.
    fn resend(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        pending: Pending,
        mut request: Request,
    ) {
        self.cseq += 1;
        let branch = self.ids.branch();
        if let Ok(mut via) = request.via_top() {
            via.params.set("branch", Some(&branch));
            request
                .headers
                .set(crate::message::HeaderName::Via, via.to_string());
        }
        request.headers.set(
            crate::message::HeaderName::CSeq,
            crate::headers::CSeq::new(self.cseq, request.method.clone()).to_string(),
        );
        self.transmit(now, layer, pending, request);
    }

    /// FAILED then FAIL_WAIT with the FreeSWITCH back-off.
    fn fail(&mut self, now: Instant, status: u16, phrase: String) {
        self.failures = self.failures.saturating_add(1);
        self.status = GatewayStatus::Down;
        self.set_state(GatewayState::Failed, Some(status), Some(&phrase));
        let factor = if matches!(status, 503 | TIMEOUT_STATUS) {
            1
        } else {
            self.failures
        };
        let wait = u64::from(self.settings.retry_seconds.max(1)) * u64::from(factor);
        self.set_state(GatewayState::FailWait, Some(status), Some(&phrase));
        self.next_register = Some(now + Duration::from_secs(wait));
    }

    fn send_ping(&mut self, now: Instant, layer: &mut TransactionLayer) {
        let branch = self.ids.branch();
        let call_id = self.ids.call_id();
        let tag = self.ids.tag();
        let ping = request::options_ping(&self.settings, &self.addresses, &branch, &call_id, &tag);
        let dest = self.settings.proxy_addr;
        match layer.send_request(now, ping, dest, self.settings.transport.clone()) {
            Ok(key) => self.ping_tx = Some(key),
            Err(_) => self.on_ping_result(now, Err(503)),
        }
    }

    /// Any final answer except 408 and 503 proves the carrier is there and processing
    /// SIP (a 404 or 405 to OPTIONS still does); 408, 503 and silence mark it down.
    fn on_ping_result(&mut self, now: Instant, result: Result<Response, u16>) {
        let status = match &result {
            Ok(response) if response.status < 200 => return,
            Ok(response) => response.status,
            Err(code) => *code,
        };
        self.ping_tx = None;
        let alive = !matches!(status, 408 | 503 | TIMEOUT_STATUS);
        self.ping_ok = Some(alive);
        let usable = matches!(self.state, GatewayState::Reged | GatewayState::Noreg);
        let status_now = if alive && usable {
            GatewayStatus::Up
        } else {
            GatewayStatus::Down
        };
        if status_now != self.status {
            self.status = status_now;
            let code = (!alive).then_some(status);
            self.emit(code, (!alive).then_some("ping failed"));
        }
        self.schedule_ping(now);
    }

    fn schedule_ping(&mut self, now: Instant) {
        if let (Some(every), false) = (self.settings.ping, self.stopped) {
            self.next_ping = Some(now + every);
        }
    }

    fn set_state(&mut self, state: GatewayState, code: Option<u16>, phrase: Option<&str>) {
        if state != self.state {
            self.state = state;
            self.emit(code, phrase);
        }
    }

    fn emit(&mut self, code: Option<u16>, phrase: Option<&str>) {
        self.events.push_back(GatewayEvent {
            gateway: self.settings.name.clone(),
            state: self.state,
            status: self.status,
            status_code: code,
            phrase: phrase.map(str::to_owned),
        });
    }
}

/// FreeSWITCH's refresh point for a registration granted `freq` seconds
/// (`sofia_reg_check_gateway`): `freq - 15` above 30 s, else half, at least 1 s.
pub fn refresh_delay(freq: u32) -> Duration {
    let delta = if freq > 30 { freq - 15 } else { freq / 2 };
    Duration::from_secs(u64::from(delta.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_follows_freeswitch() {
        assert_eq!(refresh_delay(3600), Duration::from_secs(3585));
        assert_eq!(refresh_delay(31), Duration::from_secs(16));
        assert_eq!(refresh_delay(30), Duration::from_secs(15));
        assert_eq!(refresh_delay(20), Duration::from_secs(10));
        assert_eq!(refresh_delay(1), Duration::from_secs(1));
    }
}
