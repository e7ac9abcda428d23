//! Admin requests answered on a profile's own task, which owns its registrar and
//! gateways: the rows of `show registrations` and `sofia status`, and the gateway
//! commands `sofia profile <p> killgw|register|rescan`. A child of `core`, so it
//! works on the profile's parts directly.

use std::time::Instant;

use tokio::sync::oneshot;
use witswitch_sip::gateway::{Gateway, GatewaySettings, GatewayState, GatewayStatus};
use witswitch_sip::registrar::Binding;

use super::ProfileCore;

/// One registration as the profile holds it.
#[derive(Debug, Clone)]
pub struct RegistrationInfo {
    /// The binding.
    pub binding: Binding,
    /// Seconds until it lapses.
    pub remaining_secs: u64,
}

/// One gateway as the profile runs it.
#[derive(Debug, Clone)]
pub struct GatewayInfo {
    /// Its settings.
    pub settings: GatewaySettings,
    /// Registration state.
    pub state: GatewayState,
    /// Usable or not.
    pub status: GatewayStatus,
    /// Seconds granted by the last 200 (0 before one).
    pub granted_expires: u32,
}

/// What a profile reports about itself.
#[derive(Debug, Clone, Default)]
pub struct ProfileSnapshot {
    /// Every live registration.
    pub registrations: Vec<RegistrationInfo>,
    /// Every running gateway.
    pub gateways: Vec<GatewayInfo>,
    /// INVITE dialogs in progress (`RUNNING (n)`).
    pub dialogs: usize,
}

/// A request to a profile task.
#[derive(Debug)]
pub enum ProfileAdmin {
    /// Registrations, gateways and dialog count.
    Snapshot(oneshot::Sender<ProfileSnapshot>),
    /// `killgw <name>`: unregister and remove; false when there is no such gateway.
    KillGateway {
        /// Gateway name.
        name: String,
        /// Whether it existed.
        reply: oneshot::Sender<bool>,
    },
    /// `register <name>|all`: register again now; the names that do.
    RegisterGateway {
        /// Gateway name or `all`.
        name: String,
        /// Names of the gateways that register again.
        reply: oneshot::Sender<Vec<String>>,
    },
    /// `rescan`: start the configured gateways that do not run (new or killed).
    AddGateways {
        /// Gateways built from the configuration in force.
        gateways: Vec<Gateway>,
        /// Names of the gateways started.
        reply: oneshot::Sender<Vec<String>>,
    },
}

impl ProfileCore {
    /// Answers one admin request (replies to a requester that left are dropped).
    pub fn admin(&mut self, now: Instant, request: ProfileAdmin) {
        match request {
            ProfileAdmin::Snapshot(reply) => {
                let _ = reply.send(self.snapshot(now));
            }
            ProfileAdmin::KillGateway { name, reply } => {
                let _ = reply.send(self.kill_gateway(now, &name));
            }
            ProfileAdmin::RegisterGateway { name, reply } => {
                let _ = reply.send(self.register_gateway(now, &name));
            }
            ProfileAdmin::AddGateways { gateways, reply } => {
                let _ = reply.send(self.add_gateways(now, gateways));
            }
        }
        self.drain_events(now);
    }

    fn snapshot(&self, now: Instant) -> ProfileSnapshot {
        let registrations = self
            .parts
            .registrar
            .bindings()
            .iter()
            .filter(|b| !b.is_expired(now))
            .map(|b| RegistrationInfo {
                binding: b.clone(),
                remaining_secs: b.remaining_secs(now),
            })
            .collect();
        let (gateways, dialogs) = match &self.calls {
            Some(side) => (
                side.gateways
                    .iter()
                    .map(|g| GatewayInfo {
                        settings: g.settings().clone(),
                        state: g.state(),
                        status: g.status(),
                        granted_expires: g.granted_expires(),
                    })
                    .collect(),
                side.ua.len(),
            ),
            None => (Vec::new(), 0),
        };
        ProfileSnapshot {
            registrations,
            gateways,
            dialogs,
        }
    }

    fn kill_gateway(&mut self, now: Instant, name: &str) -> bool {
        let Some(side) = self.calls.as_mut() else {
            return false;
        };
        let Some(at) = side.gateways.iter().position(|g| g.name() == name) else {
            return false;
        };
        let mut gateway = side.gateways.remove(at);
        gateway.unregister(now, &mut self.parts.transactions);
        // The gateway is gone from the list (as in FreeSWITCH); its last state
        // changes still reach the event socket. The answer to its un-REGISTER is
        // nobody's and is dropped.
        while let Some(event) = gateway.poll_event() {
            tracing::info!(
                "gateway {} state {} ({}) (killed)",
                gateway.name(),
                event.state,
                event.status
            );
            if let Some(observer) = &self.parts.bindings {
                observer.gateway_changed(&self.parts.profile, &event);
            }
        }
        true
    }

    fn register_gateway(&mut self, now: Instant, name: &str) -> Vec<String> {
        let Some(side) = self.calls.as_mut() else {
            return Vec::new();
        };
        let layer = &mut self.parts.transactions;
        side.gateways
            .iter_mut()
            .filter(|g| name == "all" || g.name() == name)
            .filter_map(|g| g.register_now(now, layer).then(|| g.name().to_owned()))
            .collect()
    }

    fn add_gateways(&mut self, now: Instant, gateways: Vec<Gateway>) -> Vec<String> {
        let Some(side) = self.calls.as_mut() else {
            return Vec::new();
        };
        let mut added = Vec::new();
        for mut gateway in gateways {
            if side.gateways.iter().any(|g| g.name() == gateway.name()) {
                continue;
            }
            gateway.start(now, &mut self.parts.transactions);
            added.push(gateway.name().to_owned());
            side.gateways.push(gateway);
        }
        added
    }
}
