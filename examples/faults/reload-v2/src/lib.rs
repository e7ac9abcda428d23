//! Test guest: a good dialplan, version 2 of a pair used by the reload tests (and
//! by the route benchmark when the example dialplan is not built). Both versions
//! route alike; they differ in the `script_version` variable they set, and v2
//! answers before bridging.
//!
//! Rules: `^10[01][0-9]$` → set call_timeout=30, hangup_after_bridge=true, bridge
//! `user/<dest>`; `9196` → answer, echo; anything else → no route.

wit_bindgen::generate!({ path: "../../../wit", world: "dialplan", generate_all });

use witswitch::script::types::{Action, KeyValue};

const VERSION: &str = "2";

struct ReloadV2;

/// `^10[01][0-9]$` without pulling in a regex engine.
fn is_local_extension(dest: &str) -> bool {
    let b = dest.as_bytes();
    b.len() == 4 && b[0] == b'1' && b[1] == b'0' && (b[2] == b'0' || b[2] == b'1') && b[3].is_ascii_digit()
}

fn set(key: &str, value: &str) -> Action {
    Action::Set(KeyValue { key: key.into(), value: value.into() })
}

impl Guest for ReloadV2 {
    fn route(call: CallInfo) -> RouteResult {
        let dest = call.destination_number.as_str();
        if is_local_extension(dest) {
            let mut actions = vec![set("script_version", VERSION)];
            actions.push(Action::Answer);
            actions.push(set("call_timeout", "30"));
            actions.push(set("hangup_after_bridge", "true"));
            actions.push(Action::Bridge(format!("user/{dest}")));
            return RouteResult::Actions(actions);
        }
        if dest == "9196" {
            return RouteResult::Actions(vec![set("script_version", VERSION), Action::Answer, Action::Echo]);
        }
        RouteResult::NoRoute
    }
}

export!(ReloadV2);
