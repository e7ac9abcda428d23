//! The whole configuration, as loaded from one folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::acl::{AclList, AclLists};
use crate::core::{CdrSettings, CoreSettings, EventSocketSettings};
use crate::directory::{Directory, User};
use crate::error::{ConfigDiagnostic, ConfigError};
use crate::profile::{Gateway, Profile};
use crate::scripts::ScriptSettings;

/// Everything in `conf/`, typed and checked. Share it as `Arc<Config>`; a reload
/// builds a new one (see [`crate::diff`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The folder it was loaded from.
    pub dir: PathBuf,
    /// Global variables from `[vars]`, expanded.
    pub vars: BTreeMap<String, String>,
    /// `[core]` of `witswitch.toml`.
    pub core: CoreSettings,
    /// `[event-socket]` of `witswitch.toml`.
    pub event_socket: EventSocketSettings,
    /// `[cdr]` of `witswitch.toml`.
    pub cdr: CdrSettings,
    /// SIP profiles from `profiles/`, sorted by name.
    pub profiles: Vec<Profile>,
    /// Users from `directory/`.
    pub directory: Directory,
    /// ACL lists from `acl.toml` plus the built-in ones.
    pub acls: AclLists,
    /// `scripts.toml`.
    pub scripts: ScriptSettings,
}

impl Config {
    /// Load and check every file under `dir`. On failure the error lists every
    /// problem found, one `file:line:column: ...` line each.
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        crate::load::load_dir(dir).map_err(|diagnostics| ConfigError { diagnostics })
    }

    /// Every problem in the configuration under `dir`; empty when it loads cleanly.
    pub fn check(dir: &Path) -> Vec<ConfigDiagnostic> {
        crate::load::load_dir(dir).err().unwrap_or_default()
    }

    /// The profile called `name`.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The gateway called `name` and the profile it belongs to.
    pub fn gateway(&self, name: &str) -> Option<(&Profile, &Gateway)> {
        self.profiles
            .iter()
            .find_map(|p| p.gateway(name).map(|g| (p, g)))
    }

    /// The directory user `id` in `domain`.
    pub fn user(&self, id: &str, domain: &str) -> Option<&User> {
        self.directory.user(id, domain)
    }

    /// The ACL list called `name` (built-in or from `acl.toml`).
    pub fn acl(&self, name: &str) -> Option<&AclList> {
        self.acls.get(name)
    }
}
