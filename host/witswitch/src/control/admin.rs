//! Switch-wide admin commands of the event socket (issue 7, admin side): the ones
//! answered from the profile tasks (`show registrations`, `sofia ...`,
//! `sofia_contact`). Calls are the call task's business (`api.rs`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::sync::{Notify, mpsc, oneshot};
use witswitch_config::Config;
use witswitch_control::api::{ApiCommand, ShowTable};

use super::ControlHub;
use super::{admin_core, admin_sofia};
use crate::driver::core::admin::{ProfileAdmin, ProfileSnapshot};
use crate::live_config::LiveConfig;
use crate::logging::LogControl;

/// A way to reach one profile task.
#[derive(Debug, Clone)]
pub struct ProfileHandle {
    /// Profile name.
    pub name: String,
    /// Its admin queue.
    pub admin: mpsc::UnboundedSender<ProfileAdmin>,
}

/// The admin side's state in the hub.
#[derive(Debug, Default)]
pub struct AdminState {
    profiles: Mutex<Vec<ProfileHandle>>,
    /// The configuration in force (reloadable); set at startup.
    live: OnceLock<Arc<LiveConfig>>,
    /// The running log level.
    pub(super) log: OnceLock<LogControl>,
    /// Global variables (`global_getvar`/`global_setvar`), from `[vars]` at start.
    pub(super) globals: Mutex<Option<BTreeMap<String, String>>>,
    /// `fsctl shutdown` asked the switch to stop.
    pub(super) shutdown: Arc<Notify>,
    /// A pending `fsctl shutdown elegant`: its watcher and the max-sessions to restore
    /// on `cancel`.
    pub(super) elegant: Mutex<Option<(tokio::task::JoinHandle<()>, u32)>>,
    /// The script host (`script status|reload`), once the call side runs.
    pub(super) scripts: Mutex<Option<witswitch_script::ScriptHost>>,
    /// Connections with `log <level>` on (the log tap runs only while there is one).
    pub(super) loggers: Mutex<Vec<witswitch_control::bus::SubscriberId>>,
}

impl AdminState {
    /// The profiles, in configuration order.
    pub fn profiles(&self) -> Vec<ProfileHandle> {
        self.profiles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl ControlHub {
    /// Gives the admin commands the reloadable configuration and the log level handle.
    pub fn attach_admin(self: &Arc<Self>, live: Arc<LiveConfig>, log: LogControl) {
        let _ = self.admin.live.set(live);
        if let Some(records) = log.tap.take_receiver() {
            tokio::spawn(super::admin_log::forward(Arc::clone(self), records));
        }
        let _ = self.admin.log.set(log);
    }

    /// The configuration in force (the start configuration until `reloadxml`).
    pub fn current_config(&self) -> Arc<Config> {
        self.admin
            .live
            .get()
            .map_or_else(|| Arc::clone(&self.config), |live| live.get())
    }

    /// The reloadable configuration, once attached.
    pub(super) fn live_config(&self) -> Option<&Arc<LiveConfig>> {
        self.admin.live.get()
    }

    /// Global variables now.
    pub fn globals(&self) -> BTreeMap<String, String> {
        self.admin
            .globals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(|| self.config.vars.clone())
            .clone()
    }

    /// Resolves when `fsctl shutdown` (or an elegant one's last call) asks to stop.
    pub async fn shutdown_requested(&self) {
        self.admin.shutdown.notified().await;
    }

    /// Makes profile `name` reachable by admin commands; the returned receiver goes
    /// to its driver (`ProfileDriver::attach_admin`).
    pub fn add_profile(&self, name: &str) -> mpsc::UnboundedReceiver<ProfileAdmin> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.admin
            .profiles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ProfileHandle {
                name: name.to_owned(),
                admin: tx,
            });
        rx
    }
}

/// Asks one profile for its registrations, gateways and dialog count (empty when the
/// task is gone, e.g. during shutdown).
pub async fn snapshot(profile: &ProfileHandle) -> ProfileSnapshot {
    let (reply, rx) = oneshot::channel();
    if profile.admin.send(ProfileAdmin::Snapshot(reply)).is_err() {
        return ProfileSnapshot::default();
    }
    rx.await.unwrap_or_default()
}

/// Runs `command` when it is an admin command; gives it back otherwise.
pub async fn execute(hub: &ControlHub, command: ApiCommand) -> Result<String, ApiCommand> {
    match command {
        ApiCommand::Show(show) if show.table == ShowTable::Registrations => {
            Ok(admin_sofia::show_registrations(hub, &show).await)
        }
        ApiCommand::Sofia(sofia) => Ok(admin_sofia::sofia(hub, sofia).await),
        ApiCommand::SofiaContact { target } => Ok(admin_sofia::contact(hub, &target).await),
        ApiCommand::ScriptStatus => Ok(super::admin_scripts::status(hub)),
        ApiCommand::ScriptReload { name } => Ok(super::admin_scripts::reload(hub, &name).await),
        other => admin_core::execute(hub, other).await,
    }
}
