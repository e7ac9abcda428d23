//! Read-only global variables: `conf/witswitch.toml` `[vars]` and
//! `global_setvar`, what FreeSWITCH writes as `$${name}`.

/// The value of global variable `name`, if it is set.
#[cfg(target_arch = "wasm32")]
pub fn get(name: &str) -> Option<String> {
    crate::raw::witswitch::script::globals::get(name)
}

/// The value of global variable `name`, if it is set.
///
/// Built natively (unit tests of a script's rules) there is no switch, and no
/// global is set.
#[cfg(not(target_arch = "wasm32"))]
pub fn get(_name: &str) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn natively_no_global_is_set() {
        assert_eq!(super::get("outbound_caller_id_number"), None);
    }
}
