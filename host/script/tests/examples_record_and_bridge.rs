//! The example record-and-bridge app (`examples/record-and-bridge`, built by
//! `scripts/build-guests`) run by the host on a scripted fake call: where the
//! target comes from, the `RECORD_*` variables, recording around the bridge,
//! and the hangup cause, asserted as the exact sequence of `call` methods.

mod common;

use witswitch_script::testing::{CallOp, CallRecord, ScriptedCall};
use witswitch_script::{
    AppOutcome, BridgeOutcome, HangupCause, SYNTHETIC_UUID, synthetic_call_info,
};

/// Runs the app on caller 1000 (dialled 5002) set up by `setup`; returns how
/// `run` ended, what it did, and the call's variables.
async fn run(
    setup: impl FnOnce(ScriptedCall) -> ScriptedCall,
) -> (AppOutcome, Vec<CallOp>, CallRecord) {
    let host = common::host();
    host.load("record_and_bridge", &common::guest("record_and_bridge"))
        .expect("the example record-and-bridge app loads");
    let (call, record) = ScriptedCall::new();
    let info = synthetic_call_info("5002", "1000", "default", &[]);
    let outcome = host
        .run_app("record_and_bridge", info, setup(call))
        .await
        .expect("the app runs");
    let ops = record.ops();
    (outcome, ops, record)
}

fn recording_path() -> String {
    format!("{SYNTHETIC_UUID}.wav")
}

fn get(name: &str) -> CallOp {
    CallOp::GetVar(name.to_string())
}

/// The five `RECORD_*` variables, as set (the date is checked separately).
fn metadata_ops(ops: &[CallOp], target: &str) -> Vec<CallOp> {
    let date = ops
        .iter()
        .find_map(|op| match op {
            CallOp::SetVar(name, value) if name == "RECORD_DATE" => Some(value.clone()),
            _ => None,
        })
        .expect("RECORD_DATE is set");
    [
        ("RECORD_TITLE", format!("1000 to {target}")),
        ("RECORD_ARTIST", "1000".to_string()),
        ("RECORD_DATE", date),
        ("RECORD_COMMENT", format!("call {SYNTHETIC_UUID}")),
        ("RECORD_SOFTWARE", "witswitch record_and_bridge".to_string()),
    ]
    .into_iter()
    .map(|(name, value)| CallOp::SetVar(name.to_string(), value))
    .collect()
}

/// `YYYY-MM-DD HH:MM:SS` with plausible fields.
fn assert_utc_timestamp(value: &str) {
    let bytes = value.as_bytes();
    assert_eq!(bytes.len(), 19, "{value:?}");
    for (index, byte) in bytes.iter().enumerate() {
        match index {
            4 | 7 => assert_eq!(*byte, b'-', "{value:?}"),
            10 => assert_eq!(*byte, b' ', "{value:?}"),
            13 | 16 => assert_eq!(*byte, b':', "{value:?}"),
            _ => assert!(byte.is_ascii_digit(), "{value:?}"),
        }
    }
    let field = |range: std::ops::Range<usize>| -> u32 { value[range].parse().expect("digits") };
    assert!(field(0..4) >= 2024, "{value:?}");
    assert!((1..=12).contains(&field(5..7)), "{value:?}");
    assert!((1..=31).contains(&field(8..10)), "{value:?}");
    assert!(
        field(11..13) < 24 && field(14..16) < 60 && field(17..19) < 60,
        "{value:?}"
    );
}

#[tokio::test]
async fn records_bridges_to_the_argument_target_then_stops_and_hangs_up() {
    let (outcome, ops, record) = run(|call| call.with_var("app_args", "user/1001")).await;
    assert_eq!(outcome, AppOutcome::Completed);
    let expected = [
        vec![get("app_args")],
        metadata_ops(&ops, "user/1001"),
        vec![
            CallOp::RecordSession(recording_path()),
            CallOp::Bridge("user/1001".into()),
            CallOp::StopRecordSession(recording_path()),
            CallOp::Hangup(HangupCause::NormalClearing),
        ],
    ]
    .concat();
    assert_eq!(ops, expected);
    let date = record
        .var("RECORD_DATE")
        .expect("RECORD_DATE on the channel");
    assert_utc_timestamp(&date);
    assert_eq!(
        record.var("RECORD_TITLE").as_deref(),
        Some("1000 to user/1001")
    );
}

#[tokio::test]
async fn without_arguments_the_target_comes_from_a_variable() {
    let (outcome, ops, _) = run(|call| call.with_var("record_bridge_target", " user/1002 ")).await;
    assert_eq!(outcome, AppOutcome::Completed);
    let expected = [
        vec![get("app_args"), get("record_bridge_target")],
        metadata_ops(&ops, "user/1002"),
        vec![
            CallOp::RecordSession(recording_path()),
            CallOp::Bridge("user/1002".into()),
            CallOp::StopRecordSession(recording_path()),
            CallOp::Hangup(HangupCause::NormalClearing),
        ],
    ]
    .concat();
    assert_eq!(ops, expected);
}

#[tokio::test]
async fn without_a_target_nothing_is_recorded_and_the_call_is_unrouted() {
    let (outcome, ops, _) = run(|call| call.with_var("app_args", "  ")).await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops,
        [
            get("app_args"),
            get("record_bridge_target"),
            CallOp::Hangup(HangupCause::NoRouteDestination),
        ]
    );
}

#[tokio::test]
async fn an_unanswered_bridge_stops_the_recording_and_hangs_up_with_its_cause() {
    let (outcome, ops, _) = run(|call| {
        call.with_var("app_args", "user/1001")
            .with_bridge_outcome(BridgeOutcome::Failed(HangupCause::UserBusy))
    })
    .await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops[ops.len() - 3..],
        [
            CallOp::Bridge("user/1001".into()),
            CallOp::StopRecordSession(recording_path()),
            CallOp::Hangup(HangupCause::UserBusy),
        ]
    );
}

#[tokio::test]
async fn a_caller_hanging_up_during_the_bridge_ends_the_script_with_the_hangup() {
    // get app_args, five RECORD_* variables, record_session: 7 methods succeed,
    // then the caller is gone while bridged. The host answers the script's
    // stop_record_session with the hangup error itself (the switch closes the
    // recording with the channel), so the fake sees nothing after the bridge.
    let (outcome, ops, _) = run(|call| {
        call.with_var("app_args", "user/1001")
            .caller_hangs_up_after(7, HangupCause::NormalClearing)
    })
    .await;
    assert_eq!(outcome, AppOutcome::CallEnded(HangupCause::NormalClearing));
    assert_eq!(ops.len(), 8, "{ops:?}");
    assert_eq!(ops[6], CallOp::RecordSession(recording_path()));
    assert_eq!(ops[7], CallOp::Bridge("user/1001".into()));
}
