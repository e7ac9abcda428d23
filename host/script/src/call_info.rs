//! Synthetic call descriptions, for the `route` dry run and tests.

use crate::bindings::types::{CallInfo, KeyValue};

/// The uuid of synthetic calls.
pub const SYNTHETIC_UUID: &str = "00000000-0000-4000-8000-000000000000";

/// A call as it would reach `route` from a local SIP phone: `caller` dials
/// `destination` in `context`, from 127.0.0.1:5060 on the `internal` profile,
/// with channel `variables`.
pub fn synthetic_call_info(
    destination: &str,
    caller: &str,
    context: &str,
    variables: &[(String, String)],
) -> CallInfo {
    CallInfo {
        uuid: SYNTHETIC_UUID.to_string(),
        profile: "internal".to_string(),
        context: context.to_string(),
        destination_number: destination.to_string(),
        caller_id_name: caller.to_string(),
        caller_id_number: caller.to_string(),
        network_addr: "127.0.0.1".to_string(),
        network_port: 5060,
        username: None,
        from_user: caller.to_string(),
        from_host: "127.0.0.1".to_string(),
        to_user: destination.to_string(),
        to_host: "127.0.0.1".to_string(),
        sip_call_id: format!("{SYNTHETIC_UUID}@127.0.0.1"),
        user_agent: Some("witswitch route (dry run)".to_string()),
        sip_headers: Vec::new(),
        variables: variables
            .iter()
            .map(|(key, value)| KeyValue {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
    }
}

/// Parse a `key=value` argument (the value may contain `=`).
pub fn parse_variable(arg: &str) -> Option<(String, String)> {
    let (key, value) = arg.split_once('=')?;
    let key = key.trim();
    if key.is_empty() {
        return None;
    }
    Some((key.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_split_at_the_first_equals_sign() {
        assert_eq!(parse_variable("a=b=c"), Some(("a".into(), "b=c".into())));
        assert_eq!(
            parse_variable("empty="),
            Some(("empty".into(), String::new()))
        );
        assert_eq!(parse_variable("=x"), None);
        assert_eq!(parse_variable("novalue"), None);
    }

    #[test]
    fn synthetic_call_carries_the_numbers_and_variables() {
        let vars = vec![("domain".to_string(), "example.com".to_string())];
        let call = synthetic_call_info("1001", "1000", "default", &vars);
        assert_eq!(call.destination_number, "1001");
        assert_eq!(call.caller_id_number, "1000");
        assert_eq!(call.to_user, "1001");
        assert_eq!(call.context, "default");
        assert_eq!(call.variables[0].key, "domain");
    }
}
