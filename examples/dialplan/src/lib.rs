//! The classic FreeSWITCH default dialplan, as a witswitch script.
//!
//! Context `default` (authenticated users):
//!
//! | destination | actions |
//! |---|---|
//! | `1000`-`1019` | `set call_timeout=30`, `set hangup_after_bridge=true`, `bridge user/$1` |
//! | `9196` | `answer`, `echo` (echo test) |
//! | `9664` | `answer`, `playback` of a looping tone stream (music on hold) |
//! | `0`/`1` + 10-11 digits | caller id from `outbound_caller_id_number`, `bridge sofia/gateway/outbound/$1` |
//! | `5000` | the IVR app (`app ivr`) |
//! | `5001` | `record_session ${call_uuid}.wav`, then bridge `user/1001` |
//! | `5002` | the record-and-bridge app (`app record_and_bridge user/1001`) |
//! | anything else | no route (`NO_ROUTE_DESTINATION`) |
//!
//! Context `public` (callers that did not authenticate) reaches only the local
//! extensions and the IVR; feature codes, recording and above all the gateway
//! stay out of reach, as in FreeSWITCH where `public` only transfers known DIDs.
//! As a second guard against toll fraud, a gateway call in `default` from a
//! caller without a digest username is rejected. Any other context has no routes.

use regex_lite::Regex;
use witswitch_guest::{CallInfo, HangupCause, Route, dialplan, globals, log};

/// `Local_Extension`: users 1000-1019 of the default directory.
const LOCAL_EXTENSION: &str = r"^(10[01][0-9])$";

/// Numbers sent to the carrier: a 0 or 1 prefix and 10 or 11 more digits.
const OUTBOUND_NUMBER: &str = r"^[0-1][0-9]{10,11}$";

/// Music on hold without files: a short rising arpeggio, looped until hangup.
const HOLD_MUSIC: &str =
    "tone_stream://%(250,50,523);%(250,50,659);%(250,50,784);%(500,500,1047);loops=-1";

/// The gateway `sofia/gateway/<name>/` that outbound numbers use.
const OUTBOUND_GATEWAY: &str = "outbound";

/// The variable holding the caller id to present to the carrier.
const OUTBOUND_CALLER_ID: &str = "outbound_caller_id_number";

#[dialplan]
fn route(call: &CallInfo) -> Route {
    match call.context.as_str() {
        "default" => default_context(call),
        "public" => public_context(call),
        _ => Route::no_route(),
    }
}

/// Authenticated users: every extension of the table above.
fn default_context(call: &CallInfo) -> Route {
    let destination = call.destination_number.as_str();
    match destination {
        "9196" => Route::new().answer().echo(),
        "9664" => Route::new().answer().playback(HOLD_MUSIC),
        "5000" => ivr(),
        "5001" => Route::new()
            .set("hangup_after_bridge", "true")
            .record_session("${call_uuid}.wav")
            .bridge("user/1001"),
        "5002" => Route::new().app("record_and_bridge", "user/1001"),
        _ => {
            if let Some(extension) = capture(LOCAL_EXTENSION, destination) {
                local_extension(&extension)
            } else if capture(OUTBOUND_NUMBER, destination).is_some() {
                outbound(call, destination)
            } else {
                Route::no_route()
            }
        }
    }
}

/// Callers that did not authenticate: local extensions and the IVR only.
fn public_context(call: &CallInfo) -> Route {
    let destination = call.destination_number.as_str();
    if destination == "5000" {
        return ivr();
    }
    match capture(LOCAL_EXTENSION, destination) {
        Some(extension) => local_extension(&extension),
        None => Route::no_route(),
    }
}

fn ivr() -> Route {
    Route::new().app("ivr", "")
}

fn local_extension(extension: &str) -> Route {
    Route::new()
        .set("call_timeout", "30")
        .set("hangup_after_bridge", "true")
        .bridge(format!("user/{extension}"))
}

/// To the carrier, presenting the user's outbound caller id, else the global one.
fn outbound(call: &CallInfo, number: &str) -> Route {
    if !call.is_authenticated() {
        log::warning(&format!(
            "rejecting gateway call to {number} from unauthenticated {}",
            call.network_addr
        ));
        return Route::new().hangup(HangupCause::CallRejected);
    }
    let mut route = Route::new();
    match outbound_caller_id(call) {
        Some(caller_id) => {
            route = route
                .set("effective_caller_id_number", caller_id.as_str())
                .set("origination_caller_id_number", caller_id);
        }
        None => log::notice(&format!(
            "no {OUTBOUND_CALLER_ID} for {}: the gateway's caller id applies",
            call.caller_id_number
        )),
    }
    route
        .set("hangup_after_bridge", "true")
        .bridge(format!("sofia/gateway/{OUTBOUND_GATEWAY}/{number}"))
}

/// The user's own `outbound_caller_id_number` (a directory variable on the
/// channel) wins over the switch-wide global of the same name.
fn outbound_caller_id(call: &CallInfo) -> Option<String> {
    call.var(OUTBOUND_CALLER_ID)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .or_else(|| globals::get(OUTBOUND_CALLER_ID).filter(|value| !value.is_empty()))
}

/// Matches `pattern` against `text`: the first capture group (or the whole match
/// when the pattern has none), or `None` when it does not match.
fn capture(pattern: &str, text: &str) -> Option<String> {
    let regex = match Regex::new(pattern) {
        Ok(regex) => regex,
        Err(err) => {
            log::err(&format!("bad pattern {pattern}: {err}"));
            return None;
        }
    };
    let captures = regex.captures(text)?;
    captures
        .get(1)
        .or_else(|| captures.get(0))
        .map(|found| found.as_str().to_owned())
}

/// The rules run natively too: `cargo test --manifest-path examples/Cargo.toml
/// -p dialplan`. (Natively no global variable is set and logs go to stderr; the
/// host tests in `host/script/tests/examples_dialplan.rs` cover every branch in
/// the real sandbox.)
#[cfg(test)]
mod tests {
    use super::*;
    use witswitch_guest::{Action, KeyValue, RouteResult};

    fn authenticated(context: &str, destination: &str) -> CallInfo {
        let mut call = CallInfo::synthetic(context, destination, "1000");
        call.username = Some("1000".to_owned());
        call
    }

    #[test]
    fn local_extension_bridges_the_captured_number() {
        let result = RouteResult::from(route(&authenticated("default", "1011")));
        assert_eq!(
            result,
            RouteResult::Actions(vec![
                Action::Set(KeyValue::new("call_timeout", "30")),
                Action::Set(KeyValue::new("hangup_after_bridge", "true")),
                Action::Bridge("user/1011".to_owned()),
            ])
        );
    }

    #[test]
    fn the_users_own_caller_id_goes_to_the_gateway() {
        let mut call = authenticated("default", "18005551212");
        call.variables = vec![KeyValue::new(OUTBOUND_CALLER_ID, "2125550100")];
        let route = route(&call);
        assert_eq!(
            route.actions().first(),
            Some(&Action::Set(KeyValue::new(
                "effective_caller_id_number",
                "2125550100"
            )))
        );
        assert_eq!(
            route.actions().last(),
            Some(&Action::Bridge(
                "sofia/gateway/outbound/18005551212".to_owned()
            ))
        );
    }

    #[test]
    fn public_never_reaches_the_gateway() {
        assert!(route(&authenticated("public", "18005551212")).is_no_route());
        assert!(route(&CallInfo::synthetic("public", "9196", "1000")).is_no_route());
    }
}
