//! The admin side of the event socket (issue 7) against the real binary, driven by a
//! real ESL client library (Python genesis) running a plan of commands: registrations
//! of a sipp phone in `show registrations` and `sofia status`, and the gateway
//! commands (`register`, `killgw`, `rescan`) against a sipp carrier registrar with
//! their CUSTOM `sofia::gateway_state` events.

mod calls;
mod common;
mod esl;

use calls::{CallConf, CallSwitch};
use esl::Client;

/// Runs `tests/esl/genesis_plan.py` with `steps` against `switch`.
fn plan(switch: &CallSwitch, steps: &[&str]) -> Client {
    let port = switch.conf.esl.to_string();
    let mut args = vec!["127.0.0.1", port.as_str(), CallConf::ESL_PASSWORD];
    args.extend_from_slice(steps);
    Client::spawn("genesis_plan.py", &args, switch.dir.path())
}

/// The body of the `api` step running `command`.
fn body(client: &mut Client, command: &str) -> String {
    let line = client.wait_until(command, |v| v["kind"] == "api" && v["command"] == command);
    line["body"].as_str().expect("api body").to_owned()
}

/// A `sofia status` row as mod_sofia prints it (right-aligned columns, tabs).
fn status_row(name: &str, kind: &str, data: &str, state: &str) -> String {
    format!("{name:>25}\t{kind:>7}\t{data:>42}\t{state}\n")
}

#[test]
fn registrations_and_sofia_status_show_a_registered_phone() {
    let switch = CallSwitch::start(CallConf::new());
    let phone = common::free_port();
    switch.register(1001, phone);
    let mut client = plan(
        &switch,
        &[
            "api:show registrations",
            "api:show registrations as json",
            "api:sofia status",
            "api:sofia status profile internal reg",
            "api:sofia status profile internal reg 1001",
            "api:sofia status profile internal reg 1999",
            "api:sofia status profile internal",
            "api:sofia status profile nope",
            "api:sofia_contact 1001",
            "api:sofia_contact internal/1005@127.0.0.1",
        ],
    );

    let csv = body(&mut client, "show registrations");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "reg_user,realm,token,url,expires,network_ip,network_port,network_proto,hostname,metadata"
    );
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(row[0], "1001", "{csv}");
    assert_eq!(row[1], "127.0.0.1");
    assert!(
        row[3].starts_with(&format!("sofia/internal/sip:1001@127.0.0.1:{phone}")),
        "{csv}"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let expires: u64 = row[4].parse().expect("expires epoch");
    assert!(
        expires > now && expires <= now + 3600,
        "expiry in the next hour: {csv}"
    );
    assert_eq!(&row[5..8], ["127.0.0.1", phone.to_string().as_str(), "udp"]);
    assert!(csv.ends_with("\n\n1 total.\n"), "{csv:?}");

    let json: serde_json::Value =
        serde_json::from_str(&body(&mut client, "show registrations as json")).expect("json");
    assert_eq!(json["row_count"], 1);
    assert_eq!(json["rows"][0]["reg_user"], "1001");
    assert_eq!(json["rows"][0]["network_port"], phone.to_string());

    let status = body(&mut client, "sofia status");
    let internal = switch.conf.internal;
    let external = switch.conf.external;
    for row in [
        status_row("127.0.0.1", "alias", "internal", "ALIASED"),
        status_row(
            "internal",
            "profile",
            &format!("sip:mod_sofia@127.0.0.1:{internal}"),
            "RUNNING (0)",
        ),
        status_row(
            "external",
            "profile",
            &format!("sip:mod_sofia@127.0.0.1:{external}"),
            "RUNNING (0)",
        ),
        status_row(
            "external::outbound",
            "gateway",
            "sip:witswitch@carrier.test",
            "NOREG",
        ),
    ] {
        assert!(status.contains(&row), "{row:?} in\n{status}");
    }
    assert!(status.ends_with("\n2 profiles 1 alias\n"), "{status}");

    let reg = body(&mut client, "sofia status profile internal reg");
    for line in [
        "User:       \t1001@127.0.0.1\n",
        "Agent:      \tsipp-witswitch-test\n",
        "IP:         \t127.0.0.1\n",
        &format!("Port:       \t{phone}\n"),
        "Auth-User:  \t1001\n",
        "Total items returned: 1\n",
    ] {
        assert!(reg.contains(line), "{line:?} in\n{reg}");
    }
    assert!(
        reg.contains("Status:     \tRegistered(UDP)(unknown) EXP("),
        "{reg}"
    );
    assert_eq!(
        body(&mut client, "sofia status profile internal reg 1001"),
        reg
    );
    let none = body(&mut client, "sofia status profile internal reg 1999");
    assert!(none.contains("Total items returned: 0\n"), "{none}");
    let info = body(&mut client, "sofia status profile internal");
    assert!(info.contains("REGISTRATIONS    \t1\n"), "{info}");
    assert!(info.contains("Context          \tpublic\n"), "{info}");
    assert_eq!(
        body(&mut client, "sofia status profile nope"),
        "Invalid Profile!\n"
    );
    let contact = body(&mut client, "sofia_contact 1001");
    assert!(
        contact.starts_with(&format!("sofia/internal/sip:1001@127.0.0.1:{phone}")),
        "{contact}"
    );
    assert_eq!(
        body(&mut client, "sofia_contact internal/1005@127.0.0.1"),
        "error/user_not_registered"
    );
    client.wait_kind("done");
    client.finish();
}

#[test]
fn gateway_commands_drive_the_registration_and_publish_gateway_state() {
    let mut conf = CallConf::new();
    conf.gateway_register = true;
    let carrier_port = conf.carrier;
    let switch = CallSwitch::start(conf);
    // The carrier's registrar; `-m 10`: every gateway instance (rescan makes a new
    // one) registers with its own Call-ID.
    let carrier = switch.sipp_at(
        "registrar",
        None,
        carrier_port,
        "uas_registrar.xml",
        &["-m", "10"],
    );
    let mut client = plan(
        &switch,
        &[
            "send:event plain CUSTOM sofia::gateway_state",
            "api:sofia profile external register outbound",
            "wait:Gateway=outbound,State=REGED",
            "api:sofia status",
            "api:sofia status gateway outbound",
            "api:sofia profile external killgw outbound",
            "wait:Gateway=outbound,State=UNREGISTER",
            "api:sofia status gateway outbound",
            "api:sofia profile external killgw outbound",
            "api:sofia profile external rescan",
            "wait:Gateway=outbound,State=REGED",
            "api:sofia status gateway external::outbound",
            "api:sofia profile external register nope",
        ],
    );
    let reply = client.wait_kind("reply");
    assert_eq!(reply["text"], "+OK event listener enabled plain");
    assert_eq!(
        body(&mut client, "sofia profile external register outbound"),
        "+OK\n"
    );
    let reged = client.wait_kind("waited");
    let headers = &reged["headers"];
    assert_eq!(headers["Event-Name"], "CUSTOM");
    assert_eq!(headers["Event-Subclass"], "sofia::gateway_state");
    assert_eq!(headers["Ping-Status"], "UP");

    let status = body(&mut client, "sofia status");
    assert!(
        status.contains(&status_row(
            "external::outbound",
            "gateway",
            "sip:witswitch@carrier.test",
            "REGED"
        )),
        "{status}"
    );
    let detail = body(&mut client, "sofia status gateway outbound");
    for line in [
        "Name    \toutbound\n",
        "Profile \texternal\n",
        "Realm   \tcarrier.test\n",
        "Username\twitswitch\n",
        "Password\tyes\n",
        "Freq    \t120\n",
        "State   \tREGED\n",
        "Status  \tUP\n",
    ] {
        assert!(detail.contains(line), "{line:?} in\n{detail}");
    }

    assert_eq!(
        body(&mut client, "sofia profile external killgw outbound"),
        "+OK gateway marked for deletion.\n"
    );
    let unregister = client.wait_kind("waited");
    assert_eq!(unregister["headers"]["Ping-Status"], "DOWN");
    // The un-REGISTER (Expires: 0) reached the carrier.
    carrier.wait_logged("register 0");
    assert_eq!(
        body(&mut client, "sofia status gateway outbound"),
        "Invalid Gateway!\n"
    );
    assert_eq!(
        body(&mut client, "sofia profile external killgw outbound"),
        "-ERR no such gateway.\n"
    );
    assert_eq!(
        body(&mut client, "sofia profile external rescan"),
        "+OK scan complete\n"
    );
    client.wait_kind("waited");
    let detail = body(&mut client, "sofia status gateway external::outbound");
    assert!(detail.contains("State   \tREGED\n"), "{detail}");
    assert_eq!(
        body(&mut client, "sofia profile external register nope"),
        "Invalid gateway!\n"
    );
    client.wait_kind("done");
    let seen = client.finish();
    // The states the client saw, in order, from the rescan's new gateway.
    let states: Vec<&str> = seen
        .iter()
        .filter(|v| v["kind"] == "event")
        .filter_map(|v| v["headers"]["State"].as_str())
        .collect();
    let after_kill = states
        .iter()
        .position(|s| *s == "UNREGISTER")
        .expect("UNREGISTER seen");
    assert_eq!(
        states[after_kill + 1..],
        ["UNREGED", "TRYING", "REGISTER", "REGED"],
        "{states:?}"
    );
}
