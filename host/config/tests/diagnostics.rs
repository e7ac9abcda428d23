//! Every kind of configuration error, each with the exact line `witswitch check`
//! prints: file, line, column, key and reason.

mod common;

use common::{Conf, DIRECTORY, INTERNAL, SCRIPTS};
use witswitch_config::{Config, Problem};

#[test]
fn minimal_config_is_clean() {
    let conf = Conf::minimal();
    assert_eq!(conf.lines(), Vec::<String>::new());
    let config = conf.load();
    assert_eq!(config.profiles.len(), 1);
    assert!(config.user("1000", "EXAMPLE.test").is_some());
}

// ---- files --------------------------------------------------------------------

#[test]
fn missing_main_file() {
    let conf = Conf::minimal();
    conf.remove("witswitch.toml");
    // directory/default.toml uses ${domain} from it; that is not reported again.
    conf.assert_error("witswitch.toml: missing: the main configuration file");
}

#[test]
fn unreadable_file() {
    let conf = Conf::minimal();
    std::fs::write(conf.path("profiles/internal.toml"), b"\xff\xfe not utf-8").unwrap();
    let lines = conf.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    // Without its only profile the config has none left.
    assert_eq!(
        lines[0],
        "profiles: no SIP profiles: add at least one profiles/<name>.toml"
    );
    assert!(
        lines[1].starts_with("profiles/internal.toml: cannot read: "),
        "{lines:?}"
    );
}

#[test]
fn unknown_toml_file_in_top_folder() {
    let conf = Conf::minimal();
    conf.write("acls.toml", "");
    conf.write("README.md", "not config");
    conf.assert_error(
        "acls.toml: unknown file (expected witswitch.toml, acl.toml, scripts.toml, \
         profiles/, directory/)",
    );
}

#[test]
fn no_profiles() {
    let conf = Conf::minimal();
    conf.remove("profiles");
    conf.assert_error("profiles: no SIP profiles: add at least one profiles/<name>.toml");
}

#[test]
fn bad_profile_file_name() {
    let conf = Conf::minimal();
    conf.write("profiles/my profile.toml", INTERNAL);
    conf.assert_error(
        "profiles/my profile.toml: \"my profile\" is not a usable name (letters, digits, '-', '_', '.')",
    );
}

// ---- TOML shape ---------------------------------------------------------------

#[test]
fn syntax_error() {
    let conf = Conf::minimal();
    conf.write("profiles/internal.toml", "[profile\nsip-port = 5060\n");
    let lines = conf.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("profiles/internal.toml:1:9: "),
        "{lines:?}"
    );
    assert!(matches!(conf.diagnostics()[0].problem, Problem::Syntax(_)));
}

#[test]
fn unknown_key_with_suggestion() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}auth-calls = true\nlog-auth-failures = true\nsip-prot = 5061\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:7:1: unknown key \"sip-prot\" in [profile] \
         (did you mean \"sip-port\"?)",
    );
}

#[test]
fn unknown_key_in_gateway_user_and_top_level() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!(
            "{INTERNAL}\n[gateways.carrier]\nrealm = \"sip.example\"\nregister = false\nreal = 1\n"
        ),
    );
    conf.assert_error(
        "profiles/internal.toml:9:1: unknown key \"real\" in [gateways.carrier] \
         (did you mean \"realm\"?)",
    );

    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        &format!("{DIRECTORY}pasword = \"x\"\n"),
    );
    conf.assert_error(
        "directory/default.toml:7:1: unknown key \"pasword\" in [users.1000] \
         (did you mean \"password\"?)",
    );

    let conf = Conf::minimal();
    conf.write("witswitch.toml", "[variables]\n");
    conf.assert_error("witswitch.toml:1:2: unknown key \"variables\" at top level");
}

#[test]
fn missing_key_gateway_without_realm() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}\n[gateways.carrier]\nproxy = \"sip.example\"\nregister = false\n"),
    );
    conf.assert_error("profiles/internal.toml:6:1: missing key \"realm\" in [gateways.carrier]");
}

#[test]
fn wrong_value_types_and_ranges() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = 70000\ncontext = \"public\"\n",
    );
    conf.assert_error(
        "profiles/internal.toml:3:12: [profile] sip-port: invalid value: integer `70000`, expected u16",
    );

    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}transports = [\"udp\", \"tls\"]\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:5:22: [profile] transports: unknown variant `tls`, expected `udp` or `tcp`",
    );

    let conf = Conf::minimal();
    conf.write("witswitch.toml", "[core]\nlog-level = \"loud\"\n");
    let lines = conf.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("witswitch.toml:2:13: [core] log-level: unknown log level \"loud\""),
        "{lines:?}"
    );
}

// ---- variables ----------------------------------------------------------------

#[test]
fn unknown_variable() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        "[profile]\nsip-ip = \"${local_ip}\"\nsip-port = 5060\ncontext = \"public\"\n",
    );
    conf.assert_error(
        "profiles/internal.toml:2:10: [profile] sip-ip: unknown variable \"${local_ip}\" \
         (define it in [vars] of witswitch.toml)",
    );
}

#[test]
fn variables_expand_everywhere_and_chain() {
    let conf = Conf::minimal();
    conf.write(
        "witswitch.toml",
        "[vars]\nlocal_ip = \"127.0.0.2\"\ndomain = \"pbx.${zone}\"\nzone = \"example.test\"\n",
    );
    conf.write(
        "profiles/internal.toml",
        "[profile]\nsip-ip = \"${local_ip}\"\nsip-port = 5060\ncontext = \"public\"\ndomain = \"$${domain}\"\n",
    );
    let config = conf.load();
    let profile = config.profile("internal").unwrap();
    assert_eq!(profile.sip_ip.to_string(), "127.0.0.2");
    assert_eq!(profile.domain.as_deref(), Some("pbx.example.test"));
    assert!(config.user("1000", "pbx.example.test").is_some());
}

#[test]
fn variable_loop_and_bad_syntax() {
    let conf = Conf::minimal();
    conf.write(
        "witswitch.toml",
        "[vars]\ndomain = \"example.test\"\na = \"${b}\"\nb = \"${a}\"\nc = \"${oops\"\n",
    );
    assert_eq!(
        conf.lines(),
        [
            "witswitch.toml:3:5: [vars] a: variables refer to each other in a loop: a -> b -> a",
            "witswitch.toml:5:5: [vars] c: unterminated \"${\" (missing \"}\")",
        ]
    );
}

#[test]
fn broken_variable_is_reported_once_not_where_used() {
    let conf = Conf::minimal();
    // directory/default.toml uses ${domain}.
    conf.write(
        "witswitch.toml",
        "[vars]\ndomain = \"${host}\"\nhost = \"${domain}\"\n",
    );
    conf.assert_error(
        "witswitch.toml:2:10: [vars] domain: variables refer to each other in a loop: \
         domain -> host -> domain",
    );
}

#[test]
fn bad_variable_name() {
    let conf = Conf::minimal();
    conf.write(
        "witswitch.toml",
        "[vars]\ndomain = \"example.test\"\n\"my var\" = \"x\"\n",
    );
    conf.assert_error(
        "witswitch.toml:3:12: [vars] my var: \"my var\" is not a usable name (letters, digits, '-', '_', '.')",
    );
}

// ---- addresses ----------------------------------------------------------------

#[test]
fn bad_ip() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        "[profile]\nsip-ip = \"localhost\"\nsip-port = 5060\ncontext = \"public\"\n",
    );
    conf.assert_error(
        "profiles/internal.toml:2:10: [profile] sip-ip: \"localhost\" is not an IP address",
    );
}

#[test]
fn port_zero() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = 0\ncontext = \"public\"\n",
    );
    conf.assert_error(
        "profiles/internal.toml:3:12: [profile] sip-port: port 0 is not usable; choose 1-65535",
    );
}

#[test]
fn two_profiles_on_one_port() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/lab.toml",
        "# lab\n[profile]\nsip-ip = \"0.0.0.0\"\nsip-port = 5060\ncontext = \"public\"\ntransports = [\"tcp\"]\n",
    );
    // Profiles load in name order: internal first, so lab is the one reported.
    conf.assert_error(
        "profiles/lab.toml:4:12: [profile] sip-port: 0.0.0.0:5060 (tcp) is already used by \
         profile 'internal' (profiles/internal.toml:3:12)",
    );
    // Same port on different transports does not conflict.
    conf.write(
        "profiles/lab.toml",
        "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = 5060\ncontext = \"public\"\ntransports = [\"tcp\"]\n",
    );
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}transports = [\"udp\"]\n"),
    );
    assert_eq!(conf.lines(), Vec::<String>::new());
}

#[test]
fn bad_gateway_proxy() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}\n[gateways.carrier]\nrealm = \"sip.example\"\nproxy = \"sip.example:0\"\nregister = false\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:8:9: [gateways.carrier] proxy: \"sip.example:0\" is not host[:port]",
    );
}

// ---- numbers ------------------------------------------------------------------

#[test]
fn zero_where_positive_needed() {
    let conf = Conf::minimal();
    conf.write(
        "witswitch.toml",
        "[vars]\ndomain = \"example.test\"\n[core]\nmax-sessions = 0\n",
    );
    conf.assert_error("witswitch.toml:4:16: [core] max-sessions: must be at least 1");
}

#[test]
fn values_out_of_order() {
    let conf = Conf::minimal();
    conf.write(
        "witswitch.toml",
        "[vars]\ndomain = \"example.test\"\n[core]\nrtp-start-port = 30000\nrtp-end-port = 20000\n",
    );
    conf.assert_error(
        "witswitch.toml:4:18: [core] rtp-start-port: rtp-start-port (30000) must not be above \
         rtp-end-port (20000)",
    );

    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}\n[registration]\nmin-expires = 600\ndefault-expires = 300\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:7:15: [registration] min-expires: min-expires (600) must not be \
         above default-expires (300)",
    );

    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}timer-t1-ms = 5000\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:5:15: [profile] timer-t1-ms: timer-t1-ms (5000) must not be \
         above timer-t2-ms (4000)",
    );
}

// ---- lists --------------------------------------------------------------------

#[test]
fn transports_empty_and_duplicate() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}transports = []\n"),
    );
    conf.assert_error("profiles/internal.toml:5:14: [profile] transports: must not be empty");

    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}transports = [\"udp\", \"udp\"]\n"),
    );
    conf.assert_error("profiles/internal.toml:5:22: [profile] transports: \"udp\" is listed twice");
}

#[test]
fn codec_prefs_unknown_duplicate_empty() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}codec-prefs = \"PCMU,G729\"\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:5:15: [profile] codec-prefs: unknown codec \"G729\" \
         (known: PCMU, PCMA, OPUS, G722)",
    );

    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}codec-prefs = \"pcmu, PCMU\"\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:5:15: [profile] codec-prefs: \"PCMU\" is listed twice",
    );

    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}codec-prefs = \" , \"\n"),
    );
    conf.assert_error("profiles/internal.toml:5:15: [profile] codec-prefs: must not be empty");
}

#[test]
fn empty_password() {
    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test\"\n[users.1000]\npassword = \"\"\n",
    );
    conf.assert_error("directory/default.toml:4:12: [users.1000] password: must not be empty");
}

// ---- ACLs ---------------------------------------------------------------------

#[test]
fn unknown_acl_list() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}apply-inbound-acl = \"domains\"\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:5:21: [profile] apply-inbound-acl: no ACL list named \"domains\" \
         (known: any, localnet, loopback, none, rfc1918)",
    );
}

#[test]
fn bad_cidr_and_host_bits() {
    let conf = Conf::minimal();
    conf.write(
        "acl.toml",
        "[lists.office]\ndefault = \"deny\"\nallow = [\"10.0.0/8\", \"192.168.1.0/16\"]\ndeny = [\"::/200\"]\n",
    );
    assert_eq!(
        conf.lines(),
        [
            "acl.toml:3:10: [lists.office] allow: \"10.0.0/8\" is not an IP address or CIDR prefix",
            "acl.toml:3:22: [lists.office] allow: \"192.168.1.0/16\" has host bits set; \
             did you mean 192.168.0.0/16?",
            "acl.toml:4:9: [lists.office] deny: prefix length \"200\" is not 0-128",
        ]
    );
}

#[test]
fn builtin_list_cannot_be_redefined() {
    let conf = Conf::minimal();
    conf.write("acl.toml", "[lists.loopback]\ndefault = \"allow\"\n");
    conf.assert_error(
        "acl.toml:1:1: [lists] loopback: \"loopback\" is a built-in ACL list and cannot be redefined",
    );
}

#[test]
fn prefix_both_allowed_and_denied() {
    let conf = Conf::minimal();
    conf.write(
        "acl.toml",
        "[lists.office]\ndefault = \"deny\"\nallow = [\"10.0.0.0/8\"]\ndeny = [\"10.0.0.0/8\", \"10.0.0.0/8\"]\n",
    );
    assert_eq!(
        conf.lines(),
        [
            "acl.toml:4:9: [lists.office] deny: 10.0.0.0/8 is both allowed and denied",
            // Listed twice in deny as well, which is what the second entry adds.
            "acl.toml:4:23: [lists.office] deny: \"10.0.0.0/8\" is listed twice",
        ]
    );
    conf.write(
        "acl.toml",
        "[lists.office]\ndefault = \"deny\"\nallow = [\"10.0.0.0/8\", \"10.0.0.0/8\"]\n",
    );
    conf.assert_error("acl.toml:3:24: [lists.office] allow: \"10.0.0.0/8\" is listed twice");
}

#[test]
fn acl_lists_evaluate_most_specific_from_file() {
    let conf = Conf::minimal();
    conf.write(
        "acl.toml",
        "[lists.office]\ndefault = \"allow\"\ndeny = [\"10.0.0.0/8\"]\nallow = [\"10.1.0.0/16\"]\n",
    );
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}apply-register-acl = \"office\"\n"),
    );
    let config = conf.load();
    let list = config.acl("office").unwrap();
    use witswitch_config::Decision::{Allow, Deny};
    assert_eq!(list.evaluate("10.1.2.3".parse().unwrap()), Allow);
    assert_eq!(list.evaluate("10.2.0.1".parse().unwrap()), Deny);
    assert_eq!(list.evaluate("192.0.2.1".parse().unwrap()), Allow);
    assert_eq!(list.evaluate("::ffff:10.2.0.1".parse().unwrap()), Deny);
}

// ---- scripts and contexts -----------------------------------------------------

#[test]
fn context_without_dialplan() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = 5060\ncontext = \"nowhere\"\n",
    );
    conf.assert_error(
        "profiles/internal.toml:4:11: [profile] context: context \"nowhere\" has no dialplan \
         script (add it to [contexts] in scripts.toml)",
    );

    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test\"\n[defaults]\nuser_context = \"office\"\n[users.1000]\n",
    );
    conf.assert_error(
        "directory/default.toml:4:16: [defaults] user_context: context \"office\" has no dialplan \
         script (add it to [contexts] in scripts.toml)",
    );
}

#[test]
fn context_mapped_to_missing_or_app_script() {
    let conf = Conf::minimal();
    conf.write(
        "scripts.toml",
        &SCRIPTS.replace("public = \"dp\"", "public = \"ivr\""),
    );
    // The profile's context is then unmapped as well.
    assert_eq!(
        conf.lines(),
        [
            "profiles/internal.toml:4:11: [profile] context: context \"public\" has no dialplan \
             script (add it to [contexts] in scripts.toml)",
            "scripts.toml:3:10: [contexts] public: script \"ivr\" is not a dialplan script (world = \"app\")",
        ]
    );

    let conf = Conf::minimal();
    conf.write(
        "scripts.toml",
        &SCRIPTS.replace("default = \"dp\"", "default = \"routing\""),
    );
    assert_eq!(
        conf.lines(),
        [
            "directory/default.toml:6:16: [users.1000] user_context: context \"default\" has no \
             dialplan script (add it to [contexts] in scripts.toml)",
            "scripts.toml:2:11: [contexts] default: no script named \"routing\" (define it as [scripts.routing])",
        ]
    );
}

#[test]
fn http_allowlist_entries() {
    let conf = Conf::minimal();
    conf.write(
        "scripts.toml",
        &format!("{SCRIPTS}\n[scripts.web]\nworld = \"dialplan\"\nhttp-allow = [\"api.example.com\", \"http://x/\", \"127.0.0.1:8088\"]\n"),
    );
    conf.assert_error(
        "scripts.toml:13:34: [scripts.web] http-allow: \"http://x/\" is not host or host:port \
         (write the host, not a URL)",
    );
    conf.write(
        "scripts.toml",
        &format!("{SCRIPTS}\n[scripts.web]\nworld = \"dialplan\"\nhttp-allow = [\"api.example.com\", \"127.0.0.1:8088\"]\nmemory-limit-mib = 16\n[scripts.web.vars]\nbackend = \"http://127.0.0.1:8088/route\"\n"),
    );
    let config = conf.load();
    let web = config.scripts.script("web").unwrap();
    assert!(web.allows_http("api.example.com", 443));
    assert!(web.allows_http("127.0.0.1", 8088));
    assert!(!web.allows_http("127.0.0.1", 8089));
    assert_eq!(web.limits.memory_limit_mib, 16);
    assert_eq!(web.vars["backend"], "http://127.0.0.1:8088/route");
    assert!(
        !config
            .scripts
            .script("dp")
            .unwrap()
            .allows_http("api.example.com", 443)
    );
}

// ---- many problems at once ----------------------------------------------------

#[test]
fn all_problems_reported_in_file_order() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        "[profile]\nsip-ip = \"nope\"\nsip-port = 0\ncontext = \"public\"\ncodec-prefs = \"XYZ\"\n",
    );
    conf.write(
        "acl.toml",
        "[lists.x]\ndefault = \"deny\"\nallow = [\"300.0.0.0/8\"]\n",
    );
    let err = Config::load(conf.dir()).unwrap_err();
    assert_eq!(err.diagnostics.len(), 4);
    let prefix = format!("{}/", conf.dir().display());
    let text = err.to_string().replace(&prefix, "");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("acl.toml:3:10: "), "{text}");
    assert!(
        lines[1].starts_with("profiles/internal.toml:2:10: "),
        "{text}"
    );
    assert!(
        lines[2].starts_with("profiles/internal.toml:3:12: "),
        "{text}"
    );
    assert!(
        lines[3].starts_with("profiles/internal.toml:5:15: "),
        "{text}"
    );
}
