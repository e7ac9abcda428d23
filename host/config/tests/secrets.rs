//! Per-user secrets: generated once into the state folder (mode 0600), reused
//! afterwards; users with a password in the config are left alone.

#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::Conf;
use witswitch_config::{Config, Credential, SECRETS_FILE, SecretsError, ensure_user_secrets};

const DIRECTORY: &str = "\
[domain]
name = \"example.test\"

[defaults]
user_context = \"default\"

[users.1000]
password = \"correct-horse\"

[users.1001]

[users.1002]
";

/// A stand-in for a CSPRNG that differs per call, and counts calls.
fn counter(calls: &mut u32) -> impl FnMut(&mut [u8]) + '_ {
    let mut next = 0u8;
    move |buf: &mut [u8]| {
        *calls += 1;
        for b in buf {
            *b = next;
            next = next.wrapping_add(37);
        }
    }
}

fn never(_: &mut [u8]) {
    panic!("no randomness should be needed");
}

fn password(config: &Config, id: &str) -> String {
    match &config.user(id, "example.test").expect("user").credential {
        Some(Credential::Password(p)) => p.clone(),
        other => panic!("{id}: expected a password, got {other:?}"),
    }
}

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn first_run_generates_then_later_runs_reuse() {
    let conf = Conf::minimal();
    conf.write("directory/default.toml", DIRECTORY);
    let state = conf.path("state/var");

    let mut config = conf.load();
    let mut calls = 0;
    let report = ensure_user_secrets(&state, &mut config, counter(&mut calls)).unwrap();
    assert!(calls > 0);
    assert_eq!(report.path, state.join(SECRETS_FILE));
    assert_eq!(report.generated, ["1001@example.test", "1002@example.test"]);
    assert_eq!(report.reused, 0);
    assert!(
        report
            .to_string()
            .contains(&state.join(SECRETS_FILE).display().to_string())
    );
    assert!(
        report
            .to_string()
            .starts_with("generated SIP passwords for 2 users into ")
    );

    // Explicit password untouched; generated ones are long, distinct, alphanumeric.
    assert_eq!(password(&config, "1000"), "correct-horse");
    let (p1, p2) = (password(&config, "1001"), password(&config, "1002"));
    assert_ne!(p1, p2);
    for p in [&p1, &p2] {
        assert_eq!(p.len(), 20);
        assert!(p.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    // Private file in a private folder, holding exactly the generated secrets.
    let file = state.join(SECRETS_FILE);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&state), 0o700);
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!("1001 = \"{p1}\"")), "{text}");
    assert!(!text.contains("correct-horse"));

    // Second start: same secrets, no randomness used, file untouched.
    let mut again = conf.load();
    let report = ensure_user_secrets(&state, &mut again, never).unwrap();
    assert!(report.generated.is_empty());
    assert_eq!(report.reused, 2);
    assert_eq!(
        report.to_string(),
        format!("SIP passwords of 2 users read from {}", file.display())
    );
    assert_eq!(
        (password(&again, "1001"), password(&again, "1002")),
        (p1.clone(), p2)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), text);

    // A new user gets a secret; the others keep theirs.
    conf.write(
        "directory/default.toml",
        &format!("{DIRECTORY}\n[users.1003]\n"),
    );
    let mut grown = conf.load();
    let mut calls = 0;
    let report = ensure_user_secrets(&state, &mut grown, counter(&mut calls)).unwrap();
    assert_eq!(report.generated, ["1003@example.test"]);
    assert_eq!(report.reused, 2);
    assert_eq!(password(&grown, "1001"), p1);
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn explicit_passwords_need_no_file() {
    let conf = Conf::minimal();
    let state = conf.path("var");
    let mut config = conf.load();
    let report = ensure_user_secrets(&state, &mut config, never).unwrap();
    assert!(report.generated.is_empty());
    assert_eq!(report.reused, 0);
    assert!(!state.exists(), "nothing to store, nothing written");
    // Not even read: a foreign file there does not matter.
    fs::create_dir_all(&state).unwrap();
    fs::write(state.join(SECRETS_FILE), "not toml [").unwrap();
    let report = ensure_user_secrets(&state, &mut config, never).unwrap();
    assert_eq!(report.reused, 0);
    assert_eq!(password(&config, "1000"), "correct-horse");
}

#[test]
fn open_permissions_are_tightened() {
    let conf = Conf::minimal();
    conf.write("directory/default.toml", DIRECTORY);
    let state = conf.path("var");
    let mut calls = 0;
    ensure_user_secrets(&state, &mut conf.load(), counter(&mut calls)).unwrap();
    let file = state.join(SECRETS_FILE);
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    let report = ensure_user_secrets(&state, &mut conf.load(), never).unwrap();
    assert!(report.permissions_tightened);
    assert!(
        report
            .to_string()
            .ends_with("its permissions were too open and are now 0600")
    );
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn foreign_secrets_file_is_left_untouched() {
    let conf = Conf::minimal();
    conf.write("directory/default.toml", DIRECTORY);
    let state = conf.path("var");
    fs::create_dir_all(&state).unwrap();
    let file = state.join(SECRETS_FILE);
    fs::write(&file, "this is = not [valid").unwrap();
    let mut calls = 0;
    let err = ensure_user_secrets(&state, &mut conf.load(), counter(&mut calls)).unwrap_err();
    assert!(matches!(err, SecretsError::Parse { .. }), "{err:?}");
    assert!(err.to_string().contains("fix or remove it"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "this is = not [valid");
}

#[test]
fn shipped_users_all_get_secrets() {
    let shipped = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../conf"));
    let mut config = Config::load(&shipped).unwrap();
    let state = tempfile::tempdir().unwrap();
    let mut calls = 0;
    let report = ensure_user_secrets(state.path(), &mut config, counter(&mut calls)).unwrap();
    assert_eq!(report.generated.len(), 20);
    assert!(config.directory.users().all(|u| u.credential.is_some()));
}
