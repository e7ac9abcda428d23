//! `app` components driving a call through the `call` resource, with the
//! scripted fake engine: outcomes, the hangup rule through Wasm, and the CPU
//! deadline that counts running time but not waiting.

mod common;

use witswitch_script::testing::{CallOp, ScriptedCall};
use witswitch_script::{
    AppOutcome, CollectOptions, HangupCause, ScriptError, ScriptSettings, synthetic_call_info,
};

fn probe_collect() -> CollectOptions {
    CollectOptions {
        max_digits: 4,
        first_digit_timeout_ms: 5_000,
        inter_digit_timeout_ms: 2_000,
        terminators: "#".into(),
    }
}

fn info() -> witswitch_script::CallInfo {
    synthetic_call_info("5000", "1000", "default", &[])
}

#[tokio::test]
async fn an_app_collects_digits_and_bridges() {
    let host = common::host();
    host.load("ivr", &common::guest("app_probe"))
        .expect("loads");
    let (fake, record) = ScriptedCall::new();
    let outcome = host.run_app("ivr", info(), fake.with_digits(&["1#"])).await;
    assert_eq!(outcome.expect("runs"), AppOutcome::Completed);
    assert_eq!(
        record.ops(),
        [
            CallOp::GetVar("app_probe_mode".into()),
            CallOp::Answer,
            CallOp::CollectDigits(probe_collect()),
            CallOp::SetVar("collected".into(), "1".into()),
            CallOp::Bridge("user/1001".into()),
            CallOp::Hangup(HangupCause::NormalClearing),
        ]
    );
}

#[tokio::test]
async fn after_a_hangup_the_guest_gets_the_hangup_error_from_every_method() {
    let host = common::host();
    host.load("ivr", &common::guest("app_probe"))
        .expect("loads");
    let (fake, record) = ScriptedCall::new();
    let fake = fake
        .with_var("app_probe_mode", "until-hangup")
        .caller_hangs_up_after(3, HangupCause::OriginatorCancel);
    let outcome = host.run_app("ivr", info(), fake).await.expect("runs");
    // The guest returned the hangup error: the normal end of a call.
    assert_eq!(
        outcome,
        AppOutcome::CallEnded(HangupCause::OriginatorCancel)
    );
    // get-var, play, play succeeded; the next play met the hangup; the guest's
    // answer and set-var after that were refused by the host without reaching
    // the engine.
    let ops = record.ops();
    assert_eq!(ops.len(), 4, "{ops:?}");
    assert_eq!(ops[3], CallOp::Play("ivr/ivr-welcome.wav".into()));
    assert_eq!(record.var("after_hangup"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_digits_does_not_count_against_the_cpu_budget() {
    let host = common::manual_host();
    host.load("ivr", &common::guest("app_probe"))
        .expect("loads");
    let budget_ms = 500;
    let (fake, record) = ScriptedCall::new();
    let (fake, keypad) = fake.with_keypad();
    let runner = host.clone();
    let app = tokio::spawn(async move { runner.run_app("ivr", info(), fake).await });
    // Wait (without time passing) until the guest is parked in collect-digits.
    while !record
        .ops()
        .contains(&CallOp::CollectDigits(probe_collect()))
    {
        tokio::task::yield_now().await;
    }
    // Twenty budgets of virtual time pass while the caller thinks.
    host.advance_epoch(20 * budget_ms);
    assert!(!app.is_finished());
    assert!(keypad.press("2#"));
    let outcome = app.await.expect("joins").expect("the wait was not charged");
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(record.var("collected").as_deref(), Some("2"));
}

/// Advance virtual time until `app` ends; return its result.
async fn drive_until_done(
    host: &witswitch_script::ScriptHost,
    app: tokio::task::JoinHandle<Result<AppOutcome, ScriptError>>,
) -> Result<AppOutcome, ScriptError> {
    while !app.is_finished() {
        host.advance_epoch(1);
        tokio::task::yield_now().await;
    }
    app.await.expect("joins")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn computing_after_a_wait_still_hits_the_cpu_budget() {
    let host = common::manual_host();
    host.load("ivr", &common::guest("app_probe"))
        .expect("loads");
    host.set_script_settings(
        "ivr",
        ScriptSettings {
            app_cpu: std::time::Duration::from_millis(40),
            ..ScriptSettings::default()
        },
    );
    let (fake, record) = ScriptedCall::new();
    let fake = fake
        .with_var("app_probe_mode", "collect-then-spin")
        .with_digits(&["7#"]);
    let runner = host.clone();
    let app = tokio::spawn(async move { runner.run_app("ivr", info(), fake).await });
    // Virtual CPU time stands still until the guest has collected its digits, so the
    // budget can only be spent by the computing that follows, whatever the load on
    // the machine running the test.
    while record.var("collected").is_none() && !app.is_finished() {
        tokio::task::yield_now().await;
    }
    let error = drive_until_done(&host, app).await.unwrap_err();
    assert!(
        matches!(&error, ScriptError::DeadlineExceeded { budget, .. } if budget.as_millis() == 40),
        "{error:?}"
    );
    assert_eq!(error.hangup_cause(), HangupCause::Crash);
    assert_eq!(record.var("collected").as_deref(), Some("7"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_spinning_from_the_start_hits_the_cpu_budget() {
    let host = common::manual_host();
    host.load("ivr", &common::guest("app_probe"))
        .expect("loads");
    let (fake, _record) = ScriptedCall::new();
    let runner = host.clone();
    let app = tokio::spawn(async move {
        runner
            .run_app("ivr", info(), fake.with_var("app_probe_mode", "spin"))
            .await
    });
    let error = drive_until_done(&host, app).await.unwrap_err();
    assert!(
        matches!(error, ScriptError::DeadlineExceeded { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_dialplan_run_as_an_app_is_the_wrong_world() {
    let host = common::host();
    host.load("dp", &common::guest("reload_v1")).expect("loads");
    let (fake, record) = ScriptedCall::new();
    let error = host.run_app("dp", info(), fake).await.unwrap_err();
    assert!(matches!(error, ScriptError::WrongWorld { .. }), "{error:?}");
    assert!(record.ops().is_empty());
}
