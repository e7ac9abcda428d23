//! Configuration errors about users, credentials and exposed weak passwords, each
//! with the exact line `witswitch check` prints.

mod common;

use common::{Conf, DIRECTORY, INTERNAL};

// ---- directory ----------------------------------------------------------------

#[test]
fn user_defined_twice() {
    let conf = Conf::minimal();
    conf.write(
        "directory/more/extra.toml",
        "[domain]\nname = \"EXAMPLE.test\"\n\n[users.1000]\n",
    );
    conf.assert_error(
        "directory/more/extra.toml:4:1: user 1000@example.test is already defined at \
         directory/default.toml:4:1",
    );
}

#[test]
fn gateway_defined_twice() {
    let conf = Conf::minimal();
    let gateway = "\n[gateways.carrier]\nrealm = \"sip.example\"\nregister = false\n";
    conf.write("profiles/internal.toml", &format!("{INTERNAL}{gateway}"));
    conf.write(
        "profiles/lab.toml",
        &format!(
            "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = 5070\ncontext = \"public\"\n{gateway}"
        ),
    );
    conf.assert_error(
        "profiles/lab.toml:6:1: gateway \"carrier\" is already defined at profiles/internal.toml:6:1",
    );
}

#[test]
fn a1_hash_forms() {
    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test\"\n[users.1000]\na1-hash = \"abc\"\n",
    );
    conf.assert_error(
        "directory/default.toml:4:11: [users.1000] a1-hash: must be 32 (MD5) or 64 (SHA-256) \
         hexadecimal digits",
    );

    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test\"\n[users.1000]\npassword = \"x\"\na1-hash = \"00\"\n",
    );
    conf.assert_error(
        "directory/default.toml:5:11: [users.1000] a1-hash: set password or a1-hash, not both",
    );

    let conf = Conf::minimal();
    let md5 = "0123456789ABCDEF0123456789abcdef";
    let sha = "0123456789abcdef".repeat(4);
    conf.write(
        "directory/default.toml",
        &format!("[domain]\nname = \"example.test\"\n[users.1000]\na1-hash = \"{md5}\"\n[users.1001]\na1-hash = \"{sha}\"\n"),
    );
    let config = conf.load();
    use witswitch_config::{Credential, DigestAlgorithm};
    assert_eq!(
        config.user("1000", "example.test").unwrap().credential,
        Some(Credential::A1Hash {
            hex: md5.to_ascii_lowercase(),
            algorithm: DigestAlgorithm::Md5
        })
    );
    assert_eq!(
        config.user("1001", "example.test").unwrap().credential,
        Some(Credential::A1Hash {
            hex: sha,
            algorithm: DigestAlgorithm::Sha256
        })
    );
}

#[test]
fn shared_default_password_refused() {
    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test\"\n[defaults]\npassword = \"1234\"\n[users.1000]\n",
    );
    conf.assert_error(
        "directory/default.toml:4:12: [defaults] password: a password shared by every user is the \
         FreeSWITCH toll-fraud hazard; set it per user, or leave it out to get a generated secret per user",
    );
}

#[test]
fn named_variable_in_free_variables() {
    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        &format!("{DIRECTORY}[users.1000.variables]\nuser_context = \"x\"\nsip_force_contact = \"NDLB-connectile-dysfunction\"\n"),
    );
    conf.assert_error(
        "directory/default.toml:8:16: [users.1000.variables] user_context: \"user_context\" has its \
         own key in the user table; set it there",
    );
}

#[test]
fn bad_user_id_and_domain() {
    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test\"\n[users.\"a@b\"]\n",
    );
    conf.assert_error(
        "directory/default.toml:3:1: [users] a@b: \"a@b\" is not a usable name (letters, digits, '-', '_', '.')",
    );
    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test:5060\"\n",
    );
    conf.assert_error(
        "directory/default.toml:2:8: [domain] name: \"example.test:5060\" is not host[:port]",
    );
}

#[test]
fn profile_domain_not_in_directory() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}domain = \"other.test\"\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:5:10: [profile] domain: no directory file defines domain \"other.test\"",
    );
}

#[test]
fn registering_gateway_needs_credentials() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}\n[gateways.carrier]\nrealm = \"sip.example\"\nusername = \"me\"\n"),
    );
    conf.assert_error(
        "profiles/internal.toml:6:1: [gateways.carrier] register: a gateway with register = true \
         needs username and password",
    );
}

// ---- weak defaults --------------------------------------------------------------

#[test]
fn example_password_refused_beyond_loopback() {
    let conf = Conf::minimal();
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test\"\n[users.1000]\npassword = \"1234\"\n",
    );
    // On loopback only nobody else can reach it: allowed (tests use that).
    assert_eq!(conf.lines(), Vec::<String>::new());
    conf.write(
        "profiles/internal.toml",
        "[profile]\nsip-ip = \"0.0.0.0\"\nsip-port = 5060\ncontext = \"public\"\n",
    );
    conf.assert_error(
        "directory/default.toml:4:12: user 1000@example.test has the FreeSWITCH example password \
         \"1234\" while profile 'internal' listens on 0.0.0.0:5060, which is not loopback: anyone \
         who can reach it could register as this user and place calls; remove the password \
         (a random one is generated on first run) or set a strong one",
    );
}

#[test]
fn example_event_socket_password_refused_beyond_loopback() {
    let conf = Conf::minimal();
    conf.write(
        "witswitch.toml",
        "[vars]\ndomain = \"example.test\"\n[event-socket]\nlisten-ip = \"192.0.2.10\"\n",
    );
    conf.assert_error(
        "witswitch.toml:4:13: [event-socket] password: the event socket listens on \
         192.0.2.10:8021, which is not loopback, with the well-known password \"ClueCon\": \
         anyone who can reach it controls the switch; set another password",
    );
    conf.write(
        "witswitch.toml",
        "[vars]\ndomain = \"example.test\"\n[event-socket]\nlisten-ip = \"192.0.2.10\"\npassword = \"long-and-private\"\n",
    );
    assert_eq!(conf.lines(), Vec::<String>::new());
}
