//! HTTP-driven routing (issue 5): the example `http_route` dialplan POSTs each
//! call of context `http` (profile `external` here) to a small backend run by the
//! test on 127.0.0.1:0, and runs the actions it answers; a backend that is slow,
//! down or answers garbage sends the call to the fallback route (the same number
//! in context `default`: 9196 is the echo test there). The `curl` application
//! is exercised through the actions the backend returns.

mod calls;
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use calls::{CallConf, CallSwitch};

/// How the backend behaves.
#[derive(Clone)]
enum Mode {
    /// `200` with this body for `/route`; `/lookup` answers `gold`.
    Answer(String),
    /// `200` with a body that is not JSON.
    Garbage,
    /// Accepts and reads, never answers.
    Silent,
}

/// A one-thread HTTP/1.1 backend; keeps every request body it got.
struct Backend {
    port: u16,
    bodies: Arc<Mutex<Vec<(String, String)>>>,
}

impl Backend {
    fn start(mode: Mode) -> Backend {
        Backend::start_on(0, mode)
    }

    fn start_on(port: u16, mode: Mode) -> Backend {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind backend");
        let port = listener.local_addr().expect("addr").port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&bodies);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                let Some((path, body)) = read_request(&stream) else {
                    continue;
                };
                seen.lock().expect("lock").push((path.clone(), body));
                let answer = match (&mode, path.as_str()) {
                    (Mode::Silent, _) => {
                        held.push(stream);
                        continue;
                    }
                    (_, "/lookup") => "gold".to_owned(),
                    (Mode::Answer(json), _) => json.clone(),
                    (Mode::Garbage, _) => "<html>not the JSON you want".to_owned(),
                };
                respond(stream, &answer);
            }
        });
        Backend { port, bodies }
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.bodies.lock().expect("lock").clone()
    }
}

fn read_request(stream: &TcpStream) -> Option<(String, String)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split(' ').nth(1)?.to_owned();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, String::from_utf8_lossy(&body).into_owned()))
}

fn respond(mut stream: TcpStream, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A switch whose `external` profile routes through `http_route`, allowed to
/// reach `allowed_port`, asking `url_port`.
fn switch(allowed_port: u16, url_port: u16) -> CallSwitch {
    let mut conf = CallConf::new();
    conf.extra_guests = vec![("http_route".into(), "http_route".into())];
    conf.extra_scripts_toml = format!(
        "[scripts.http_route]\nworld = \"dialplan\"\nhttp-allow = [\"127.0.0.1:{allowed_port}\"]\n\n\
         [http]\nconnect-timeout-ms = 1000\ntimeout-ms = 2000\n"
    );
    conf.extra_contexts = vec![("http".into(), "http_route".into())];
    conf.external_context = "http".into();
    conf.extra_vars = format!(
        "http_route_url = \"http://127.0.0.1:{url_port}/route\"\nhttp_route_timeout_ms = \"700\"\n"
    );
    CallSwitch::start(conf)
}

/// An unauthenticated call to 9196 that the switch answers (the fallback: echo).
fn answered_call(switch: &CallSwitch) {
    let call = switch.sipp(
        "caller",
        Some(switch.conf.external),
        "uac_call.xml",
        &["-s", "9196", "-d", "500"],
    );
    call.assert_ok(switch);
}

/// An unauthenticated call to 9196 that the switch refuses.
fn refused_call(switch: &CallSwitch) -> serde_json::Value {
    let call = switch.sipp(
        "caller",
        Some(switch.conf.external),
        "uac_refused.xml",
        &["-s", "9196", "-key", "pt", "0", "-key", "codec", "PCMU"],
    );
    call.assert_ok(switch);
    switch.wait_for_cdrs(1).remove(0)
}

#[test]
fn the_backend_answer_routes_the_call_and_curl_looks_up_a_value() {
    let backend_port = common::free_port();
    let answer = format!(
        r#"{{"actions":[
            {{"app":"curl","data":"http://127.0.0.1:{backend_port}/lookup"}},
            {{"app":"log","data":"INFO lookup said ${{curl_response_code}} ${{curl_response_data}}"}},
            {{"app":"hangup","data":"USER_BUSY"}}]}}"#
    );
    // The backend must listen on the port the switch is configured with.
    let backend = Backend::start_on(backend_port, Mode::Answer(answer));
    let switch = switch(backend.port, backend.port);
    let cdr = refused_call(&switch);
    assert_eq!(cdr["hangup_cause"], "USER_BUSY", "{cdr}");
    assert_eq!(cdr["sip_term_status"], 486, "{cdr}");
    assert_eq!(cdr["context"], "http");
    let requests = backend.requests();
    let (path, body) = &requests[0];
    assert_eq!(path, "/route");
    let call: serde_json::Value = serde_json::from_str(body).expect("the call as JSON");
    assert_eq!(call["destination_number"], "9196");
    assert_eq!(call["context"], "http");
    assert_eq!(call["profile"], "external");
    assert_eq!(requests[1].0, "/lookup", "curl asked the backend");
    switch.wait_for_log("lookup said 200 gold");
    switch.wait_for_log(&format!(
        "curl GET http://127.0.0.1:{backend_port}/lookup: 200"
    ));
}

#[test]
fn garbage_from_the_backend_takes_the_fallback_route() {
    let backend = Backend::start(Mode::Garbage);
    let switch = switch(backend.port, backend.port);
    answered_call(&switch);
    switch.wait_for_log("http_route: answer is not JSON");
    let cdr = switch.wait_for_cdrs(1).remove(0);
    assert_eq!(cdr["hangup_cause"], "NORMAL_CLEARING", "{cdr}");
    assert_eq!(backend.requests().len(), 1);
}

#[test]
fn a_silent_backend_times_out_into_the_fallback_route() {
    let backend = Backend::start(Mode::Silent);
    let switch = switch(backend.port, backend.port);
    answered_call(&switch);
    let log = switch.log();
    let line = log
        .lines()
        .find(|l| l.contains("http_route:") && l.contains("fallback"))
        .unwrap_or_else(|| panic!("a fallback line: {log}"));
    assert!(line.to_ascii_lowercase().contains("timeout"), "{line}");
}

#[test]
fn a_backend_that_is_down_takes_the_fallback_route() {
    let port = common::free_port();
    let switch = switch(port, port);
    answered_call(&switch);
    switch.wait_for_log("fallback: transfer 9196 default");
}

#[test]
fn a_host_not_on_the_allowlist_fails_inside_the_guest_and_is_logged() {
    let allowed = Backend::start(Mode::Garbage);
    let elsewhere = Backend::start(Mode::Garbage);
    let switch = switch(allowed.port, elsewhere.port);
    answered_call(&switch);
    switch.wait_for_log("is not in the script's HTTP allowlist");
    switch.wait_for_log("HttpRequestDenied");
    assert!(
        elsewhere.requests().is_empty(),
        "nothing reached the other host"
    );
}

/// `sofia/<profile>/user@host` with a host name: the switch looks the name up
/// at call time and sends the INVITE there (here `localhost`, a sipp phone).
#[test]
fn a_bridge_to_a_host_name_is_resolved_at_call_time() {
    let backend_port = common::free_port();
    let phone_port = common::free_port();
    let answer = format!(
        r#"{{"actions":[{{"app":"bridge","data":"sofia/internal/2001@localhost:{phone_port}"}}]}}"#
    );
    let backend = Backend::start_on(backend_port, Mode::Answer(answer));
    let switch = switch(backend.port, backend.port);
    let rtp = common::free_port().to_string();
    let phone = switch.sipp_at(
        "phone",
        None,
        phone_port,
        "uas_answer.xml",
        &[
            "-key", "rtp_port", &rtp, "-key", "pt", "0", "-key", "codec", "PCMU",
        ],
    );
    answered_call(&switch);
    // The phone listens only on 127.0.0.1: it answered, so `localhost` resolved.
    phone.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(2);
    let b_leg = cdrs
        .iter()
        .find(|c| c["direction"] == "outbound")
        .unwrap_or_else(|| panic!("no outbound leg in {cdrs:?}"));
    assert_eq!(b_leg["hangup_cause"], "NORMAL_CLEARING", "{b_leg}");
    assert_eq!(b_leg["callee"], "2001", "{b_leg}");
}
