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
    // FreeSWITCH's order (events_plain_all_call_9196 of the 1.10.12 recordings):
    // ANSWER then CALLSTATE ACTIVE; HANGUP then CS_HANGUP and CALLSTATE HANGUP;
    // CS_REPORTING then HANGUP_COMPLETE; DESTROY then CS_DESTROY.
    let names: Vec<String> = events
        .iter()
        .map(|e| match e.0 {
            EventName::ChannelState => e.1.name().to_owned(),
            EventName::ChannelCallstate => format!("CALLSTATE {}", e.2.name()),
            other => other.name().to_owned(),
        })
        .collect();
    assert_eq!(
        names,
        [
            "CHANNEL_CREATE",
            "CS_ROUTING",
            "CS_EXECUTE",
            "CHANNEL_EXECUTE",
            "CHANNEL_ANSWER",
            "CALLSTATE ACTIVE",
            "CHANNEL_EXECUTE_COMPLETE",
            "CHANNEL_EXECUTE",
            "CHANNEL_HANGUP",
            "CS_HANGUP",
            "CALLSTATE HANGUP",
            "CS_REPORTING",
            "CHANNEL_HANGUP_COMPLETE",
            "CHANNEL_DESTROY",
            "CS_DESTROY",
        ]
    );
}
