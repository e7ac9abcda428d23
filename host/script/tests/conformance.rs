//! One behaviour in four languages: the example dialplan written in Rust
//! (`examples/dialplan`), JavaScript (`examples/dialplan-js`), Python
//! (`examples/dialplan-py`) and Go (`examples/dialplan-go`), each built from
//! source by `scripts/build-guests`, gets the same table of synthetic calls and
//! must return the same actions. The Rust dialplan's own tests
//! (`examples_dialplan.rs`) pin what those actions are; this table pins that the
//! other languages agree, including the corners where regex dialects differ
//! (a trailing newline, non-ASCII digits) and the globals lookup.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use witswitch_script::{CallInfo, ScriptHost, ScriptSettings, synthetic_call_info};

/// The dialplans under test: script name and guest file (build/guests/<file>.wasm).
const DIALPLANS: [(&str, &str); 4] = [
    ("rust", "dialplan"),
    ("js", "dialplan_js"),
    ("python", "dialplan_py"),
    ("go", "dialplan_go"),
];

/// One synthetic call of the table.
struct Case {
    context: &'static str,
    destination: &'static str,
    /// The digest username, when the caller authenticated.
    username: Option<&'static str>,
    variables: &'static [(&'static str, &'static str)],
    /// `outbound_caller_id_number` as a global variable.
    global_caller_id: Option<&'static str>,
}

const fn user(context: &'static str, destination: &'static str) -> Case {
    Case {
        context,
        destination,
        username: Some("1000"),
        variables: &[],
        global_caller_id: None,
    }
}

const fn anonymous(context: &'static str, destination: &'static str) -> Case {
    Case {
        username: None,
        ..user(context, destination)
    }
}

const OWN_CALLER_ID: &[(&str, &str)] = &[("outbound_caller_id_number", "2125550100")];
const EMPTY_CALLER_ID: &[(&str, &str)] = &[("outbound_caller_id_number", "")];
const TWICE_SET: &[(&str, &str)] = &[
    ("outbound_caller_id_number", "2125550101"),
    ("outbound_caller_id_number", "2125550102"),
];

/// Every branch of the dialplan, near misses of its patterns and odd input.
const CASES: &[Case] = &[
    user("default", "1000"),
    user("default", "1001"),
    user("default", "1019"),
    anonymous("public", "1010"),
    user("default", "1020"),
    user("default", "100"),
    user("default", "10010"),
    user("default", "1001\n"),
    user("default", " 1001"),
    user("default", "\u{661}\u{660}\u{660}\u{661}"),
    user("default", "9196"),
    user("default", "9664"),
    user("default", "5000"),
    anonymous("public", "5000"),
    user("default", "5001"),
    user("default", "5002"),
    user("default", "18005551212"),
    user("default", "011441234567"),
    user("default", "0114412345678"),
    user("default", "28005551212"),
    user("default", "+18005551212"),
    user("default", "18005551212\n"),
    Case {
        variables: OWN_CALLER_ID,
        global_caller_id: Some("2125550199"),
        ..user("default", "18005551212")
    },
    Case {
        global_caller_id: Some("2125550199"),
        ..user("default", "18005551212")
    },
    Case {
        variables: EMPTY_CALLER_ID,
        global_caller_id: Some("2125550199"),
        ..user("default", "18005551212")
    },
    Case {
        global_caller_id: Some(""),
        ..user("default", "18005551212")
    },
    Case {
        variables: TWICE_SET,
        ..user("default", "02125551212")
    },
    Case {
        global_caller_id: Some("2125550199"),
        ..anonymous("default", "18005551212")
    },
    Case {
        username: Some(""),
        ..user("default", "18005551212")
    },
    anonymous("public", "18005551212"),
    user("public", "9196"),
    anonymous("public", "5001"),
    anonymous("public", "1020"),
    user("sales", "1001"),
    user("", "5000"),
    user("Default", "9196"),
    user("default", ""),
    user("default", "\u{1f642}"),
    user("default", "1001\u{0}"),
];

fn call(case: &Case) -> CallInfo {
    let variables: Vec<(String, String)> = case
        .variables
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut call = synthetic_call_info(case.destination, "1000", case.context, &variables);
    call.username = case.username.map(str::to_owned);
    call
}

fn globals(case: &Case) -> HashMap<String, String> {
    case.global_caller_id
        .map(|value| ("outbound_caller_id_number".to_owned(), value.to_owned()))
        .into_iter()
        .collect()
}

/// A host with every dialplan of [`DIALPLANS`] loaded under its language name.
fn host() -> ScriptHost {
    let host = common::host();
    // The table is about answers, not CPU budgets: a loaded 2-core machine must
    // not turn a slow Python or Go call into a deadline error.
    host.set_default_settings(ScriptSettings {
        route_cpu: Duration::from_secs(5),
        ..ScriptSettings::default()
    });
    for (language, file) in DIALPLANS {
        host.load(language, &common::guest(file))
            .unwrap_or_else(|err| panic!("the {language} dialplan loads: {err}"));
    }
    host
}

#[tokio::test]
async fn every_language_routes_every_call_like_the_rust_dialplan() {
    assert!(CASES.len() >= 30, "the table has {} calls", CASES.len());
    let host = host();
    let mut distinct = std::collections::HashSet::new();
    for case in CASES {
        host.set_globals(globals(case));
        let call = call(case);
        let mut results = Vec::new();
        for (language, _) in DIALPLANS {
            let result = host
                .route(language, &call)
                .await
                .unwrap_or_else(|err| panic!("{language} failed on {:?}: {err}", case.destination));
            results.push((language, common::lines(&result)));
        }
        let (_, expected) = &results[0];
        for (language, lines) in &results[1..] {
            assert_eq!(
                lines,
                expected,
                "{language} differs from rust for context {:?} destination {:?} username {:?} \
                 variables {:?} global {:?}",
                case.context,
                case.destination,
                case.username,
                case.variables,
                case.global_caller_id
            );
        }
        distinct.insert(expected.clone());
    }
    // The table exercises the dialplan, not only its no-route branch: local
    // bridges, echo, hold music, IVR, recording, gateway with and without caller
    // id, rejection and no-route give at least ten different answers.
    assert!(
        distinct.len() >= 10,
        "only {} distinct results",
        distinct.len()
    );
}

#[tokio::test]
async fn repeated_calls_in_any_order_give_the_same_answers() {
    // Warm instances must not carry one call's state into the next: route the
    // table twice, the second time backwards, and compare per language.
    let host = host();
    for (language, _) in DIALPLANS {
        let mut first = Vec::new();
        for case in CASES {
            host.set_globals(globals(case));
            first.push(common::lines(
                &host.route(language, &call(case)).await.expect("route"),
            ));
        }
        for (index, case) in CASES.iter().enumerate().rev() {
            host.set_globals(globals(case));
            let again = common::lines(&host.route(language, &call(case)).await.expect("route"));
            assert_eq!(again, first[index], "{language} {:?}", case.destination);
        }
    }
}
