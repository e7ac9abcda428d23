//! The `socket` application (outbound event socket): the channel parks while the
//! driver connects; apps sent by the server run and the channel parks again; a
//! closed socket hangs up (NORMAL_CLEARING) unless `resume`, a refused one lets
//! the dialplan continue ("Socket Error!"), as FreeSWITCH does.

mod common;

use common::{Harness, final_command};
use witswitch_core::{
    Action, ChannelId, Effect, EventName, HangupCause, MediaEvent, SocketEnd, SocketTarget,
};

fn socket_call(h: &mut Harness) -> ChannelId {
    let a = h.invite("9199");
    h.route(
        a,
        vec![
            Action::Execute {
                name: "socket".into(),
                data: "127.0.0.1:8084 async full".into(),
            },
            Action::Answer,
            Action::Playback("after.wav".into()),
        ],
    );
    a
}

fn socket_effects(h: &Harness) -> Vec<(ChannelId, SocketTarget, String)> {
    h.log
        .iter()
        .filter_map(|e| match e {
            Effect::Socket {
                channel,
                target,
                data,
            } => Some((*channel, target.clone(), data.channel.uuid.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn socket_parks_the_channel_and_hands_over_its_data() {
    let mut h = Harness::new();
    let a = socket_call(&mut h);
    let sockets = socket_effects(&h);
    assert_eq!(sockets.len(), 1);
    assert_eq!(sockets[0].0, a);
    assert_eq!(
        sockets[0].1,
        SocketTarget {
            host: "127.0.0.1".into(),
            port: 8084,
            async_mode: true,
            full: true
        }
    );
    assert_eq!(sockets[0].2, h.uuid(a));
    let Some(Effect::Socket { data, .. }) =
        h.log.iter().find(|e| matches!(e, Effect::Socket { .. }))
    else {
        panic!("socket")
    };
    let vars = data.variables.as_ref().expect("variables");
    assert!(
        vars.iter()
            .any(|(k, v)| k == "destination_number" && v == "9199"),
        "{vars:?}"
    );
    assert_eq!(h.events(EventName::ChannelPark).len(), 1);
    assert_eq!(
        final_command(&h.sip_commands(a)),
        None,
        "waits for the server"
    );
}

#[test]
fn apps_from_the_server_run_inside_the_park() {
    let mut h = Harness::new();
    let a = socket_call(&mut h);
    let now = h.now;
    h.engine
        .execute_api(now, a, ("answer", ""), 1, None)
        .expect("answer");
    h.engine
        .execute_api(now, a, ("playback", "tone.wav"), 1, None)
        .expect("playback");
    h.settle();
    let (play, source) = h.last_play(a);
    assert_eq!(source, "tone.wav");
    h.media(MediaEvent::PlaybackDone {
        leg: a.leg(),
        play_id: play,
        interrupted_by: None,
    });
    // Back in the socket's park without a second CHANNEL_PARK (FreeSWITCH runs
    // the server's applications inside it); the hangup below needs that park.
    assert_eq!(h.events(EventName::ChannelPark).len(), 1, "one park");
    assert_eq!(h.events(EventName::ChannelAnswer).len(), 1);
    // The server closes without resume: the call ends.
    h.engine
        .socket_ended(h.now, a, SocketEnd::Closed { resume: false });
    h.settle();
    let hangup = h.events(EventName::ChannelHangupComplete);
    assert_eq!(hangup.len(), 1);
    assert_eq!(
        hangup[0].channel.hangup_cause,
        Some(HangupCause::NormalClearing)
    );
}

#[test]
fn refused_or_resumed_socket_continues_the_dialplan() {
    for end in [SocketEnd::Refused, SocketEnd::Closed { resume: true }] {
        let mut h = Harness::new();
        let a = socket_call(&mut h);
        h.engine.socket_ended(h.now, a, end);
        h.settle();
        assert_eq!(h.last_play(a).1, "after.wav", "{end:?}");
        // A late second report changes nothing.
        h.engine
            .socket_ended(h.now, a, SocketEnd::Closed { resume: false });
        h.settle();
        assert!(h.events(EventName::ChannelHangup).is_empty(), "{end:?}");
    }
}
