//! Routing and dialplan execution: `Route` → actions → run in order, each
//! either done at once or waiting on an operation; when the list runs out
//! the channel hangs up with NORMAL_CLEARING, as FreeSWITCH does ("no more
//! applications to execute"; the 1.10.12 capture `no_route.txt` shows the
//! 480 that results for an unanswered call).

use std::time::{Duration, Instant};

use witswitch_types::{ChannelId, HangupCause};

use crate::action::{Action, LogLevel, RouteError, ScriptIdent};
use crate::app_io::{AppError, AppResponse, BridgeOutcome, PlayOutcome};
use crate::channel::{AppRun, Deferred, Owner};
use crate::effect::Effect;
use crate::events::EventName;
use crate::states::ChannelState;

use super::Engine;
use super::execute_app::{ExecuteApp, parse_execute};
use super::negotiate::Readiness;
use super::ops::{OpKind, PLAYBACK_TERMINATORS_DEFAULT};

/// What running one action left the dialplan doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Done; run the next action.
    Continue,
    /// An operation is running; it resumes the dialplan when it ends.
    Wait,
    /// The dialplan is over (hangup, transfer, failure).
    Stop,
}

impl Engine {
    /// Sends the channel to routing in its context.
    pub(crate) fn start_routing(&mut self, now: Instant, id: ChannelId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        ch.state = ChannelState::Routing;
        ch.route_pending = true;
        ch.exec.queue.clear();
        ch.exec.queued_uuids.clear();
        let info = self.channels.get(&id).map(|ch| self.call_info(ch));
        if let Some(info) = info {
            self.effects.push_back(Effect::Route {
                channel: id,
                call_info: Box::new(info),
            });
        }
        let _ = now;
    }

    pub(crate) fn route_result(
        &mut self,
        now: Instant,
        id: ChannelId,
        script: Option<ScriptIdent>,
        result: Result<Vec<Action>, RouteError>,
    ) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if !ch.route_pending || ch.is_hungup() {
            return;
        }
        ch.route_pending = false;
        if script.is_some() {
            ch.script = script;
        }
        match result {
            Ok(actions) => {
                ch.state = ChannelState::Execute;
                ch.exec.queue = actions.into();
                self.resume(id);
            }
            Err(error) => {
                let level = match error {
                    RouteError::NoRoute => LogLevel::Notice,
                    _ => LogLevel::Err,
                };
                self.log(
                    id,
                    level,
                    format!("{error}, hanging up with {}", error.hangup_cause()),
                );
                self.hangup_local(now, id, error.hangup_cause());
            }
        }
        self.drain(now);
    }

    /// Queues the dialplan of `id` to continue.
    pub(crate) fn resume(&mut self, id: ChannelId) {
        self.resumes.push_back(id);
    }

    /// Continues every queued dialplan. Called at the end of each input, so
    /// completions never run the dialplan re-entrantly.
    pub(crate) fn drain(&mut self, now: Instant) {
        while let Some(id) = self.resumes.pop_front() {
            self.run_next(now, id);
        }
        self.flush_states(now);
    }

    fn run_next(&mut self, now: Instant, id: ChannelId) {
        loop {
            let Some(ch) = self.channels.get_mut(&id) else {
                return;
            };
            if ch.is_hungup() || ch.op.is_some() || ch.app.is_some() || ch.route_pending {
                return;
            }
            if let Some((app, data)) = ch.exec.current.take() {
                let mut headers = vec![("Application", app), ("Application-Data", data)];
                headers.extend(ch.exec.current_uuid.take().map(|u| ("Application-UUID", u)));
                self.event(now, id, EventName::ChannelExecuteComplete, headers);
            }
            let Some(ch) = self.channels.get_mut(&id) else {
                return;
            };
            let Some(action) = ch.exec.queue.pop_front() else {
                self.hangup_local(now, id, HangupCause::NormalClearing);
                return;
            };
            let (app, data) = (action.app_name().to_owned(), action.app_data());
            ch.exec.current = Some((app.clone(), data.clone()));
            let app_uuid = ch.exec.queued_uuids.pop_front().flatten();
            ch.exec.current_uuid.clone_from(&app_uuid);
            if matches!(action, Action::Park | Action::Echo)
                && std::mem::take(&mut ch.exec.suspended)
            {
                // The park or echo that sendmsg'd applications interrupted goes
                // on, silently.
                match action {
                    Action::Echo => self.start_echo(now, id, Owner::Dialplan { var: None }),
                    _ => self.resume_park(id),
                }
                return;
            }
            let mut headers = vec![("Application", app), ("Application-Data", data)];
            headers.extend(app_uuid.map(|u| ("Application-UUID", u)));
            self.event(now, id, EventName::ChannelExecute, headers);
            if self.run_action(now, id, action) != Flow::Continue {
                return;
            }
        }
    }

    /// `action` with `${var}` references in its data expanded now.
    fn expanded(&self, id: ChannelId, action: Action) -> Action {
        let Some(ch) = self.channels.get(&id) else {
            return action;
        };
        let globals = &self.config.globals;
        let x = |text: String| ch.vars.expand_with_globals(&text, globals);
        match action {
            Action::Playback(s) => Action::Playback(x(s)),
            Action::Bridge(s) => Action::Bridge(x(s)),
            Action::RecordSession(s) => Action::RecordSession(x(s)),
            Action::StopRecordSession(s) => Action::StopRecordSession(x(s)),
            Action::Set { name, value } => Action::Set {
                name,
                value: x(value),
            },
            Action::Export { name, value } => Action::Export {
                name,
                value: x(value),
            },
            Action::Transfer { extension, context } => Action::Transfer {
                extension: x(extension),
                context: context.map(x),
            },
            Action::Log { level, message } => Action::Log {
                level,
                message: x(message),
            },
            Action::App { name, args } => Action::App {
                name,
                args: x(args),
            },
            Action::Execute { name, data } => Action::Execute {
                name,
                data: x(data),
            },
            other => other,
        }
    }

    /// Runs one dialplan action (its data is expanded here).
    pub(crate) fn run_action(&mut self, now: Instant, id: ChannelId, action: Action) -> Flow {
        let action = self.expanded(id, action);
        self.run_expanded(now, id, action)
    }

    fn run_expanded(&mut self, now: Instant, id: ChannelId, action: Action) -> Flow {
        let owner = Owner::Dialplan { var: None };
        match action {
            Action::Answer => {
                let readiness = self.answer_channel(now, id);
                self.readiness_flow(id, readiness, Action::Answer)
            }
            Action::PreAnswer => {
                let readiness = self.pre_answer_channel(now, id);
                self.readiness_flow(id, readiness, Action::PreAnswer)
            }
            Action::RingReady => {
                self.ring_ready(now, id);
                Flow::Continue
            }
            Action::Playback(source) => match self.media_ready(now, id) {
                Readiness::Ready => {
                    let terminators = self.playback_terminators(id);
                    self.start_play(now, id, owner, source, terminators);
                    Flow::Wait
                }
                r => self.readiness_flow(id, r, Action::Playback(source)),
            },
            Action::Bridge(dial) => {
                if !self.ensure_leg(id) {
                    return self.defer(id, owner, Deferred::Action(Action::Bridge(dial)));
                }
                self.start_originate(now, id, owner, &dial);
                Flow::Wait
            }
            Action::RecordSession(path) => {
                self.record_session(now, id, path);
                Flow::Continue
            }
            Action::StopRecordSession(path) => {
                self.stop_record_session(now, id, &path);
                Flow::Continue
            }
            Action::Set { name, value } => {
                self.set_var(id, &name, value);
                Flow::Continue
            }
            Action::Export { name, value } => {
                self.export_var(id, &name, value);
                Flow::Continue
            }
            Action::Unset(name) => {
                if let Some(ch) = self.channels.get_mut(&id) {
                    ch.vars.unset(name.trim());
                }
                Flow::Continue
            }
            Action::Hangup(cause) => {
                self.hangup_local(now, id, cause);
                Flow::Stop
            }
            Action::Transfer { extension, context } => {
                self.transfer(now, id, extension, context);
                Flow::Stop
            }
            Action::Sleep(ms) => {
                self.start_sleep(now, id, owner, Duration::from_millis(u64::from(ms)));
                Flow::Wait
            }
            Action::Echo => match self.media_ready(now, id) {
                Readiness::Ready => {
                    self.start_echo(now, id, owner);
                    Flow::Wait
                }
                r => self.readiness_flow(id, r, Action::Echo),
            },
            Action::Park => {
                self.start_park(now, id, owner);
                Flow::Wait
            }
            Action::Log { level, message } => {
                self.log(id, level, message);
                Flow::Continue
            }
            Action::App { name, args } => {
                self.run_app(id, name, args);
                Flow::Wait
            }
            Action::Execute { name, data } => self.run_execute(now, id, &name, &data),
        }
    }

    fn playback_terminators(&self, id: ChannelId) -> String {
        match self
            .channels
            .get(&id)
            .and_then(|ch| ch.vars.get("playback_terminators"))
        {
            Some(t) if t.eq_ignore_ascii_case("none") => String::new(),
            Some(t) => t.to_owned(),
            None => PLAYBACK_TERMINATORS_DEFAULT.to_owned(),
        }
    }

    fn readiness_flow(&mut self, id: ChannelId, readiness: Readiness, action: Action) -> Flow {
        match readiness {
            Readiness::Ready => Flow::Continue,
            Readiness::Failed => Flow::Stop,
            Readiness::Waiting => {
                self.defer(id, Owner::Dialplan { var: None }, Deferred::Action(action))
            }
        }
    }

    /// Parks `deferred` until the channel's media is up.
    pub(crate) fn defer(&mut self, id: ChannelId, owner: Owner, deferred: Deferred) -> Flow {
        self.set_op(id, owner, OpKind::AwaitMedia(deferred), None);
        Flow::Wait
    }

    fn run_execute(&mut self, now: Instant, id: ChannelId, name: &str, data: &str) -> Flow {
        if name.trim().eq_ignore_ascii_case("socket") {
            return self.start_socket(now, id, data);
        }
        match parse_execute(name, data) {
            ExecuteApp::Action(action) => self.run_expanded(now, id, action),
            ExecuteApp::PlayAndGetDigits { options, var } => {
                let owner = Owner::Dialplan { var: Some(var) };
                match self.media_ready(now, id) {
                    Readiness::Ready => {
                        self.start_play_and_get_digits(now, id, owner, options);
                        Flow::Wait
                    }
                    Readiness::Failed => Flow::Stop,
                    Readiness::Waiting => {
                        let action = Action::Execute {
                            name: name.to_owned(),
                            data: data.to_owned(),
                        };
                        self.defer(id, Owner::Dialplan { var: None }, Deferred::Action(action))
                    }
                }
            }
            ExecuteApp::Record(options) => self.run_record(now, id, name, data, options),
            ExecuteApp::Curl(data) => self.start_curl(id, &data),
            ExecuteApp::Multiset(pairs) => {
                for (name, value) in pairs {
                    self.set_var(id, &name, value);
                }
                Flow::Continue
            }
            ExecuteApp::Invalid(why) => {
                self.log(id, LogLevel::Err, format!("{name}: {why}"));
                Flow::Continue
            }
            ExecuteApp::Unknown => {
                // FreeSWITCH: "Invalid Application <name>", and the dialplan goes on.
                self.log(id, LogLevel::Err, format!("Invalid Application {name}"));
                Flow::Continue
            }
        }
    }

    /// The `record` application: waits for media like `play_and_get_digits`.
    fn run_record(
        &mut self,
        now: Instant,
        id: ChannelId,
        name: &str,
        data: &str,
        mut options: crate::app_io::RecordOptions,
    ) -> Flow {
        match self.media_ready(now, id) {
            Readiness::Ready => {
                options.terminators = self.playback_terminators(id);
                self.start_record(now, id, Owner::Dialplan { var: None }, options);
                Flow::Wait
            }
            Readiness::Failed => Flow::Stop,
            Readiness::Waiting => {
                let action = Action::Execute {
                    name: name.to_owned(),
                    data: data.to_owned(),
                };
                self.defer(id, Owner::Dialplan { var: None }, Deferred::Action(action))
            }
        }
    }

    fn run_app(&mut self, id: ChannelId, name: String, args: String) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        ch.vars.set("app_args", args.clone());
        ch.app = Some(AppRun {
            name: name.clone(),
            transfer: None,
        });
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let info = Box::new(self.call_info(ch));
        self.effects.push_back(Effect::RunApp {
            channel: id,
            name,
            args,
            call_info: info,
        });
    }

    pub(crate) fn set_var(&mut self, id: ChannelId, name: &str, value: String) {
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.vars.set(name.trim(), value);
        }
    }

    /// `export`: set here (unless `nolocal:`) and copy to legs created later.
    pub(crate) fn export_var(&mut self, id: ChannelId, name: &str, value: String) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        match name.trim().strip_prefix("nolocal:") {
            Some(name) => ch.vars.export_only(name, value),
            None => {
                let name = name.trim();
                ch.vars.set(name, value);
                ch.vars.mark_exported(name);
            }
        }
    }

    /// Re-enters routing with a new destination (FreeSWITCH `transfer`).
    pub(crate) fn transfer(
        &mut self,
        now: Instant,
        id: ChannelId,
        extension: String,
        context: Option<String>,
    ) {
        let max = self.config.max_transfers;
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        ch.exec.transfers += 1;
        if ch.exec.transfers > max {
            let message = format!("transfer loop: more than {max} transfers, hanging up");
            self.log(id, LogLevel::Err, message);
            self.hangup_local(now, id, HangupCause::ExchangeRoutingError);
            return;
        }
        ch.vars.set("destination_number", extension);
        if let Some(context) = context.filter(|c| !c.is_empty()) {
            ch.vars.set("context", context);
        }
        ch.exec.current = None;
        self.start_routing(now, id);
    }

    /// After an operation owned by the dialplan ended: store its result and
    /// decide whether the dialplan goes on.
    pub(crate) fn dialplan_after(
        &mut self,
        now: Instant,
        id: ChannelId,
        var: Option<String>,
        result: Result<AppResponse, AppError>,
    ) {
        let flow = match result {
            Ok(AppResponse::Bridged(BridgeOutcome::Failed(cause))) => {
                self.after_failed_bridge(now, id, cause)
            }
            Ok(AppResponse::Bridged(BridgeOutcome::Completed(cause))) => {
                self.after_bridge(now, id, cause)
            }
            Ok(AppResponse::ValidDigits(digits)) => {
                if let Some(var) = var {
                    self.set_var(id, &var, digits.unwrap_or_default());
                }
                Flow::Continue
            }
            Ok(AppResponse::Digits(collected)) => {
                if let Some(var) = var {
                    self.set_var(id, &var, collected.digits);
                }
                Flow::Continue
            }
            Ok(AppResponse::Recorded(recording)) => {
                if let Some(digit) = recording.terminator {
                    self.set_var(id, "playback_terminator_used", digit.to_string());
                }
                Flow::Continue
            }
            Ok(AppResponse::Played(PlayOutcome::Interrupted(digit))) => {
                self.set_var(id, "playback_terminator_used", digit.to_string());
                Flow::Continue
            }
            Ok(_) => Flow::Continue,
            Err(AppError::Hangup(_)) => Flow::Stop,
            Err(error) => {
                self.log(id, LogLevel::Warning, error.to_string());
                Flow::Continue
            }
        };
        if flow == Flow::Continue {
            self.resume(id);
        }
    }

    /// `continue_on_fail`: `true`, or a list of cause names/codes to go on after.
    fn after_failed_bridge(&mut self, now: Instant, id: ChannelId, cause: HangupCause) -> Flow {
        let Some(ch) = self.channels.get(&id) else {
            return Flow::Stop;
        };
        let setting = ch.var("continue_on_fail");
        let go_on = crate::vars::is_true(setting)
            || setting.split(',').map(str::trim).any(|item| {
                item.eq_ignore_ascii_case(cause.name())
                    || item.parse::<u16>().ok() == Some(cause.code())
            });
        if go_on {
            self.log(
                id,
                LogLevel::Info,
                format!("bridge failed with {cause}, continuing (continue_on_fail)"),
            );
            Flow::Continue
        } else {
            self.hangup_local(now, id, cause);
            Flow::Stop
        }
    }

    fn after_bridge(&mut self, now: Instant, id: ChannelId, cause: HangupCause) -> Flow {
        let Some(ch) = self.channels.get(&id) else {
            return Flow::Stop;
        };
        if ch.vars.is_true("hangup_after_bridge") {
            self.hangup_local(now, id, cause);
            return Flow::Stop;
        }
        Flow::Continue
    }
}
