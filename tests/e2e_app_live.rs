//! Apps on many live calls (issue 5): a runaway app ends only its own call, and a
//! hot-swapped IVR leaves the sessions already in it on their version. 50 callers
//! in the example IVR come from one sipp (`-m 50`), their RTP to one test socket.

mod calls;
mod common;

use std::net::SocketAddr;

use calls::{CallConf, CallSwitch, RtpPeer, Sipp};

/// Callers in the IVR at once.
const CALLERS: usize = 50;

/// A switch with the `app_route` test dialplan in context `probe` (profile
/// `external`): dialing `spin` starts the `app_probe` app in its endless-loop mode.
fn start() -> CallSwitch {
    let mut conf = CallConf::new();
    conf.extra_guests = vec![
        ("app_route".into(), "app_route".into()),
        ("app_probe".into(), "app_probe".into()),
    ];
    conf.extra_scripts_toml =
        "[scripts.app_route]\nworld = \"dialplan\"\n\n[scripts.app_probe]\nworld = \"app\"\n"
            .into();
    conf.extra_contexts = vec![("probe".into(), "app_route".into())];
    conf.external_context = "probe".into();
    CallSwitch::start(conf)
}

/// `CALLERS` authenticated calls from 1000 to the IVR (5000) with `scenario`,
/// all media to `phone`; waits until every one runs the IVR app.
fn fill_ivr(switch: &CallSwitch, phone: &RtpPeer, scenario: &str, hold_ms: u32) -> Sipp {
    let csv = switch.user_csv(1000);
    let count = CALLERS.to_string();
    let sipp = switch.sipp(
        "ivr-callers",
        Some(switch.conf.internal),
        scenario,
        &[
            "-s",
            "5000",
            "-inf",
            csv.to_str().expect("path"),
            "-d",
            &hold_ms.to_string(),
            "-key",
            "rtp_port",
            &phone.port().to_string(),
            "-key",
            "pt",
            "0",
            "-key",
            "codec",
            "PCMU",
            "-m",
            &count,
            "-l",
            &count,
            "-r",
            "25",
        ],
    );
    common::wait_for("every caller in the IVR", common::DEADLINE, || {
        (switch.log().matches(" app ivr started").count() >= CALLERS).then_some(())
    });
    sipp
}

/// The switch's RTP address of every call the sipp has logged.
fn switch_ports(sipp: &Sipp) -> Vec<SocketAddr> {
    sipp.logged()
        .lines()
        .filter_map(|l| l.strip_prefix("switch-rtp "))
        .filter_map(|p| p.trim().parse::<u16>().ok())
        .map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
        .collect()
}

/// The version an `app ivr started (version X)` or `... returned` line names.
fn versions(log: &str, what: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains(what))
        .filter_map(|l| l.split("(version ").nth(1))
        .filter_map(|rest| rest.split(')').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_app_that_loops_forever_ends_only_its_own_call() {
    let switch = start();
    let mut phone = RtpPeer::new(0x5050);
    let callers = fill_ivr(&switch, &phone, "uac_auth_call.xml", 15_000);

    // The runaway: no answer, then the CPU limit (app-cpu-limit-ms) ends it.
    let spin = switch.sipp(
        "spin",
        Some(switch.conf.external),
        "uac_refused.xml",
        &["-s", "spin", "-key", "pt", "0", "-key", "codec", "PCMU"],
    );
    spin.assert_ok(&switch);
    switch.wait_for_log("app app_probe failed");
    let cdrs = switch.wait_for_cdrs(1);
    let runaway = cdrs
        .iter()
        .find(|c| c["destination_number"] == "spin")
        .unwrap_or_else(|| panic!("a CDR for the runaway call: {cdrs:?}"));
    let cause = runaway["hangup_cause"].as_str().expect("cause").to_owned();
    assert!(
        switch.log().contains(&format!("hanging up with {cause}")),
        "the cause {cause} is logged"
    );
    assert!(cdrs.len() == 1, "no IVR call ended with it: {cdrs:?}");

    // Every IVR caller still gets its choice: 2 transfers to the echo test.
    let ports = switch_ports(&callers);
    assert_eq!(ports.len(), CALLERS, "every call was answered");
    for port in &ports {
        phone.send_dtmf(*port, 101, 2);
    }
    common::wait_for("every IVR caller to choose", common::DEADLINE, || {
        (switch.log().matches(" app ivr (version").count() >= CALLERS).then_some(())
    });
    let log = switch.log();
    assert_eq!(
        log.matches("DTMF 2 (").count(),
        CALLERS,
        "every digit arrived"
    );
    assert_eq!(
        log.lines()
            .filter(|l| l.contains(" app ivr (version") && l.contains("returned: completed"))
            .count(),
        CALLERS,
        "every IVR run completed (the transfer to 9196)"
    );
    callers.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(CALLERS + 1);
    let clean = cdrs
        .iter()
        .filter(|c| {
            c["hangup_cause"] == "NORMAL_CLEARING" && c["sip_hangup_disposition"] == "recv_bye"
        })
        .count();
    assert_eq!(
        clean, CALLERS,
        "the IVR callers hung up themselves: {cdrs:?}"
    );
}

/// `ivr.wasm` with a custom section appended: the same program, another version.
fn another_version_of(wasm: &[u8]) -> Vec<u8> {
    let name = b"witswitch-test";
    let payload = b"hot swap";
    let size = 1 + name.len() + payload.len();
    let mut out = wasm.to_vec();
    out.push(0); // custom section
    out.push(u8::try_from(size).expect("small"));
    out.push(u8::try_from(name.len()).expect("small"));
    out.extend_from_slice(name);
    out.extend_from_slice(payload);
    out
}

#[test]
fn hot_swapping_the_ivr_leaves_live_sessions_on_their_version() {
    let switch = start();
    let phone = RtpPeer::new(0x6060);
    // Silent callers: each hears the menu, the timeout, goodbye, and is hung up.
    let callers = fill_ivr(&switch, &phone, "uac_auth_call_bye_in.xml", 0);
    let old = versions(&switch.log(), " app ivr started");
    assert!(old.iter().all(|v| *v == old[0]), "one version: {old:?}");

    let scripts = switch.dir.path().join("conf/scripts");
    let bytes = std::fs::read(scripts.join("ivr.wasm")).expect("ivr.wasm");
    std::fs::write(scripts.join(".ivr.wasm.new"), another_version_of(&bytes)).expect("write");
    std::fs::rename(scripts.join(".ivr.wasm.new"), scripts.join("ivr.wasm")).expect("rename");
    switch.wait_for_log("script reloaded");

    // A new caller gets the new version.
    let newcomer_rtp = RtpPeer::new(0x7070);
    let newcomer = switch.auth_call("newcomer", 1000, "5000", 1000, newcomer_rtp.port());
    newcomer.assert_ok(&switch);
    let started = versions(&switch.log(), " app ivr started");
    let new = started.last().expect("the newcomer's run").clone();
    assert_ne!(new, old[0], "the newcomer runs the new version");

    // The sessions already in the IVR finish on the version they started with.
    callers.assert_ok(&switch);
    let log = switch.log();
    let finished = versions(&log, " app ivr (version");
    assert_eq!(
        finished.iter().filter(|v| **v == old[0]).count(),
        CALLERS,
        "{finished:?}"
    );
    let reloaded_at = log.find("script reloaded").expect("reload line");
    let first_return = log.find(" app ivr (version").expect("a return line");
    assert!(
        reloaded_at < first_return,
        "the swap happened while all were live"
    );
    let cdrs = switch.wait_for_cdrs(CALLERS + 1);
    let hung_up = cdrs
        .iter()
        .filter(|c| {
            c["hangup_cause"] == "NORMAL_CLEARING" && c["sip_hangup_disposition"] == "send_bye"
        })
        .count();
    assert_eq!(
        hung_up, CALLERS,
        "each silent caller was hung up after goodbye"
    );
}
