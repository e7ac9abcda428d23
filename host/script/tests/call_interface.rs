//! Host-interface tests of the `call` resource without Wasm: the host object
//! behind a guest's handle ([`CallHandle`]) driving the scripted fake engine.

use witswitch_script::testing::{CallOp, ScriptedCall};
use witswitch_script::{
    BridgeOutcome, CallError, CallHandle, CollectOptions, HangupCause, PlayAndGetDigitsOptions,
    PlayOutcome, RecordOptions, synthetic_call_info,
};

fn collect(max: u32) -> CollectOptions {
    CollectOptions {
        max_digits: max,
        first_digit_timeout_ms: 5_000,
        inter_digit_timeout_ms: 2_000,
        terminators: "#".into(),
    }
}

fn handle(call: ScriptedCall) -> CallHandle {
    CallHandle::new(synthetic_call_info("5000", "1000", "default", &[]), call)
}

#[tokio::test]
async fn methods_reach_the_engine_and_return_its_results() {
    let (fake, record) = ScriptedCall::new();
    let fake = fake
        .with_var("domain", "example.com")
        .with_digits(&["12#", "9"])
        .with_bridge_outcome(BridgeOutcome::Failed(HangupCause::UserBusy));
    let mut call = handle(fake);

    call.answer().await.expect("answer");
    assert_eq!(
        call.play("ivr/welcome.wav".into()).await,
        Ok(PlayOutcome::Completed)
    );
    let got = call.collect_digits(collect(4)).await.expect("collect");
    assert_eq!(
        (got.digits.as_str(), got.terminator, got.timed_out),
        ("12", Some('#'), false)
    );
    let got = call.collect_digits(collect(4)).await.expect("collect");
    assert_eq!(
        (got.digits.as_str(), got.terminator, got.timed_out),
        ("9", None, true)
    );
    // No input left: silence times out.
    let got = call.collect_digits(collect(4)).await.expect("collect");
    assert!(got.digits.is_empty() && got.timed_out);
    assert_eq!(
        call.get_var("domain".into()).await,
        Ok(Some("example.com".into()))
    );
    call.set_var("ivr_choice".into(), "12".into())
        .await
        .expect("set");
    assert_eq!(
        call.bridge("user/1001".into()).await,
        Ok(BridgeOutcome::Failed(HangupCause::UserBusy))
    );
    call.send_dtmf("1*#A".into()).await.expect("dtmf");

    assert_eq!(record.var("ivr_choice").as_deref(), Some("12"));
    assert_eq!(
        record.ops(),
        [
            CallOp::Answer,
            CallOp::Play("ivr/welcome.wav".into()),
            CallOp::CollectDigits(collect(4)),
            CallOp::CollectDigits(collect(4)),
            CallOp::CollectDigits(collect(4)),
            CallOp::GetVar("domain".into()),
            CallOp::SetVar("ivr_choice".into(), "12".into()),
            CallOp::Bridge("user/1001".into()),
            CallOp::SendDtmf("1*#A".into()),
        ]
    );
}

#[tokio::test]
async fn play_and_get_digits_retries_until_valid_input() {
    let (fake, _record) = ScriptedCall::new();
    let mut call = handle(fake.with_digits(&["", "123456", "42#"]));
    let options = PlayAndGetDigitsOptions {
        min_digits: 2,
        max_digits: 4,
        tries: 3,
        timeout_ms: 3_000,
        digit_timeout_ms: 1_000,
        terminators: "#".into(),
        prompt: "ivr/enter.wav".into(),
        invalid_prompt: Some("ivr/invalid.wav".into()),
        valid_regex: None,
    };
    // Try 1: silence; try 2: "1234" (cut at max); a valid answer on try 2.
    assert_eq!(
        call.play_and_get_digits(options.clone()).await,
        Ok(Some("1234".into()))
    );
    // Every try failing gives none.
    let (fake, _record) = ScriptedCall::new();
    let mut call = handle(fake.with_digits(&["", "1#", ""]));
    assert_eq!(call.play_and_get_digits(options).await, Ok(None));
}

#[tokio::test]
async fn after_the_caller_hangs_up_every_method_returns_the_hangup_error() {
    let (fake, record) = ScriptedCall::new();
    let mut call = handle(fake.caller_hangs_up_after(2, HangupCause::NormalClearing));
    call.answer().await.expect("answer");
    call.play("a.wav".into()).await.expect("play");
    // The engine reports the hangup on the third method...
    let hangup = Err(CallError::Hangup(HangupCause::NormalClearing));
    assert_eq!(
        call.play("b.wav".into()).await,
        hangup.clone().map(|()| PlayOutcome::Completed)
    );
    assert_eq!(call.ended(), Some(HangupCause::NormalClearing));
    // ...and from then on the handle answers every method itself.
    assert_eq!(call.answer().await, hangup);
    assert_eq!(call.pre_answer().await, hangup);
    assert_eq!(call.hangup(HangupCause::UserBusy).await, hangup);
    assert_eq!(call.sleep(10).await, hangup);
    assert_eq!(
        call.get_var("x".into()).await,
        hangup.clone().map(|()| None)
    );
    assert_eq!(call.set_var("x".into(), "y".into()).await, hangup);
    assert_eq!(
        call.collect_digits(collect(1)).await.map(|d| d.digits),
        hangup.clone().map(|()| String::new())
    );
    assert_eq!(call.bridge("user/1001".into()).await.map(|_| ()), hangup);
    assert_eq!(call.transfer("1001".into(), None).await, hangup);
    assert_eq!(call.send_dtmf("1".into()).await, hangup);
    assert_eq!(call.record_session("x.wav".into()).await, hangup);
    assert_eq!(call.stop_record_session("x.wav".into()).await, hangup);
    let options = RecordOptions {
        path: "msg.wav".into(),
        max_seconds: 30,
        silence_seconds: 3,
        terminators: "#".into(),
    };
    assert_eq!(call.record(options).await.map(|_| ()), hangup);
    // The engine saw only the three methods up to the hangup.
    assert_eq!(record.ops().len(), 3);
    // The call's description stays readable for cleanup.
    assert_eq!(call.info().destination_number, "5000");
}

#[tokio::test]
async fn after_the_script_hangs_up_every_method_returns_its_cause() {
    let (fake, record) = ScriptedCall::new();
    let mut call = handle(fake);
    call.hangup(HangupCause::CallRejected)
        .await
        .expect("hangup");
    assert_eq!(call.ended(), Some(HangupCause::CallRejected));
    assert_eq!(
        call.answer().await,
        Err(CallError::Hangup(HangupCause::CallRejected))
    );
    assert_eq!(record.ops(), [CallOp::Hangup(HangupCause::CallRejected)]);
}

#[tokio::test]
async fn arguments_no_engine_could_use_are_rejected_before_reaching_it() {
    let (fake, record) = ScriptedCall::new();
    let mut call = handle(fake);
    let invalid = |r: Result<(), CallError>| matches!(r, Err(CallError::InvalidArgument(_)));
    assert!(invalid(call.collect_digits(collect(0)).await.map(|_| ())));
    assert!(invalid(call.play(String::new()).await.map(|_| ())));
    assert!(invalid(call.bridge("  ".into()).await.map(|_| ())));
    assert!(invalid(call.send_dtmf("12x".into()).await));
    assert!(invalid(call.send_dtmf(String::new()).await));
    assert!(invalid(call.set_var(String::new(), "v".into()).await));
    assert!(invalid(call.transfer(String::new(), None).await));
    assert!(invalid(call.record_session(String::new()).await));
    let bad_range = PlayAndGetDigitsOptions {
        min_digits: 5,
        max_digits: 4,
        tries: 3,
        timeout_ms: 1,
        digit_timeout_ms: 1,
        terminators: String::new(),
        prompt: "p.wav".into(),
        invalid_prompt: None,
        valid_regex: None,
    };
    assert!(invalid(
        call.play_and_get_digits(bad_range).await.map(|_| ())
    ));
    assert!(record.ops().is_empty(), "{:?}", record.ops());
    // A rejected argument does not end the call.
    assert_eq!(call.ended(), None);
    call.answer().await.expect("answer still works");
}

#[tokio::test]
async fn a_collection_waits_for_live_keypad_input() {
    let (fake, _record) = ScriptedCall::new();
    let (fake, keypad) = fake.with_keypad();
    let mut call = handle(fake);
    let waiting = tokio::spawn(async move { call.collect_digits(collect(3)).await });
    tokio::task::yield_now().await;
    assert!(!waiting.is_finished());
    assert!(keypad.press("123"));
    let got = waiting.await.expect("joins").expect("collect");
    assert_eq!((got.digits.as_str(), got.timed_out), ("123", false));
}
