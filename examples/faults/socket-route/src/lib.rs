//! Test guest: a dialplan for the switch's outbound event socket tests. Every call
//! runs `socket <esl_app_server> async full` (the global variable names the test's
//! application server), then, if the server `resume`s or cannot be reached, plays
//! a short tone and hangs up, so a test sees whether the dialplan continued.

wit_bindgen::generate!({ path: "../../../wit", world: "dialplan", generate_all });

use witswitch::script::globals;
use witswitch::script::types::{Action, ExecuteApp};

struct SocketRoute;

impl Guest for SocketRoute {
    fn route(_call: CallInfo) -> RouteResult {
        let server = globals::get("esl_app_server").unwrap_or_else(|| "127.0.0.1:8084".into());
        let execute = |name: &str, data: String| Action::Execute(ExecuteApp { name: name.into(), data });
        RouteResult::Actions(vec![
            execute("socket", format!("{server} async full")),
            execute("set", "after_socket=true".into()),
            execute("answer", String::new()),
            execute("playback", "tone_stream://%(100,0,440)".into()),
        ])
    }
}

export!(SocketRoute);
