//! Requests of a running `app` component (the WIT `call` methods). Each
//! request gets exactly one reply; one request runs at a time per channel
//! (the guest is sequential); after hangup every request gets
//! `hangup(cause)` at once.

use std::time::{Duration, Instant};

use witswitch_types::{ChannelId, HangupCause};

use crate::action::LogLevel;
use crate::app_io::{AppError, AppOutcome, AppRequest, AppResponse, RequestId};
use crate::channel::{Deferred, Owner};
use crate::digits::is_dtmf_digit;
use crate::effect::Effect;
use crate::media_io::MediaCommand;

use super::Engine;
use super::negotiate::Readiness;
use super::ops::ALL_DIGITS;

impl Engine {
    fn reply(&mut self, id: ChannelId, request: RequestId, result: Result<AppResponse, AppError>) {
        self.effects.push_back(Effect::AppReply {
            channel: id,
            request,
            result,
        });
    }

    pub(crate) fn app_request(
        &mut self,
        now: Instant,
        id: ChannelId,
        request: RequestId,
        req: AppRequest,
    ) {
        let Some(ch) = self.channels.get(&id) else {
            self.reply(
                id,
                request,
                Err(AppError::Hangup(HangupCause::NormalClearing)),
            );
            return;
        };
        let refusal = if let Some(hangup) = ch.hangup {
            Some(AppError::Hangup(hangup.cause))
        } else if ch.app.is_none() {
            Some(AppError::Failed("no app is running on this channel".into()))
        } else if ch.op.is_some() {
            Some(AppError::Failed(
                "another call request is still running".into(),
            ))
        } else if ch.app.as_ref().is_some_and(|app| app.transfer.is_some()) {
            Some(AppError::Failed("the call has been transferred".into()))
        } else {
            None
        };
        match refusal {
            Some(error) => self.reply(id, request, Err(error)),
            None => self.app_dispatch(now, id, request, req),
        }
        self.drain(now);
    }

    /// Runs one request (also when media it waited for is up).
    pub(crate) fn app_dispatch(
        &mut self,
        now: Instant,
        id: ChannelId,
        request: RequestId,
        req: AppRequest,
    ) {
        let owner = Owner::App(request);
        match req {
            AppRequest::Info => {
                let Some(ch) = self.channels.get(&id) else {
                    return;
                };
                let info = Box::new(self.call_info(ch));
                self.reply(id, request, Ok(AppResponse::Info(info)));
            }
            AppRequest::Answer => match self.answer_channel(now, id) {
                Readiness::Ready => self.reply(id, request, Ok(AppResponse::Done)),
                Readiness::Waiting => self.defer_app(id, request, AppRequest::Answer),
                Readiness::Failed => self.reply_hangup(id, request),
            },
            AppRequest::PreAnswer => match self.pre_answer_channel(now, id) {
                Readiness::Ready => self.reply(id, request, Ok(AppResponse::Done)),
                Readiness::Waiting => self.defer_app(id, request, AppRequest::PreAnswer),
                Readiness::Failed => self.reply_hangup(id, request),
            },
            AppRequest::Hangup(cause) => {
                self.hangup_local(now, id, cause);
                self.reply(id, request, Ok(AppResponse::Done));
            }
            AppRequest::GetVar(name) => {
                let value = self
                    .channels
                    .get(&id)
                    .and_then(|c| c.vars.get(&name))
                    .map(str::to_owned);
                self.reply(id, request, Ok(AppResponse::Var(value)));
            }
            AppRequest::SetVar { name, value } => {
                self.set_var(id, &name, value);
                self.reply(id, request, Ok(AppResponse::Done));
            }
            AppRequest::Transfer { extension, context } => {
                if extension.trim().is_empty() {
                    return self.reply(
                        id,
                        request,
                        Err(AppError::InvalidArgument("empty extension".into())),
                    );
                }
                if let Some(app) = self.channels.get_mut(&id).and_then(|c| c.app.as_mut()) {
                    app.transfer = Some((extension, context));
                }
                self.reply(id, request, Ok(AppResponse::Done));
            }
            AppRequest::Sleep(ms) => {
                self.start_sleep(now, id, owner, Duration::from_millis(u64::from(ms)))
            }
            AppRequest::RecordSession(path) => {
                self.record_session(now, id, path);
                self.reply(id, request, Ok(AppResponse::Done));
            }
            AppRequest::StopRecordSession(path) => {
                self.stop_record_session(now, id, &path);
                self.reply(id, request, Ok(AppResponse::Done));
            }
            AppRequest::Bridge(dial) => {
                if !self.ensure_leg(id) {
                    return self.defer_app(id, request, AppRequest::Bridge(dial));
                }
                self.start_originate(now, id, owner, &dial);
            }
            media_request => self.app_media_request(now, id, request, media_request),
        }
    }

    /// Requests that need the channel's media: they pre-answer and wait for it.
    fn app_media_request(
        &mut self,
        now: Instant,
        id: ChannelId,
        request: RequestId,
        req: AppRequest,
    ) {
        if let Some(error) = invalid(&req) {
            return self.reply(id, request, Err(error));
        }
        match self.media_ready(now, id) {
            Readiness::Ready => {}
            Readiness::Waiting => return self.defer_app(id, request, req),
            Readiness::Failed => return self.reply_hangup(id, request),
        }
        let owner = Owner::App(request);
        match req {
            AppRequest::Play(source) => {
                self.start_play(now, id, owner, source, ALL_DIGITS.to_owned())
            }
            AppRequest::CollectDigits(options) => self.start_collect(now, id, owner, options),
            AppRequest::PlayAndGetDigits(options) => {
                self.start_play_and_get_digits(now, id, owner, options)
            }
            AppRequest::Record(options) => self.start_record(now, id, owner, options),
            AppRequest::SendDtmf(digits) => {
                self.push_media(MediaCommand::SendDtmf {
                    leg: id.leg(),
                    digits,
                });
                self.reply(id, request, Ok(AppResponse::Done));
            }
            other => {
                let message = format!("{other:?} is not a media request");
                self.reply(id, request, Err(AppError::Failed(message)));
            }
        }
    }

    fn defer_app(&mut self, id: ChannelId, request: RequestId, req: AppRequest) {
        self.defer(id, Owner::App(request), Deferred::App(request, req));
    }

    fn reply_hangup(&mut self, id: ChannelId, request: RequestId) {
        let cause = self
            .channels
            .get(&id)
            .and_then(|c| c.hangup)
            .map_or(HangupCause::NormalClearing, |h| h.cause);
        self.reply(id, request, Err(AppError::Hangup(cause)));
    }

    /// The app returned: report a hung-up channel, apply a transfer, or
    /// continue the dialplan.
    pub(crate) fn app_finished(&mut self, now: Instant, id: ChannelId, outcome: AppOutcome) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let Some(app) = ch.app.take() else { return };
        if let Some(op) = self.take_op(id)
            && let Owner::App(request) = op.owner
        {
            // The guest returned while a request was open (should not happen
            // with a well-behaved host): close it so nothing dangles.
            self.reply(
                id,
                request,
                Err(AppError::Failed("the app has returned".into())),
            );
        }
        if self.channels.get(&id).is_some_and(|c| c.is_hungup()) {
            self.report_when_closed(now, id);
            return;
        }
        match outcome {
            AppOutcome::Completed | AppOutcome::CallEnded(_) => {}
            AppOutcome::Failed(message) => {
                self.log(
                    id,
                    LogLevel::Warning,
                    format!("app {} returned an error: {message}", app.name),
                );
            }
            AppOutcome::ScriptFailed { message, cause } => {
                self.log(
                    id,
                    LogLevel::Err,
                    format!(
                        "app {} failed: {message}; hanging up with {cause}",
                        app.name
                    ),
                );
                self.hangup_local(now, id, cause);
                return;
            }
        }
        match app.transfer {
            Some((extension, context)) => self.transfer(now, id, extension, context),
            None => self.resume(id),
        }
        self.drain(now);
    }
}

/// Arguments no media engine could act on.
fn invalid(req: &AppRequest) -> Option<AppError> {
    let bad = |m: &str| Some(AppError::InvalidArgument(m.to_owned()));
    match req {
        AppRequest::Play(source) if source.trim().is_empty() => bad("play: empty source"),
        AppRequest::CollectDigits(o) if o.max_digits == 0 => {
            bad("collect-digits: max-digits must be at least 1")
        }
        AppRequest::PlayAndGetDigits(o) if o.max_digits == 0 || o.min_digits > o.max_digits => {
            bad("play-and-get-digits: bad min/max digits")
        }
        AppRequest::PlayAndGetDigits(o) if o.prompt.trim().is_empty() => {
            bad("play-and-get-digits: empty prompt")
        }
        AppRequest::Record(o) if o.path.trim().is_empty() => bad("record: empty path"),
        AppRequest::SendDtmf(d) if d.is_empty() || !d.chars().all(is_dtmf_digit) => {
            bad("send-dtmf: not DTMF digits")
        }
        _ => None,
    }
}
