//! `${name}` in action data falls back to the global variables (`[vars]`,
//! `global_setvar`) when the channel has no such variable, as FreeSWITCH's
//! expansion does: `bridge user/1001@${domain}` works from a dialplan.

mod common;

use std::collections::HashMap;

use common::{Harness, default_config};
use witswitch_core::Action;

fn set(name: &str, value: &str) -> Action {
    Action::Set {
        name: name.into(),
        value: value.into(),
    }
}

#[test]
fn action_data_expands_globals_and_channel_variables_win() {
    let mut config = default_config();
    config.globals = HashMap::from([
        ("domain".to_owned(), "pbx.example.net".to_owned()),
        ("tier".to_owned(), "global".to_owned()),
    ]);
    let mut h = Harness::with_config(config);
    let a = h.invite("1001");
    h.route(
        a,
        vec![
            set("tier", "channel"),
            set("target", "user/1001@${domain}"),
            set("which", "${tier}"),
            set("missing", "[${no_such_var}]"),
            Action::Park,
        ],
    );
    h.settle();
    assert_eq!(
        h.engine.channel_var(a, "target"),
        Some("user/1001@pbx.example.net")
    );
    assert_eq!(h.engine.channel_var(a, "which"), Some("channel"));
    assert_eq!(h.engine.channel_var(a, "missing"), Some("[]"));
}

#[test]
fn global_setvar_reaches_the_next_expansion() {
    let mut h = Harness::new();
    h.engine
        .set_globals(HashMap::from([("carrier".to_owned(), "gw-two".to_owned())]));
    let a = h.invite("1001");
    h.route(
        a,
        vec![set("via", "sofia/gateway/${carrier}/1555"), Action::Park],
    );
    h.settle();
    assert_eq!(
        h.engine.channel_var(a, "via"),
        Some("sofia/gateway/gw-two/1555")
    );
}
