//! Script invocations as tokio tasks: `route` for [`Effect::Route`] and an
//! app's `run` for [`Effect::RunApp`]. Their results, and every `call`
//! method an app invokes, come back to the call task as [`Internal`]
//! messages; the call task owns the engine, these tasks never touch it.
//!
//! [`Effect::Route`]: witswitch_core::Effect::Route
//! [`Effect::RunApp`]: witswitch_core::Effect::RunApp

use std::sync::Arc;

use crate::live_config::LiveConfig;
use tokio::sync::{mpsc, oneshot};
use witswitch_core::{
    Action, AppError, AppOutcome, AppRequest, AppResponse, CallInfo, ChannelId, HttpId, HttpReply,
    HttpRequest, RequestId, RouteError, ScriptIdent,
};
use witswitch_script::ScriptHost;

use super::app_control::AppCall;
use super::script_link::{app_outcome, route_outcome, to_script_call};

/// What script tasks report to the call task.
#[derive(Debug)]
pub enum Internal {
    /// A dialplan decided.
    Routed {
        /// The channel.
        channel: ChannelId,
        /// The script that routed it.
        script: Option<ScriptIdent>,
        /// Its actions, or why there are none.
        result: Result<Vec<Action>, RouteError>,
    },
    /// An app called a `call` method.
    AppRequest {
        /// The channel.
        channel: ChannelId,
        /// The request id (unique per channel).
        request: RequestId,
        /// The method and arguments.
        req: AppRequest,
        /// Where the engine's answer goes.
        reply: oneshot::Sender<Result<AppResponse, AppError>>,
    },
    /// A `curl` request ended.
    HttpDone {
        /// The channel.
        channel: ChannelId,
        /// The request.
        request: HttpId,
        /// Its answer, or why there is none.
        result: Result<HttpReply, String>,
    },
    /// An app's `run` returned.
    AppFinished {
        /// The channel.
        channel: ChannelId,
        /// How.
        outcome: AppOutcome,
    },
}

/// What the invocation tasks need.
#[derive(Debug, Clone)]
pub struct Invoker {
    host: ScriptHost,
    /// The configuration in force: `[contexts]` and `[http]` are read per
    /// invocation, so `reloadxml` changes them for the next call.
    live: Arc<LiveConfig>,
    to_calls: mpsc::UnboundedSender<Internal>,
}

impl Invoker {
    /// Invocations on `host`, scripts chosen by the `[contexts]` in force.
    pub fn new(
        host: ScriptHost,
        live: Arc<LiveConfig>,
        to_calls: mpsc::UnboundedSender<Internal>,
    ) -> Self {
        Invoker {
            host,
            live,
            to_calls,
        }
    }

    /// Runs the dialplan of `info.context` for `channel`.
    pub fn route(&self, channel: ChannelId, info: Box<CallInfo>) {
        let this = self.clone();
        tokio::spawn(async move {
            let config = this.live.get();
            let (script, result) = match config.scripts.dialplan_for(&info.context) {
                None => (
                    None,
                    Err(RouteError::ScriptUnavailable(format!(
                        "no dialplan for context {}",
                        info.context
                    ))),
                ),
                Some(script) => {
                    let name = script.name.clone();
                    let result = this.host.route(&name, &to_script_call(&info)).await;
                    let version = this
                        .host
                        .script_status(&name)
                        .and_then(|s| s.version)
                        .unwrap_or_default();
                    (Some(ScriptIdent { name, version }), route_outcome(result))
                }
            };
            let _ = this.to_calls.send(Internal::Routed {
                channel,
                script,
                result,
            });
        });
    }

    /// Performs a `curl` request of `channel`'s dialplan.
    pub fn curl(&self, channel: ChannelId, uuid: String, request: Box<HttpRequest>) {
        let this = self.clone();
        tokio::spawn(async move {
            let result =
                super::curl::perform_logged(&uuid, &request, &this.live.get().scripts.http).await;
            let _ = this.to_calls.send(Internal::HttpDone {
                channel,
                request: request.id,
                result,
            });
        });
    }

    /// Runs the app `name` on `channel` until its `run` returns.
    pub fn run_app(&self, channel: ChannelId, name: String, info: Box<CallInfo>) {
        let this = self.clone();
        tokio::spawn(async move {
            let control = AppCall::new(channel, this.to_calls.clone());
            // The version live now is the one this run keeps to its end, even
            // if the file is reloaded meanwhile (the host holds it).
            let version = short_version(&this.host, &name);
            tracing::info!("{} app {name} started (version {version})", info.uuid);
            let result = this
                .host
                .run_app(&name, to_script_call(&info), control)
                .await;
            let outcome = app_outcome(result);
            tracing::info!(
                "{} app {name} (version {version}) returned: {}",
                info.uuid,
                outcome_text(&outcome)
            );
            let _ = this
                .to_calls
                .send(Internal::AppFinished { channel, outcome });
        });
    }
}

/// The first 12 hex digits of the live version of `name` (`-` if none).
fn short_version(host: &ScriptHost, name: &str) -> String {
    host.script_status(name)
        .and_then(|status| status.version)
        .map_or_else(|| "-".to_owned(), |v| v.chars().take(12).collect())
}

fn outcome_text(outcome: &AppOutcome) -> String {
    match outcome {
        AppOutcome::Completed => "completed".to_owned(),
        AppOutcome::CallEnded(cause) => format!("call ended ({cause})"),
        AppOutcome::Failed(message) => format!("error {message}"),
        AppOutcome::ScriptFailed { message, cause } => format!("failed ({cause}): {message}"),
    }
}
