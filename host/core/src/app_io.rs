//! Requests from a running `app` component (the WIT `call` methods) and
//! the engine's replies. Each request gets exactly one
//! [`Effect::AppReply`](crate::Effect::AppReply); once the channel has hung
//! up every request gets [`AppError::Hangup`].

use witswitch_types::HangupCause;

use crate::call_info::CallInfo;

/// Names one request so its reply can be matched (chosen by the binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Parameters of `collect-digits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectOptions {
    /// Stop after this many digits.
    pub max_digits: u32,
    /// Wait for the first digit, ms.
    pub first_digit_timeout_ms: u32,
    /// Wait between digits, ms.
    pub inter_digit_timeout_ms: u32,
    /// Digits that end collection without being part of the result.
    pub terminators: String,
}

/// What `collect-digits` gathered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectedDigits {
    /// The digits, without the terminator.
    pub digits: String,
    /// The terminator that ended collection.
    pub terminator: Option<char>,
    /// Whether a timeout ended collection.
    pub timed_out: bool,
}

/// Parameters of `play-and-get-digits` (FreeSWITCH's application).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayAndGetDigitsOptions {
    /// Fewest digits that count as input.
    pub min_digits: u32,
    /// Most digits.
    pub max_digits: u32,
    /// Prompt-and-wait rounds before giving up.
    pub tries: u32,
    /// Wait for the first digit after the prompt, ms.
    pub timeout_ms: u32,
    /// Wait between digits, ms.
    pub digit_timeout_ms: u32,
    /// Terminator digits.
    pub terminators: String,
    /// The prompt.
    pub prompt: String,
    /// Played after invalid input.
    pub invalid_prompt: Option<String>,
    /// Valid input must match this regular expression.
    pub valid_regex: Option<String>,
}

/// Parameters of `record`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOptions {
    /// The WAV path.
    pub path: String,
    /// Stop after this many seconds (0: no limit).
    pub max_seconds: u32,
    /// Stop after this many seconds of silence (0: never).
    pub silence_seconds: u32,
    /// What counts as silence: mean absolute 16-bit sample value below this
    /// (FreeSWITCH's `silence_thresh`; the `call.record` method uses 200).
    pub silence_threshold: u32,
    /// Digits that stop the recording.
    pub terminators: String,
}

/// How a `play` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayOutcome {
    /// Played to the end.
    Completed,
    /// A DTMF digit stopped it.
    Interrupted(char),
}

/// A finished recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// The file.
    pub path: String,
    /// Its length, ms.
    pub duration_ms: u32,
    /// The digit that ended it.
    pub terminator: Option<char>,
}

/// How a `bridge` ended while the calling channel stays up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeOutcome {
    /// The far end answered; the bridge ended since with this cause.
    Completed(HangupCause),
    /// Nobody answered.
    Failed(HangupCause),
}

/// A `call` method invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // one variant per WIT method of the same name
pub enum AppRequest {
    Info,
    Answer,
    PreAnswer,
    Hangup(HangupCause),
    Play(String),
    CollectDigits(CollectOptions),
    PlayAndGetDigits(PlayAndGetDigitsOptions),
    Record(RecordOptions),
    Bridge(String),
    Transfer {
        extension: String,
        context: Option<String>,
    },
    GetVar(String),
    SetVar {
        name: String,
        value: String,
    },
    Sleep(u32),
    SendDtmf(String),
    RecordSession(String),
    StopRecordSession(String),
}

/// A successful reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppResponse {
    /// The method has no result (`answer`, `set-var`, `sleep`, ...).
    Done,
    /// `info`.
    Info(Box<CallInfo>),
    /// `play`.
    Played(PlayOutcome),
    /// `collect-digits`.
    Digits(CollectedDigits),
    /// `play-and-get-digits`: the valid digits, or `None` after all tries.
    ValidDigits(Option<String>),
    /// `record`.
    Recorded(Recording),
    /// `bridge`.
    Bridged(BridgeOutcome),
    /// `get-var`.
    Var(Option<String>),
}

/// A failed reply (the WIT `call-error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// The call has ended.
    #[error("call ended: {0}")]
    Hangup(HangupCause),
    /// An argument makes no sense.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A prompt or file does not exist.
    #[error("file not found: {0}")]
    FileNotFound(String),
    /// Anything else.
    #[error("{0}")]
    Failed(String),
}

/// How an app's `run` ended, reported with
/// [`Engine::handle_app_finished`](crate::Engine::handle_app_finished).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppOutcome {
    /// `run` returned `ok`: the dialplan continues.
    Completed,
    /// `run` returned the `hangup` error.
    CallEnded(HangupCause),
    /// `run` returned another error: logged, the dialplan continues.
    Failed(String),
    /// The script itself failed (trap, deadline, memory): the call hangs up
    /// with CRASH; no usable script: DESTINATION_OUT_OF_ORDER.
    ScriptFailed {
        /// What happened.
        message: String,
        /// The cause to hang up with.
        cause: HangupCause,
    },
}
