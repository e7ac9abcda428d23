//! [`Call`]: the live call an app script drives.

use crate::raw::witswitch::script::session;
use crate::{
    BridgeOutcome, CallError, CallInfo, CollectOptions, CollectedDigits, HangupCause,
    PlayAndGetDigitsOptions, PlayOutcome, RecordOptions, Recording,
};

/// The error every [`Call`] method returns, and the error an app returns.
///
/// It is [`CallError`] under the name of its usual case: once the caller hangs
/// up, every method returns `CallError::Hangup(cause)`, and `?` carries it out of
/// `run`, which is the normal end of a call the caller left.
pub type Hangup = CallError;

impl CallError {
    /// The hangup cause when the call has ended, else `None`.
    pub fn hangup_cause(&self) -> Option<HangupCause> {
        match self {
            CallError::Hangup(cause) => Some(*cause),
            CallError::InvalidArgument(_) | CallError::FileNotFound(_) | CallError::Failed(_) => {
                None
            }
        }
    }

    /// True when the call has ended.
    pub fn is_hangup(&self) -> bool {
        self.hangup_cause().is_some()
    }
}

impl PlayOutcome {
    /// The digit that interrupted the prompt, if one did.
    pub fn digit(&self) -> Option<char> {
        match self {
            PlayOutcome::Completed => None,
            PlayOutcome::Interrupted(digit) => Some(*digit),
        }
    }
}

impl BridgeOutcome {
    /// True when the far end answered (the bridge happened and has ended since).
    pub fn answered(&self) -> bool {
        matches!(self, BridgeOutcome::Completed(_))
    }

    /// The cause on the other leg: why it ended or why it never answered.
    pub fn cause(&self) -> HangupCause {
        match self {
            BridgeOutcome::Completed(cause) | BridgeOutcome::Failed(cause) => *cause,
        }
    }
}

/// A live call, handed to an `#[app]` function. Every method is a request to the
/// switch that blocks the script (not a thread: the host parks it) until the
/// caller's side is done: a prompt has played, digits arrived, a bridge ended.
///
/// Methods return `Err(CallError::Hangup(cause))` once the call has ended, so `?`
/// is the natural way to stop; a script that needs cleanup can match on
/// [`CallError::is_hangup`] instead.
#[derive(Debug)]
pub struct Call {
    raw: session::Call,
}

impl Call {
    /// Wraps the resource handle the `app` world's `run` export receives.
    pub fn from_raw(raw: session::Call) -> Call {
        Call { raw }
    }

    /// The underlying resource, for methods this wrapper lacks.
    pub fn raw(&self) -> &session::Call {
        &self.raw
    }

    /// The call's description, as a dialplan saw it, with the channel variables
    /// as they are now (asked from the switch on each use).
    pub fn info(&self) -> CallInfo {
        self.raw.info()
    }

    /// The arguments the dialplan gave in `app(name, args)` (the `app_args`
    /// variable), empty when there were none.
    pub fn app_args(&self) -> Result<String, CallError> {
        Ok(self.var("app_args")?.unwrap_or_default())
    }

    /// `answer`: 200 OK with SDP. Does nothing if the call is already answered.
    pub fn answer(&self) -> Result<(), CallError> {
        self.raw.answer()
    }

    /// `pre_answer`: 183 Session Progress with SDP, for prompts before answer.
    pub fn pre_answer(&self) -> Result<(), CallError> {
        self.raw.pre_answer()
    }

    /// `hangup`: end the call with `cause`. Later methods return the hangup error.
    pub fn hangup(&self, cause: HangupCause) -> Result<(), CallError> {
        self.raw.hangup(cause)
    }

    /// `playback`: play a file path, `tone_stream://...` or `silence_stream://ms`.
    /// A DTMF digit stops the prompt and is returned in
    /// [`PlayOutcome::Interrupted`].
    pub fn play(&self, source: &str) -> Result<PlayOutcome, CallError> {
        self.raw.play(source)
    }

    /// Say `digits` key by key from the prompts under `sounds/digits/` (see
    /// [`crate::say`]). A key pressed meanwhile stops it and is returned. A
    /// character without a prompt is `InvalidArgument` before anything plays; a
    /// missing prompt file is `FileNotFound`, as for [`Call::play`].
    pub fn say_digits(&self, digits: &str) -> Result<Option<char>, CallError> {
        for prompt in crate::say::digit_prompts(digits)? {
            if let PlayOutcome::Interrupted(digit) = self.play(&prompt)? {
                return Ok(Some(digit));
            }
        }
        Ok(None)
    }

    /// Wait for DTMF digits as `options` says. See [`CollectOptions::new`] for
    /// the defaults.
    pub fn collect_digits(&self, options: CollectOptions) -> Result<CollectedDigits, CallError> {
        self.raw.collect_digits(&options)
    }

    /// FreeSWITCH's `play_and_get_digits`: prompt, collect, validate, retry.
    /// Returns the valid digits, or `None` when every try failed.
    pub fn play_and_get_digits(
        &self,
        options: PlayAndGetDigitsOptions,
    ) -> Result<Option<String>, CallError> {
        self.raw.play_and_get_digits(&options)
    }

    /// `record`: record the caller to a WAV file until a terminator digit,
    /// silence or the time limit.
    pub fn record(&self, options: RecordOptions) -> Result<Recording, CallError> {
        self.raw.record(&options)
    }

    /// `bridge`: connect to a dial string and wait until the bridge ends. A far
    /// end that never answered is `Ok(BridgeOutcome::Failed(cause))`, not an
    /// error: the caller is still there.
    pub fn bridge(&self, dial_string: &str) -> Result<BridgeOutcome, CallError> {
        self.raw.bridge(dial_string)
    }

    /// `transfer`: route the call again as `extension` in `context` (the current
    /// one when `None`). The script's part of the call is over once it returns.
    pub fn transfer(&self, extension: &str, context: Option<&str>) -> Result<(), CallError> {
        self.raw.transfer(extension, context)
    }

    /// A channel variable, if set.
    pub fn var(&self, name: &str) -> Result<Option<String>, CallError> {
        self.raw.get_var(name)
    }

    /// `set`: a channel variable.
    pub fn set_var(&self, name: &str, value: &str) -> Result<(), CallError> {
        self.raw.set_var(name, value)
    }

    /// `sleep`: wait `ms` milliseconds with media flowing. Digits pressed
    /// meanwhile are kept for the next collect.
    pub fn sleep(&self, ms: u32) -> Result<(), CallError> {
        self.raw.sleep(ms)
    }

    /// Send DTMF digits to the caller (RFC 4733 events).
    pub fn send_dtmf(&self, digits: &str) -> Result<(), CallError> {
        self.raw.send_dtmf(digits)
    }

    /// `record_session`: record both directions of the call to a WAV path. The
    /// switch closes the file when the call ends if the script has not.
    pub fn record_session(&self, path: &str) -> Result<(), CallError> {
        self.raw.record_session(path)
    }

    /// `stop_record_session`: stop the recording to this path.
    pub fn stop_record_session(&self, path: &str) -> Result<(), CallError> {
        self.raw.stop_record_session(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_error_tells_a_hangup_from_other_failures() {
        let gone = CallError::Hangup(HangupCause::NormalClearing);
        assert!(gone.is_hangup());
        assert_eq!(gone.hangup_cause(), Some(HangupCause::NormalClearing));
        let missing = CallError::FileNotFound("sounds/nope.wav".into());
        assert!(!missing.is_hangup());
        assert_eq!(missing.hangup_cause(), None);
    }

    #[test]
    fn outcomes_expose_digit_and_cause() {
        assert_eq!(PlayOutcome::Interrupted('1').digit(), Some('1'));
        assert_eq!(PlayOutcome::Completed.digit(), None);
        let busy = BridgeOutcome::Failed(HangupCause::UserBusy);
        assert!(!busy.answered());
        assert_eq!(busy.cause(), HangupCause::UserBusy);
        assert!(BridgeOutcome::Completed(HangupCause::NormalClearing).answered());
    }
}
