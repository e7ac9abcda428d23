//! Read-only global variables: `conf/witswitch.toml` `[vars]` and
//! `global_setvar`, what FreeSWITCH writes as `$${name}`.

use crate::raw::witswitch::script::globals as host;

/// The value of global variable `name`, if it is set.
pub fn get(name: &str) -> Option<String> {
    host::get(name)
}
