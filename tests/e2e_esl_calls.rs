//! Call control over the event socket (issue 7): API `originate` (`bgapi` with
//! BACKGROUND_JOB) from a real ESL client library against the real binary, to a sipp
//! phone that answers, with `&app()` and with an extension of the dialplan.

mod calls;
mod common;
mod esl;

use calls::{CallConf, CallSwitch, strs};
use esl::Client;

/// sipp answering as a phone on `port` (PCMU), waiting for the switch's BYE.
fn answering_phone(switch: &CallSwitch, name: &str, port: u16) -> calls::Sipp {
    let rtp = common::free_port().to_string();
    switch.sipp_at(
        name,
        None,
        port,
        "uas_answer.xml",
        &[
            "-key", "rtp_port", &rtp, "-key", "pt", "0", "-key", "codec", "PCMU",
        ],
    )
}

/// Runs greenswitch_originate.py: `bgapi originate <originate>`, kill after `app`.
fn originate(switch: &CallSwitch, app: &str, originate: &str) -> Vec<serde_json::Value> {
    let mut args = vec![
        "127.0.0.1".to_owned(),
        switch.conf.esl.to_string(),
        CallConf::ESL_PASSWORD.to_owned(),
        app.to_owned(),
    ];
    args.extend(originate.split(' ').map(str::to_owned));
    let dir = switch.dir.path().to_owned();
    let client = Client::spawn("greenswitch_originate.py", &strs(&args), &dir);
    client.finish()
}

fn line<'a>(seen: &'a [serde_json::Value], kind: &str) -> &'a serde_json::Value {
    seen.iter()
        .find(|v| v["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} line: {seen:?}"))
}

/// The originated channel's events (the client prints only those of its uuid).
fn events(seen: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    seen.iter()
        .filter(|v| v["kind"] == "event")
        .map(|v| &v["headers"])
        .collect()
}

fn names<'a>(events: &[&'a serde_json::Value]) -> Vec<&'a str> {
    events
        .iter()
        .filter_map(|e| e["Event-Name"].as_str())
        .collect()
}

/// The uuid of a `+OK <uuid>` job body.
fn job_uuid(seen: &[serde_json::Value]) -> String {
    let body = line(seen, "job")["body"].as_str().expect("job body");
    let uuid = body
        .strip_prefix("+OK ")
        .unwrap_or_else(|| panic!("originate failed: {body}"));
    assert_eq!(uuid.len(), 36, "{body}");
    uuid.to_owned()
}

#[test]
fn bgapi_originate_to_a_registered_user_runs_echo_and_reports_the_uuid() {
    let switch = CallSwitch::start(CallConf::new());
    let phone_port = common::free_port();
    switch.register(1001, phone_port);
    let phone = answering_phone(&switch, "phone1001", phone_port);
    let seen = originate(
        &switch,
        "echo",
        "{origination_caller_id_number=4711,crm_id=77}user/1001 &echo()",
    );
    assert_eq!(
        line(&seen, "api")["body"],
        "-ERR USER_NOT_REGISTERED\n",
        "an unregistered user fails at once: {seen:?}"
    );
    let job = line(&seen, "bgapi");
    assert!(job["job"].as_str().is_some_and(|j| j.len() == 36), "{job}");
    let uuid = job_uuid(&seen);
    let events = events(&seen);
    assert_eq!(
        names(&events),
        [
            "CHANNEL_CREATE",
            "CHANNEL_ANSWER",
            "CHANNEL_EXECUTE",
            "CHANNEL_HANGUP_COMPLETE"
        ],
        "{events:?}"
    );
    for event in &events {
        assert_eq!(event["Unique-ID"], uuid.as_str());
        assert_eq!(event["Call-Direction"], "outbound", "{event}");
    }
    assert_eq!(events[2]["Application"], "echo");
    assert_eq!(events[3]["Hangup-Cause"], "NORMAL_CLEARING");
    assert_eq!(
        events[3]["variable_crm_id"], "77",
        "{{vars}} on the channel"
    );
    let from = phone.wait_logged("from ");
    assert!(from.contains("sip:4711@"), "origination caller id: {from}");
    phone.assert_ok(&switch);
}

#[test]
fn bgapi_originate_to_an_extension_routes_the_answered_leg_through_the_dialplan() {
    let switch = CallSwitch::start(CallConf::new());
    let phone_port = common::free_port();
    let phone = answering_phone(&switch, "phone", phone_port);
    let seen = originate(
        &switch,
        "echo",
        &format!("sofia/internal/2000@127.0.0.1:{phone_port} 9196 XML default Dialer 5550100"),
    );
    let uuid = job_uuid(&seen);
    let events = events(&seen);
    let executed: Vec<&str> = events
        .iter()
        .filter(|e| e["Event-Name"] == "CHANNEL_EXECUTE")
        .filter_map(|e| e["Application"].as_str())
        .collect();
    assert_eq!(executed, ["answer", "echo"], "9196 of the example dialplan");
    let echo = events
        .iter()
        .find(|e| e["Application"] == "echo")
        .expect("echo");
    assert_eq!(echo["Unique-ID"], uuid.as_str());
    assert_eq!(echo["Caller-Destination-Number"], "9196");
    assert_eq!(echo["Caller-Caller-ID-Number"], "5550100");
    assert_eq!(echo["Caller-Context"], "default");
    let from = phone.wait_logged("from ");
    assert!(from.contains("\"Dialer\""), "cid_name argument: {from}");
    phone.assert_ok(&switch);
}

#[test]
fn originate_to_a_dead_address_fails_with_the_freeswitch_cause() {
    let switch = CallSwitch::start(CallConf::new());
    // Nobody listens there: the INVITE times out or is refused by ICMP.
    let dead = common::free_port();
    let seen = originate(
        &switch,
        "echo",
        &format!("{{originate_timeout=3}}sofia/internal/2000@127.0.0.1:{dead} &echo()"),
    );
    let body = line(&seen, "job")["body"]
        .as_str()
        .expect("body")
        .to_owned();
    assert!(
        [
            "-ERR NO_ANSWER",
            "-ERR DESTINATION_OUT_OF_ORDER",
            "-ERR RECOVERY_ON_TIMER_EXPIRE",
            "-ERR NORMAL_TEMPORARY_FAILURE"
        ]
        .contains(&body.as_str()),
        "{body}"
    );
}

fn esl_args(switch: &CallSwitch) -> Vec<String> {
    vec![
        "127.0.0.1".to_owned(),
        switch.conf.esl.to_string(),
        CallConf::ESL_PASSWORD.to_owned(),
    ]
}

fn api_bodies<'a>(seen: &'a [serde_json::Value], command: &str) -> Vec<&'a str> {
    seen.iter()
        .filter(|v| v["kind"] == "api" && v["command"] == command)
        .filter_map(|v| v["body"].as_str())
        .collect()
}

#[test]
fn greenswitch_records_bridges_and_transfers_both_legs_of_originated_calls() {
    let switch = CallSwitch::start(CallConf::new());
    let (port1, port2) = (common::free_port(), common::free_port());
    let phone1 = answering_phone(&switch, "phone1", port1);
    let phone2 = answering_phone(&switch, "phone2", port2);
    let path = switch.dir.path().join("uuid-record.wav");
    let mut args = esl_args(&switch);
    args.extend([
        format!("sofia/internal/2001@127.0.0.1:{port1}"),
        format!("sofia/internal/2002@127.0.0.1:{port2}"),
        path.to_str().expect("path").to_owned(),
        "9196".to_owned(),
    ]);
    let dir = switch.dir.path().to_owned();
    let seen = Client::spawn("greenswitch_call_control.py", &strs(&args), &dir).finish();
    let originated = api_bodies(&seen, "originate");
    let uuids: Vec<&str> = originated
        .iter()
        .filter_map(|b| b.strip_prefix("+OK "))
        .map(str::trim)
        .collect();
    assert_eq!(uuids.len(), 2, "{originated:?}");
    assert_eq!(api_bodies(&seen, "uuid_answer"), ["+OK\n"]);
    assert_eq!(
        api_bodies(&seen, "uuid_record"),
        [
            "+OK Success\n",
            "+OK Success\n",
            "+OK Success\n",
            "-ERR the channel records no such file\n",
            "+OK Success\n"
        ],
        "start, mask, unmask, mask of a file not recorded, stop"
    );
    assert_eq!(
        api_bodies(&seen, "uuid_bridge"),
        [
            format!("+OK {}\n", uuids[1]).as_str(),
            "-ERR Invalid uuid\n"
        ]
    );
    assert_eq!(api_bodies(&seen, "uuid_transfer"), ["+OK\n"]);
    assert_eq!(api_bodies(&seen, "uuid_kill"), ["+OK\n", "+OK\n"]);
    let events = events(&seen);
    let bridge = events
        .iter()
        .find(|e| e["Event-Name"] == "CHANNEL_BRIDGE")
        .expect("CHANNEL_BRIDGE");
    assert_eq!(bridge["Bridge-A-Unique-ID"], uuids[0]);
    assert_eq!(bridge["Bridge-B-Unique-ID"], uuids[1]);
    for uuid in &uuids {
        let unbridged = events
            .iter()
            .any(|e| e["Event-Name"] == "CHANNEL_UNBRIDGE" && e["Unique-ID"] == *uuid);
        assert!(unbridged, "the transfer ends the bridge of {uuid}");
        let echo = events
            .iter()
            .find(|e| e["Application"] == "echo" && e["Unique-ID"] == *uuid)
            .expect("both legs reach 9196");
        assert_eq!(echo["Caller-Destination-Number"], "9196");
    }
    let wav = std::fs::metadata(&path).expect("the recording exists");
    assert!(wav.len() > 44, "a WAV header and some audio");
    phone1.assert_ok(&switch);
    phone2.assert_ok(&switch);
}

#[test]
fn modesl_executes_an_app_on_a_parked_call_and_hangs_it_up_with_sendmsg() {
    let switch = CallSwitch::start(CallConf::new());
    let port = common::free_port();
    let phone = answering_phone(&switch, "phone", port);
    let mut args = esl_args(&switch);
    args.push(format!("sofia/internal/2001@127.0.0.1:{port}"));
    let dir = switch.dir.path().to_owned();
    let seen = Client::spawn("modesl_execute.js", &strs(&args), &dir).finish();
    let body = api_bodies(&seen, "originate")[0];
    let uuid = body.trim().strip_prefix("+OK ").expect("originated");
    let executed = &line(&seen, "executed")["headers"];
    assert_eq!(executed["Event-Name"], "CHANNEL_EXECUTE_COMPLETE");
    assert_eq!(executed["Application"], "playback");
    assert_eq!(executed["Unique-ID"], uuid);
    assert_eq!(line(&seen, "sendmsg")["text"], "+OK");
    let complete = &line(&seen, "complete")["headers"];
    assert_eq!(complete["Hangup-Cause"], "CALL_REJECTED", "{complete}");
    phone.assert_ok(&switch);
}

#[test]
fn channel_state_and_callstate_events_follow_a_call() {
    let switch = CallSwitch::start(CallConf::new());
    let mut args = vec!["events".to_owned()];
    args.extend(esl_args(&switch));
    args.extend(
        [
            "CHANNEL_STATE",
            "CHANNEL_CALLSTATE",
            "CHANNEL_HANGUP_COMPLETE",
        ]
        .map(str::to_owned),
    );
    let dir = switch.dir.path().to_owned();
    let mut client = Client::spawn("greenswitch_client.py", &strs(&args), &dir);
    client.wait_kind("ready");
    let call = switch.auth_call("echo", 1000, "9196", 500, common::free_port());
    call.assert_ok(&switch);
    client.wait_until("CHANNEL_HANGUP_COMPLETE", |v| {
        v["headers"]["Event-Name"] == "CHANNEL_HANGUP_COMPLETE"
    });
    let events = client.events();
    let states: Vec<&str> = events
        .iter()
        .filter(|e| e["Event-Name"] == "CHANNEL_STATE")
        .filter_map(|e| e["Channel-State"].as_str())
        .collect();
    assert_eq!(
        states,
        ["CS_ROUTING", "CS_EXECUTE", "CS_HANGUP", "CS_REPORTING"],
        "CS_DESTROY follows HANGUP_COMPLETE: {events:?}"
    );
    let calls: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["Event-Name"] == "CHANNEL_CALLSTATE")
        .filter_map(|e| {
            Some((
                e["Original-Channel-Call-State"].as_str()?,
                e["Channel-Call-State"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(
        calls,
        [("DOWN", "ACTIVE"), ("ACTIVE", "HANGUP")],
        "{events:?}"
    );
    for event in events
        .iter()
        .filter(|e| e["Event-Name"] != "CHANNEL_HANGUP_COMPLETE")
    {
        assert_eq!(event["Caller-Destination-Number"], "9196", "{event}");
        assert!(
            event.get("variable_uuid").is_none(),
            "no variables, as FreeSWITCH: {event}"
        );
    }
    client.finish();
}
