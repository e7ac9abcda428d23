//! Test guest: a dialplan for the switch's end-to-end fault tests. Every
//! destination starts the `app_probe` app (examples/faults/app-probe) with
//! `app_probe_mode` set to the destination number (`spin`, `collect-then-spin`,
//! ...), so a test chooses the app's fault by what it dials.

wit_bindgen::generate!({ path: "../../../wit", world: "dialplan", generate_all });

use witswitch::script::types::{Action, AppInvocation, KeyValue};

struct AppRoute;

impl Guest for AppRoute {
    fn route(call: CallInfo) -> RouteResult {
        RouteResult::Actions(vec![
            Action::Set(KeyValue { key: "app_probe_mode".into(), value: call.destination_number }),
            Action::App(AppInvocation { name: "app_probe".into(), args: String::new() }),
        ])
    }
}

export!(AppRoute);
