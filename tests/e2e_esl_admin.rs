//! The admin side of the event socket (issue 7) against the real binary, driven by a
//! real ESL client library (Python genesis) running a plan of commands: registrations
//! of a sipp phone in `show registrations` and `sofia status`, and the gateway
//! commands (`register`, `killgw`, `rescan`) against a sipp carrier registrar with
//! their CUSTOM `sofia::gateway_state` events; global variables, `regex`, `fsctl`,
//! `reloadxml`. Scripts and log streaming: `e2e_esl_scripts.rs`.

mod calls;
mod common;
mod esl;

use calls::{CallConf, CallSwitch};
use esl::{body, edit_conf, mark, plan};

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

#[test]
fn global_vars_regex_and_fsctl_loglevel() {
    let switch = CallSwitch::start(CallConf::new());
    let traced = switch.dir.path().join("traced").display().to_string();
    let mut client = plan(
        &switch,
        &[
            "api:global_getvar domain",
            "api:global_setvar crm_site=berlin",
            "api:global_getvar crm_site",
            "api:regex 1001|^(10[01][0-9])$|user/$1",
            "api:regex 555|^(10[01][0-9])$",
            "api:fsctl loglevel debug",
            &format!("waitfile:{traced}"),
            "api:fsctl loglevel warning",
            "api:fsctl loglevel loud",
        ],
    );
    assert_eq!(body(&mut client, "global_getvar domain"), "127.0.0.1");
    assert_eq!(body(&mut client, "global_setvar crm_site=berlin"), "+OK");
    assert_eq!(body(&mut client, "global_getvar crm_site"), "berlin");
    assert_eq!(
        body(&mut client, "regex 1001|^(10[01][0-9])$|user/$1"),
        "user/1001"
    );
    assert_eq!(body(&mut client, "regex 555|^(10[01][0-9])$"), "false");
    assert!(
        !switch.log().contains("[DEBUG]"),
        "the switch starts at info"
    );
    assert_eq!(
        body(&mut client, "fsctl loglevel debug"),
        "+OK log level: DEBUG [7]\n"
    );
    // At debug every SIP message is traced: an OPTIONS shows up in the log.
    let probe = common::probe_socket("127.0.0.1");
    let to = std::net::SocketAddr::from(([127, 0, 0, 1], switch.conf.internal));
    assert_eq!(
        common::options_udp(&probe, to, std::time::Duration::from_secs(5)),
        Some(200)
    );
    switch.wait_for_log("[DEBUG]");
    mark(&switch, "traced");
    assert_eq!(
        body(&mut client, "fsctl loglevel warning"),
        "+OK log level: WARNING [4]\n"
    );
    assert!(
        body(&mut client, "fsctl loglevel loud").starts_with("-USAGE: "),
        "a bad level is refused"
    );
    client.wait_kind("done");
    client.finish();
    // Back at warning: SIP traffic is not traced any more.
    let debug_lines = switch.log().matches("[DEBUG]").count();
    assert_eq!(
        common::options_udp(&probe, to, std::time::Duration::from_secs(5)),
        Some(200)
    );
    assert_eq!(switch.log().matches("[DEBUG]").count(), debug_lines);
}

#[test]
fn reloadxml_applies_users_vars_and_limits_live_and_keeps_the_config_on_errors() {
    let switch = CallSwitch::start(CallConf::new());
    let dir = switch.dir.path().to_owned();
    let step1 = dir.join("step1").display().to_string();
    let step2 = dir.join("step2").display().to_string();
    let mut client = plan(
        &switch,
        &[
            "send:event plain RELOADXML",
            "api:reloadxml",
            &format!("waitfile:{step1}"),
            "api:reloadxml",
            "wait:Event-Name=RELOADXML",
            "api:global_getvar reload_probe",
            "api:fsctl max_sessions",
            &format!("waitfile:{step2}"),
            "api:reloadacl",
            "api:global_getvar reload_probe",
        ],
    );
    assert_eq!(body(&mut client, "reloadxml"), "+OK [Success]\n");
    // Changes: a variable, the session limit, a new user, and a profile port (which
    // cannot change live).
    edit_conf(
        &switch,
        "witswitch.toml",
        "[vars]\n",
        "[vars]\nreload_probe = \"v2\"\n",
    );
    edit_conf(
        &switch,
        "witswitch.toml",
        "max-sessions = 100",
        "max-sessions = 7",
    );
    let users = dir.join("conf/directory/default.toml");
    let mut text = std::fs::read_to_string(&users).expect("directory");
    text.push_str(&format!(
        "\n[users.\"1050\"]\npassword = {:?}\n",
        CallConf::password(1050)
    ));
    std::fs::write(&users, text).expect("write directory");
    let port = switch.conf.internal;
    edit_conf(
        &switch,
        "profiles/internal.toml",
        &format!("sip-port = {port}"),
        &format!("sip-port = {}", common::free_port()),
    );
    mark(&switch, "step1");
    let reply = client.wait_until("second reloadxml", |v| {
        v["kind"] == "api" && v["command"] == "reloadxml" && v["body"] != "+OK [Success]\n"
    });
    let reply = reply["body"].as_str().expect("body").to_owned();
    assert!(reply.starts_with("+OK [Success]\napplied: "), "{reply}");
    for part in [
        "vars: +reload_probe",
        "max-sessions 7",
        "users: +1050@127.0.0.1",
        "needs restart: profiles: ~internal",
    ] {
        assert!(reply.contains(part), "{part:?} in {reply}");
    }
    client.wait_kind("waited");
    assert_eq!(body(&mut client, "global_getvar reload_probe"), "v2");
    assert_eq!(
        body(&mut client, "fsctl max_sessions"),
        "+OK max sessions: 7\n"
    );
    // A broken file: the reload is refused with the parse error, nothing changes.
    edit_conf(&switch, "witswitch.toml", "[core]", "[core\n");
    mark(&switch, "step2");
    let refused = body(&mut client, "reloadacl");
    assert!(refused.starts_with("-ERR "), "{refused}");
    assert!(
        refused.contains("witswitch.toml"),
        "names the file: {refused}"
    );
    client.wait_until("getvar after the refused reload", |v| {
        v["kind"] == "api" && v["command"] == "global_getvar reload_probe"
    });
    let last = client
        .seen
        .iter()
        .rev()
        .find(|v| v["command"] == "global_getvar reload_probe")
        .expect("getvar line");
    assert_eq!(last["body"], "v2");
    client.wait_kind("done");
    client.finish();
    // The new user registers with the password the reload brought in (still on
    // the old port: the profile did not restart).
    switch.register(1050, common::free_port());
}

#[test]
fn fsctl_shutdown_elegant_refuses_new_calls_and_stops_after_the_last_one() {
    let switch = CallSwitch::start(CallConf::new());
    let echo = switch.auth_call("echo", 1000, "9196", 6000, common::free_port());
    let step1 = switch.dir.path().join("step1").display().to_string();
    let mut client = plan(
        &switch,
        &[
            "api:fsctl shutdown cancel",
            "api:show channels count",
            "api:fsctl shutdown elegant",
            &format!("waitfile:{step1}"),
            "api:fsctl shutdown cancel",
            "api:fsctl max_sessions",
            "api:fsctl shutdown elegant",
        ],
    );
    assert_eq!(
        body(&mut client, "fsctl shutdown cancel"),
        "-ERR no shutdown pending\n"
    );
    echo.switch_rtp();
    assert_eq!(body(&mut client, "fsctl shutdown elegant"), "+OK\n");
    let busy = switch.sipp(
        "refused",
        Some(switch.conf.external),
        "uac_503.xml",
        &["-s", "1005", "-key", "pt", "0", "-key", "codec", "PCMU"],
    );
    busy.assert_ok(&switch);
    mark(&switch, "step1");
    assert_eq!(body(&mut client, "fsctl shutdown cancel"), "+OK\n");
    assert_eq!(
        body(&mut client, "fsctl max_sessions"),
        "+OK max sessions: 100\n"
    );
    assert_eq!(body(&mut client, "fsctl shutdown elegant"), "+OK\n");
    client.wait_kind("done");
    drop(client);
    // The live call finishes normally, then the switch stops by itself.
    echo.assert_ok(&switch);
    switch.wait_for_log("elegant shutdown: the last call ended");
    switch.wait_for_log("shutting down");
}

#[test]
fn reloadxml_maps_a_context_to_another_dialplan_live() {
    let mut conf = CallConf::new();
    conf.extra_guests = vec![("trap".into(), "fault_trap".into())];
    conf.extra_scripts_toml = "[scripts.trap]\nworld = \"dialplan\"\n".into();
    let switch = CallSwitch::start(conf);
    let step1 = switch.dir.path().join("step1").display().to_string();
    let mut client = plan(
        &switch,
        &[
            "send:event plain CUSTOM witswitch::script",
            &format!("waitfile:{step1}"),
            "api:reloadxml",
            "wait:Action=trapped,Script-Name=trap",
        ],
    );
    client.wait_kind("reply");
    // Calls on `external` (context public) go to the trapping script from now on.
    edit_conf(
        &switch,
        "scripts.toml",
        "public = \"dialplan\"",
        "public = \"trap\"",
    );
    mark(&switch, "step1");
    let reply = body(&mut client, "reloadxml");
    assert!(reply.contains("contexts: ~public"), "{reply}");
    assert!(!reply.contains("needs restart"), "{reply}");
    let refused = switch.sipp(
        "trapped",
        Some(switch.conf.external),
        "uac_refused.xml",
        &["-s", "4444", "-key", "pt", "0", "-key", "codec", "PCMU"],
    );
    refused.assert_ok(&switch);
    client.wait_kind("waited");
    client.wait_kind("done");
    client.finish();
}
