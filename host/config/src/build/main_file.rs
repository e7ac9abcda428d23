//! `witswitch.toml`: `[vars]`, `[core]`, `[event-socket]`, `[cdr]`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use super::{FileCtx, Globals, resolve_path};
use crate::core::{CdrSettings, CoreSettings, EventSocketSettings, LogLevel};
use crate::error::{ConfigDiagnostic, KeyPath, Problem};
use crate::expand::{ExpandError, resolve_vars};
use crate::raw::{CdrTable, CoreTable, EventSocketTable, MainFile, Text};
use crate::source::SourceFile;

/// FreeSWITCH's well-known event socket password.
pub(crate) const EXAMPLE_ESL_PASSWORD: &str = "ClueCon";

/// Expand `[vars]` (variables may use each other). Broken entries are reported and left out.
pub(crate) fn build_vars(
    file: &SourceFile,
    raw: &BTreeMap<String, Text>,
    diags: &mut Vec<ConfigDiagnostic>,
) -> Globals {
    let mut broken = BTreeSet::new();
    let mut templates = BTreeMap::new();
    for (name, value) in raw {
        if super::is_identifier(name) {
            templates.insert(name.clone(), value.get_ref().clone());
        } else {
            broken.insert(name.clone());
            diags.push(ConfigDiagnostic::at_key(
                file.at(&value.span()),
                KeyPath::new("vars", name.clone()),
                Problem::BadName(name.clone()),
            ));
        }
    }
    // Report every broken variable, not only the first: drop it and retry. A loop is
    // reported once, at its first member, and all its members are dropped.
    loop {
        match resolve_vars(&templates) {
            Ok(values) => {
                return Globals {
                    values,
                    complete: true,
                    broken,
                };
            }
            Err((name, err)) => {
                let span = raw.get(&name).map(|v| v.span()).unwrap_or_default();
                if let ExpandError::Cycle { chain } = &err {
                    for member in chain.split(" -> ") {
                        templates.remove(member);
                        broken.insert(member.to_owned());
                    }
                }
                templates.remove(&name);
                broken.insert(name.clone());
                diags.push(ConfigDiagnostic::at_key(
                    file.at(&span),
                    KeyPath::new("vars", name),
                    err.into(),
                ));
            }
        }
    }
}

/// Everything in `witswitch.toml` except the variables.
pub(crate) struct MainSettings {
    pub core: CoreSettings,
    pub event_socket: EventSocketSettings,
    pub cdr: CdrSettings,
}

pub(crate) fn build_main(cx: &mut FileCtx<'_>, raw: &MainFile, conf_dir: &Path) -> MainSettings {
    let core = build_core(cx, &raw.core, conf_dir);
    let event_socket = build_event_socket(cx, &raw.event_socket);
    let cdr = build_cdr(cx, &raw.cdr, &core.state_dir);
    MainSettings {
        core,
        event_socket,
        cdr,
    }
}

fn build_core(cx: &mut FileCtx<'_>, raw: &CoreTable, conf_dir: &Path) -> CoreSettings {
    const S: &str = "core";
    let max_sessions = cx.positive(&raw.max_sessions, 1000, S, "max-sessions");
    let sessions_per_second = cx.positive(&raw.sessions_per_second, 30, S, "sessions-per-second");
    let state_dir = raw
        .state_dir
        .as_ref()
        .and_then(|v| cx.path(v, conf_dir, S, "state-dir"))
        // Default: `var/` beside the config folder (the repository root for `conf/`).
        .unwrap_or_else(|| resolve_path(conf_dir, Path::new("../var")));
    let start = raw
        .rtp_start_port
        .as_ref()
        .map_or(16384, |p| cx.port(p, S, "rtp-start-port"));
    let end = raw
        .rtp_end_port
        .as_ref()
        .map_or(32768, |p| cx.port(p, S, "rtp-end-port"));
    if start > end {
        let span = raw
            .rtp_start_port
            .as_ref()
            .or(raw.rtp_end_port.as_ref())
            .map(|p| p.span())
            .unwrap_or_default();
        cx.report(
            &span,
            S,
            "rtp-start-port",
            Problem::OutOfOrder {
                low_key: "rtp-start-port",
                low: u64::from(start),
                high_key: "rtp-end-port",
                high: u64::from(end),
            },
        );
    }
    CoreSettings {
        max_sessions,
        sessions_per_second,
        log_level: raw.log_level.unwrap_or(LogLevel::Info),
        state_dir,
        rtp_ports: start..=end,
    }
}

fn build_event_socket(cx: &mut FileCtx<'_>, raw: &EventSocketTable) -> EventSocketSettings {
    const S: &str = "event-socket";
    let ip = cx
        .opt_ip(&raw.listen_ip, S, "listen-ip")
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let port = raw
        .listen_port
        .as_ref()
        .map_or(8021, |p| cx.port(p, S, "listen-port"));
    let listen = SocketAddr::new(ip, port);
    let password = cx
        .opt_text(&raw.password, S, "password")
        .unwrap_or_else(|| EXAMPLE_ESL_PASSWORD.to_owned());
    if password.is_empty() {
        let span = raw.password.as_ref().map(|p| p.span()).unwrap_or_default();
        cx.report(&span, S, "password", Problem::Empty);
    }
    if password == EXAMPLE_ESL_PASSWORD && !ip.is_loopback() {
        let span = raw
            .password
            .as_ref()
            .or(raw.listen_ip.as_ref())
            .map(|p| p.span())
            .unwrap_or_default();
        cx.report(
            &span,
            S,
            "password",
            Problem::ExampleEventSocketPassword(listen),
        );
    }
    EventSocketSettings {
        listen,
        password,
        apply_inbound_acl: cx.opt_text(&raw.apply_inbound_acl, S, "apply-inbound-acl"),
    }
}

fn build_cdr(cx: &mut FileCtx<'_>, raw: &CdrTable, state_dir: &Path) -> CdrSettings {
    const S: &str = "cdr";
    let path = raw
        .path
        .as_ref()
        .and_then(|v| cx.path(v, state_dir, S, "path"))
        .unwrap_or_else(|| state_dir.join("cdr.json"));
    CdrSettings {
        path,
        max_file_bytes: cx.positive(&raw.max_file_bytes, 10 * 1024 * 1024, S, "max-file-bytes"),
        keep_files: raw.keep_files.as_ref().map_or(5, |k| *k.get_ref()),
    }
}
