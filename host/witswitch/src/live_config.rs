//! The configuration in force, replaceable while running (`reloadxml`): readers that
//! must see reloads (directory credentials, ACLs, the admin commands) hold a
//! [`LiveConfig`] and take the current [`Config`] per use.

use std::sync::{Arc, PoisonError, RwLock};

use witswitch_config::Config;

/// The current configuration.
#[derive(Debug)]
pub struct LiveConfig {
    current: RwLock<Arc<Config>>,
}

impl LiveConfig {
    /// Starts with `config`.
    pub fn new(config: Arc<Config>) -> Arc<LiveConfig> {
        Arc::new(LiveConfig {
            current: RwLock::new(config),
        })
    }

    /// The configuration in force now.
    pub fn get(&self) -> Arc<Config> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `config` in force.
    pub fn set(&self, config: Arc<Config>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = config;
    }
}
