//! [`CallControl`] for `app` components: each `call` method becomes an
//! [`AppRequest`] to the call task, which hands it to the engine and sends
//! the engine's one reply back on a oneshot. The app's fiber waits on that
//! oneshot, so a parked IVR costs no thread.

use tokio::sync::{mpsc, oneshot};
use witswitch_core::{self as core, AppError, AppRequest, AppResponse, ChannelId, RequestId};
use witswitch_script::{
    BridgeOutcome, CallControl, CallError, CollectOptions, CollectedDigits, HangupCause,
    PlayAndGetDigitsOptions, PlayOutcome, RecordOptions, Recording,
};

use super::invoke::Internal;
use super::script_link::{to_core_cause, to_script_cause};

/// One running app's way to its call.
#[derive(Debug)]
pub struct AppCall {
    channel: ChannelId,
    to_calls: mpsc::UnboundedSender<Internal>,
    next_request: u64,
}

impl AppCall {
    /// The control of `channel`, talking to the call task on `to_calls`.
    pub fn new(channel: ChannelId, to_calls: mpsc::UnboundedSender<Internal>) -> Self {
        AppCall {
            channel,
            to_calls,
            next_request: 0,
        }
    }

    /// Sends `req` and waits for the engine's answer.
    fn request(
        &mut self,
        req: AppRequest,
    ) -> impl Future<Output = Result<AppResponse, CallError>> + Send + 'static {
        self.next_request += 1;
        let (reply, answer) = oneshot::channel();
        let sent = self.to_calls.send(Internal::AppRequest {
            channel: self.channel,
            request: RequestId(self.next_request),
            req,
            reply,
        });
        async move {
            if sent.is_err() {
                return Err(CallError::Hangup(HangupCause::SystemShutdown));
            }
            match answer.await {
                Ok(Ok(response)) => Ok(response),
                Ok(Err(error)) => Err(to_call_error(error)),
                // The call task dropped the request: the switch is stopping.
                Err(_) => Err(CallError::Hangup(HangupCause::SystemShutdown)),
            }
        }
    }

    fn done(
        &mut self,
        req: AppRequest,
    ) -> impl Future<Output = Result<(), CallError>> + Send + 'static {
        let answer = self.request(req);
        async move { answer.await.map(|_| ()) }
    }
}

fn to_call_error(error: AppError) -> CallError {
    match error {
        AppError::Hangup(cause) => CallError::Hangup(to_script_cause(cause)),
        AppError::InvalidArgument(what) => CallError::InvalidArgument(what),
        AppError::FileNotFound(what) => CallError::FileNotFound(what),
        AppError::Failed(what) => CallError::Failed(what),
    }
}

fn unexpected(response: &AppResponse) -> CallError {
    CallError::Failed(format!(
        "unexpected reply from the call engine: {response:?}"
    ))
}

impl CallControl for AppCall {
    fn answer(&mut self) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::Answer)
    }

    fn pre_answer(&mut self) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::PreAnswer)
    }

    fn hangup(&mut self, cause: HangupCause) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::Hangup(to_core_cause(cause)))
    }

    fn play(
        &mut self,
        source: String,
    ) -> impl Future<Output = Result<PlayOutcome, CallError>> + Send {
        let answer = self.request(AppRequest::Play(source));
        async move {
            match answer.await? {
                AppResponse::Played(core::PlayOutcome::Completed) => Ok(PlayOutcome::Completed),
                AppResponse::Played(core::PlayOutcome::Interrupted(digit)) => {
                    Ok(PlayOutcome::Interrupted(digit))
                }
                other => Err(unexpected(&other)),
            }
        }
    }

    fn collect_digits(
        &mut self,
        options: CollectOptions,
    ) -> impl Future<Output = Result<CollectedDigits, CallError>> + Send {
        let answer = self.request(AppRequest::CollectDigits(core::CollectOptions {
            max_digits: options.max_digits,
            first_digit_timeout_ms: options.first_digit_timeout_ms,
            inter_digit_timeout_ms: options.inter_digit_timeout_ms,
            terminators: options.terminators,
        }));
        async move {
            match answer.await? {
                AppResponse::Digits(d) => Ok(CollectedDigits {
                    digits: d.digits,
                    terminator: d.terminator,
                    timed_out: d.timed_out,
                }),
                other => Err(unexpected(&other)),
            }
        }
    }

    fn play_and_get_digits(
        &mut self,
        options: PlayAndGetDigitsOptions,
    ) -> impl Future<Output = Result<Option<String>, CallError>> + Send {
        let answer = self.request(AppRequest::PlayAndGetDigits(
            core::PlayAndGetDigitsOptions {
                min_digits: options.min_digits,
                max_digits: options.max_digits,
                tries: options.tries,
                timeout_ms: options.timeout_ms,
                digit_timeout_ms: options.digit_timeout_ms,
                terminators: options.terminators,
                prompt: options.prompt,
                invalid_prompt: options.invalid_prompt,
                valid_regex: options.valid_regex,
            },
        ));
        async move {
            match answer.await? {
                AppResponse::ValidDigits(digits) => Ok(digits),
                other => Err(unexpected(&other)),
            }
        }
    }

    fn record(
        &mut self,
        options: RecordOptions,
    ) -> impl Future<Output = Result<Recording, CallError>> + Send {
        let answer = self.request(AppRequest::Record(core::RecordOptions {
            path: options.path,
            max_seconds: options.max_seconds,
            silence_seconds: options.silence_seconds,
            silence_threshold: witswitch_media::silence::DEFAULT_THRESHOLD,
            terminators: options.terminators,
        }));
        async move {
            match answer.await? {
                AppResponse::Recorded(r) => Ok(Recording {
                    path: r.path,
                    duration_ms: r.duration_ms,
                    terminator: r.terminator,
                }),
                other => Err(unexpected(&other)),
            }
        }
    }

    fn bridge(
        &mut self,
        dial_string: String,
    ) -> impl Future<Output = Result<BridgeOutcome, CallError>> + Send {
        let answer = self.request(AppRequest::Bridge(dial_string));
        async move {
            match answer.await? {
                AppResponse::Bridged(core::BridgeOutcome::Completed(cause)) => {
                    Ok(BridgeOutcome::Completed(to_script_cause(cause)))
                }
                AppResponse::Bridged(core::BridgeOutcome::Failed(cause)) => {
                    Ok(BridgeOutcome::Failed(to_script_cause(cause)))
                }
                other => Err(unexpected(&other)),
            }
        }
    }

    fn transfer(
        &mut self,
        extension: String,
        context: Option<String>,
    ) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::Transfer { extension, context })
    }

    fn get_var(
        &mut self,
        name: String,
    ) -> impl Future<Output = Result<Option<String>, CallError>> + Send {
        let answer = self.request(AppRequest::GetVar(name));
        async move {
            match answer.await? {
                AppResponse::Var(value) => Ok(value),
                other => Err(unexpected(&other)),
            }
        }
    }

    fn set_var(
        &mut self,
        name: String,
        value: String,
    ) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::SetVar { name, value })
    }

    fn sleep(&mut self, ms: u32) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::Sleep(ms))
    }

    fn send_dtmf(&mut self, digits: String) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::SendDtmf(digits))
    }

    fn record_session(
        &mut self,
        path: String,
    ) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::RecordSession(path))
    }

    fn stop_record_session(
        &mut self,
        path: String,
    ) -> impl Future<Output = Result<(), CallError>> + Send {
        self.done(AppRequest::StopRecordSession(path))
    }
}
