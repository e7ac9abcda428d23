//! The example dialplan (`examples/dialplan`, built by `scripts/build-guests`)
//! loaded into the host: every branch of the `default` and `public` contexts,
//! with synthetic calls, asserted action by action.

mod common;

use std::collections::HashMap;

use witswitch_script::{CallInfo, RouteResult, ScriptHost, synthetic_call_info};

const GATEWAY_NUMBER: &str = "18005551212";

/// A host with the example dialplan loaded as `dialplan` and these globals.
fn dialplan(globals: &[(&str, &str)]) -> ScriptHost {
    let host = common::host();
    host.load("dialplan", &common::guest("dialplan"))
        .expect("the example dialplan loads");
    host.set_globals(
        globals
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect::<HashMap<_, _>>(),
    );
    host
}

/// A caller that did not authenticate.
fn anonymous(context: &str, destination: &str) -> CallInfo {
    synthetic_call_info(destination, "1000", context, &[])
}

/// User 1000, authenticated by digest, with channel variables.
fn user(context: &str, destination: &str, variables: &[(&str, &str)]) -> CallInfo {
    let variables: Vec<(String, String)> = variables
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut call = synthetic_call_info(destination, "1000", context, &variables);
    call.username = Some("1000".to_string());
    call
}

async fn route(host: &ScriptHost, call: &CallInfo) -> RouteResult {
    host.route("dialplan", call)
        .await
        .unwrap_or_else(|err| panic!("route {} failed: {err}", call.destination_number))
}

async fn lines(host: &ScriptHost, call: &CallInfo) -> Vec<String> {
    common::lines(&route(host, call).await)
}

fn local_bridge(extension: &str) -> Vec<String> {
    vec![
        "set call_timeout=30".to_string(),
        "set hangup_after_bridge=true".to_string(),
        format!("bridge user/{extension}"),
    ]
}

#[tokio::test]
async fn local_extensions_bridge_with_call_timeout_and_hangup_after_bridge() {
    let host = dialplan(&[]);
    for extension in ["1000", "1001", "1009", "1010", "1019"] {
        assert_eq!(
            lines(&host, &user("default", extension, &[])).await,
            local_bridge(extension),
            "default {extension}"
        );
        assert_eq!(
            lines(&host, &anonymous("public", extension)).await,
            local_bridge(extension),
            "public {extension}"
        );
    }
}

#[tokio::test]
async fn near_misses_of_the_local_extension_pattern_have_no_route() {
    let host = dialplan(&[]);
    for destination in [
        "1020", "1100", "0100", "100", "10010", " 1001", "1001#", "10a1",
    ] {
        assert_eq!(
            route(&host, &user("default", destination, &[])).await,
            RouteResult::NoRoute,
            "{destination:?}"
        );
    }
}

#[tokio::test]
async fn echo_test_answers_then_echoes() {
    let host = dialplan(&[]);
    assert_eq!(
        lines(&host, &user("default", "9196", &[])).await,
        ["answer", "echo"]
    );
}

#[tokio::test]
async fn music_on_hold_answers_then_loops_a_tone_stream() {
    let host = dialplan(&[]);
    let lines = lines(&host, &user("default", "9664", &[])).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], "answer");
    assert!(
        lines[1].starts_with("playback tone_stream://%(") && lines[1].ends_with(";loops=-1"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn main_number_starts_the_ivr_app_from_both_contexts() {
    let host = dialplan(&[]);
    assert_eq!(
        lines(&host, &user("default", "5000", &[])).await,
        ["app ivr"]
    );
    assert_eq!(
        lines(&host, &anonymous("public", "5000")).await,
        ["app ivr"]
    );
}

#[tokio::test]
async fn recorded_number_records_the_session_then_bridges() {
    let host = dialplan(&[]);
    assert_eq!(
        lines(&host, &user("default", "5001", &[])).await,
        [
            "set hangup_after_bridge=true",
            "record_session ${call_uuid}.wav",
            "bridge user/1001"
        ]
    );
    assert_eq!(
        lines(&host, &user("default", "5002", &[])).await,
        ["app record_and_bridge user/1001"]
    );
}

fn gateway_route(caller_id: Option<&str>, number: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(caller_id) = caller_id {
        lines.push(format!("set effective_caller_id_number={caller_id}"));
        lines.push(format!("set origination_caller_id_number={caller_id}"));
    }
    lines.push("set hangup_after_bridge=true".to_string());
    lines.push(format!("bridge sofia/gateway/outbound/{number}"));
    lines
}

#[tokio::test]
async fn outbound_numbers_use_the_users_caller_id_before_the_global_one() {
    let host = dialplan(&[("outbound_caller_id_number", "2125550199")]);
    let own = [("outbound_caller_id_number", "2125550100")];
    assert_eq!(
        lines(&host, &user("default", GATEWAY_NUMBER, &own)).await,
        gateway_route(Some("2125550100"), GATEWAY_NUMBER)
    );
    assert_eq!(
        lines(&host, &user("default", GATEWAY_NUMBER, &[])).await,
        gateway_route(Some("2125550199"), GATEWAY_NUMBER)
    );
    // An empty user variable does not hide the global.
    let empty = [("outbound_caller_id_number", "")];
    assert_eq!(
        lines(&host, &user("default", GATEWAY_NUMBER, &empty)).await,
        gateway_route(Some("2125550199"), GATEWAY_NUMBER)
    );
}

#[tokio::test]
async fn outbound_without_any_caller_id_leaves_it_to_the_gateway() {
    let host = dialplan(&[]);
    assert_eq!(
        lines(&host, &user("default", GATEWAY_NUMBER, &[])).await,
        gateway_route(None, GATEWAY_NUMBER)
    );
    let host = dialplan(&[("outbound_caller_id_number", "")]);
    assert_eq!(
        lines(&host, &user("default", GATEWAY_NUMBER, &[])).await,
        gateway_route(None, GATEWAY_NUMBER)
    );
}

#[tokio::test]
async fn outbound_pattern_takes_eleven_or_twelve_digits_starting_with_0_or_1() {
    let host = dialplan(&[]);
    for number in ["18005551212", "02125551212", "011441234567", "100000000000"] {
        assert_eq!(
            lines(&host, &user("default", number, &[])).await,
            gateway_route(None, number),
            "{number}"
        );
    }
    for number in ["28005551212", "1800555121", "0114412345678", "1800555121x"] {
        assert_eq!(
            route(&host, &user("default", number, &[])).await,
            RouteResult::NoRoute,
            "{number}"
        );
    }
}

#[tokio::test]
async fn unauthenticated_callers_in_default_are_refused_the_gateway() {
    let host = dialplan(&[("outbound_caller_id_number", "2125550199")]);
    assert_eq!(
        lines(&host, &anonymous("default", GATEWAY_NUMBER)).await,
        ["hangup CALL_REJECTED"]
    );
    let mut empty_username = anonymous("default", GATEWAY_NUMBER);
    empty_username.username = Some(String::new());
    assert_eq!(
        lines(&host, &empty_username).await,
        ["hangup CALL_REJECTED"]
    );
}

#[tokio::test]
async fn public_callers_reach_no_gateway_feature_code_or_recording() {
    let host = dialplan(&[("outbound_caller_id_number", "2125550199")]);
    for destination in [
        GATEWAY_NUMBER,
        "011441234567",
        "9196",
        "9664",
        "5001",
        "5002",
        "1020",
    ] {
        // Even a caller that somehow carries a username gets nothing in public.
        for call in [
            anonymous("public", destination),
            user("public", destination, &[]),
        ] {
            assert_eq!(
                route(&host, &call).await,
                RouteResult::NoRoute,
                "public {destination}"
            );
        }
    }
}

#[tokio::test]
async fn other_contexts_have_no_routes() {
    let host = dialplan(&[]);
    for context in ["sales", "", "Default", "PUBLIC"] {
        for destination in ["1001", "9196", "5000", GATEWAY_NUMBER] {
            assert_eq!(
                route(&host, &user(context, destination, &[])).await,
                RouteResult::NoRoute,
                "context {context:?} destination {destination}"
            );
        }
    }
}

#[tokio::test]
async fn odd_destinations_have_no_route_and_do_not_trap() {
    let host = dialplan(&[]);
    let long = "1".repeat(10_000);
    for destination in ["", "\u{1f642}", "+18005551212", "1001\u{0}", long.as_str()] {
        assert_eq!(
            route(&host, &user("default", destination, &[])).await,
            RouteResult::NoRoute,
            "{destination:?}"
        );
    }
}
