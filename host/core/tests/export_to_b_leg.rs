//! `export` copies a variable to legs created later (`nolocal:` only to
//! them); `set` stays on its channel; dial-string variables land on the
//! leg they name.

mod common;

use common::Harness;
use witswitch_core::{Action, EventName};

fn vars_of_b(h: &Harness) -> Vec<(String, String)> {
    let (b, _) = h.outgoing_invites()[0].clone();
    let uuid = h.uuid(b);
    let create = h
        .events(EventName::ChannelCreate)
        .into_iter()
        .find(|e| e.channel.uuid == uuid)
        .expect("CHANNEL_CREATE of B");
    let vars = create.variables.expect("CHANNEL_CREATE carries variables");
    vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn has(vars: &[(String, String)], name: &str, value: &str) -> bool {
    vars.iter().any(|(k, v)| k == name && v == value)
}

#[test]
fn exported_variables_reach_the_b_leg() {
    let mut h = Harness::new();
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            Action::Set {
                name: "local_only".into(),
                value: "1".into(),
            },
            Action::Export {
                name: "account".into(),
                value: "acme-${caller_id_number}".into(),
            },
            Action::Export {
                name: "nolocal:b_only".into(),
                value: "yes".into(),
            },
            Action::Bridge("{all_legs=g}[this_leg=l]sofia/internal/1001@10.0.0.5".into()),
        ],
    );
    assert_eq!(h.engine.channel_var(a, "account"), Some("acme-1000"));
    assert_eq!(
        h.engine.channel_var(a, "b_only"),
        None,
        "nolocal: is not set on A"
    );
    let (b, _) = h.outgoing_invites()[0].clone();
    let vars = vars_of_b(&h);
    assert!(has(&vars, "account", "acme-1000"));
    assert!(has(&vars, "b_only", "yes"));
    assert!(has(&vars, "all_legs", "g"));
    assert!(has(&vars, "this_leg", "l"));
    assert!(!vars.iter().any(|(k, _)| k == "local_only"));
    assert_eq!(
        h.engine.channel_var(b, "call_uuid"),
        Some(h.uuid(a).as_str())
    );
    assert_eq!(h.engine.channel_var(b, "direction"), Some("outbound"));
}
