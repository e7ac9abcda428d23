//! `diff` names what a reload changes.

mod common;

use common::{Conf, INTERNAL, SCRIPTS};
use witswitch_config::diff;

#[test]
fn identical_configs_have_no_changes() {
    let conf = Conf::minimal();
    let d = diff(&conf.load(), &conf.load());
    assert!(d.is_empty());
    assert_eq!(d.to_string(), "no changes");
}

#[test]
fn lists_added_removed_and_changed_parts() {
    let conf = Conf::minimal();
    conf.write(
        "profiles/external.toml",
        "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = 5080\ncontext = \"public\"\n\n\
         [gateways.old]\nrealm = \"old.example\"\nregister = false\n\n\
         [gateways.carrier]\nrealm = \"sip.example\"\nregister = false\n",
    );
    let old = conf.load();

    conf.write(
        "profiles/internal.toml",
        &format!("{INTERNAL}nonce-ttl = 30\n"),
    );
    conf.write(
        "profiles/external.toml",
        "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = 5080\ncontext = \"public\"\n\n\
         [gateways.carrier]\nrealm = \"sip.example\"\nregister = false\nping = 30\n\n\
         [gateways.new]\nrealm = \"new.example\"\nregister = false\n",
    );
    conf.write(
        "profiles/lab.toml",
        "[profile]\nsip-ip = \"127.0.0.1\"\nsip-port = 5070\ncontext = \"public\"\n",
    );
    conf.write(
        "directory/default.toml",
        "[domain]\nname = \"example.test\"\n[users.1000]\npassword = \"changed-pass\"\nuser_context = \"default\"\n[users.1001]\npassword = \"another-pass\"\n",
    );
    conf.write(
        "acl.toml",
        "[lists.office]\ndefault = \"deny\"\nallow = [\"10.0.0.0/8\"]\n",
    );
    conf.write(
        "scripts.toml",
        &format!("{SCRIPTS}\n[scripts.extra]\nworld = \"app\"\n"),
    );
    conf.write(
        "witswitch.toml",
        "[vars]\ndomain = \"example.test\"\n[core]\nmax-sessions = 50\n",
    );
    let new = conf.load();

    let d = diff(&old, &new);
    assert_eq!(d.settings, ["core"]);
    assert_eq!(d.profiles.added, ["lab"]);
    assert_eq!(d.profiles.changed, ["internal"]);
    assert!(d.profiles.removed.is_empty());
    assert_eq!(d.gateways.added, ["new"]);
    assert_eq!(d.gateways.removed, ["old"]);
    assert_eq!(d.gateways.changed, ["carrier"]);
    assert_eq!(d.users.added, ["1001@example.test"]);
    assert_eq!(d.users.changed, ["1000@example.test"]);
    assert_eq!(d.acls.added, ["office"]);
    assert_eq!(d.scripts.added, ["extra"]);
    assert!(d.vars.is_empty());
    assert!(d.contexts.is_empty());
    assert_eq!(
        d.to_string(),
        "settings: ~core\n\
         profiles: +lab ~internal\n\
         gateways: +new ~carrier -old\n\
         users: +1001@example.test ~1000@example.test\n\
         acls: +office\n\
         scripts: +extra"
    );

    // And back again: the mirror image.
    let back = diff(&new, &old);
    assert_eq!(back.profiles.removed, ["lab"]);
    assert_eq!(back.gateways.added, ["old"]);
}
