//! Helpers to read a [`CallInfo`] the way FreeSWITCH conditions do.

use crate::{CallInfo, KeyValue};

impl CallInfo {
    /// A channel variable (`${name}`), by exact name as FreeSWITCH compares them.
    /// When the variable was set more than once, the last value wins.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.variables
            .iter()
            .rev()
            .find(|kv| kv.key == name)
            .map(|kv| kv.value.as_str())
    }

    /// A SIP header of the INVITE, if the switch passed it to scripts. Header names
    /// are case-insensitive (RFC 3261 §7.3.1), so `header("x-account")` finds
    /// `X-Account`. The first occurrence wins.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.sip_headers
            .iter()
            .find(|kv| kv.key.eq_ignore_ascii_case(name))
            .map(|kv| kv.value.as_str())
    }

    /// True when the caller proved who they are with digest authentication, the
    /// condition for reaching the `default` context in FreeSWITCH's stock setup.
    pub fn is_authenticated(&self) -> bool {
        self.username
            .as_deref()
            .is_some_and(|user| !user.is_empty())
    }

    /// A synthetic call for unit tests of a dialplan's rules: `caller_id_number`
    /// dials `destination` in `context` from 127.0.0.1:5060 on the `internal`
    /// profile, not authenticated, no headers or variables. The uuid is the one
    /// the switch's `witswitch route` dry run uses.
    pub fn synthetic(context: &str, destination: &str, caller_id_number: &str) -> CallInfo {
        CallInfo {
            uuid: "00000000-0000-4000-8000-000000000000".to_owned(),
            profile: "internal".to_owned(),
            context: context.to_owned(),
            destination_number: destination.to_owned(),
            caller_id_name: caller_id_number.to_owned(),
            caller_id_number: caller_id_number.to_owned(),
            network_addr: "127.0.0.1".to_owned(),
            network_port: 5060,
            username: None,
            from_user: caller_id_number.to_owned(),
            from_host: "127.0.0.1".to_owned(),
            to_user: destination.to_owned(),
            to_host: "127.0.0.1".to_owned(),
            sip_call_id: String::new(),
            user_agent: None,
            sip_headers: Vec::new(),
            variables: Vec::new(),
        }
    }
}

impl KeyValue {
    /// A name and a value.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> CallInfo {
        let mut call = CallInfo::synthetic("default", "1001", "1000");
        call.variables = vec![
            KeyValue::new("user_context", "default"),
            KeyValue::new("call_timeout", "20"),
            KeyValue::new("call_timeout", "30"),
        ];
        call.sip_headers = vec![
            KeyValue::new("X-Account", "acme"),
            KeyValue::new("x-account", "other"),
        ];
        call
    }

    #[test]
    fn var_finds_the_last_value_by_exact_name() {
        let call = call();
        assert_eq!(call.var("user_context"), Some("default"));
        assert_eq!(call.var("call_timeout"), Some("30"));
        assert_eq!(call.var("USER_CONTEXT"), None);
        assert_eq!(call.var("missing"), None);
    }

    #[test]
    fn header_ignores_case_and_takes_the_first() {
        let call = call();
        assert_eq!(call.header("x-account"), Some("acme"));
        assert_eq!(call.header("X-ACCOUNT"), Some("acme"));
        assert_eq!(call.header("P-Asserted-Identity"), None);
    }

    #[test]
    fn authenticated_needs_a_non_empty_username() {
        let mut call = call();
        assert!(!call.is_authenticated());
        call.username = Some(String::new());
        assert!(!call.is_authenticated());
        call.username = Some("1000".to_owned());
        assert!(call.is_authenticated());
    }
}
