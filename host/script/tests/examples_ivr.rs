//! The example IVR (`examples/ivr`, built by `scripts/build-guests`) run by the
//! host on a scripted fake call: each menu choice, invalid input, silence,
//! barge-in and a caller who hangs up, asserted as the exact sequence of `call`
//! methods the script invoked. Every scenario also runs the JavaScript port
//! (`examples/ivr-js`), which must make exactly the same calls.

mod common;

use std::collections::VecDeque;

use witswitch_script::testing::{CallOp, CallRecord, ScriptedCall};
use witswitch_script::{
    AppOutcome, BridgeOutcome, CallControl, CallError, CollectOptions, CollectedDigits,
    HangupCause, PlayAndGetDigitsOptions, PlayOutcome, RecordOptions, Recording, SYNTHETIC_UUID,
    ScriptHost, synthetic_call_info,
};

const WELCOME: &str = "sounds/ivr-welcome.wav";
const INVALID: &str = "sounds/ivr-invalid.wav";
const GOODBYE: &str = "sounds/ivr-goodbye.wav";
const RECORD_AFTER_TONE: &str = "sounds/ivr-record-after-tone.wav";

/// [`ScriptedCall`] plus barge-in: listed prompts are interrupted by a digit,
/// in order. Every method is still recorded by the inner fake.
#[derive(Debug)]
struct BargeIn {
    inner: ScriptedCall,
    interrupts: VecDeque<(&'static str, char)>,
}

impl CallControl for BargeIn {
    async fn answer(&mut self) -> Result<(), CallError> {
        self.inner.answer().await
    }
    async fn pre_answer(&mut self) -> Result<(), CallError> {
        self.inner.pre_answer().await
    }
    async fn hangup(&mut self, cause: HangupCause) -> Result<(), CallError> {
        self.inner.hangup(cause).await
    }
    async fn play(&mut self, source: String) -> Result<PlayOutcome, CallError> {
        let completed = self.inner.play(source.clone()).await?;
        match self.interrupts.front() {
            Some((prompt, digit)) if *prompt == source => {
                let digit = *digit;
                self.interrupts.pop_front();
                Ok(PlayOutcome::Interrupted(digit))
            }
            _ => Ok(completed),
        }
    }
    async fn collect_digits(
        &mut self,
        options: CollectOptions,
    ) -> Result<CollectedDigits, CallError> {
        self.inner.collect_digits(options).await
    }
    async fn play_and_get_digits(
        &mut self,
        options: PlayAndGetDigitsOptions,
    ) -> Result<Option<String>, CallError> {
        self.inner.play_and_get_digits(options).await
    }
    async fn record(&mut self, options: RecordOptions) -> Result<Recording, CallError> {
        self.inner.record(options).await
    }
    async fn bridge(&mut self, dial_string: String) -> Result<BridgeOutcome, CallError> {
        self.inner.bridge(dial_string).await
    }
    async fn transfer(
        &mut self,
        extension: String,
        context: Option<String>,
    ) -> Result<(), CallError> {
        self.inner.transfer(extension, context).await
    }
    async fn get_var(&mut self, name: String) -> Result<Option<String>, CallError> {
        self.inner.get_var(name).await
    }
    async fn set_var(&mut self, name: String, value: String) -> Result<(), CallError> {
        self.inner.set_var(name, value).await
    }
    async fn sleep(&mut self, ms: u32) -> Result<(), CallError> {
        self.inner.sleep(ms).await
    }
    async fn send_dtmf(&mut self, digits: String) -> Result<(), CallError> {
        self.inner.send_dtmf(digits).await
    }
    async fn record_session(&mut self, path: String) -> Result<(), CallError> {
        self.inner.record_session(path).await
    }
    async fn stop_record_session(&mut self, path: String) -> Result<(), CallError> {
        self.inner.stop_record_session(path).await
    }
}

/// The IVR in each language: (script name, guest file).
const IVRS: [(&str, &str); 2] = [("ivr", "ivr"), ("ivr_js", "ivr_js")];

fn ivr() -> ScriptHost {
    let host = common::host();
    for (name, file) in IVRS {
        host.load(name, &common::guest(file))
            .unwrap_or_else(|err| panic!("the {name} IVR loads: {err}"));
    }
    host
}

/// Runs the IVR on a caller who presses `digits` (one burst per menu wait) and
/// interrupts the listed prompts; returns how `run` ended and what it did. The
/// JavaScript IVR gets the same caller and must end and act the same.
async fn run(
    digits: &[&str],
    interrupts: &[(&'static str, char)],
    setup: impl Fn(ScriptedCall) -> ScriptedCall,
) -> (AppOutcome, Vec<CallOp>) {
    let host = ivr();
    let mut results = Vec::new();
    for (name, _) in IVRS {
        let (call, record): (ScriptedCall, CallRecord) = ScriptedCall::new();
        let call = BargeIn {
            inner: setup(call.with_digits(digits)),
            interrupts: interrupts.iter().copied().collect(),
        };
        let info = synthetic_call_info("5000", "1000", "default", &[]);
        let outcome = host
            .run_app(name, info, call)
            .await
            .unwrap_or_else(|err| panic!("the {name} IVR runs: {err}"));
        results.push((outcome, record.ops()));
    }
    let rust = results.swap_remove(0);
    assert_eq!(
        results[0], rust,
        "the JavaScript IVR differs from the Rust one"
    );
    rust
}

fn play(source: &str) -> CallOp {
    CallOp::Play(source.to_string())
}

/// The wait for a menu choice after the welcome prompt: one digit, 5 s, and no
/// terminators (`#` is a choice too).
fn wait_for_choice() -> CallOp {
    CallOp::CollectDigits(CollectOptions {
        max_digits: 1,
        first_digit_timeout_ms: 5_000,
        inter_digit_timeout_ms: 3_000,
        terminators: String::new(),
    })
}

fn menu() -> Vec<CallOp> {
    vec![play(WELCOME), wait_for_choice()]
}

fn goodbye(cause: HangupCause) -> Vec<CallOp> {
    vec![play(GOODBYE), CallOp::Hangup(cause)]
}

fn sequence(parts: &[Vec<CallOp>]) -> Vec<CallOp> {
    parts.concat()
}

#[tokio::test]
async fn one_bridges_to_the_operator_and_hangs_up_after() {
    let (outcome, ops) = run(&["1"], &[], |call| call).await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops,
        sequence(&[
            vec![CallOp::Answer],
            menu(),
            vec![
                CallOp::Bridge("user/1001".into()),
                CallOp::Hangup(HangupCause::NormalClearing)
            ],
        ])
    );
}

#[tokio::test]
async fn an_unreachable_operator_gets_goodbye_and_the_bridge_cause() {
    let (outcome, ops) = run(&["1"], &[], |call| {
        call.with_bridge_outcome(BridgeOutcome::Failed(HangupCause::UserNotRegistered))
    })
    .await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops,
        sequence(&[
            vec![CallOp::Answer],
            menu(),
            vec![CallOp::Bridge("user/1001".into())],
            goodbye(HangupCause::UserNotRegistered),
        ])
    );
}

#[tokio::test]
async fn two_transfers_to_the_echo_test() {
    let (outcome, ops) = run(&["2"], &[], |call| call).await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops,
        sequence(&[
            vec![CallOp::Answer],
            menu(),
            vec![CallOp::Transfer("9196".into(), Some("default".into()))],
        ])
    );
}

#[tokio::test]
async fn three_records_a_message_after_the_tone_and_plays_it_back() {
    let (outcome, ops) = run(&["3"], &[], |call| call).await;
    assert_eq!(outcome, AppOutcome::Completed);
    let path = format!("ivr-messages/{SYNTHETIC_UUID}.wav");
    assert_eq!(
        ops,
        sequence(&[
            vec![CallOp::Answer],
            menu(),
            vec![
                play(RECORD_AFTER_TONE),
                play("tone_stream://%(500,0,800)"),
                CallOp::Record(RecordOptions {
                    path: path.clone(),
                    max_seconds: 30,
                    silence_seconds: 3,
                    terminators: "#".into(),
                }),
                play(&path),
            ],
            goodbye(HangupCause::NormalClearing),
        ])
    );
}

#[tokio::test]
async fn three_invalid_choices_play_the_invalid_prompt_three_times_then_goodbye() {
    let (outcome, ops) = run(&["9", "#", "*"], &[], |call| call).await;
    assert_eq!(outcome, AppOutcome::Completed);
    let invalid_round = sequence(&[menu(), vec![play(INVALID)]]);
    assert_eq!(
        ops,
        sequence(&[
            vec![CallOp::Answer],
            invalid_round.clone(),
            invalid_round.clone(),
            invalid_round,
            goodbye(HangupCause::NormalClearing),
        ])
    );
}

#[tokio::test]
async fn a_valid_choice_after_an_invalid_one_is_taken() {
    let (outcome, ops) = run(&["9", "2"], &[], |call| call).await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops,
        sequence(&[
            vec![CallOp::Answer],
            menu(),
            vec![play(INVALID)],
            menu(),
            vec![CallOp::Transfer("9196".into(), Some("default".into()))],
        ])
    );
}

#[tokio::test]
async fn silence_plays_goodbye_and_hangs_up() {
    let (outcome, ops) = run(&[], &[], |call| call).await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops,
        sequence(&[
            vec![CallOp::Answer],
            menu(),
            goodbye(HangupCause::NormalClearing),
        ])
    );
}

#[tokio::test]
async fn a_digit_during_the_welcome_prompt_is_the_choice() {
    let (outcome, ops) = run(&[], &[(WELCOME, '2')], |call| call).await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops,
        [
            CallOp::Answer,
            play(WELCOME),
            CallOp::Transfer("9196".into(), Some("default".into()))
        ]
    );
}

#[tokio::test]
async fn a_digit_during_the_invalid_prompt_is_the_next_choice() {
    let (outcome, ops) = run(&["7"], &[(INVALID, '1')], |call| call).await;
    assert_eq!(outcome, AppOutcome::Completed);
    assert_eq!(
        ops,
        sequence(&[
            vec![CallOp::Answer],
            menu(),
            vec![
                play(INVALID),
                CallOp::Bridge("user/1001".into()),
                CallOp::Hangup(HangupCause::NormalClearing),
            ],
        ])
    );
}

#[tokio::test]
async fn a_caller_who_hangs_up_during_the_menu_ends_the_script() {
    // Answer succeeds, the welcome prompt finds the caller gone.
    let (outcome, ops) = run(&["1"], &[], |call| {
        call.caller_hangs_up_after(1, HangupCause::OriginatorCancel)
    })
    .await;
    assert_eq!(
        outcome,
        AppOutcome::CallEnded(HangupCause::OriginatorCancel)
    );
    assert_eq!(ops, [CallOp::Answer, play(WELCOME)]);
}
