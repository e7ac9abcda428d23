//! `scripts.toml`: `[runtime]`, `[http]`, `[contexts]`, `[scripts.<name>]`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::{FileCtx, millis, resolve_path};
use crate::error::Problem;
use crate::profile::HostPort;
use crate::raw::{HttpTable, RuntimeTable, ScriptTable, ScriptsFile};
use crate::scripts::{HttpAllow, HttpSettings, Script, ScriptLimits, ScriptSettings, World};

/// Defaults when `scripts.toml` does not say (also used when it is absent).
pub(crate) fn default_settings(conf_dir: &Path) -> ScriptSettings {
    ScriptSettings {
        folder: resolve_path(conf_dir, Path::new("scripts")),
        limits: ScriptLimits {
            memory_limit_mib: 64,
            route_deadline: Duration::from_millis(50),
            app_cpu_limit: Duration::from_millis(1000),
        },
        http: HttpSettings {
            connect_timeout: Duration::from_millis(2000),
            timeout: Duration::from_millis(5000),
            max_response_bytes: 1024 * 1024,
        },
        contexts: BTreeMap::new(),
        scripts: BTreeMap::new(),
    }
}

pub(crate) fn build_scripts(
    cx: &mut FileCtx<'_>,
    raw: &ScriptsFile,
    conf_dir: &Path,
) -> ScriptSettings {
    let mut settings = default_settings(conf_dir);
    apply_runtime(cx, &raw.runtime, conf_dir, &mut settings);
    settings.http = build_http(cx, &raw.http, settings.http);
    for (name, table) in &raw.scripts {
        let section = format!("scripts.{name}");
        if !cx.name(name, &table.span(), "scripts", name) {
            continue;
        }
        let script = build_script(cx, name, table.get_ref(), &section, &settings);
        settings.scripts.insert(name.clone(), script);
    }
    for (context, script_name) in &raw.contexts {
        if !cx.name(context, &script_name.span(), "contexts", context) {
            continue;
        }
        let Some(target) = cx.text(script_name, "contexts", context) else {
            continue;
        };
        match settings.scripts.get(&target) {
            None => cx.report(
                &script_name.span(),
                "contexts",
                context,
                Problem::UnknownScript(target),
            ),
            Some(script) if script.world != World::Dialplan => cx.report(
                &script_name.span(),
                "contexts",
                context,
                Problem::NotADialplan(target),
            ),
            Some(_) => {
                settings.contexts.insert(context.clone(), target);
            }
        }
    }
    settings
}

fn apply_runtime(
    cx: &mut FileCtx<'_>,
    raw: &RuntimeTable,
    conf_dir: &Path,
    settings: &mut ScriptSettings,
) {
    const S: &str = "runtime";
    if let Some(folder) = raw
        .folder
        .as_ref()
        .and_then(|f| cx.path(f, conf_dir, S, "folder"))
    {
        settings.folder = folder;
    }
    let d = settings.limits;
    settings.limits = ScriptLimits {
        memory_limit_mib: cx.positive(
            &raw.memory_limit_mib,
            d.memory_limit_mib,
            S,
            "memory-limit-mib",
        ),
        route_deadline: millis(cx.positive(&raw.route_deadline_ms, 50, S, "route-deadline-ms")),
        app_cpu_limit: millis(cx.positive(&raw.app_cpu_limit_ms, 1000, S, "app-cpu-limit-ms")),
    };
}

fn build_http(cx: &mut FileCtx<'_>, raw: &HttpTable, d: HttpSettings) -> HttpSettings {
    const S: &str = "http";
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    HttpSettings {
        connect_timeout: millis(cx.positive(
            &raw.connect_timeout_ms,
            ms(d.connect_timeout),
            S,
            "connect-timeout-ms",
        )),
        timeout: millis(cx.positive(&raw.timeout_ms, ms(d.timeout), S, "timeout-ms")),
        max_response_bytes: cx.positive(
            &raw.max_response_bytes,
            d.max_response_bytes,
            S,
            "max-response-bytes",
        ),
    }
}

fn build_script(
    cx: &mut FileCtx<'_>,
    name: &str,
    raw: &ScriptTable,
    section: &str,
    settings: &ScriptSettings,
) -> Script {
    let path = raw
        .file
        .as_ref()
        .and_then(|f| cx.path(f, &settings.folder, section, "file"))
        .unwrap_or_else(|| settings.folder.join(format!("{name}.wasm")));
    let mut http_allow: Vec<HttpAllow> = Vec::new();
    for entry in &raw.http_allow {
        let Some(text) = cx.text(entry, section, "http-allow") else {
            continue;
        };
        match HostPort::parse(&text) {
            Some(hp) => {
                let allow = HttpAllow {
                    host: hp.host,
                    port: hp.port,
                };
                if http_allow.contains(&allow) {
                    cx.report(
                        &entry.span(),
                        section,
                        "http-allow",
                        Problem::Duplicate(text),
                    );
                } else {
                    http_allow.push(allow);
                }
            }
            None => cx.report(
                &entry.span(),
                section,
                "http-allow",
                Problem::BadHttpAllow(text),
            ),
        }
    }
    let d = settings.limits;
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let limits = ScriptLimits {
        memory_limit_mib: cx.positive(
            &raw.memory_limit_mib,
            d.memory_limit_mib,
            section,
            "memory-limit-mib",
        ),
        route_deadline: millis(cx.positive(
            &raw.route_deadline_ms,
            ms(d.route_deadline),
            section,
            "route-deadline-ms",
        )),
        app_cpu_limit: millis(cx.positive(
            &raw.app_cpu_limit_ms,
            ms(d.app_cpu_limit),
            section,
            "app-cpu-limit-ms",
        )),
    };
    Script {
        name: name.to_owned(),
        world: raw.world,
        path,
        http_allow,
        limits,
        vars: cx.var_table(&raw.vars, &format!("{section}.vars")),
    }
}

/// Report a context (from a profile, gateway or user) that no dialplan serves.
pub(crate) fn check_context(
    cx: &mut FileCtx<'_>,
    scripts: &ScriptSettings,
    span: &std::ops::Range<usize>,
    context: &str,
    section: &str,
    key: &str,
) {
    if !scripts.contexts.contains_key(context) {
        cx.report(
            span,
            section,
            key,
            Problem::UnmappedContext(context.to_owned()),
        );
    }
}
