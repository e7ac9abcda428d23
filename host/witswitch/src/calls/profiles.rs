//! The call side of each profile from the configuration: its user agent,
//! its `auth-calls` checker and its gateways (issue 4 item 3).

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use rand::RngCore;
use tokio::sync::mpsc;
use witswitch_config::{Config, Gateway as GatewayConfig, Profile, Transport as ConfigTransport};
use witswitch_sip::dialog::{IdSource, UaConfig, UserAgent};
use witswitch_sip::gateway::{Gateway, GatewaySettings};
use witswitch_sip::transaction::TimerConfig;
use witswitch_sip::{Host, Transport};

use super::link::{ProfileIndex, ProfileMsg};
use crate::driver::core::CallSide;
use crate::driver::invite_auth::InviteAuth;

fn random_ids() -> IdSource {
    IdSource::new(|| rand::rng().next_u64())
}

/// The address written into Via, Contact and From: `ext-sip-ip` behind NAT.
fn local_host(profile: &Profile) -> Host {
    Host::from(profile.ext_sip_ip.unwrap_or(profile.sip_ip))
}

/// The directory domain of the profile (`domain`, else its address).
pub fn profile_domain(profile: &Profile) -> String {
    profile
        .domain
        .clone()
        .unwrap_or_else(|| profile.sip_ip.to_string())
}

/// The proxy's address. DNS is resolved once, at startup.
fn resolve(gateway: &GatewayConfig) -> anyhow::Result<SocketAddr> {
    let port = gateway.proxy.port.unwrap_or(5060);
    (gateway.proxy.host.as_str(), port)
        .to_socket_addrs()
        .with_context(|| format!("gateway {}: cannot resolve {}", gateway.name, gateway.proxy))?
        .next()
        .with_context(|| format!("gateway {}: no address for {}", gateway.name, gateway.proxy))
}

/// The `sip` crate's settings of a configured gateway.
pub fn gateway_settings(
    gateway: &GatewayConfig,
    profile: &Profile,
) -> anyhow::Result<GatewaySettings> {
    let mut settings = GatewaySettings::new(
        gateway.name.clone(),
        gateway.realm.clone(),
        resolve(gateway)?,
        local_host(profile),
        profile.sip_port,
    );
    settings.proxy = gateway.proxy.to_string();
    settings.transport = match gateway.register_transport {
        ConfigTransport::Udp => Transport::Udp,
        ConfigTransport::Tcp => Transport::Tcp,
    };
    settings.username = gateway.username.clone();
    settings.password = gateway.password.clone();
    settings.register = gateway.register;
    settings.expire_seconds = gateway.expire_seconds;
    settings.retry_seconds = gateway.retry_seconds;
    settings.from_user = gateway.from_user.clone();
    settings.from_domain = Some(gateway.from_domain.clone());
    settings.caller_id_in_from = gateway.caller_id_in_from;
    settings.ping = gateway.ping;
    Ok(settings)
}

/// Builds the call side of `profile` (number `index`).
pub fn call_side(
    config: &Arc<Config>,
    profile: &Profile,
    index: ProfileIndex,
    epoch: Instant,
    to_calls: mpsc::UnboundedSender<(ProfileIndex, ProfileMsg)>,
) -> anyhow::Result<CallSide> {
    let ua = UserAgent::new(
        UaConfig {
            host: local_host(profile),
            port: profile.sip_port,
            timers: TimerConfig {
                t1: profile.timers.t1,
                t2: profile.timers.t2,
                t4: profile.timers.t4,
            },
            ..UaConfig::default()
        },
        random_ids(),
    );
    let auth = profile.auth_calls.then(|| {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        InviteAuth::new(
            &profile.name,
            profile.domain.clone(),
            &secret,
            epoch,
            profile.nonce_ttl,
        )
    });
    let mut gateways = Vec::new();
    for gateway in &profile.gateways {
        let settings = gateway_settings(gateway, profile)?;
        gateways.push(
            Gateway::new(settings, random_ids())
                .with_context(|| format!("gateway {}", gateway.name))?,
        );
    }
    Ok(CallSide::new(
        ua,
        auth,
        Arc::clone(config),
        profile_domain(profile),
        local_host(profile).to_string(),
        gateways,
        index,
        to_calls,
    ))
}
