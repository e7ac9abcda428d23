//! Core admin commands: `global_setvar`, `fsctl loglevel`, `fsctl shutdown
//! [elegant|cancel]`, `reloadxml` and `reloadacl`.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use witswitch_config::{Config, ConfigDiff, diff, ensure_user_secrets};
use witswitch_control::api::command::ShutdownMode;
use witswitch_control::api::{ApiCommand, FsctlCommand, LogLevelSetting};
use witswitch_control::call_site;

use super::{CallControl, ControlHub, now};
use crate::driver::core::admin::ProfileAdmin;

/// How often a pending elegant shutdown checks whether the last call ended.
const ELEGANT_POLL: Duration = Duration::from_millis(200);

/// Runs the core admin commands; gives any other command back.
pub async fn execute(hub: &ControlHub, command: ApiCommand) -> Result<String, ApiCommand> {
    match command {
        ApiCommand::GlobalSetVar { name, value } => {
            hub.globals();
            let mut globals = hub
                .admin
                .globals
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(map) = globals.as_mut() {
                map.insert(name, value);
            }
            drop(globals);
            hub.share_globals_with_scripts();
            // FreeSWITCH answers `+OK` without a line end.
            Ok("+OK".to_owned())
        }
        ApiCommand::Fsctl(FsctlCommand::LogLevel(setting)) => Ok(log_level(hub, setting)),
        ApiCommand::Fsctl(FsctlCommand::Shutdown(mode)) => Ok(shutdown(hub, mode).await),
        ApiCommand::ReloadXml => Ok(reload(hub, false).await),
        ApiCommand::ReloadAcl => Ok(reload(hub, true).await),
        other => Err(other),
    }
}

fn log_level(hub: &ControlHub, setting: LogLevelSetting) -> String {
    let number = match setting {
        LogLevelSetting::Disable => None,
        LogLevelSetting::Level(level) => Some(level.number()),
    };
    match hub.admin.log.get().map(|log| log.set_level(number)) {
        Some(Ok(())) => setting.fsctl_reply(),
        Some(Err(e)) => format!("-ERR cannot change the log level: {e}\n"),
        None => "-ERR no log level control in this process\n".to_owned(),
    }
}

/// Sends one API command to the call task and waits for its body.
async fn call_api(hub: &ControlHub, command: ApiCommand) -> Option<String> {
    let (reply, rx) = oneshot::channel();
    hub.calls.send(CallControl::Api { command, reply }).ok()?;
    rx.await.ok()
}

async fn shutdown(hub: &ControlHub, mode: ShutdownMode) -> String {
    match mode {
        ShutdownMode::Now => {
            tracing::warn!("shutdown requested over the event socket");
            hub.admin.shutdown.notify_one();
            "+OK\n".to_owned()
        }
        ShutdownMode::Elegant => {
            let stats = hub.status().await;
            let max = u32::try_from(stats.max_sessions).unwrap_or(u32::MAX);
            // No new calls from now on: every INVITE meets max-sessions 0 (503).
            call_api(hub, ApiCommand::Fsctl(FsctlCommand::MaxSessions(Some(0)))).await;
            tracing::warn!(
                "elegant shutdown: refusing new calls, stopping when the last of {} calls ends",
                stats.sessions_now
            );
            let watcher = tokio::spawn(wait_for_last_call(
                hub.calls.clone(),
                Arc::clone(&hub.admin.shutdown),
            ));
            let previous = hub
                .admin
                .elegant
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .replace((watcher, max));
            if let Some((old, max)) = previous {
                old.abort();
                // Keep the first limit to restore, not the 0 set by the first request.
                if let Some((_, restore)) = hub
                    .admin
                    .elegant
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_mut()
                {
                    *restore = max;
                }
            }
            "+OK\n".to_owned()
        }
        ShutdownMode::Cancel => {
            let pending = hub
                .admin
                .elegant
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match pending {
                Some((watcher, max)) => {
                    watcher.abort();
                    call_api(hub, ApiCommand::Fsctl(FsctlCommand::MaxSessions(Some(max)))).await;
                    tracing::warn!("elegant shutdown cancelled; max-sessions {max} again");
                    "+OK\n".to_owned()
                }
                None => "-ERR no shutdown pending\n".to_owned(),
            }
        }
    }
}

async fn wait_for_last_call(
    calls: tokio::sync::mpsc::UnboundedSender<CallControl>,
    shutdown: Arc<tokio::sync::Notify>,
) {
    loop {
        let (reply, rx) = oneshot::channel();
        let calls_up = if calls.send(CallControl::Stats(reply)).is_ok() {
            rx.await.map_or(0, |stats| stats.sessions_now)
        } else {
            0
        };
        if calls_up == 0 {
            tracing::warn!("elegant shutdown: the last call ended");
            shutdown.notify_one();
            return;
        }
        tokio::time::sleep(ELEGANT_POLL).await;
    }
}

/// Loads the configuration folder again. `acl_only` (`reloadacl`) takes only the ACL
/// lists from it.
async fn reload(hub: &ControlHub, acl_only: bool) -> String {
    let Some(live) = hub.live_config() else {
        return "-ERR no reloadable configuration in this process\n".to_owned();
    };
    let old = live.get();
    let dir = old.dir.clone();
    let state_dir = old.core.state_dir.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        let mut config = Config::load(&dir).map_err(|e| e.to_string())?;
        ensure_user_secrets(&state_dir, &mut config, |buf| {
            rand::RngCore::fill_bytes(&mut rand::rng(), buf);
        })
        .map_err(|e| e.to_string())?;
        Ok::<Config, String>(config)
    })
    .await;
    let mut new = match loaded {
        Ok(Ok(config)) => config,
        Ok(Err(error)) => {
            tracing::error!("reload refused, the running configuration stays: {error}");
            return format!("-ERR {}\n", error.trim_end());
        }
        Err(e) => return format!("-ERR reload failed: {e}\n"),
    };
    if acl_only {
        let acls = new.acls;
        new = (*old).clone();
        new.acls = acls;
    }
    let changes = diff(&old, &new);
    let new = Arc::new(new);
    live.set(Arc::clone(&new));
    let mut applied = Vec::new();
    apply_vars(hub, &changes, &new, &mut applied);
    apply_limits(hub, &old, &new, &mut applied).await;
    apply_gateways(hub, &changes, &new, &mut applied).await;
    apply_scripts(hub, &changes, &new, &mut applied).await;
    if !changes.contexts.is_empty() {
        // The invoker reads `[contexts]` per call from the live configuration.
        applied.push(format!("contexts: {}", changes.contexts));
    }
    for (name, part) in [("users", &changes.users), ("acls", &changes.acls)] {
        if !part.is_empty() {
            applied.push(format!("{name}: {part}"));
        }
    }
    let restart = needs_restart(&changes, &old, &new);
    let event = hub
        .factory
        .create("RELOADXML", now(), call_site!("switch_xml_open_root"));
    hub.publish(event);
    tracing::info!(
        "configuration reloaded: {}",
        changes.to_string().replace('\n', "; ")
    );
    let mut reply = if acl_only {
        "+OK acl reloaded\n".to_owned()
    } else {
        "+OK [Success]\n".to_owned()
    };
    if !applied.is_empty() {
        reply.push_str(&format!("applied: {}\n", applied.join("; ")));
    }
    if !restart.is_empty() {
        reply.push_str(&format!("needs restart: {}\n", restart.join("; ")));
    }
    reply
}

fn apply_vars(hub: &ControlHub, changes: &ConfigDiff, new: &Config, applied: &mut Vec<String>) {
    if changes.vars.is_empty() {
        return;
    }
    hub.globals();
    let mut globals = hub
        .admin
        .globals
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(map) = globals.as_mut() {
        for name in &changes.vars.removed {
            map.remove(name);
        }
        for (name, value) in &new.vars {
            map.insert(name.clone(), value.clone());
        }
    }
    drop(globals);
    hub.share_globals_with_scripts();
    applied.push(format!("vars: {}", changes.vars));
}

async fn apply_limits(hub: &ControlHub, old: &Config, new: &Config, applied: &mut Vec<String>) {
    if old.core.max_sessions != new.core.max_sessions {
        let max = Some(new.core.max_sessions);
        call_api(hub, ApiCommand::Fsctl(FsctlCommand::MaxSessions(max))).await;
        applied.push(format!("max-sessions {}", new.core.max_sessions));
    }
    if old.core.sessions_per_second != new.core.sessions_per_second {
        let sps = Some(new.core.sessions_per_second);
        call_api(hub, ApiCommand::Fsctl(FsctlCommand::Sps(sps))).await;
        applied.push(format!(
            "sessions-per-second {}",
            new.core.sessions_per_second
        ));
    }
}

/// Removed and changed gateways are killed, added and changed ones started (on
/// profiles that run; a gateway of a new profile waits for the restart).
async fn apply_gateways(
    hub: &ControlHub,
    changes: &ConfigDiff,
    new: &Config,
    applied: &mut Vec<String>,
) {
    if changes.gateways.is_empty() {
        return;
    }
    let profiles = hub.admin.profiles();
    for name in changes
        .gateways
        .removed
        .iter()
        .chain(&changes.gateways.changed)
    {
        for profile in &profiles {
            let (reply, rx) = oneshot::channel();
            let request = ProfileAdmin::KillGateway {
                name: name.clone(),
                reply,
            };
            if profile.admin.send(request).is_ok() {
                let _ = rx.await;
            }
        }
    }
    for profile in &profiles {
        if new.profile(&profile.name).is_some() {
            super::admin_sofia::start_missing_gateways(hub, &profile.name).await;
        }
    }
    applied.push(format!("gateways: {}", changes.gateways));
}

/// Added and changed scripts get their settings and are loaded (a load failure is
/// reported; the old version, if any, stays live). A removed script stays loaded
/// but no context maps to it any more.
async fn apply_scripts(
    hub: &ControlHub,
    changes: &ConfigDiff,
    new: &Arc<Config>,
    applied: &mut Vec<String>,
) {
    if changes.scripts.is_empty() {
        return;
    }
    let Some(host) = hub.script_host() else {
        return;
    };
    let mut failed = Vec::new();
    for name in changes.scripts.added.iter().chain(&changes.scripts.changed) {
        let Some(script) = new.scripts.scripts.get(name) else {
            continue;
        };
        let settings = crate::calls::scripts::settings(&script.limits, Some(script), new);
        host.set_script_settings(name, settings);
        let (loader, script_name, path) = (host.clone(), name.clone(), script.path.clone());
        let loaded = tokio::task::spawn_blocking(move || loader.load(&script_name, &path)).await;
        match loaded {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => failed.push(format!("{name} ({e})")),
            Err(e) => failed.push(format!("{name} ({e})")),
        }
    }
    applied.push(format!("scripts: {}", changes.scripts));
    if !failed.is_empty() {
        applied.push(format!("scripts not loaded: {}", failed.join(", ")));
    }
}

fn needs_restart(changes: &ConfigDiff, old: &Config, new: &Config) -> Vec<String> {
    let mut restart = Vec::new();
    let mut settings: Vec<&str> = changes.settings.clone();
    if settings.contains(&"core") {
        let mut old_core = old.core.clone();
        old_core.max_sessions = new.core.max_sessions;
        old_core.sessions_per_second = new.core.sessions_per_second;
        if old_core == new.core {
            // Only the limits changed, and those were applied.
            settings.retain(|s| *s != "core");
        }
    }
    if !settings.is_empty() {
        restart.push(format!("settings: ~{}", settings.join(" ~")));
    }
    if !changes.profiles.is_empty() {
        restart.push(format!("profiles: {}", changes.profiles));
    }
    restart
}
