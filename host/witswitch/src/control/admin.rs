//! Switch-wide admin commands of the event socket (issue 7, admin side): the ones
//! answered from the profile tasks (`show registrations`, `sofia ...`,
//! `sofia_contact`). Calls are the call task's business (`api.rs`).

use std::sync::{Mutex, PoisonError};

use tokio::sync::{mpsc, oneshot};
use witswitch_control::api::{ApiCommand, ShowTable};

use super::ControlHub;
use super::admin_sofia;
use crate::driver::core::admin::{ProfileAdmin, ProfileSnapshot};

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
        other => Err(other),
    }
}
