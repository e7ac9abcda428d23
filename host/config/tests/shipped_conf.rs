//! The default `conf/` a fresh checkout runs with loads cleanly and says what the
//! README promises.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use witswitch_config::{Codec, Config, Decision, LogLevel, Transport, World};

fn conf_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../conf"))
}

fn load() -> Config {
    match Config::load(&conf_dir()) {
        Ok(config) => config,
        Err(err) => panic!("shipped conf/ does not load:\n{err}"),
    }
}

#[test]
fn check_reports_nothing() {
    let diagnostics = Config::check(&conf_dir());
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert!(lines.is_empty(), "{}", lines.join("\n"));
}

#[test]
fn core_defaults_match_freeswitch() {
    let config = load();
    assert_eq!(config.core.max_sessions, 1000);
    assert_eq!(config.core.sessions_per_second, 30);
    assert_eq!(config.core.log_level, LogLevel::Info);
    assert_eq!(config.core.rtp_ports, 16384..=32768);
    assert!(config.core.state_dir.ends_with("var"));
    assert!(!config.core.state_dir.to_string_lossy().contains(".."));
    assert_eq!(
        config.event_socket.listen,
        "127.0.0.1:8021".parse().unwrap()
    );
    assert_eq!(config.event_socket.password, "ClueCon");
    assert_eq!(config.cdr.path, config.core.state_dir.join("cdr/cdr.json"));
    assert_eq!(config.vars["domain"], "127.0.0.1");
}

#[test]
fn internal_profile() {
    let config = load();
    let internal = config.profile("internal").expect("internal profile");
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    assert_eq!((internal.sip_ip, internal.sip_port), (loopback, 5060));
    assert_eq!(internal.transports, [Transport::Udp, Transport::Tcp]);
    assert_eq!(internal.context, "public");
    assert_eq!(internal.domain.as_deref(), Some("127.0.0.1"));
    assert!(internal.auth_calls);
    assert!(internal.log_auth_failures);
    assert!(!internal.disable_register);
    assert_eq!(internal.nonce_ttl, Duration::from_secs(60));
    assert_eq!(
        internal.codec_prefs,
        [Codec::Pcmu, Codec::Pcma, Codec::Opus, Codec::G722]
    );
    assert_eq!(internal.rtp_timeout, Some(Duration::from_secs(300)));
    assert_eq!(internal.registration.min_expires, 60);
    assert_eq!(internal.registration.max_expires, 7200);
    assert_eq!(internal.auth_ban.max_failures, 5);
    assert_eq!(internal.timers.t1, Duration::from_millis(500));
    let register_acl = internal
        .apply_register_acl
        .as_deref()
        .expect("register ACL");
    let acl = config.acl(register_acl).expect("list exists");
    assert_eq!(acl.evaluate("127.0.0.1".parse().unwrap()), Decision::Allow);
    assert_eq!(
        acl.evaluate("192.168.1.20".parse().unwrap()),
        Decision::Allow
    );
    assert_eq!(acl.evaluate("203.0.113.9".parse().unwrap()), Decision::Deny);
}

#[test]
fn external_profile_and_harmless_gateway() {
    let config = load();
    let external = config.profile("external").expect("external profile");
    assert_eq!(external.sip_port, 5080);
    assert!(external.sip_ip.is_loopback());
    assert!(external.disable_register);
    let (profile, gateway) = config.gateway("outbound").expect("gateway outbound");
    assert_eq!(profile.name, "external");
    assert!(!gateway.register);
    assert_eq!(gateway.proxy.to_string(), "127.0.0.1:5090");
    assert_eq!(gateway.realm, "127.0.0.1");
    assert!(gateway.caller_id_in_from);
    assert_eq!(gateway.ping, None);
    assert_eq!(gateway.context, "public");
}

#[test]
fn users_1000_to_1019_without_passwords() {
    let config = load();
    assert_eq!(config.directory.len(), 20);
    for id in 1000..=1019 {
        let id = id.to_string();
        let user = config.user(&id, "127.0.0.1").expect("user exists");
        assert_eq!(user.credential, None, "{id} must have no password in conf/");
        assert_eq!(user.user_context.as_deref(), Some("default"));
        assert_eq!(
            user.effective_caller_id_number.as_deref(),
            Some(id.as_str())
        );
        assert_eq!(
            user.outbound_caller_id_number.as_deref(),
            Some("0000000000")
        );
    }
    assert!(config.user("1020", "127.0.0.1").is_none());
}

#[test]
fn contexts_route_to_the_example_dialplan() {
    let config = load();
    for context in ["default", "public"] {
        let script = config.scripts.dialplan_for(context).expect(context);
        assert_eq!(script.world, World::Dialplan);
        assert!(script.path.ends_with("conf/scripts/dialplan.wasm"));
        assert!(
            !script.allows_http("127.0.0.1", 80),
            "HTTP denied by default"
        );
        assert_eq!(script.limits.memory_limit_mib, 64);
        assert_eq!(script.limits.route_deadline, Duration::from_millis(50));
    }
    // The example dialplan starts these apps by name.
    for app in ["ivr", "record_and_bridge"] {
        let script = config.scripts.script(app).expect(app);
        assert_eq!(script.world, World::App);
    }
}
