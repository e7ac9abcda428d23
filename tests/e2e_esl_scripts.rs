//! The script and logging side of the event socket's admin commands (issue 7)
//! against the real binary: `script status`, `script reload` and the CUSTOM
//! `witswitch::script` lifecycle events, `global_setvar` reaching the scripts, and
//! log streaming (`log <level>`, `witswitch cli` `/log`) with the fail2ban line.

mod calls;
mod common;
mod esl;

use calls::{CallConf, CallSwitch};
use esl::{Client, body, mark, plan};

/// Replaces a script file of the switch the way a deploy does (write aside, rename),
/// so the watcher never sees half a file.
fn deploy_script(switch: &CallSwitch, script: &str, bytes: &[u8]) {
    let scripts = switch.dir.path().join("conf/scripts");
    let aside = scripts.join(format!(".{script}.wasm.tmp"));
    std::fs::write(&aside, bytes).expect("write script");
    std::fs::rename(&aside, scripts.join(format!("{script}.wasm"))).expect("deploy script");
}

/// The `script status` row of `name`, split into its columns.
fn script_row(status: &str, name: &str) -> Vec<String> {
    status
        .lines()
        .find(|l| l.starts_with(&format!("{name},")))
        .unwrap_or_else(|| panic!("no {name} row in {status}"))
        .split(',')
        .map(str::to_owned)
        .collect()
}

#[test]
fn script_lifecycle_events_status_and_reload() {
    let mut conf = CallConf::new();
    // Calls on `external` are routed by a script that traps.
    conf.extra_guests = vec![("trap".into(), "fault_trap".into())];
    conf.extra_scripts_toml = "[scripts.trap]\nworld = \"dialplan\"\n".into();
    conf.extra_contexts = vec![("trapping".into(), "trap".into())];
    conf.external_context = "trapping".into();
    let switch = CallSwitch::start(conf);
    let dir = switch.dir.path().to_owned();
    let step = |n: u32| format!("waitfile:{}", dir.join(format!("step{n}")).display());
    let mut client = plan(
        &switch,
        &[
            "send:event plain CUSTOM witswitch::script",
            "api:script status",
            &step(1),
            "wait:Action=reloaded,Script-Name=ivr",
            &step(2),
            "wait:Action=failed,Script-Name=dialplan",
            "api:script status",
            "api:script reload dialplan",
            "api:script reload nope",
            &step(3),
            "wait:Action=trapped,Script-Name=trap",
        ],
    );
    let first = client.wait_until("script status", |v| v["command"] == "script status");
    let first = first["body"].as_str().expect("body").to_owned();
    assert!(
        first.starts_with(
            "name,kind,version,loaded_at,path,last_error_at,last_error_kind,last_error\n"
        ),
        "{first}"
    );
    assert!(first.ends_with("\n\n4 total.\n"), "{first}");
    let dialplan = script_row(&first, "dialplan");
    assert_eq!(dialplan[1], "dialplan");
    assert_eq!(dialplan[2].len(), 64, "sha-256 version: {dialplan:?}");
    assert_eq!(dialplan[7], "", "no error yet");
    let ivr_before = script_row(&first, "ivr")[2].clone();

    // A new IVR version: reloaded event with old and new versions.
    let guests = common::repo_root().join("build/guests");
    let new_ivr = std::fs::read(guests.join("record_and_bridge.wasm")).expect("guest");
    deploy_script(&switch, "ivr", &new_ivr);
    mark(&switch, "step1");
    let reloaded = client.wait_kind("waited");
    let headers = &reloaded["headers"];
    assert_eq!(headers["Event-Name"], "CUSTOM");
    assert_eq!(headers["Event-Subclass"], "witswitch::script");
    assert_eq!(headers["Script-Old-Version"], ivr_before.as_str());
    assert_ne!(headers["Script-Version"], ivr_before.as_str());

    // A broken dialplan: failed event, the status keeps the old version and shows
    // the error, and the old version keeps routing calls.
    deploy_script(&switch, "dialplan", b"not a component");
    mark(&switch, "step2");
    let failed = client.wait_kind("waited");
    assert_eq!(failed["headers"]["Error-Kind"], "Compile", "{failed}");
    let after = client.wait_until("second script status", |v| {
        v["command"] == "script status" && v["body"] != first.as_str()
    });
    let row = script_row(after["body"].as_str().expect("body"), "dialplan");
    assert_eq!(row[2], dialplan[2], "old version still live");
    assert_eq!(row[6], "Compile", "{row:?}");
    assert!(!row[7].is_empty(), "{row:?}");
    assert!(
        body(&mut client, "script reload dialplan").starts_with("-ERR "),
        "still broken"
    );
    assert_eq!(
        body(&mut client, "script reload nope"),
        "-ERR no script nope\n"
    );
    let call = switch.auth_call("still-routed", 1000, "9196", 500, common::free_port());
    call.assert_ok(&switch);

    // A call into the trapping dialplan: trapped event with the call's uuid.
    mark(&switch, "step3");
    let refused = switch.sipp(
        "trapped",
        Some(switch.conf.external),
        "uac_refused.xml",
        &["-s", "4444", "-key", "pt", "0", "-key", "codec", "PCMU"],
    );
    refused.assert_ok(&switch);
    let trapped = client.wait_kind("waited");
    assert_eq!(trapped["headers"]["Error-Kind"], "Trap", "{trapped}");
    assert_eq!(
        trapped["headers"]["Unique-ID"].as_str().map(str::len),
        Some(36)
    );
    client.wait_kind("done");
    client.finish();
}

#[test]
fn log_streaming_delivers_the_register_failure_line() {
    let switch = CallSwitch::start(CallConf::new());
    let port = switch.conf.esl.to_string();
    let expect = "SIP auth failure (REGISTER) on sofia profile 'internal' for [1002@127.0.0.1]";
    let mut client = Client::spawn(
        "greenswitch_log.py",
        &["127.0.0.1", &port, CallConf::ESL_PASSWORD, "debug", expect],
        switch.dir.path(),
    );
    let reply = client.wait_kind("reply");
    assert_eq!(reply["text"], "+OK log level debug [7]");
    client.wait_kind("ready");
    register_with_a_wrong_password(&switch, 1002);
    let line = client.wait_until("the auth failure log line", |v| {
        v["kind"] == "log" && v["body"].as_str().is_some_and(|b| b.contains(expect))
    });
    let headers = &line["headers"];
    assert_eq!(headers["Content-Type"], "log/data");
    assert_eq!(headers["Log-Level"], "4", "WARNING: {line}");
    assert!(
        headers["Log-File"]
            .as_str()
            .is_some_and(|f| f.ends_with(".rs"))
    );
    assert!(
        headers["Log-Line"]
            .as_str()
            .is_some_and(|l| l.parse::<u32>().is_ok())
    );
    let body = line["body"].as_str().expect("body");
    assert!(body.contains(" [WARNING] "), "{body}");
    assert!(
        body.ends_with(&format!("{expect} from ip 127.0.0.1\n")),
        "{body:?}"
    );
    let replies: Vec<String> = client
        .finish()
        .iter()
        .filter(|v| v["kind"] == "reply")
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        replies[1..],
        ["+OK no longer logging", "-ERR not loging"],
        "{replies:?}"
    );
    // The log file keeps the fail2ban line.
    switch.wait_for_log(&format!("{expect} from ip 127.0.0.1"));
}

#[test]
fn global_setvar_reaches_the_scripts() {
    // The socket-route dialplan sends every call to `${esl_app_server}`: start it at
    // an address where nothing listens, then point it at a live server.
    let mut conf = CallConf::new();
    conf.extra_guests = vec![("socket_route".into(), "socket_route".into())];
    conf.extra_scripts_toml = "[scripts.socket_route]\nworld = \"dialplan\"\n".into();
    conf.extra_contexts = vec![("socket".into(), "socket_route".into())];
    conf.external_context = "socket".into();
    conf.extra_vars = format!("esl_app_server = \"127.0.0.1:{}\"\n", common::free_port());
    let switch = CallSwitch::start(conf);
    let port = common::free_port();
    let server_port = port.to_string();
    let mut server = Client::spawn(
        "greenswitch_outbound.py",
        &[&server_port, "control"],
        switch.dir.path(),
    );
    server.wait_kind("listening");
    let setvar = format!("api:global_setvar esl_app_server=127.0.0.1:{port}");
    let mut client = plan(&switch, &[&setvar]);
    client.wait_kind("done");
    client.finish();
    let rtp = common::free_port().to_string();
    let caller = switch.sipp(
        "caller",
        Some(switch.conf.external),
        "uac_call_bye_in.xml",
        &[
            "-s", "9199", "-key", "rtp_port", &rtp, "-key", "pt", "0", "-key", "codec", "PCMU",
        ],
    );
    let connect = server.wait_kind("connect");
    assert_eq!(connect["headers"]["Caller-Destination-Number"], "9199");
    server.finish();
    caller.assert_ok(&switch);
}

/// A phone registering `user` with a wrong password: 401, then 403 and the fail2ban
/// line.
fn register_with_a_wrong_password(switch: &CallSwitch, user: u32) {
    let csv = switch.bad_password_csv(user);
    let out = std::process::Command::new("sipp")
        .arg(format!("127.0.0.1:{}", switch.conf.internal))
        .arg("-sf")
        .arg(common::scenario("register_badpass.xml"))
        .args(["-i", "127.0.0.1", "-p", &common::free_port().to_string()])
        .args(["-mp", &common::free_port().to_string()])
        .args(["-cp", &common::free_port().to_string()])
        .args(["-nostdin", "-m", "1", "-timeout", "30s", "-timeout_error"])
        .arg("-inf")
        .arg(&csv)
        .current_dir(switch.dir.path())
        .output()
        .expect("run sipp");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn witswitch_cli_slash_log_shows_log_lines() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let switch = CallSwitch::start(CallConf::new());
    let mut cli = Command::new(env!("CARGO_BIN_EXE_witswitch"))
        .args(["cli", "-H", "127.0.0.1", "-P", &switch.conf.esl.to_string()])
        .args(["-p", CallConf::ESL_PASSWORD])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("witswitch cli");
    let mut stdin = cli.stdin.take().expect("stdin");
    let stdout = cli.stdout.take().expect("stdout");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = Vec::new();
    let mut wait_line = |what: &str| {
        let end = std::time::Instant::now() + common::DEADLINE;
        loop {
            let left = end.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) if line.contains(what) => return line,
                Ok(line) => seen.push(line),
                Err(_) => panic!("cli printed no {what:?}; printed {seen:?}"),
            }
        }
    };
    stdin.write_all(b"/log warning\n").expect("write");
    wait_line("log level");
    register_with_a_wrong_password(&switch, 1003);
    let line = wait_line("SIP auth failure (REGISTER)");
    assert!(line.contains("[WARNING]"), "{line}");
    assert!(
        line.contains("for [1003@127.0.0.1] from ip 127.0.0.1"),
        "{line}"
    );
    stdin.write_all(b"/exit\n").expect("write");
    drop(stdin);
    assert!(cli.wait().expect("cli exit").success());
}
