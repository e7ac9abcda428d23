//! witswitch's own script commands (`script status`, `script reload <name>`) and the
//! script host's lifecycle events on the bus as CUSTOM `witswitch::script`
//! (`Action: loaded|reloaded|failed|removed|trapped`, issue 5 item 4).

use std::sync::{Arc, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use witswitch_control::call_site;
use witswitch_control::event::EventTime;
use witswitch_script::{ScriptEvent, ScriptHost, ScriptStatus};

use super::{CallControl, ControlHub, now};

/// The event subclass of script lifecycle events.
pub const SCRIPT_SUBCLASS: &str = "witswitch::script";

impl ControlHub {
    /// Gives the admin commands the script host and publishes its lifecycle events
    /// until shutdown.
    pub fn attach_scripts(self: &Arc<Self>, host: ScriptHost, shutdown: watch::Receiver<bool>) {
        let events = host.subscribe();
        *self
            .admin
            .scripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(host);
        tokio::spawn(forward_events(Arc::clone(self), events, shutdown));
    }

    /// Scripts read the globals as `global_setvar`/`reloadxml` left them
    /// (`witswitch:script/globals`), and the call engine expands `${name}` in
    /// action data from them.
    pub(super) fn share_globals_with_scripts(&self) {
        let globals = self.globals();
        if let Some(host) = self.script_host() {
            host.set_globals(globals.clone().into_iter().collect());
        }
        let globals = globals.into_iter().collect();
        if self.calls.send(CallControl::Globals(globals)).is_err() {
            tracing::debug!("call task gone; globals not passed on");
        }
    }

    pub(super) fn script_host(&self) -> Option<ScriptHost> {
        self.admin
            .scripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

async fn forward_events(
    hub: Arc<ControlHub>,
    mut events: tokio::sync::broadcast::Receiver<ScriptEvent>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = shutdown.changed() => return,
        };
        match event {
            Ok(event) => publish(&hub, &event),
            Err(RecvError::Lagged(lost)) => {
                tracing::warn!("{lost} script lifecycle events lost (event socket behind)");
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// The headers of one lifecycle event, after the core headers.
fn headers(event: &ScriptEvent) -> Vec<(&'static str, String)> {
    match event {
        ScriptEvent::Loaded {
            name,
            world,
            version,
        } => vec![
            ("Action", "loaded".into()),
            ("Script-Name", name.clone()),
            ("Script-Kind", world.name().into()),
            ("Script-Version", version.clone()),
        ],
        ScriptEvent::Reloaded {
            name,
            old_version,
            new_version,
        } => vec![
            ("Action", "reloaded".into()),
            ("Script-Name", name.clone()),
            ("Script-Version", new_version.clone()),
            ("Script-Old-Version", old_version.clone()),
        ],
        ScriptEvent::LoadFailed {
            name,
            path,
            kind,
            reason,
        } => vec![
            ("Action", "failed".into()),
            ("Script-Name", name.clone()),
            ("Script-Path", path.display().to_string()),
            ("Error-Kind", format!("{kind:?}")),
            ("Error", reason.clone()),
        ],
        ScriptEvent::Removed { name } => {
            vec![("Action", "removed".into()), ("Script-Name", name.clone())]
        }
        ScriptEvent::Failed {
            name,
            version,
            call_uuid,
            kind,
            reason,
        } => vec![
            ("Action", "trapped".into()),
            ("Script-Name", name.clone()),
            ("Script-Version", version.clone()),
            ("Unique-ID", call_uuid.clone()),
            ("Error-Kind", format!("{kind:?}")),
            ("Error", reason.clone()),
        ],
    }
}

fn publish(hub: &ControlHub, event: &ScriptEvent) {
    if !hub.listening() {
        return;
    }
    let mut custom =
        hub.factory
            .create_custom(SCRIPT_SUBCLASS, now(), call_site!("script_lifecycle"));
    for (name, value) in headers(event) {
        custom.add_header(name, value);
    }
    hub.publish(custom);
}

fn datetime(at: Option<SystemTime>) -> String {
    at.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| {
            EventTime {
                epoch_us: i64::try_from(d.as_micros()).unwrap_or(0),
                utc_offset_secs: 0,
            }
            .local()
        })
        .unwrap_or_default()
}

/// One CSV field: no commas or line breaks inside.
fn field(text: &str) -> String {
    text.replace([',', '\n', '\r'], " ")
}

fn status_row(s: &ScriptStatus) -> String {
    let (error_at, error_kind, error) = match &s.last_error {
        Some(e) => (
            datetime(Some(e.at)),
            format!("{:?}", e.kind),
            field(&e.message),
        ),
        None => Default::default(),
    };
    [
        field(&s.name),
        s.world.map(|w| w.name().to_owned()).unwrap_or_default(),
        s.version.clone().unwrap_or_default(),
        datetime(s.loaded_at),
        s.path
            .as_ref()
            .map(|p| field(&p.display().to_string()))
            .unwrap_or_default(),
        error_at,
        error_kind,
        error,
    ]
    .join(",")
}

/// `script status`: one CSV row per script, `show`-style (header, rows, `N total.`).
pub fn status(hub: &ControlHub) -> String {
    let Some(host) = hub.script_host() else {
        return "-ERR no script host\n".to_owned();
    };
    let all = host.status();
    let mut text =
        String::from("name,kind,version,loaded_at,path,last_error_at,last_error_kind,last_error\n");
    for s in &all {
        text.push_str(&status_row(s));
        text.push('\n');
    }
    text.push_str(&format!("\n{} total.\n", all.len()));
    text
}

/// `script reload <name>`: loads the script's file again now (the watcher does the
/// same on a file change). A broken file keeps the live version.
pub async fn reload(hub: &ControlHub, name: &str) -> String {
    let Some(host) = hub.script_host() else {
        return "-ERR no script host\n".to_owned();
    };
    let configured = hub
        .current_config()
        .scripts
        .scripts
        .get(name)
        .map(|s| s.path.clone());
    let Some(path) = configured.or_else(|| host.script_status(name).and_then(|s| s.path)) else {
        return format!("-ERR no script {name}\n");
    };
    let loader = host.clone();
    let script = name.to_owned();
    let loaded = tokio::task::spawn_blocking(move || loader.load(&script, &path)).await;
    match loaded {
        Ok(Ok(status)) => format!(
            "+OK {name} version {}\n",
            status.version.as_deref().unwrap_or("-")
        ),
        Ok(Err(e)) => format!("-ERR {}\n", field(&e.to_string())),
        Err(e) => format!("-ERR reload of {name} failed: {e}\n"),
    }
}
