//! The script host of the switch: every script of `scripts.toml` loaded with
//! its limits and HTTP allowlist, the global variables, and the folder
//! watched for hot reload.

use witswitch_config::{Config, Script, ScriptLimits};
use witswitch_script::{
    DEFAULT_DEBOUNCE, EngineSettings, HttpSettings, ScriptHost, ScriptSettings, ScriptWatcher,
};

/// The host's settings for one script (or the defaults).
pub(crate) fn settings(
    limits: &ScriptLimits,
    script: Option<&Script>,
    config: &Config,
) -> ScriptSettings {
    let http = &config.scripts.http;
    ScriptSettings {
        memory_bytes: u64::from(limits.memory_limit_mib) << 20,
        route_cpu: limits.route_deadline,
        app_cpu: limits.app_cpu_limit,
        http: HttpSettings {
            allow: script
                .map(|s| {
                    s.http_allow
                        .iter()
                        .map(|a| match a.port {
                            Some(port) => format!("{}:{port}", a.host),
                            None => a.host.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            connect_timeout: http.connect_timeout,
            total_timeout: http.timeout,
            max_response_bytes: http.max_response_bytes,
        },
        ..ScriptSettings::default()
    }
}

/// Starts the host and loads every configured script. A script that fails
/// to load is logged; calls routed to it fail with DESTINATION_OUT_OF_ORDER
/// until a good file appears (the watcher reloads it).
pub async fn start(config: &Config) -> anyhow::Result<(ScriptHost, Option<ScriptWatcher>)> {
    let engine = EngineSettings {
        // Every route in flight and every running app holds an instance.
        max_instances: config.core.max_sessions.saturating_mul(2).clamp(64, 12_000),
        cache_dir: Some(config.core.state_dir.join("script-cache")),
        ..EngineSettings::default()
    };
    let host = ScriptHost::new(engine)?;
    host.set_default_settings(settings(&config.scripts.limits, None, config));
    host.set_globals(config.vars.clone().into_iter().collect());
    for script in config.scripts.scripts.values() {
        host.set_script_settings(&script.name, settings(&script.limits, Some(script), config));
        let loader = host.clone();
        let (name, path) = (script.name.clone(), script.path.clone());
        // Compiling takes a while: off the async threads.
        let loaded = tokio::task::spawn_blocking(move || loader.load(&name, &path)).await?;
        match loaded {
            Ok(status) => tracing::info!(
                "script {} loaded ({}, version {})",
                script.name,
                script.path.display(),
                status
                    .version
                    .as_deref()
                    .map_or("-", |v| v.get(..12).unwrap_or(v))
            ),
            Err(e) => tracing::error!("script {} not loaded: {e}", script.name),
        }
    }
    let watcher = match host.watch(&config.scripts.folder, DEFAULT_DEBOUNCE) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            tracing::warn!("scripts folder not watched (no hot reload): {e}");
            None
        }
    };
    Ok((host, watcher))
}
