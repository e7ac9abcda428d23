//! The FreeSWITCH-compatible event socket (issue 7) against the real binary, driven by
//! real ESL client libraries (Python greenswitch) and sipp calls.

mod calls;
mod common;
mod esl;

use calls::{CallConf, CallSwitch, strs};
use esl::Client;

fn esl_args(switch: &CallSwitch, password: &str) -> Vec<String> {
    vec![
        "127.0.0.1".to_owned(),
        switch.conf.esl.to_string(),
        password.to_owned(),
    ]
}

/// An authenticated echo call from 1000 to 9196 held for `hold_ms`.
fn echo_call(switch: &CallSwitch, name: &str, hold_ms: u32) -> calls::Sipp {
    switch.auth_call(name, 1000, "9196", hold_ms, common::free_port())
}

#[test]
fn greenswitch_auth_good_and_bad_password() {
    let switch = CallSwitch::start(CallConf::new());
    let dir = switch.dir.path().to_owned();
    let mut args = esl_args(&switch, "wrong-password");
    args.insert(0, "auth".into());
    let mut bad = Client::spawn("greenswitch_client.py", &strs(&args), &dir);
    bad.wait_kind("refused");
    bad.finish();
    let mut args = esl_args(&switch, CallConf::ESL_PASSWORD);
    args.insert(0, "auth".into());
    let mut good = Client::spawn("greenswitch_client.py", &strs(&args), &dir);
    good.wait_kind("accepted");
    good.finish();
}

#[test]
fn greenswitch_sees_create_answer_hangup_complete_of_a_sipp_call() {
    let switch = CallSwitch::start(CallConf::new());
    let dir = switch.dir.path().to_owned();
    let mut args = esl_args(&switch, CallConf::ESL_PASSWORD);
    args.insert(0, "events".into());
    for name in [
        "CHANNEL_CREATE",
        "CHANNEL_ANSWER",
        "CHANNEL_HANGUP",
        "CHANNEL_HANGUP_COMPLETE",
    ] {
        args.push(name.into());
    }
    let mut client = Client::spawn("greenswitch_client.py", &strs(&args), &dir);
    let status = client.wait_until("api status", |v| v["command"] == "status");
    let body = status["body"].as_str().expect("status body");
    assert!(body.starts_with("UP 0 years, 0 days"), "{body}");
    assert!(body.contains("session(s) since startup"), "{body}");
    let version = client.wait_until("api version", |v| v["command"] == "version");
    assert!(
        version["body"]
            .as_str()
            .is_some_and(|b| b.starts_with("witswitch Version ")),
        "{version}"
    );
    let reply = client.wait_kind("reply");
    assert_eq!(reply["text"], "+OK event listener enabled plain");
    client.wait_kind("ready");

    let call = echo_call(&switch, "echo-esl", 1000);
    call.assert_ok(&switch);
    client.wait_until("CHANNEL_HANGUP_COMPLETE", |v| {
        v["headers"]["Event-Name"] == "CHANNEL_HANGUP_COMPLETE"
    });
    let events = client.events();
    let names: Vec<&str> = events
        .iter()
        .filter_map(|e| e["Event-Name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "CHANNEL_CREATE",
            "CHANNEL_ANSWER",
            "CHANNEL_HANGUP",
            "CHANNEL_HANGUP_COMPLETE"
        ],
        "only the subscribed events, in call order"
    );
    let uuid = events[0]["Unique-ID"].as_str().expect("Unique-ID");
    assert_eq!(uuid.len(), 36, "a FreeSWITCH-style uuid: {uuid}");
    for event in &events {
        assert_eq!(event["Unique-ID"], uuid, "same channel: {event}");
        assert_eq!(event["Caller-Caller-ID-Number"], "1000", "{event}");
        assert_eq!(event["Caller-Destination-Number"], "9196", "{event}");
        assert_eq!(event["Call-Direction"], "inbound");
        assert!(event["Core-UUID"].as_str().is_some_and(|c| c.len() == 36));
        assert!(
            event["Event-Date-Timestamp"]
                .as_str()
                .and_then(|t| t.parse::<u64>().ok())
                .is_some_and(|t| t > 1_600_000_000_000_000),
            "µs timestamp: {event}"
        );
    }
    assert_eq!(events[1]["Answer-State"], "answered");
    assert_eq!(events[3]["Hangup-Cause"], "NORMAL_CLEARING");
    assert_eq!(events[3]["variable_destination_number"], "9196");
    let seq: Vec<u64> = events
        .iter()
        .filter_map(|e| e["Event-Sequence"].as_str()?.parse().ok())
        .collect();
    assert!(
        seq.windows(2).all(|w| w[0] < w[1]),
        "sequence grows: {seq:?}"
    );
    client.finish();
}

/// A call from `user` to 9196 that waits for the switch's BYE.
fn echo_call_bye_in(switch: &CallSwitch, name: &str, user: u32) -> calls::Sipp {
    let csv = switch.user_csv(user);
    let rtp = common::free_port().to_string();
    switch.sipp(
        name,
        Some(switch.conf.internal),
        "uac_auth_call_bye_in.xml",
        &[
            "-s",
            "9196",
            "-inf",
            csv.to_str().expect("path"),
            "-key",
            "rtp_port",
            &rtp,
            "-key",
            "pt",
            "0",
            "-key",
            "codec",
            "PCMU",
        ],
    )
}

fn api_body<'a>(seen: &'a [serde_json::Value], command: &str) -> &'a str {
    seen.iter()
        .find(|v| v["kind"] == "api" && v["command"] == command)
        .and_then(|v| v["body"].as_str())
        .unwrap_or_else(|| panic!("no reply to {command}: {seen:?}"))
}

#[test]
fn genesis_inspects_a_call_runs_bgapi_and_hangs_it_up_with_sendmsg() {
    let switch = CallSwitch::start(CallConf::new());
    let dir = switch.dir.path().to_owned();
    let args = esl_args(&switch, CallConf::ESL_PASSWORD);
    let mut client = Client::spawn("genesis_control.py", &strs(&args), &dir);
    client.wait_kind("ready");
    let call = echo_call_bye_in(&switch, "echo-sendmsg", 1000);
    let answered = client.wait_kind("answered");
    let uuid = answered["uuid"].as_str().expect("uuid").to_owned();
    call.assert_ok(&switch);
    let seen = client.finish();
    assert_eq!(api_body(&seen, &format!("uuid_exists {uuid}")), "true");
    assert_eq!(
        api_body(&seen, &format!("uuid_getvar {uuid} destination_number")),
        "9196"
    );
    assert_eq!(
        api_body(&seen, &format!("uuid_setvar {uuid} crm_ticket 4711")),
        "+OK\n"
    );
    assert_eq!(
        api_body(&seen, &format!("uuid_getvar {uuid} crm_ticket")),
        "4711"
    );
    let json: serde_json::Value =
        serde_json::from_str(api_body(&seen, "show channels as json")).expect("json");
    assert_eq!(json["row_count"], 1, "{json}");
    assert_eq!(json["rows"][0]["uuid"], uuid.as_str());
    assert_eq!(json["rows"][0]["dest"], "9196");
    let dump = api_body(&seen, &format!("uuid_dump {uuid}"));
    assert!(dump.contains(&format!("Unique-ID: {uuid}\n")), "{dump}");
    assert!(dump.contains("variable_crm_ticket: 4711\n"), "{dump}");
    assert_eq!(
        api_body(&seen, "no_such_command"),
        "-ERR no_such_command Command not found!\n"
    );
    let bgapi = seen.iter().find(|v| v["kind"] == "bgapi").expect("bgapi");
    let job = bgapi["job"].as_str().expect("Job-UUID header");
    assert_eq!(bgapi["reply"], format!("+OK Job-UUID: {job}").as_str());
    let done = seen
        .iter()
        .find(|v| v["kind"] == "job")
        .expect("BACKGROUND_JOB");
    assert_eq!(done["body"], "4711");
    let sendmsg = seen
        .iter()
        .find(|v| v["kind"] == "sendmsg")
        .expect("sendmsg");
    assert_eq!(sendmsg["text"], "+OK");
    let complete = seen
        .iter()
        .find(|v| v["kind"] == "complete")
        .expect("complete");
    assert_eq!(
        complete["causes"],
        serde_json::json!(["CALL_REJECTED", "CALL_REJECTED"]),
        "Hangup-Cause first and in the channel data, as FreeSWITCH sends it"
    );
    let after: Vec<&serde_json::Value> = seen
        .iter()
        .filter(|v| v["kind"] == "api" && v["command"] == format!("uuid_exists {uuid}"))
        .collect();
    assert_eq!(after.last().expect("second uuid_exists")["body"], "false");
}

#[test]
fn modesl_filter_narrows_the_stream_to_one_caller_and_bgapi_reports() {
    let switch = CallSwitch::start(CallConf::new());
    let dir = switch.dir.path().to_owned();
    let mut args = esl_args(&switch, CallConf::ESL_PASSWORD);
    args.push("1001".into());
    let mut client = Client::spawn("modesl_filter.js", &strs(&args), &dir);
    client.wait_kind("ready");
    // A call from 1000 first: filtered out. Then one from 1001: delivered.
    echo_call(&switch, "echo-1000", 500).assert_ok(&switch);
    switch
        .auth_call("echo-1001", 1001, "9196", 500, common::free_port())
        .assert_ok(&switch);
    let seen = client.finish();
    let replies: Vec<&str> = seen
        .iter()
        .filter(|v| v["kind"] == "reply")
        .filter_map(|v| v["text"].as_str())
        .collect();
    assert_eq!(
        replies,
        [
            "+OK filter added. [Caller-Caller-ID-Number]=[1001]",
            "+OK event listener enabled plain"
        ]
    );
    let job = seen.iter().find(|v| v["kind"] == "bgapi").expect("bgapi");
    assert_eq!(job["headers"]["Event-Name"], "BACKGROUND_JOB");
    assert_eq!(job["headers"]["Job-Command"], "status");
    assert!(
        job["body"].as_str().is_some_and(|b| b.starts_with("UP ")),
        "{job}"
    );
    let events: Vec<&serde_json::Value> = seen
        .iter()
        .filter(|v| v["kind"] == "event")
        .map(|v| &v["headers"])
        .collect();
    let names: Vec<&str> = events
        .iter()
        .filter_map(|e| e["Event-Name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["CHANNEL_CREATE", "CHANNEL_HANGUP_COMPLETE"],
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["Caller-Caller-ID-Number"] == "1001")
    );
}

#[test]
fn uuid_transfer_moves_an_answered_call_and_myevents_sees_only_that_call() {
    let switch = CallSwitch::start(CallConf::new());
    let dir = switch.dir.path().to_owned();
    let mut args = esl_args(&switch, CallConf::ESL_PASSWORD);
    args.insert(0, "transfer".into());
    args.push("9664".into());
    let mut client = Client::spawn("greenswitch_client.py", &strs(&args), &dir);
    client.wait_kind("ready");
    let first = echo_call_bye_in(&switch, "transferred", 1000);
    let my = client.wait_kind("myevents");
    assert_eq!(my["text"], "+OK Events Enabled");
    let uuid = my["uuid"].as_str().expect("uuid").to_owned();
    // A second call while the first is watched: its events must not reach `myevents`.
    let second = switch.auth_call("other", 1001, "9196", 1500, common::free_port());
    first.assert_ok(&switch);
    second.assert_ok(&switch);
    let seen = client.finish();
    assert_eq!(api_body(&seen, "uuid_transfer"), "+OK\n");
    assert_eq!(api_body(&seen, "uuid_kill"), "+OK\n");
    // Events only (the socket also gets its disconnect notice when the call ends).
    let mine: Vec<&serde_json::Value> = seen
        .iter()
        .filter(|v| v["kind"] == "my" && v["headers"]["Event-Name"].is_string())
        .map(|v| &v["headers"])
        .collect();
    assert!(
        mine.iter().all(|e| e["Unique-ID"] == uuid.as_str()),
        "myevents delivers only the bound call: {mine:?}"
    );
    let playback = mine
        .iter()
        .find(|e| e["Event-Name"] == "CHANNEL_EXECUTE" && e["Application"] == "playback")
        .expect("the new extension runs");
    assert_eq!(playback["Caller-Destination-Number"], "9664");
    let complete = mine
        .iter()
        .find(|e| e["Event-Name"] == "CHANNEL_HANGUP_COMPLETE")
        .expect("hangup complete");
    assert_eq!(complete["variable_destination_number"], "9664");
}

#[test]
fn a_registration_publishes_custom_sofia_register() {
    let switch = CallSwitch::start(CallConf::new());
    let dir = switch.dir.path().to_owned();
    let mut args = esl_args(&switch, CallConf::ESL_PASSWORD);
    args.insert(0, "custom".into());
    args.extend(["sofia::register".to_owned(), "sofia::unregister".to_owned()]);
    let mut client = Client::spawn("greenswitch_client.py", &strs(&args), &dir);
    let reply = client.wait_kind("reply");
    assert_eq!(reply["text"], "+OK event listener enabled plain");
    client.wait_kind("ready");
    let phone_port = common::free_port();
    switch.register(1001, phone_port);
    let event = client.wait_kind("event");
    let h = &event["headers"];
    assert_eq!(h["Event-Name"], "CUSTOM");
    assert_eq!(h["Event-Subclass"], "sofia::register");
    assert_eq!(h["profile-name"], "internal");
    assert_eq!(h["from-user"], "1001");
    assert_eq!(h["from-host"], "127.0.0.1");
    assert_eq!(h["network-ip"], "127.0.0.1");
    assert_eq!(h["network-port"], phone_port.to_string().as_str());
    assert_eq!(h["status"], "Registered(UDP)");
    assert!(
        h["expires"]
            .as_str()
            .and_then(|e| e.parse::<u32>().ok())
            .is_some_and(|e| e > 0),
        "{h}"
    );
    assert!(
        h["contact"]
            .as_str()
            .is_some_and(|c| c.contains("1001@127.0.0.1")),
        "{h}"
    );
    client.finish();
}
