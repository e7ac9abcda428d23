//! `show registrations`, `sofia status ...`, `sofia profile <p> rescan|killgw|register`
//! and `sofia_contact`, from the profile tasks' snapshots, in FreeSWITCH 1.10's
//! output formats (`registrations_one_user`, `api_misc` recordings).

use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::oneshot;
use witswitch_control::api::ShowCommand;
use witswitch_control::api::command::SofiaCommand;
use witswitch_control::api::show::{RegistrationRow, format as show_format};
use witswitch_control::api::sofia::{
    RegistrationRecord, SofiaRowKind, SofiaStatusRow, registrations as registration_records,
    status as status_table,
};
use witswitch_control::event::EventTime;
use witswitch_sip::dialog::IdSource;
use witswitch_sip::gateway::Gateway;

use super::ControlHub;
use super::admin::{ProfileHandle, snapshot};
use crate::driver::core::admin::{GatewayInfo, ProfileAdmin, ProfileSnapshot, RegistrationInfo};

/// The ruler of FreeSWITCH's status outputs.
const RULER: &str = "=================================================================================================";

fn epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Every profile's snapshot, in configuration order.
async fn snapshots(hub: &ControlHub) -> Vec<(ProfileHandle, ProfileSnapshot)> {
    let mut all = Vec::new();
    for profile in hub.admin.profiles() {
        let snap = snapshot(&profile).await;
        all.push((profile, snap));
    }
    all
}

/// `show registrations [as json] [count] [like ...]`.
pub async fn show_registrations(hub: &ControlHub, show: &ShowCommand) -> String {
    let hostname = super::hostname();
    let now = epoch_secs();
    let mut rows = Vec::new();
    for (profile, snap) in snapshots(hub).await {
        for reg in &snap.registrations {
            let b = &reg.binding;
            rows.push(
                RegistrationRow {
                    reg_user: b.aor.user.clone(),
                    realm: b.aor.domain.clone(),
                    token: b.call_id.clone(),
                    url: format!("sofia/{}/{}", profile.name, b.contact.uri),
                    expires: (now + reg.remaining_secs).to_string(),
                    network_ip: b.source.ip().to_string(),
                    network_port: b.source.port().to_string(),
                    network_proto: b.transport.to_string().to_ascii_lowercase(),
                    hostname: hostname.clone(),
                    metadata: String::new(),
                }
                .values(),
            );
        }
    }
    show_format(show, &rows)
}

/// `sofia ...`.
pub async fn sofia(hub: &ControlHub, command: SofiaCommand) -> String {
    match command {
        SofiaCommand::Status => status(hub).await,
        SofiaCommand::StatusProfile {
            profile,
            registrations,
        } => {
            let Some(handle) = find_profile(hub, &profile) else {
                return "Invalid Profile!\n".to_owned();
            };
            let snap = snapshot(&handle).await;
            match registrations {
                Some(filter) => registrations_of(&handle, &snap, filter.as_deref()),
                None => profile_info(hub, &handle, &snap),
            }
        }
        SofiaCommand::StatusGateway { gateway } => gateway_status(hub, &gateway).await,
        SofiaCommand::Rescan { profile } => rescan(hub, &profile).await,
        SofiaCommand::Restart { profile } => format!(
            "-ERR sofia profile {profile} restart is not supported: reloadxml applies \
             profile changes that can change live, the rest needs a switch restart\n"
        ),
        SofiaCommand::KillGateway { profile, gateway } => {
            let Some(handle) = find_profile(hub, &profile) else {
                return format!("Invalid Profile [{profile}]\n");
            };
            let (reply, rx) = oneshot::channel();
            let request = ProfileAdmin::KillGateway {
                name: gateway,
                reply,
            };
            let killed = handle.admin.send(request).is_ok() && rx.await.unwrap_or(false);
            if killed {
                "+OK gateway marked for deletion.\n".to_owned()
            } else {
                "-ERR no such gateway.\n".to_owned()
            }
        }
        SofiaCommand::Register { profile, gateway } => {
            let Some(handle) = find_profile(hub, &profile) else {
                return format!("Invalid Profile [{profile}]\n");
            };
            let (reply, rx) = oneshot::channel();
            let all = gateway == "all";
            let request = ProfileAdmin::RegisterGateway {
                name: gateway,
                reply,
            };
            let started = if handle.admin.send(request).is_ok() {
                rx.await.unwrap_or_default()
            } else {
                Vec::new()
            };
            if started.is_empty() && !all {
                "Invalid gateway!\n".to_owned()
            } else {
                "+OK\n".to_owned()
            }
        }
    }
}

fn find_profile(hub: &ControlHub, name: &str) -> Option<ProfileHandle> {
    hub.admin.profiles().into_iter().find(|p| p.name == name)
}

/// The `sofia status` table: each profile's domain alias, the profile, its gateways.
async fn status(hub: &ControlHub) -> String {
    let mut rows = Vec::new();
    for (handle, snap) in snapshots(hub).await {
        let config = hub.current_config();
        let Some(profile) = config.profiles.iter().find(|p| p.name == handle.name) else {
            continue;
        };
        if let Some(domain) = profile.domain.as_ref().filter(|d| **d != profile.name) {
            rows.push(SofiaStatusRow {
                name: domain.clone(),
                kind: SofiaRowKind::Alias,
                data: profile.name.clone(),
                state: "ALIASED".to_owned(),
            });
        }
        rows.push(SofiaStatusRow {
            name: profile.name.clone(),
            kind: SofiaRowKind::Profile,
            data: profile_url(profile),
            state: format!("RUNNING ({})", snap.dialogs),
        });
        for gateway in &snap.gateways {
            rows.push(SofiaStatusRow {
                name: format!("{}::{}", profile.name, gateway.settings.name),
                kind: SofiaRowKind::Gateway,
                data: register_to(gateway),
                state: gateway.state.as_str().to_owned(),
            });
        }
    }
    status_table(&rows)
}

fn profile_url(profile: &witswitch_config::Profile) -> String {
    format!("sip:mod_sofia@{}", sip_host_port(profile))
}

fn sip_host_port(profile: &witswitch_config::Profile) -> String {
    match profile.sip_ip {
        std::net::IpAddr::V6(ip) => format!("[{ip}]:{}", profile.sip_port),
        ip @ std::net::IpAddr::V4(_) => format!("{ip}:{}", profile.sip_port),
    }
}

/// FreeSWITCH's `register_to`: `sip:<username>@<realm>`.
fn register_to(gateway: &GatewayInfo) -> String {
    let s = &gateway.settings;
    format!(
        "sip:{}@{}",
        s.username.as_deref().unwrap_or(&s.name),
        s.realm
    )
}

/// `sofia status profile <p> reg [filter]`.
fn registrations_of(
    handle: &ProfileHandle,
    snap: &ProfileSnapshot,
    filter: Option<&str>,
) -> String {
    let hostname = super::hostname();
    let now_us = i64::try_from(epoch_secs()).unwrap_or(0) * 1_000_000;
    let records: Vec<RegistrationRecord> = snap
        .registrations
        .iter()
        .filter(|r| filter.is_none_or(|f| matches_filter(r, f)))
        .map(|r| record(handle, r, &hostname, now_us))
        .collect();
    registration_records(&records)
}

/// FreeSWITCH matches the filter against user, contact and the like (SQL `LIKE`).
fn matches_filter(reg: &RegistrationInfo, filter: &str) -> bool {
    let b = &reg.binding;
    b.aor.user.contains(filter)
        || b.aor.to_string().contains(filter)
        || b.contact.to_string().contains(filter)
        || b.call_id.contains(filter)
}

fn record(
    _handle: &ProfileHandle,
    reg: &RegistrationInfo,
    hostname: &str,
    now_us: i64,
) -> RegistrationRecord {
    let b = &reg.binding;
    let remaining = i64::try_from(reg.remaining_secs).unwrap_or(0);
    let expiry = EventTime {
        epoch_us: now_us + remaining * 1_000_000,
        utc_offset_secs: 0,
    };
    RegistrationRecord {
        call_id: b.call_id.clone(),
        user: b.aor.to_string(),
        contact: format!(
            "\"{}\" <{}>",
            b.contact.display_name.as_deref().unwrap_or(""),
            b.contact.uri
        ),
        agent: b.user_agent.clone().unwrap_or_default(),
        status: format!(
            "Registered({})(unknown) EXP({}) EXPSECS({})",
            b.transport,
            expiry.local(),
            reg.remaining_secs
        ),
        ping_status: "Reachable".to_owned(),
        ping_time: "0.00".to_owned(),
        host: hostname.to_owned(),
        ip: b.source.ip().to_string(),
        port: b.source.port().to_string(),
        auth_user: b.aor.user.clone(),
        auth_realm: b.aor.domain.clone(),
        mwi_account: b.aor.to_string(),
    }
}

/// `label<TAB>value` lines between rulers, as FreeSWITCH's detail outputs.
fn labelled(lines: &[(&str, String)]) -> String {
    let mut text = format!("{RULER}\n");
    for (label, value) in lines {
        text.push_str(&format!("{label}\t{value}\n"));
    }
    text.push_str(RULER);
    text.push('\n');
    text
}

/// `sofia status profile <p>`: the settings that exist in witswitch.
fn profile_info(hub: &ControlHub, handle: &ProfileHandle, snap: &ProfileSnapshot) -> String {
    let config = hub.current_config();
    let Some(p) = config.profiles.iter().find(|p| p.name == handle.name) else {
        return "Invalid Profile!\n".to_owned();
    };
    let codecs: Vec<&str> = p.codec_prefs.iter().map(|c| c.name()).collect();
    let codecs = codecs.join(",");
    let opt_ip =
        |ip: Option<std::net::IpAddr>| ip.map_or_else(|| "N/A".to_owned(), |i| i.to_string());
    labelled(&[
        ("Name             ", p.name.clone()),
        (
            "Domain Name      ",
            p.domain.clone().unwrap_or_else(|| "N/A".to_owned()),
        ),
        ("Auto-NAT         ", "false".to_owned()),
        ("Context          ", p.context.clone()),
        ("RTP-IP           ", p.rtp_ip.to_string()),
        ("SIP-IP           ", p.sip_ip.to_string()),
        ("EXT-RTP-IP       ", opt_ip(p.ext_rtp_ip)),
        ("EXT-SIP-IP       ", opt_ip(p.ext_sip_ip)),
        ("URL              ", profile_url(p)),
        (
            "TRANSPORTS       ",
            p.transports
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("CODECS IN        ", codecs.clone()),
        ("CODECS OUT       ", codecs),
        ("AUTH-CALLS       ", p.auth_calls.to_string()),
        ("DISABLE-REGISTER ", p.disable_register.to_string()),
        ("DIALOGS          ", snap.dialogs.to_string()),
        ("REGISTRATIONS    ", snap.registrations.len().to_string()),
        ("GATEWAYS         ", snap.gateways.len().to_string()),
    ])
}

/// `sofia status gateway <name>` (a bare name or `profile::name`).
async fn gateway_status(hub: &ControlHub, wanted: &str) -> String {
    let name = wanted.rsplit("::").next().unwrap_or(wanted);
    for (handle, snap) in snapshots(hub).await {
        let Some(gw) = snap.gateways.iter().find(|g| g.settings.name == name) else {
            continue;
        };
        let s = &gw.settings;
        let context = hub
            .current_config()
            .profiles
            .iter()
            .find(|p| p.name == handle.name)
            .and_then(|p| p.gateway(name))
            .map(|g| g.context.clone())
            .unwrap_or_default();
        let username = s.username.clone().unwrap_or_default();
        let from_user = s.from_user.clone().unwrap_or_else(|| username.clone());
        let from_domain = s.from_domain.clone().unwrap_or_else(|| s.realm.clone());
        return labelled(&[
            ("Name    ", s.name.clone()),
            ("Profile ", handle.name.clone()),
            ("Scheme  ", "Digest".to_owned()),
            ("Realm   ", s.realm.clone()),
            ("Username", username.clone()),
            (
                "Password",
                if s.password.as_deref().is_some_and(|p| !p.is_empty()) {
                    "yes"
                } else {
                    "no"
                }
                .to_owned(),
            ),
            ("From    ", format!("<sip:{from_user}@{from_domain}>")),
            ("Exten   ", username),
            ("To      ", register_to(gw)),
            ("Proxy   ", format!("sip:{}", s.proxy)),
            ("Context ", context),
            ("Expires ", s.expire_seconds.to_string()),
            ("Freq    ", gw.granted_expires.to_string()),
            ("PingFreq", s.ping.map_or(0, |p| p.as_secs()).to_string()),
            ("State   ", gw.state.as_str().to_owned()),
            ("Status  ", gw.status.as_str().to_owned()),
        ]);
    }
    "Invalid Gateway!\n".to_owned()
}

/// `sofia profile <p> rescan`: starts the gateways the configuration in force has
/// and the profile does not run (added to the config, or killed with `killgw`).
async fn rescan(hub: &ControlHub, name: &str) -> String {
    if find_profile(hub, name).is_none() {
        return format!("Invalid Profile [{name}]\n");
    }
    let added = start_missing_gateways(hub, name).await;
    if !added.is_empty() {
        tracing::info!(
            "rescan of profile {name} started gateways {}",
            added.join(", ")
        );
    }
    "+OK scan complete\n".to_owned()
}

/// Starts the configured gateways of profile `name` that it does not run; their names.
pub async fn start_missing_gateways(hub: &ControlHub, name: &str) -> Vec<String> {
    let Some(handle) = find_profile(hub, name) else {
        return Vec::new();
    };
    let config = hub.current_config();
    let Some(profile) = config.profiles.iter().find(|p| p.name == name).cloned() else {
        return Vec::new();
    };
    // Gateway proxies may be host names: resolving blocks, so not on the runtime.
    let built = tokio::task::spawn_blocking(move || {
        let mut gateways = Vec::new();
        for config in &profile.gateways {
            let settings = crate::calls::profiles::gateway_settings(config, &profile);
            let ids = IdSource::new(|| rand::RngCore::next_u64(&mut rand::rng()));
            match settings.map(|s| Gateway::new(s, ids)) {
                Ok(Ok(gateway)) => gateways.push(gateway),
                Ok(Err(e)) => tracing::warn!("gateway {}: {e}", config.name),
                Err(e) => tracing::warn!("gateway {}: {e:#}", config.name),
            }
        }
        gateways
    })
    .await
    .unwrap_or_default();
    let (reply, rx) = oneshot::channel();
    let request = ProfileAdmin::AddGateways {
        gateways: built,
        reply,
    };
    if handle.admin.send(request).is_err() {
        return Vec::new();
    }
    rx.await.unwrap_or_default()
}

/// `sofia_contact [profile/]user[@domain]`: the registered contacts as dial strings
/// (comma separated), `error/user_not_registered` without one. No trailing LF.
pub async fn contact(hub: &ControlHub, target: &str) -> String {
    let (profile, rest) = match target.split_once('/') {
        Some((p, r)) => (Some(p), r),
        None => (None, target),
    };
    let (user, domain) = match rest.split_once('@') {
        Some((u, d)) => (u, Some(d.to_ascii_lowercase())),
        None => (rest, None),
    };
    let mut found = Vec::new();
    for (handle, snap) in snapshots(hub).await {
        if profile.is_some_and(|p| p != handle.name) {
            continue;
        }
        for reg in &snap.registrations {
            let aor = &reg.binding.aor;
            if aor.user == user && domain.as_ref().is_none_or(|d| *d == aor.domain) {
                found.push(format!("sofia/{}/{}", handle.name, reg.binding.contact.uri));
            }
        }
    }
    if found.is_empty() {
        "error/user_not_registered".to_owned()
    } else {
        found.join(",")
    }
}
