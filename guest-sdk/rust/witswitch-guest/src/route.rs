//! [`Route`]: the builder a dialplan returns.

use crate::{
    Action, AppInvocation, ExecuteApp, HangupCause, KeyValue, LogLevel, LogMessage, RouteResult,
    TransferTarget,
};

/// What a dialplan decided: the FreeSWITCH applications to run, in order, or no
/// route at all.
///
/// Each method appends one action and returns the route, so a whole extension
/// reads like its XML dialplan:
///
/// ```
/// use witswitch_guest::{HangupCause, Route};
///
/// let route = Route::new()
///     .set("call_timeout", "30")
///     .set("hangup_after_bridge", "true")
///     .bridge("user/1001");
/// assert_eq!(route.actions().len(), 3);
///
/// let busy = Route::new().hangup(HangupCause::UserBusy);
/// assert!(!busy.is_no_route());
/// ```
///
/// Data strings may hold `${var}` references; the switch expands them when the
/// action runs, not when the route is built.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    actions: Vec<Action>,
    no_route: bool,
}

impl Route {
    /// An empty route; add actions with the methods below. A route without
    /// actions makes the switch hang up with `NORMAL_CLEARING`, as FreeSWITCH does
    /// when an extension's actions run out.
    pub fn new() -> Route {
        Route::default()
    }

    /// No rule matched: the switch hangs up with `NO_ROUTE_DESTINATION` and counts
    /// the call as unrouted. Appending an action to it makes it an ordinary route.
    pub fn no_route() -> Route {
        Route {
            actions: Vec::new(),
            no_route: true,
        }
    }

    /// True for [`Route::no_route`] with no action appended since.
    pub fn is_no_route(&self) -> bool {
        self.no_route
    }

    /// The actions so far, in order.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// Appends any action, for example one built elsewhere.
    pub fn action(mut self, action: Action) -> Route {
        self.no_route = false;
        self.actions.push(action);
        self
    }

    /// `answer`: 200 OK with SDP.
    pub fn answer(self) -> Route {
        self.action(Action::Answer)
    }

    /// `pre_answer`: 183 Session Progress with SDP (early media).
    pub fn pre_answer(self) -> Route {
        self.action(Action::PreAnswer)
    }

    /// `ring_ready`: 180 Ringing.
    pub fn ring_ready(self) -> Route {
        self.action(Action::RingReady)
    }

    /// `playback`: a file path (the prompts shipped in `conf/sounds/` are
    /// `sounds/<name>.wav`), `tone_stream://...` or `silence_stream://ms`.
    pub fn playback(self, source: impl Into<String>) -> Route {
        self.action(Action::Playback(source.into()))
    }

    /// `bridge`: a dial string such as `user/1001` or `sofia/gateway/gw/number`;
    /// `,` rings targets at once, `|` tries them in turn.
    pub fn bridge(self, dial_string: impl Into<String>) -> Route {
        self.action(Action::Bridge(dial_string.into()))
    }

    /// `record_session`: record both directions of the call to a WAV path.
    pub fn record_session(self, path: impl Into<String>) -> Route {
        self.action(Action::RecordSession(path.into()))
    }

    /// `stop_record_session`: stop the recording to this path.
    pub fn stop_record_session(self, path: impl Into<String>) -> Route {
        self.action(Action::StopRecordSession(path.into()))
    }

    /// `set name=value`: a channel variable.
    pub fn set(self, name: impl Into<String>, value: impl Into<String>) -> Route {
        self.action(Action::Set(KeyValue::new(name, value)))
    }

    /// `export name=value`: a channel variable that also goes to legs created later
    /// (the B leg of a bridge).
    pub fn export(self, name: impl Into<String>, value: impl Into<String>) -> Route {
        self.action(Action::Export(KeyValue::new(name, value)))
    }

    /// `unset name`: remove a channel variable.
    pub fn unset(self, name: impl Into<String>) -> Route {
        self.action(Action::Unset(name.into()))
    }

    /// `hangup CAUSE`: end the call.
    pub fn hangup(self, cause: HangupCause) -> Route {
        self.action(Action::Hangup(cause))
    }

    /// `transfer extension [XML context]`: route the call again as `extension`, in
    /// `context` or, with `None`, in the current one.
    pub fn transfer(self, extension: impl Into<String>, context: Option<&str>) -> Route {
        self.action(Action::Transfer(TransferTarget {
            extension: extension.into(),
            context: context.map(str::to_owned),
        }))
    }

    /// `sleep ms`: wait, with media flowing.
    pub fn sleep(self, ms: u32) -> Route {
        self.action(Action::Sleep(ms))
    }

    /// `echo`: send the caller's audio back to them.
    pub fn echo(self) -> Route {
        self.action(Action::Echo)
    }

    /// `park`: hold the call without media until something else acts on it.
    pub fn park(self) -> Route {
        self.action(Action::Park)
    }

    /// `log LEVEL message`: write a log line when the action runs.
    pub fn log(self, level: LogLevel, message: impl Into<String>) -> Route {
        self.action(Action::Log(LogMessage {
            level,
            message: message.into(),
        }))
    }

    /// Start the `app` component `name` (as named in `conf/scripts.toml`) on the
    /// call; it reads `args` from the `app_args` variable.
    pub fn app(self, name: impl Into<String>, args: impl Into<String>) -> Route {
        self.action(Action::App(AppInvocation {
            name: name.into(),
            args: args.into(),
        }))
    }

    /// Any application by its FreeSWITCH name and data string, for what has no
    /// method of its own (`execute("play_and_get_digits", "1 4 3 ...")`).
    pub fn execute(self, name: impl Into<String>, data: impl Into<String>) -> Route {
        self.action(Action::Execute(ExecuteApp {
            name: name.into(),
            data: data.into(),
        }))
    }
}

impl From<Route> for RouteResult {
    fn from(route: Route) -> RouteResult {
        if route.no_route {
            RouteResult::NoRoute
        } else {
            RouteResult::Actions(route.actions)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(key: &str, value: &str) -> KeyValue {
        KeyValue::new(key, value)
    }

    #[test]
    fn local_extension_route_in_order() {
        let result: RouteResult = Route::new()
            .answer()
            .playback("ivr-welcome.wav")
            .set("call_timeout", "30")
            .bridge("user/1001")
            .into();
        assert_eq!(
            result,
            RouteResult::Actions(vec![
                Action::Answer,
                Action::Playback("ivr-welcome.wav".into()),
                Action::Set(kv("call_timeout", "30")),
                Action::Bridge("user/1001".into()),
            ])
        );
    }

    #[test]
    fn every_builder_method_maps_to_its_action() {
        let route = Route::new()
            .pre_answer()
            .ring_ready()
            .record_session("${call_uuid}.wav")
            .stop_record_session("${call_uuid}.wav")
            .export("dialed_extension", "1001")
            .unset("call_timeout")
            .hangup(HangupCause::UserBusy)
            .transfer("9196", None)
            .transfer("1000", Some("default"))
            .sleep(250)
            .echo()
            .park()
            .log(LogLevel::Notice, "routing")
            .app("ivr", "main")
            .execute("play_and_get_digits", "1 1 3 5000 # a.wav b.wav choice \\d");
        assert_eq!(
            route.actions(),
            &[
                Action::PreAnswer,
                Action::RingReady,
                Action::RecordSession("${call_uuid}.wav".into()),
                Action::StopRecordSession("${call_uuid}.wav".into()),
                Action::Export(kv("dialed_extension", "1001")),
                Action::Unset("call_timeout".into()),
                Action::Hangup(HangupCause::UserBusy),
                Action::Transfer(TransferTarget {
                    extension: "9196".into(),
                    context: None
                }),
                Action::Transfer(TransferTarget {
                    extension: "1000".into(),
                    context: Some("default".into())
                }),
                Action::Sleep(250),
                Action::Echo,
                Action::Park,
                Action::Log(LogMessage {
                    level: LogLevel::Notice,
                    message: "routing".into()
                }),
                Action::App(AppInvocation {
                    name: "ivr".into(),
                    args: "main".into()
                }),
                Action::Execute(ExecuteApp {
                    name: "play_and_get_digits".into(),
                    data: "1 1 3 5000 # a.wav b.wav choice \\d".into()
                }),
            ]
        );
    }

    #[test]
    fn no_route_converts_to_no_route_until_an_action_is_added() {
        let none = Route::no_route();
        assert!(none.is_no_route());
        assert_eq!(RouteResult::from(none.clone()), RouteResult::NoRoute);
        let answered = none.answer();
        assert!(!answered.is_no_route());
        assert_eq!(
            RouteResult::from(answered),
            RouteResult::Actions(vec![Action::Answer])
        );
    }

    #[test]
    fn an_empty_route_is_an_empty_action_list() {
        assert!(!Route::new().is_no_route());
        assert_eq!(
            RouteResult::from(Route::new()),
            RouteResult::Actions(Vec::new())
        );
    }
}
