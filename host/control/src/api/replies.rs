//! Fixed response bodies of live API commands, as FreeSWITCH 1.10 prints them
//! (trailing LF or not exactly as recorded in `api_misc` and `originate_uuid_cmds`).

/// `uuid_*` on a channel that does not exist.
pub const NO_SUCH_CHANNEL: &str = "-ERR No such channel!\n";
/// `uuid_kill` (and other uuid commands) succeeded.
pub const OK: &str = "+OK\n";
/// `reloadxml` succeeded.
pub const RELOADXML_OK: &str = "+OK [Success]\n";
/// `uuid_getvar` of an unset variable (no LF).
pub const UNDEF: &str = "_undef_";

/// `originate` answered: `+OK <uuid>\n`.
pub fn originate_ok(uuid: &str) -> String {
    format!("+OK {uuid}\n")
}

/// `originate` failed: `-ERR <CAUSE>\n` (a Q.850 name such as `USER_NOT_REGISTERED`).
pub fn originate_failed(cause: &str) -> String {
    format!("-ERR {cause}\n")
}

/// `hupall [cause]`; FreeSWITCH's default cause is MANAGER_REQUEST.
pub fn hupall(cause: Option<&str>) -> String {
    format!(
        "+OK hangup all channels with cause {}\n",
        cause.unwrap_or("MANAGER_REQUEST")
    )
}

/// `uuid_exists`: `true` / `false` without LF.
pub fn exists(found: bool) -> String {
    if found { "true" } else { "false" }.to_string()
}

/// `uuid_getvar`: the value without LF, `_undef_` when unset.
pub fn getvar(value: Option<&str>) -> String {
    value.unwrap_or(UNDEF).to_string()
}

/// `fsctl max_sessions [n]`.
pub fn max_sessions(value: u32) -> String {
    format!("+OK max sessions: {value}\n")
}

/// `fsctl sps [n]`.
pub fn sessions_per_second(value: u32) -> String {
    format!("+OK sessions per second: {value}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_bodies() {
        assert_eq!(
            hupall(None),
            "+OK hangup all channels with cause MANAGER_REQUEST\n"
        );
        assert_eq!(hupall(None).len(), 51);
        assert_eq!(NO_SUCH_CHANNEL.len(), 22);
        assert_eq!(
            originate_ok("2e1ccb65-6ee8-48e4-857c-83e41824257a").len(),
            41
        );
        assert_eq!(
            originate_failed("USER_NOT_REGISTERED"),
            "-ERR USER_NOT_REGISTERED\n"
        );
        assert_eq!(getvar(None), "_undef_");
        assert_eq!(exists(false), "false");
        assert_eq!(RELOADXML_OK.len(), 14);
    }
}
