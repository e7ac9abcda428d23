//! The channel header builders reproduce every recorded channel event: each event's
//! channel fields are read back into a `ChannelFields`, the headers are rebuilt from
//! them, and the result must equal the recorded header list (names, order, values).

mod common;

use common::{all_recorded_frames, event_of, server_stream, split_frames};
use witswitch_control::event::Event;
use witswitch_control::event::channel::{
    AnswerState, CallState, CallerProfile, ChannelEventKind, ChannelFields, ChannelState,
    CodecInfo, OtherLegType, ProfileTimes, fill_channel_event,
};

/// Core headers (Event-Name .. Event-Sequence) every recorded event starts with.
const CORE_HEADERS: usize = 13;

fn text(event: &Event, name: &str) -> String {
    event.header(name).unwrap_or_default().to_string()
}

fn time(event: &Event, name: &str) -> i64 {
    event.header(name).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn profile(event: &Event, prefix: &str) -> Option<CallerProfile> {
    event.header(&format!("{prefix}-Direction"))?;
    let field = |suffix: &str| text(event, &format!("{prefix}-{suffix}"));
    let stamp = |suffix: &str| time(event, &format!("{prefix}-{suffix}"));
    Some(CallerProfile {
        direction: field("Direction"),
        logical_direction: field("Logical-Direction"),
        username: field("Username"),
        dialplan: field("Dialplan"),
        caller_id_name: field("Caller-ID-Name"),
        caller_id_number: field("Caller-ID-Number"),
        orig_caller_id_name: field("Orig-Caller-ID-Name"),
        orig_caller_id_number: field("Orig-Caller-ID-Number"),
        callee_id_name: field("Callee-ID-Name"),
        callee_id_number: field("Callee-ID-Number"),
        network_addr: field("Network-Addr"),
        ani: field("ANI"),
        aniii: field("ANI-II"),
        destination_number: field("Destination-Number"),
        unique_id: field("Unique-ID"),
        source: field("Source"),
        transfer_source: field("Transfer-Source"),
        context: field("Context"),
        rdnis: field("RDNIS"),
        channel_name: field("Channel-Name"),
        profile_index: field("Profile-Index").parse().unwrap_or(0),
        times: ProfileTimes {
            profile_created: stamp("Profile-Created-Time"),
            channel_created: stamp("Channel-Created-Time"),
            answered: stamp("Channel-Answered-Time"),
            progress: stamp("Channel-Progress-Time"),
            progress_media: stamp("Channel-Progress-Media-Time"),
            hangup: stamp("Channel-Hangup-Time"),
            transfer: stamp("Channel-Transfer-Time"),
            resurrect: stamp("Channel-Resurrect-Time"),
            bridged: stamp("Channel-Bridged-Time"),
            last_hold: stamp("Channel-Last-Hold"),
            hold_accum: stamp("Channel-Hold-Accum"),
        },
        screen_bit: field("Screen-Bit") == "true",
        privacy_hide_name: field("Privacy-Hide-Name") == "true",
        privacy_hide_number: field("Privacy-Hide-Number") == "true",
    })
}

fn codec(event: &Event, direction: &str) -> Option<CodecInfo> {
    let name = event.header(&format!("Channel-{direction}-Codec-Name"))?;
    Some(CodecInfo {
        name: name.to_string(),
        rate: time(event, &format!("Channel-{direction}-Codec-Rate")) as u32,
        bit_rate: time(event, &format!("Channel-{direction}-Codec-Bit-Rate")) as u32,
    })
}

fn state_by_number(event: &Event) -> ChannelState {
    let number: u8 = text(event, "Channel-State-Number")
        .parse()
        .expect("Channel-State-Number");
    ChannelState::ALL
        .into_iter()
        .find(|s| s.number() == number)
        .expect("known state number")
}

/// Reads a recorded channel event back into the builder's input.
fn channel_fields(event: &Event) -> ChannelFields {
    let other_leg = event.header("Other-Type").map(|kind| {
        let kind = if kind == "originator" {
            OtherLegType::Originator
        } else {
            OtherLegType::Originatee
        };
        (kind, profile(event, "Other-Leg").unwrap_or_default())
    });
    ChannelFields {
        state: ChannelState::from_name(&text(event, "Channel-State")).expect("Channel-State"),
        next_state: Some(state_by_number(event)),
        call_state: CallState::from_name(&text(event, "Channel-Call-State"))
            .expect("Channel-Call-State"),
        name: text(event, "Channel-Name"),
        uuid: text(event, "Unique-ID"),
        direction: text(event, "Call-Direction"),
        presence_direction: text(event, "Presence-Call-Direction"),
        hit_dialplan: text(event, "Channel-HIT-Dialplan") == "true",
        presence_id: event.header("Channel-Presence-ID").map(str::to_string),
        presence_data: event.header("Channel-Presence-Data").map(str::to_string),
        call_uuid: text(event, "Channel-Call-UUID"),
        answer_state: AnswerState::from_name(&text(event, "Answer-State")).expect("Answer-State"),
        hangup_cause: event.header("Hangup-Cause").map(str::to_string),
        read_codec: codec(event, "Read"),
        write_codec: codec(event, "Write"),
        caller: profile(event, "Caller"),
        other_leg,
        variables: event
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                name.strip_prefix("variable_")
                    .map(|n| (n.to_string(), value.clone()))
            })
            .collect(),
    }
}

/// Rebuilds the event from its core headers and the fields read back.
fn rebuild(original: &Event, connect: bool) -> Event {
    let name = original.name();
    let fields = channel_fields(original);
    let application = original.header("Application").unwrap_or_default();
    let data = original.header("Application-Data").unwrap_or_default();
    let response = original.header("Application-Response").unwrap_or_default();
    let application_uuid = original.header("Application-UUID").unwrap_or_default();
    let original_call_state = CallState::from_name(
        original
            .header("Original-Channel-Call-State")
            .unwrap_or("DOWN"),
    );
    let kind = match name {
        "CHANNEL_CREATE" => ChannelEventKind::Create,
        "CHANNEL_STATE" => ChannelEventKind::State,
        "CHANNEL_CALLSTATE" => ChannelEventKind::CallState {
            original: original_call_state.expect("call state"),
        },
        "CHANNEL_PROGRESS_MEDIA" => ChannelEventKind::ProgressMedia,
        "CHANNEL_ANSWER" => ChannelEventKind::Answer,
        "CHANNEL_EXECUTE" => ChannelEventKind::Execute {
            application,
            data,
            application_uuid,
        },
        "CHANNEL_EXECUTE_COMPLETE" => ChannelEventKind::ExecuteComplete {
            application,
            data,
            response,
            application_uuid,
        },
        "CHANNEL_PARK" => ChannelEventKind::Park,
        "CHANNEL_UNPARK" => ChannelEventKind::Unpark,
        "CHANNEL_HANGUP" => ChannelEventKind::Hangup,
        "CHANNEL_HANGUP_COMPLETE" => ChannelEventKind::HangupComplete,
        "CHANNEL_DESTROY" => ChannelEventKind::Destroy,
        "CHANNEL_DATA" if connect => ChannelEventKind::ConnectData,
        "CHANNEL_DATA" => ChannelEventKind::Data,
        other => panic!("no builder kind for {other}"),
    };
    let core = original.headers()[..CORE_HEADERS].to_vec();
    let mut event = Event::from_parts(core, None);
    fill_channel_event(&mut event, &kind, &fields);
    event
}

fn assert_same(original: &Event, rebuilt: &Event, context: &str) {
    let names = |e: &Event| {
        e.headers()
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>()
    };
    let (got, want) = (names(rebuilt), names(original));
    let first_difference = got
        .iter()
        .zip(&want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    assert_eq!(
        got.get(first_difference..first_difference + 4),
        want.get(first_difference..first_difference + 4),
        "{context}: header names/order from index {first_difference}"
    );
    assert_eq!(got.len(), want.len(), "{context}: header count");
    for (index, (got, want)) in rebuilt.headers().iter().zip(original.headers()).enumerate() {
        assert_eq!(got, want, "{context}: header {index}");
    }
    assert_eq!(rebuilt.body(), original.body(), "{context}: body");
}

#[test]
fn channel_events_in_all_recordings_are_rebuilt_exactly() {
    let mut checked = 0;
    for (file, raw) in all_recorded_frames() {
        if raw.frame.event_format().is_none() {
            continue;
        }
        let original = event_of(&raw);
        let name = original.name().to_string();
        if !name.starts_with("CHANNEL_") {
            continue;
        }
        assert_same(
            &original,
            &rebuild(&original, false),
            &format!("{file} {name}"),
        );
        checked += 1;
    }
    assert!(checked >= 80, "checked {checked} channel events");
}

#[test]
fn uuid_dump_and_outbound_connect_channel_data_are_rebuilt_exactly() {
    // uuid_dump: the api body is a plain CHANNEL_DATA event.
    let dump = split_frames(&server_stream("esl/originate_uuid_cmds"))
        .into_iter()
        .find(|raw| {
            raw.frame
                .body_text()
                .starts_with("Event-Name: CHANNEL_DATA")
        })
        .expect("uuid_dump output");
    let original =
        witswitch_control::wire::parse_plain(dump.frame.body.as_deref().unwrap_or_default());
    assert_same(&original, &rebuild(&original, false), "uuid_dump");

    // The outbound connect reply: CHANNEL_DATA with the Channel- profile first, then
    // the four reply headers in the same block.
    for name in [
        "esl_outbound/outbound_socket_9199_linger",
        "esl_outbound/outbound_socket_9199_nolinger",
    ] {
        let reply = split_frames(&server_stream(name))
            .into_iter()
            .next()
            .expect("connect reply");
        let mut original = witswitch_control::wire::parse_plain(&reply.bytes);
        for header in ["Content-Type", "Reply-Text", "Socket-Mode", "Control"] {
            original.remove_header(header);
        }
        assert_same(&original, &rebuild(&original, true), name);
    }
}
