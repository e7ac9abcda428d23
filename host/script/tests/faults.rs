//! Fault guests each end with their typed error, while good invocations running
//! at the same time succeed.

mod common;

use std::time::Duration;

use witswitch_script::{
    HangupCause, KeyValue, ScriptError, ScriptEvent, ScriptSettings, World, WorldMismatch,
    synthetic_call_info,
};

const GOOD: &str = "good";
/// Good invocations started alongside each fault.
const CONCURRENT_GOOD: usize = 24;

/// Run `fault` once while `CONCURRENT_GOOD` good routes run; assert every good
/// one routed normally and return the fault's result.
async fn fault_among_good(
    host: &witswitch_script::ScriptHost,
    fault: &str,
    vars: &[(String, String)],
) -> Result<witswitch_script::RouteResult, ScriptError> {
    let fault_call = synthetic_call_info("1001", "1000", "default", vars);
    let fault_host = host.clone();
    let fault_name = fault.to_string();
    let fault_task = tokio::spawn(async move { fault_host.route(&fault_name, &fault_call).await });
    let mut good = Vec::new();
    for i in 0..CONCURRENT_GOOD {
        let host = host.clone();
        good.push(tokio::spawn(async move {
            let dest = format!("10{:02}", i % 20);
            let call = synthetic_call_info(&dest, "1000", "default", &[]);
            (dest, host.route(GOOD, &call).await)
        }));
    }
    for task in good {
        let (dest, result) = task.await.expect("good task joins");
        let result = result.expect("a good route succeeds next to a fault");
        assert_eq!(
            common::lines(&result).last().map(String::as_str),
            Some(&*format!("bridge user/{dest}"))
        );
    }
    fault_task.await.expect("fault task joins")
}

fn host_with(fault_crate: &str, fault: &str) -> witswitch_script::ScriptHost {
    let host = common::host();
    host.load(GOOD, &common::guest("reload_v1"))
        .expect("good guest loads");
    host.load(fault, &common::guest(fault_crate))
        .expect("fault guest loads");
    host
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_hits_the_cpu_deadline() {
    let host = host_with("fault_infinite_loop", "loop");
    let mut events = host.subscribe();
    let error = fault_among_good(&host, "loop", &[]).await.unwrap_err();
    match &error {
        ScriptError::DeadlineExceeded { name, budget } => {
            assert_eq!(name, "loop");
            assert_eq!(*budget, Duration::from_millis(50));
        }
        other => panic!("expected DeadlineExceeded, got {other:?}"),
    }
    assert_eq!(error.hangup_cause(), HangupCause::Crash);
    // The failure is published and recorded for `script status`.
    let event = loop {
        match events.recv().await.expect("event") {
            event @ ScriptEvent::Failed { .. } => break event,
            _ => continue,
        }
    };
    assert!(
        matches!(event, ScriptEvent::Failed { ref name, kind: witswitch_script::ScriptErrorKind::DeadlineExceeded, .. } if name == "loop")
    );
    let status = host.script_status("loop").expect("status");
    assert_eq!(
        status.last_error.map(|e| e.kind),
        Some(witswitch_script::ScriptErrorKind::DeadlineExceeded)
    );
    // The script stays loaded: the next call fails the same way, alone.
    assert!(
        host.status()
            .iter()
            .any(|s| s.name == "loop" && s.version.is_some())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allocating_forever_hits_the_memory_limit() {
    let host = host_with("fault_allocate_forever", "hog");
    host.set_script_settings(
        "hog",
        ScriptSettings {
            memory_bytes: 8 << 20,
            ..ScriptSettings::default()
        },
    );
    let error = fault_among_good(&host, "hog", &[]).await.unwrap_err();
    match &error {
        ScriptError::MemoryLimit { name, limit_bytes } => {
            assert_eq!(name, "hog");
            assert_eq!(*limit_bytes, 8 << 20);
        }
        other => panic!("expected MemoryLimit, got {other:?}"),
    }
    assert_eq!(error.hangup_cause(), HangupCause::Crash);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_a_trap_carrying_the_panic_message() {
    let host = host_with("fault_trap", "trap");
    let error = fault_among_good(&host, "trap", &[]).await.unwrap_err();
    match &error {
        ScriptError::Trap { name, message } => {
            assert_eq!(name, "trap");
            assert!(message.contains("unreachable"), "{message}");
            assert!(
                message.contains("fault-trap panics on purpose for 1001"),
                "{message}"
            );
        }
        other => panic!("expected Trap, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_instruction_is_a_trap() {
    let host = host_with("fault_trap", "trap");
    let vars = [("trap_kind".to_string(), "unreachable".to_string())];
    let error = fault_among_good(&host, "trap", &vars).await.unwrap_err();
    match &error {
        ScriptError::Trap { message, .. } => {
            assert!(message.contains("unreachable"), "{message}");
            assert!(!message.contains("panics on purpose"), "{message}");
        }
        other => panic!("expected Trap, got {other:?}"),
    }
}

#[tokio::test]
async fn a_component_of_a_foreign_world_does_not_load() {
    let host = common::host();
    let mut events = host.subscribe();
    let error = host
        .load("wrong", &common::guest("fault_wrong_world"))
        .unwrap_err();
    match error.world_mismatch() {
        Some(WorldMismatch::NoKnownExport { exports }) => assert_eq!(exports, "hello"),
        other => panic!("expected NoKnownExport, got {other:?} from {error}"),
    }
    assert!(
        error
            .to_string()
            .contains("exports neither a `route` function"),
        "{error}"
    );
    assert_eq!(error.hangup_cause(), HangupCause::DestinationOutOfOrder);
    match events.recv().await.expect("event") {
        ScriptEvent::LoadFailed { name, kind, .. } => {
            assert_eq!(name, "wrong");
            assert_eq!(kind, witswitch_script::ScriptErrorKind::WrongWorld);
        }
        other => panic!("expected LoadFailed, got {other:?}"),
    }
    // Routing to it is "not found": nothing is live under that name.
    let call = synthetic_call_info("1001", "1000", "default", &[]);
    assert!(matches!(
        host.route("wrong", &call).await,
        Err(ScriptError::NotFound { .. })
    ));
}

#[tokio::test]
async fn an_app_used_as_a_dialplan_is_the_wrong_world() {
    let host = common::host();
    host.load("ivr", &common::guest("app_probe"))
        .expect("an app loads");
    assert_eq!(host.world_of("ivr"), Some(World::App));
    let call = synthetic_call_info("1001", "1000", "default", &[]);
    let error = host.route("ivr", &call).await.unwrap_err();
    assert_eq!(
        error.world_mismatch(),
        Some(&WorldMismatch::Unexpected {
            expected: World::Dialplan,
            found: World::App
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_at_once_leaves_good_calls_alone() {
    let host = common::host();
    host.load(GOOD, &common::guest("reload_v1")).expect("good");
    host.load("loop", &common::guest("fault_infinite_loop"))
        .expect("loop");
    host.load("hog", &common::guest("fault_allocate_forever"))
        .expect("hog");
    host.load("trap", &common::guest("fault_trap"))
        .expect("trap");
    host.set_script_settings(
        "hog",
        ScriptSettings {
            memory_bytes: 4 << 20,
            ..ScriptSettings::default()
        },
    );
    let call = synthetic_call_info("1005", "1000", "default", &[]);
    let mut faults = Vec::new();
    for name in ["loop", "hog", "trap", "loop", "hog", "trap"] {
        let host = host.clone();
        let call = call.clone();
        faults.push(tokio::spawn(async move {
            (name, host.route(name, &call).await)
        }));
    }
    let mut good = Vec::new();
    for _ in 0..50 {
        let host = host.clone();
        let call = call.clone();
        good.push(tokio::spawn(async move { host.route(GOOD, &call).await }));
    }
    for task in good {
        let result = task.await.expect("joins").expect("good route succeeds");
        assert!(common::lines(&result).contains(&"bridge user/1005".to_string()));
        let set = witswitch_script::Action::Set(KeyValue {
            key: "script_version".into(),
            value: "1".into(),
        });
        assert!(matches!(&result, witswitch_script::RouteResult::Actions(a) if a.contains(&set)));
    }
    for task in faults {
        let (name, result) = task.await.expect("joins");
        let kind = result.expect_err("fault fails").kind();
        let expected = match name {
            "loop" => witswitch_script::ScriptErrorKind::DeadlineExceeded,
            "hog" => witswitch_script::ScriptErrorKind::MemoryLimit,
            _ => witswitch_script::ScriptErrorKind::Trap,
        };
        assert_eq!(kind, expected, "{name}");
    }
}
