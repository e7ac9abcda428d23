//! The outbound event socket (issue 7): the `socket` dialplan application connects
//! to an application server (a greenswitch OutboundESLServer in Python) that controls
//! a sipp call end to end; servers that resume, die or cannot be reached.
//! Needs the `socket_route` test guest (`scripts/build-guests`).

mod calls;
mod common;
mod esl;

use calls::{CallConf, CallSwitch, Sipp};
use esl::Client;

/// A switch whose `external` profile routes every call to `socket
/// 127.0.0.1:<server_port> async full` (then, if the dialplan continues: answer,
/// a short tone, hangup).
fn switch(server_port: u16) -> CallSwitch {
    let mut conf = CallConf::new();
    conf.extra_guests = vec![("socket_route".into(), "socket_route".into())];
    conf.extra_scripts_toml = "[scripts.socket_route]\nworld = \"dialplan\"\n".into();
    conf.extra_contexts = vec![("socket".into(), "socket_route".into())];
    conf.external_context = "socket".into();
    conf.extra_vars = format!("esl_app_server = \"127.0.0.1:{server_port}\"\n");
    CallSwitch::start(conf)
}

/// An unauthenticated call to 9199 that waits for the switch's BYE.
fn call(switch: &CallSwitch) -> Sipp {
    let rtp = common::free_port().to_string();
    switch.sipp(
        "caller",
        Some(switch.conf.external),
        "uac_call_bye_in.xml",
        &[
            "-s", "9199", "-key", "rtp_port", &rtp, "-key", "pt", "0", "-key", "codec", "PCMU",
        ],
    )
}

/// Starts the application server in `mode` on a free port.
fn server(mode: &str, port: u16, dir: &std::path::Path) -> Client {
    let port = port.to_string();
    let mut server = Client::spawn("greenswitch_outbound.py", &[&port, mode], dir);
    server.wait_kind("listening");
    server
}

fn reply<'a>(seen: &'a [serde_json::Value], command: &str) -> &'a str {
    seen.iter()
        .find(|v| v["kind"] == "reply" && v["command"] == command)
        .and_then(|v| v["text"].as_str())
        .unwrap_or_else(|| panic!("no reply to {command}: {seen:?}"))
}

fn line<'a>(seen: &'a [serde_json::Value], kind: &str) -> &'a serde_json::Value {
    seen.iter()
        .find(|v| v["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} line: {seen:?}"))
}

fn events(seen: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    seen.iter()
        .filter(|v| v["kind"] == "event")
        .map(|v| &v["headers"])
        .collect()
}

/// The server drove the call: returns (what it saw, the channel uuid).
fn controlled_call(mode: &str) -> (Vec<serde_json::Value>, String) {
    let port = common::free_port();
    let switch = switch(port);
    let app = server(mode, port, switch.dir.path());
    let caller = call(&switch);
    let seen = app.finish();
    caller.wait_logged("answered");
    caller.wait_logged("bye");
    caller.assert_ok(&switch);
    let connect = &line(&seen, "connect")["headers"];
    let uuid = connect["Unique-ID"].as_str().expect("Unique-ID").to_owned();
    assert_eq!(uuid.len(), 36, "{connect}");
    assert_eq!(connect["Caller-Destination-Number"], "9199", "{connect}");
    assert_eq!(connect["Channel-Caller-ID-Number"], "1000", "{connect}");
    assert_eq!(connect["Call-Direction"], "inbound");
    assert_eq!(connect["Socket-Mode"], "async");
    assert_eq!(connect["Control"], "full");
    assert_eq!(connect["variable_destination_number"], "9199");
    assert_eq!(reply(&seen, "myevents"), "+OK Events Enabled");
    assert_eq!(reply(&seen, "answer"), "+OK");
    assert_eq!(reply(&seen, "getvar"), "9199");
    assert_eq!(reply(&seen, "api"), uuid.as_str(), "api on a full socket");
    assert_eq!(reply(&seen, "hangup"), "+OK");
    let events = events(&seen);
    assert!(
        events.iter().all(|e| e["Unique-ID"] == uuid.as_str()),
        "myevents: only the controlled channel"
    );
    let names: Vec<&str> = events
        .iter()
        .filter_map(|e| e["Event-Name"].as_str())
        .collect();
    assert!(names.contains(&"CHANNEL_ANSWER"), "{names:?}");
    assert!(names.contains(&"CHANNEL_EXECUTE_COMPLETE"), "{names:?}");
    let disconnect = &line(&seen, "disconnect")["headers"];
    assert_eq!(disconnect["Content-Type"], "text/disconnect-notice");
    assert_eq!(disconnect["Controlled-Session-UUID"], uuid.as_str());
    (seen, uuid)
}

#[test]
fn a_python_server_answers_reads_a_variable_and_hangs_up_the_call() {
    let (seen, _) = controlled_call("control");
    let disconnect = &line(&seen, "disconnect")["headers"];
    assert_eq!(disconnect["Content-Disposition"], "disconnect");
}

#[test]
fn linger_keeps_events_flowing_after_the_hangup() {
    let (seen, uuid) = controlled_call("linger");
    assert_eq!(reply(&seen, "linger"), "+OK will linger");
    let disconnect = &line(&seen, "disconnect")["headers"];
    assert_eq!(disconnect["Content-Disposition"], "linger");
    let complete = events(&seen)
        .into_iter()
        .find(|e| e["Event-Name"] == "CHANNEL_HANGUP_COMPLETE")
        .expect("HANGUP_COMPLETE after the hangup");
    assert_eq!(complete["Unique-ID"], uuid.as_str());
    assert_eq!(complete["Hangup-Cause"], "NORMAL_CLEARING");
}

#[test]
fn resume_lets_the_dialplan_continue_when_the_server_leaves() {
    let port = common::free_port();
    let switch = switch(port);
    let app = server("resume", port, switch.dir.path());
    let caller = call(&switch);
    let seen = app.finish();
    assert_eq!(reply(&seen, "resume"), "+OK");
    assert_eq!(reply(&seen, "exit"), "+OK bye");
    // The rest of the dialplan: answer, a tone, the end of the actions.
    caller.wait_logged("answered");
    caller.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(1);
    assert_eq!(cdrs[0]["hangup_cause"], "NORMAL_CLEARING");
    assert_eq!(cdrs[0]["sip_hangup_disposition"], "send_bye");
}

#[test]
fn a_server_that_dies_ends_the_call_and_the_switch_goes_on() {
    let port = common::free_port();
    let switch = switch(port);
    let app = server("die", port, switch.dir.path());
    let caller = call(&switch);
    app.finish();
    let cdrs = switch.wait_for_cdrs(1);
    assert_eq!(cdrs[0]["hangup_cause"], "NORMAL_CLEARING", "{:?}", cdrs[0]);
    assert!(
        !caller.logged().contains("answered"),
        "the dialplan did not continue after the socket closed"
    );
    let _ = caller.finish();
    // The switch still takes calls: the next one finds nobody listening.
    let next = call(&switch);
    next.wait_logged("answered");
    next.assert_ok(&switch);
}

#[test]
fn an_unreachable_server_logs_socket_error_and_the_dialplan_continues() {
    let switch = switch(common::free_port());
    let caller = call(&switch);
    caller.wait_logged("answered");
    caller.assert_ok(&switch);
    assert!(switch.log().contains("Socket Error!"), "{}", switch.log());
}
