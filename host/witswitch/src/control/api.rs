//! Running an API command line: the pure ones are answered by the control crate,
//! switch-wide ones (`status`, `uptime`) here, and those about calls by the call task.

use tokio::sync::oneshot;
use witswitch_control::api::{ApiCommand, Dispatch, PureContext, dispatch};

use super::{CallControl, ControlHub};

/// The response body of `line` (after `api ` / `bgapi `).
pub async fn execute(hub: &ControlHub, line: &str) -> String {
    let dispatched = {
        let globals = hub.globals();
        let ctx = PureContext {
            version: &hub.version,
            globals: &globals,
        };
        dispatch(line.trim(), &ctx)
    };
    let command = match dispatched {
        Dispatch::Done(body) => return body,
        Dispatch::Live(command) => command,
    };
    let command = match super::admin::execute(hub, command).await {
        Ok(body) => return body,
        Err(command) => command,
    };
    match command {
        ApiCommand::Status => hub.status().await.status_text(),
        ApiCommand::Uptime { unit } => hub.status().await.uptime_in(unit),
        command => {
            let name = line
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            let (reply, rx) = oneshot::channel();
            if hub.calls.send(CallControl::Api { command, reply }).is_err() {
                return "-ERR the call engine is not running\n".to_owned();
            }
            rx.await
                .unwrap_or_else(|_| format!("-ERR {name} Command not found!\n"))
        }
    }
}
