//! Typed configuration from `conf/`: profiles, users, ACLs, variables, validation.
//!
//! [`Config::load`] reads one folder (layout in `conf/README.md`):
//! `witswitch.toml` (variables and switch-wide settings), `profiles/<name>.toml`,
//! `directory/**/*.toml`, `acl.toml` and `scripts.toml`. Every table refuses
//! unknown keys; string values expand `${var}` from `[vars]`; every problem is a
//! [`ConfigDiagnostic`] that names file, line, column and key, and [`ConfigError`]
//! displays them one per line, ready to print.
//!
//! ```no_run
//! use std::path::Path;
//! let mut config = witswitch_config::Config::load(Path::new("conf"))?;
//! let state_dir = config.core.state_dir.clone();
//! # let fill = |buf: &mut [u8]| buf.fill(7);
//! let report = witswitch_config::ensure_user_secrets(&state_dir, &mut config, fill)?;
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod acl;
mod build;
mod cidr;
mod config;
mod core;
mod diff;
mod directory;
mod error;
mod expand;
mod load;
mod profile;
mod raw;
mod scripts;
mod secrets;
mod source;

pub use crate::acl::{AclList, AclLists, AclNode, BUILTIN_LISTS, Decision};
pub use crate::cidr::{Cidr, CidrError};
pub use crate::config::Config;
pub use crate::core::{CdrSettings, CoreSettings, EventSocketSettings, LogLevel, UnknownLogLevel};
pub use crate::diff::{Changes, ConfigDiff, diff};
pub use crate::directory::{Credential, DigestAlgorithm, Directory, User};
pub use crate::error::{ConfigDiagnostic, ConfigError, KeyPath, Location, Position, Problem};
pub use crate::expand::{ExpandError, expand};
pub use crate::load::{ACL_FILE, DIRECTORY_DIR, MAIN_FILE, PROFILES_DIR, SCRIPTS_FILE};
pub use crate::profile::{
    AuthBanSettings, Codec, Gateway, HostPort, Profile, RegistrationSettings, SipTimers, Transport,
    UnknownCodec,
};
pub use crate::scripts::{HttpAllow, HttpSettings, Script, ScriptLimits, ScriptSettings, World};
pub use crate::secrets::{SECRETS_FILE, SecretsError, SecretsReport, ensure_user_secrets};
