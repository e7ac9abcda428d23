//! CHANNEL_STATE / CHANNEL_CALLSTATE: every state a channel settles in is reported
//! once, in order, before the channel's next event; CALLSTATE names the state it
//! left in `Original-Channel-Call-State`.

mod common;

use common::Harness;
use witswitch_core::{Action, CallState, ChannelState, Effect, EventName, SipInput};

#[test]
fn an_answered_call_reports_its_states_in_order() {
    let mut h = Harness::new();
    let a = h.invite("9196");
    h.route(a, vec![Action::Answer, Action::Echo]);
    h.sip(a, SipInput::Bye { reason: None });
    let events: Vec<(EventName, ChannelState, CallState, Option<String>)> = h
        .log
        .iter()
        .filter_map(|e| match e {
            // One channel in this test: every event is about `a`.
            Effect::Event(ev) => Some((
                ev.name,
                ev.channel.state,
                ev.channel.call_state,
                ev.header("Original-Channel-Call-State").map(str::to_owned),
            )),
            _ => None,
        })
        .collect();
    let states: Vec<ChannelState> = events
        .iter()
        .filter(|e| e.0 == EventName::ChannelState)
        .map(|e| e.1)
        .collect();
    assert_eq!(
        states,
        [
            ChannelState::Routing,
            ChannelState::Execute,
            ChannelState::Hangup,
            ChannelState::Reporting,
            ChannelState::Destroy
        ],
        "{events:?}"
    );
    let calls: Vec<(CallState, Option<String>)> = events
        .iter()
        .filter(|e| e.0 == EventName::ChannelCallstate)
        .map(|e| (e.2, e.3.clone()))
        .collect();
    assert_eq!(
        calls,
        [
            (CallState::Active, Some("DOWN".to_owned())),
            (CallState::Hangup, Some("ACTIVE".to_owned())),
        ],
        "{events:?}"
    );
    // The state change precedes the event that follows it.
    let position = |name: EventName| events.iter().position(|e| e.0 == name).expect("event");
    let hangup_state = events
        .iter()
        .position(|e| e.0 == EventName::ChannelState && e.1 == ChannelState::Hangup)
        .expect("CS_HANGUP");
    assert!(hangup_state < position(EventName::ChannelHangup));
    let destroy_state = events
        .iter()
        .position(|e| e.0 == EventName::ChannelState && e.1 == ChannelState::Destroy)
        .expect("CS_DESTROY");
    assert!(destroy_state < position(EventName::ChannelDestroy));
}
