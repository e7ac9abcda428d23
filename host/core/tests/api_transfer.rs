//! `uuid_transfer` from the event socket: an answered echo call stops echoing and is
//! routed again with the new destination; bridged calls and unknown channels refuse.

mod common;

use common::Harness;
use witswitch_core::{Action, ApiOpError, ChannelId, Effect, MediaCommand};

#[test]
fn transfer_moves_an_echo_call_to_a_new_extension() {
    let mut h = Harness::new();
    let a = h.invite("9196");
    h.route(a, vec![Action::Answer, Action::Echo]);
    assert_eq!(h.routes(a), 1);
    let now = h.now;
    assert_eq!(
        h.engine.transfer_channel(now, a, "9664", Some("default")),
        Ok(())
    );
    h.settle();
    assert!(
        h.media_commands()
            .iter()
            .any(|m| matches!(m, MediaCommand::Idle { leg } if *leg == a.leg())),
        "echo stops"
    );
    assert_eq!(h.routes(a), 2, "routed again");
    let info = h
        .log
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Route { channel, call_info } if *channel == a => Some(call_info.clone()),
            _ => None,
        })
        .expect("route");
    assert_eq!(info.destination_number, "9664");
    assert_eq!(info.context, "default");
    assert_eq!(h.engine.channel_var(a, "destination_number"), Some("9664"));
}

#[test]
fn transfer_of_an_unknown_channel_is_refused() {
    let mut h = Harness::new();
    let now = h.now;
    assert_eq!(
        h.engine.transfer_channel(now, ChannelId(999), "1", None),
        Err(ApiOpError::NoChannel)
    );
    assert_eq!(
        h.engine.send_dtmf(ChannelId(999), "1"),
        Err(ApiOpError::NoChannel)
    );
}
