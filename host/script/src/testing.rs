//! A scripted fake [`CallControl`] for tests of the `call` resource, with or
//! without Wasm: it plays back DTMF input given in advance or pressed live, keeps
//! channel variables, records every method called, and can have the caller hang
//! up after a number of methods.
//!
//! Simplifications (it is a test double): `play` always completes, recordings
//! last their maximum, and `play-and-get-digits` checks only the digit count,
//! not `valid-regex`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

use crate::bindings::session::{
    BridgeOutcome, CallError, CollectOptions, CollectedDigits, PlayAndGetDigitsOptions,
    PlayOutcome, RecordOptions, Recording,
};
use crate::bindings::types::HangupCause;
use crate::call::CallControl;

/// One method the fake was asked to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOp {
    /// `answer`.
    Answer,
    /// `pre-answer`.
    PreAnswer,
    /// `hangup(cause)`.
    Hangup(HangupCause),
    /// `play(source)`.
    Play(String),
    /// `collect-digits(options)`.
    CollectDigits(CollectOptions),
    /// `play-and-get-digits(options)`.
    PlayAndGetDigits(PlayAndGetDigitsOptions),
    /// `record(options)`.
    Record(RecordOptions),
    /// `bridge(dial-string)`.
    Bridge(String),
    /// `transfer(extension, context)`.
    Transfer(String, Option<String>),
    /// `get-var(name)`.
    GetVar(String),
    /// `set-var(name, value)`.
    SetVar(String, String),
    /// `sleep(ms)`.
    Sleep(u32),
    /// `send-dtmf(digits)`.
    SendDtmf(String),
    /// `record-session(path)`.
    RecordSession(String),
    /// `stop-record-session(path)`.
    StopRecordSession(String),
}

/// What a test inspects after the fake has moved into a store.
#[derive(Debug, Clone, Default)]
pub struct CallRecord {
    ops: Arc<Mutex<Vec<CallOp>>>,
    vars: Arc<Mutex<HashMap<String, String>>>,
}

impl CallRecord {
    /// Every method called so far, in order.
    pub fn ops(&self) -> Vec<CallOp> {
        self.ops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A channel variable's current value.
    pub fn var(&self, name: &str) -> Option<String> {
        self.vars
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }
}

/// Presses DTMF on a fake call while the script waits in `collect-digits`.
/// Dropping it is silence: waiting collections time out.
#[derive(Debug, Clone)]
pub struct Keypad(mpsc::UnboundedSender<String>);

impl Keypad {
    /// Deliver `digits` (one input burst, e.g. `"1#"`) to the next collection.
    /// Returns false if the call is gone.
    pub fn press(&self, digits: &str) -> bool {
        self.0.send(digits.to_string()).is_ok()
    }
}

/// The fake call. Build it, keep its [`CallRecord`], hand it to the code under
/// test.
#[derive(Debug)]
pub struct ScriptedCall {
    record: CallRecord,
    input: VecDeque<String>,
    keypad: Option<mpsc::UnboundedReceiver<String>>,
    hangup_after: Option<(usize, HangupCause)>,
    bridge_outcome: BridgeOutcome,
}

impl ScriptedCall {
    /// A call with no input, no variables, that never hangs up by itself.
    pub fn new() -> (Self, CallRecord) {
        let record = CallRecord::default();
        let call = ScriptedCall {
            record: record.clone(),
            input: VecDeque::new(),
            keypad: None,
            hangup_after: None,
            bridge_outcome: BridgeOutcome::Completed(HangupCause::NormalClearing),
        };
        (call, record)
    }

    /// Set a channel variable before the script starts.
    pub fn with_var(self, name: &str, value: &str) -> Self {
        self.record
            .vars
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_string(), value.to_string());
        self
    }

    /// Input bursts answered, in order, to collections (before any keypad input).
    pub fn with_digits(mut self, bursts: &[&str]) -> Self {
        self.input.extend(bursts.iter().map(|b| b.to_string()));
        self
    }

    /// Live input: collections with no scripted input left wait for the keypad.
    pub fn with_keypad(mut self) -> (Self, Keypad) {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.keypad = Some(receiver);
        (self, Keypad(sender))
    }

    /// The caller hangs up with `cause` after `methods` methods succeeded: every
    /// later method fails with `hangup(cause)`.
    pub fn caller_hangs_up_after(mut self, methods: usize, cause: HangupCause) -> Self {
        self.hangup_after = Some((methods, cause));
        self
    }

    /// What `bridge` returns.
    pub fn with_bridge_outcome(mut self, outcome: BridgeOutcome) -> Self {
        self.bridge_outcome = outcome;
        self
    }

    /// Record `op`; fail it if the caller has hung up by now.
    fn begin(&self, op: CallOp) -> Result<(), CallError> {
        let mut ops = self
            .record
            .ops
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        ops.push(op);
        match self.hangup_after {
            Some((methods, cause)) if ops.len() > methods => Err(CallError::Hangup(cause)),
            _ => Ok(()),
        }
    }

    /// The next input burst: scripted first, then the keypad; `None` is silence.
    async fn next_input(&mut self) -> Option<String> {
        if let Some(burst) = self.input.pop_front() {
            return Some(burst);
        }
        match &mut self.keypad {
            Some(keypad) => keypad.recv().await,
            None => None,
        }
    }

    async fn collect(&mut self, max_digits: u32, terminators: &str) -> CollectedDigits {
        let Some(burst) = self.next_input().await else {
            return CollectedDigits {
                digits: String::new(),
                terminator: None,
                timed_out: true,
            };
        };
        let max = usize::try_from(max_digits).unwrap_or(usize::MAX);
        let mut digits = String::new();
        for c in burst.chars() {
            if terminators.contains(c) {
                return CollectedDigits {
                    digits,
                    terminator: Some(c),
                    timed_out: false,
                };
            }
            digits.push(c);
            if digits.chars().count() >= max {
                return CollectedDigits {
                    digits,
                    terminator: None,
                    timed_out: false,
                };
            }
        }
        // Fewer digits than asked and no terminator: the inter-digit timeout ran out.
        CollectedDigits {
            digits,
            terminator: None,
            timed_out: true,
        }
    }
}

impl CallControl for ScriptedCall {
    async fn answer(&mut self) -> Result<(), CallError> {
        self.begin(CallOp::Answer)
    }

    async fn pre_answer(&mut self) -> Result<(), CallError> {
        self.begin(CallOp::PreAnswer)
    }

    async fn hangup(&mut self, cause: HangupCause) -> Result<(), CallError> {
        self.begin(CallOp::Hangup(cause))
    }

    async fn play(&mut self, source: String) -> Result<PlayOutcome, CallError> {
        self.begin(CallOp::Play(source))?;
        Ok(PlayOutcome::Completed)
    }

    async fn collect_digits(
        &mut self,
        options: CollectOptions,
    ) -> Result<CollectedDigits, CallError> {
        self.begin(CallOp::CollectDigits(options.clone()))?;
        Ok(self.collect(options.max_digits, &options.terminators).await)
    }

    async fn play_and_get_digits(
        &mut self,
        options: PlayAndGetDigitsOptions,
    ) -> Result<Option<String>, CallError> {
        self.begin(CallOp::PlayAndGetDigits(options.clone()))?;
        for _ in 0..options.tries {
            let got = self.collect(options.max_digits, &options.terminators).await;
            let count = u32::try_from(got.digits.chars().count()).unwrap_or(u32::MAX);
            if count >= options.min_digits && count <= options.max_digits && count > 0 {
                return Ok(Some(got.digits));
            }
        }
        Ok(None)
    }

    async fn record(&mut self, options: RecordOptions) -> Result<Recording, CallError> {
        self.begin(CallOp::Record(options.clone()))?;
        Ok(Recording {
            path: options.path,
            duration_ms: options.max_seconds.saturating_mul(1000),
            terminator: None,
        })
    }

    async fn bridge(&mut self, dial_string: String) -> Result<BridgeOutcome, CallError> {
        self.begin(CallOp::Bridge(dial_string))?;
        Ok(self.bridge_outcome)
    }

    async fn transfer(
        &mut self,
        extension: String,
        context: Option<String>,
    ) -> Result<(), CallError> {
        self.begin(CallOp::Transfer(extension, context))
    }

    async fn get_var(&mut self, name: String) -> Result<Option<String>, CallError> {
        self.begin(CallOp::GetVar(name.clone()))?;
        Ok(self.record.var(&name))
    }

    async fn set_var(&mut self, name: String, value: String) -> Result<(), CallError> {
        self.begin(CallOp::SetVar(name.clone(), value.clone()))?;
        self.record
            .vars
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name, value);
        Ok(())
    }

    async fn sleep(&mut self, ms: u32) -> Result<(), CallError> {
        self.begin(CallOp::Sleep(ms))
    }

    async fn send_dtmf(&mut self, digits: String) -> Result<(), CallError> {
        self.begin(CallOp::SendDtmf(digits))
    }

    async fn record_session(&mut self, path: String) -> Result<(), CallError> {
        self.begin(CallOp::RecordSession(path))
    }

    async fn stop_record_session(&mut self, path: String) -> Result<(), CallError> {
        self.begin(CallOp::StopRecordSession(path))
    }
}
