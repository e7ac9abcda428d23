//! The `call` resource on the host side: the [`CallControl`] trait the call
//! engine implements, and [`CallHandle`], the object behind a guest's `call`
//! handle, which enforces that once the call has ended every method returns the
//! `hangup` error.

use std::future::Future;
use std::pin::Pin;

use crate::bindings::session::{
    BridgeOutcome, CallError, CollectOptions, CollectedDigits, PlayAndGetDigitsOptions,
    PlayOutcome, RecordOptions, Recording,
};
use crate::bindings::types::{CallInfo, HangupCause};

/// What an `app` component can do to its call. The call engine implements this
/// over a live channel (media, DTMF, signalling); tests use
/// [`crate::testing::ScriptedCall`].
///
/// Every method may wait as long as the caller takes (the guest is suspended on a
/// fiber meanwhile, which costs no thread and no CPU budget). When the call has
/// ended, a method returns `CallError::Hangup(cause)`; [`CallHandle`] then
/// answers every later method with the same error without calling the engine.
pub trait CallControl: Send + 'static {
    /// Answer (200 OK with SDP). Does nothing if already answered.
    fn answer(&mut self) -> impl Future<Output = Result<(), CallError>> + Send;
    /// Early media (183 Session Progress with SDP).
    fn pre_answer(&mut self) -> impl Future<Output = Result<(), CallError>> + Send;
    /// End the call with `cause`.
    fn hangup(&mut self, cause: HangupCause) -> impl Future<Output = Result<(), CallError>> + Send;
    /// Play a file or tone stream; a DTMF digit interrupts it.
    fn play(
        &mut self,
        source: String,
    ) -> impl Future<Output = Result<PlayOutcome, CallError>> + Send;
    /// Wait for DTMF digits.
    fn collect_digits(
        &mut self,
        options: CollectOptions,
    ) -> impl Future<Output = Result<CollectedDigits, CallError>> + Send;
    /// Prompt, collect and validate with retries; `None` when every try failed.
    fn play_and_get_digits(
        &mut self,
        options: PlayAndGetDigitsOptions,
    ) -> impl Future<Output = Result<Option<String>, CallError>> + Send;
    /// Record the caller to a WAV file.
    fn record(
        &mut self,
        options: RecordOptions,
    ) -> impl Future<Output = Result<Recording, CallError>> + Send;
    /// Bridge to a dial string and wait until the bridge ends.
    fn bridge(
        &mut self,
        dial_string: String,
    ) -> impl Future<Output = Result<BridgeOutcome, CallError>> + Send;
    /// Send the call to another extension (and context).
    fn transfer(
        &mut self,
        extension: String,
        context: Option<String>,
    ) -> impl Future<Output = Result<(), CallError>> + Send;
    /// Read a channel variable.
    fn get_var(
        &mut self,
        name: String,
    ) -> impl Future<Output = Result<Option<String>, CallError>> + Send;
    /// Set a channel variable.
    fn set_var(
        &mut self,
        name: String,
        value: String,
    ) -> impl Future<Output = Result<(), CallError>> + Send;
    /// Wait `ms` milliseconds with media flowing.
    fn sleep(&mut self, ms: u32) -> impl Future<Output = Result<(), CallError>> + Send;
    /// Send DTMF digits (RFC 4733).
    fn send_dtmf(&mut self, digits: String) -> impl Future<Output = Result<(), CallError>> + Send;
    /// Start recording both directions to a WAV path.
    fn record_session(
        &mut self,
        path: String,
    ) -> impl Future<Output = Result<(), CallError>> + Send;
    /// Stop the recording to this path.
    fn stop_record_session(
        &mut self,
        path: String,
    ) -> impl Future<Output = Result<(), CallError>> + Send;
}

/// A boxed call-method future, so [`CallHandle`] can hold any [`CallControl`].
type CallFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, CallError>> + Send + 'a>>;

/// Object-safe mirror of [`CallControl`], implemented for every `CallControl`.
trait DynCallControl: Send {
    fn answer(&mut self) -> CallFuture<'_, ()>;
    fn pre_answer(&mut self) -> CallFuture<'_, ()>;
    fn hangup(&mut self, cause: HangupCause) -> CallFuture<'_, ()>;
    fn play(&mut self, source: String) -> CallFuture<'_, PlayOutcome>;
    fn collect_digits(&mut self, options: CollectOptions) -> CallFuture<'_, CollectedDigits>;
    fn play_and_get_digits(
        &mut self,
        options: PlayAndGetDigitsOptions,
    ) -> CallFuture<'_, Option<String>>;
    fn record(&mut self, options: RecordOptions) -> CallFuture<'_, Recording>;
    fn bridge(&mut self, dial_string: String) -> CallFuture<'_, BridgeOutcome>;
    fn transfer(&mut self, extension: String, context: Option<String>) -> CallFuture<'_, ()>;
    fn get_var(&mut self, name: String) -> CallFuture<'_, Option<String>>;
    fn set_var(&mut self, name: String, value: String) -> CallFuture<'_, ()>;
    fn sleep(&mut self, ms: u32) -> CallFuture<'_, ()>;
    fn send_dtmf(&mut self, digits: String) -> CallFuture<'_, ()>;
    fn record_session(&mut self, path: String) -> CallFuture<'_, ()>;
    fn stop_record_session(&mut self, path: String) -> CallFuture<'_, ()>;
}

impl<C: CallControl> DynCallControl for C {
    fn answer(&mut self) -> CallFuture<'_, ()> {
        Box::pin(CallControl::answer(self))
    }
    fn pre_answer(&mut self) -> CallFuture<'_, ()> {
        Box::pin(CallControl::pre_answer(self))
    }
    fn hangup(&mut self, cause: HangupCause) -> CallFuture<'_, ()> {
        Box::pin(CallControl::hangup(self, cause))
    }
    fn play(&mut self, source: String) -> CallFuture<'_, PlayOutcome> {
        Box::pin(CallControl::play(self, source))
    }
    fn collect_digits(&mut self, options: CollectOptions) -> CallFuture<'_, CollectedDigits> {
        Box::pin(CallControl::collect_digits(self, options))
    }
    fn play_and_get_digits(
        &mut self,
        options: PlayAndGetDigitsOptions,
    ) -> CallFuture<'_, Option<String>> {
        Box::pin(CallControl::play_and_get_digits(self, options))
    }
    fn record(&mut self, options: RecordOptions) -> CallFuture<'_, Recording> {
        Box::pin(CallControl::record(self, options))
    }
    fn bridge(&mut self, dial_string: String) -> CallFuture<'_, BridgeOutcome> {
        Box::pin(CallControl::bridge(self, dial_string))
    }
    fn transfer(&mut self, extension: String, context: Option<String>) -> CallFuture<'_, ()> {
        Box::pin(CallControl::transfer(self, extension, context))
    }
    fn get_var(&mut self, name: String) -> CallFuture<'_, Option<String>> {
        Box::pin(CallControl::get_var(self, name))
    }
    fn set_var(&mut self, name: String, value: String) -> CallFuture<'_, ()> {
        Box::pin(CallControl::set_var(self, name, value))
    }
    fn sleep(&mut self, ms: u32) -> CallFuture<'_, ()> {
        Box::pin(CallControl::sleep(self, ms))
    }
    fn send_dtmf(&mut self, digits: String) -> CallFuture<'_, ()> {
        Box::pin(CallControl::send_dtmf(self, digits))
    }
    fn record_session(&mut self, path: String) -> CallFuture<'_, ()> {
        Box::pin(CallControl::record_session(self, path))
    }
    fn stop_record_session(&mut self, path: String) -> CallFuture<'_, ()> {
        Box::pin(CallControl::stop_record_session(self, path))
    }
}

/// The host object behind a guest's `call` handle: the call's description, the
/// engine's [`CallControl`], and whether the call has ended.
///
/// Before delegating, it refuses every method once the call has ended
/// (`hangup(cause)`) and rejects arguments no engine could act on (`max-digits`
/// of 0, an empty path or dial string, non-DTMF digits) with `invalid-argument`.
pub struct CallHandle {
    info: CallInfo,
    control: Box<dyn DynCallControl>,
    ended: Option<HangupCause>,
}

impl std::fmt::Debug for CallHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallHandle")
            .field("uuid", &self.info.uuid)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// One guarded method: refuse once ended, check the arguments, delegate, and
/// watch for the end of the call.
macro_rules! guarded {
    ($self:ident, $call:expr) => {
        guarded!($self, Ok(()), $call)
    };
    ($self:ident, $check:expr, $call:expr) => {{
        if let Some(cause) = $self.ended {
            return Err(CallError::Hangup(cause));
        }
        $check?;
        let result = $call.await;
        if let Err(CallError::Hangup(cause)) = &result {
            $self.ended = Some(*cause);
        }
        result
    }};
}

/// `Ok` when `ok`, else `invalid-argument(message)`.
fn require(ok: bool, message: &str) -> Result<(), CallError> {
    if ok {
        Ok(())
    } else {
        Err(CallError::InvalidArgument(message.to_string()))
    }
}

/// DTMF digits RFC 4733 can carry as events 0-15.
fn is_dtmf(digits: &str) -> bool {
    !digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D' | 'a'..='d'))
}

fn check_play_and_get(options: &PlayAndGetDigitsOptions) -> Result<(), CallError> {
    require(
        options.max_digits >= 1,
        "play-and-get-digits: max-digits must be at least 1",
    )?;
    require(
        options.min_digits <= options.max_digits,
        "play-and-get-digits: min-digits exceeds max-digits",
    )?;
    require(
        options.tries >= 1,
        "play-and-get-digits: tries must be at least 1",
    )?;
    require(
        !options.prompt.is_empty(),
        "play-and-get-digits: empty prompt",
    )
}

impl CallHandle {
    /// A handle for the call described by `info`, driven through `control`.
    pub fn new(info: CallInfo, control: impl CallControl) -> Self {
        CallHandle {
            info,
            control: Box::new(control),
            ended: None,
        }
    }

    /// The call's description. Available even after the call has ended.
    pub fn info(&self) -> &CallInfo {
        &self.info
    }

    /// The cause the call ended with, once it has.
    pub fn ended(&self) -> Option<HangupCause> {
        self.ended
    }

    /// See [`CallControl::answer`].
    pub async fn answer(&mut self) -> Result<(), CallError> {
        guarded!(self, self.control.answer())
    }
    /// See [`CallControl::pre_answer`].
    pub async fn pre_answer(&mut self) -> Result<(), CallError> {
        guarded!(self, self.control.pre_answer())
    }
    /// See [`CallControl::hangup`]. After it succeeds the call has ended with
    /// `cause`, and every method returns `hangup(cause)`.
    pub async fn hangup(&mut self, cause: HangupCause) -> Result<(), CallError> {
        let result = guarded!(self, self.control.hangup(cause));
        if result.is_ok() {
            self.ended = Some(cause);
        }
        result
    }
    /// See [`CallControl::play`].
    pub async fn play(&mut self, source: String) -> Result<PlayOutcome, CallError> {
        guarded!(
            self,
            require(!source.is_empty(), "play: empty source"),
            self.control.play(source)
        )
    }
    /// See [`CallControl::collect_digits`].
    pub async fn collect_digits(
        &mut self,
        options: CollectOptions,
    ) -> Result<CollectedDigits, CallError> {
        guarded!(
            self,
            require(
                options.max_digits >= 1,
                "collect-digits: max-digits must be at least 1"
            ),
            self.control.collect_digits(options)
        )
    }
    /// See [`CallControl::play_and_get_digits`].
    pub async fn play_and_get_digits(
        &mut self,
        options: PlayAndGetDigitsOptions,
    ) -> Result<Option<String>, CallError> {
        guarded!(
            self,
            check_play_and_get(&options),
            self.control.play_and_get_digits(options)
        )
    }
    /// See [`CallControl::record`].
    pub async fn record(&mut self, options: RecordOptions) -> Result<Recording, CallError> {
        guarded!(
            self,
            require(!options.path.is_empty(), "record: empty path"),
            self.control.record(options)
        )
    }
    /// See [`CallControl::bridge`].
    pub async fn bridge(&mut self, dial_string: String) -> Result<BridgeOutcome, CallError> {
        guarded!(
            self,
            require(!dial_string.trim().is_empty(), "bridge: empty dial string"),
            self.control.bridge(dial_string)
        )
    }
    /// See [`CallControl::transfer`].
    pub async fn transfer(
        &mut self,
        extension: String,
        context: Option<String>,
    ) -> Result<(), CallError> {
        guarded!(
            self,
            require(!extension.is_empty(), "transfer: empty extension"),
            self.control.transfer(extension, context)
        )
    }
    /// See [`CallControl::get_var`].
    pub async fn get_var(&mut self, name: String) -> Result<Option<String>, CallError> {
        guarded!(
            self,
            require(!name.is_empty(), "get-var: empty name"),
            self.control.get_var(name)
        )
    }
    /// See [`CallControl::set_var`].
    pub async fn set_var(&mut self, name: String, value: String) -> Result<(), CallError> {
        guarded!(
            self,
            require(!name.is_empty(), "set-var: empty name"),
            self.control.set_var(name, value)
        )
    }
    /// See [`CallControl::sleep`].
    pub async fn sleep(&mut self, ms: u32) -> Result<(), CallError> {
        guarded!(self, self.control.sleep(ms))
    }
    /// See [`CallControl::send_dtmf`].
    pub async fn send_dtmf(&mut self, digits: String) -> Result<(), CallError> {
        guarded!(
            self,
            require(is_dtmf(&digits), "send-dtmf: digits must be 0-9, *, #, A-D"),
            self.control.send_dtmf(digits)
        )
    }
    /// See [`CallControl::record_session`].
    pub async fn record_session(&mut self, path: String) -> Result<(), CallError> {
        guarded!(
            self,
            require(!path.is_empty(), "record-session: empty path"),
            self.control.record_session(path)
        )
    }
    /// See [`CallControl::stop_record_session`].
    pub async fn stop_record_session(&mut self, path: String) -> Result<(), CallError> {
        guarded!(
            self,
            require(!path.is_empty(), "stop-record-session: empty path"),
            self.control.stop_record_session(path)
        )
    }
}
