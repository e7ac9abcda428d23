//! From the call engine's channel events to ESL events: the call task hands each
//! `ChannelEvent` to a publisher task over a bounded queue (a call never waits for
//! event formatting; when the publisher falls behind, events are dropped and counted),
//! and the publisher builds FreeSWITCH's header set and publishes it on the bus.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;
use witswitch_control::call_site;
use witswitch_control::event::Event;
use witswitch_control::event::EventTime;
use witswitch_control::event::channel::{
    CallerProfile, ChannelEventKind, ChannelFields, CodecInfo, OtherLegType, ProfileTimes,
    channel_event,
};
use witswitch_core::{CallDirection, ChannelEvent, ChannelSnapshot, EventName};

use super::ControlHub;

/// Channel events waiting for the publisher.
const PUBLISH_QUEUE: usize = 16 * 1024;

/// The call task's end of the publisher queue.
#[derive(Debug, Clone)]
pub struct EventSink {
    hub: Arc<ControlHub>,
    queue: mpsc::Sender<Box<ChannelEvent>>,
    dropped: Arc<AtomicU64>,
}

impl EventSink {
    /// Whether anybody listens (the engine skips building events otherwise).
    pub fn listening(&self) -> bool {
        self.hub.listening()
    }

    /// The control hub (the outbound socket runs its sessions there).
    pub fn hub(&self) -> &Arc<ControlHub> {
        &self.hub
    }

    /// Queues an event without waiting.
    pub fn send(&self, event: Box<ChannelEvent>) {
        if self.queue.try_send(event).is_err() {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!("event publisher behind: {dropped} channel events dropped");
            }
        }
    }
}

/// Starts the publisher task; returns the sink the call task sends to.
pub fn start_publisher(hub: Arc<ControlHub>) -> EventSink {
    let (queue, mut rx) = mpsc::channel::<Box<ChannelEvent>>(PUBLISH_QUEUE);
    let publisher = Arc::clone(&hub);
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            publisher.publish(to_esl(&publisher, &event));
        }
    });
    EventSink {
        hub,
        queue,
        dropped: Arc::new(AtomicU64::new(0)),
    }
}

/// The ESL event for a channel event.
pub fn to_esl(hub: &ControlHub, event: &ChannelEvent) -> Event {
    let fields = fields(event);
    let header = |name: &str| event.header(name).unwrap_or_default();
    // FreeSWITCH always names an execution; clients split on "Name: value" and
    // mis-parse an empty value, so one is made when the engine has none.
    let made_uuid;
    let application_uuid = match event.header("Application-UUID") {
        Some(uuid) => uuid,
        None => {
            made_uuid = super::new_uuid();
            made_uuid.as_str()
        }
    };
    let kind = match event.name {
        EventName::ChannelCreate => ChannelEventKind::Create,
        EventName::ChannelProgress => ChannelEventKind::Progress,
        EventName::ChannelProgressMedia => ChannelEventKind::ProgressMedia,
        EventName::ChannelAnswer => ChannelEventKind::Answer,
        EventName::ChannelOriginate => ChannelEventKind::Originate,
        EventName::ChannelBridge => ChannelEventKind::Bridge {
            a: header("Bridge-A-Unique-ID"),
            b: header("Bridge-B-Unique-ID"),
        },
        EventName::ChannelUnbridge => ChannelEventKind::Unbridge {
            a: header("Bridge-A-Unique-ID"),
            b: header("Bridge-B-Unique-ID"),
        },
        EventName::ChannelExecute => ChannelEventKind::Execute {
            application: header("Application"),
            data: header("Application-Data"),
            application_uuid,
        },
        EventName::ChannelExecuteComplete => ChannelEventKind::ExecuteComplete {
            application: header("Application"),
            data: header("Application-Data"),
            response: event.header("Application-Response").unwrap_or("_none_"),
            application_uuid,
        },
        EventName::ChannelPark => ChannelEventKind::Park,
        EventName::ChannelState => ChannelEventKind::State,
        EventName::ChannelCallstate => ChannelEventKind::CallState {
            original: witswitch_core::CallState::from_name(header("Original-Channel-Call-State"))
                .unwrap_or(witswitch_core::CallState::Down),
        },
        EventName::ChannelHangup => ChannelEventKind::Hangup,
        EventName::ChannelHangupComplete => ChannelEventKind::HangupComplete,
        EventName::ChannelDestroy => ChannelEventKind::Destroy,
        other => ChannelEventKind::Other {
            name: other.name(),
            with_variables: other.carries_variables(),
        },
    };
    let time = EventTime {
        epoch_us: i64::try_from(event.timestamp_us).unwrap_or(i64::MAX),
        utc_offset_secs: 0,
    };
    let mut esl = channel_event(
        hub.factory(),
        time,
        call_site!("switch_channel_event"),
        &kind,
        &fields,
    );
    // Headers the kind did not already place (DTMF-Digit, Playback-File-Path, ...).
    let consumed: &[&str] = match kind {
        ChannelEventKind::Bridge { .. } | ChannelEventKind::Unbridge { .. } => {
            &["Bridge-A-Unique-ID", "Bridge-B-Unique-ID"]
        }
        ChannelEventKind::CallState { .. } => &["Original-Channel-Call-State"],
        ChannelEventKind::Execute { .. } | ChannelEventKind::ExecuteComplete { .. } => &[
            "Application",
            "Application-Data",
            "Application-UUID",
            "Application-Response",
        ],
        _ => &[],
    };
    for (name, value) in &event.headers {
        if !consumed.contains(name) {
            esl.add_header(*name, value.clone());
        }
    }
    esl
}

/// CHANNEL_DATA as an outbound socket's `connect` reply carries it.
pub fn connect_data(hub: &ControlHub, data: &ChannelEvent) -> Event {
    let time = EventTime {
        epoch_us: i64::try_from(data.timestamp_us).unwrap_or(i64::MAX),
        utc_offset_secs: 0,
    };
    channel_event(
        hub.factory(),
        time,
        call_site!("outbound_socket"),
        &ChannelEventKind::ConnectData,
        &fields(data),
    )
}

fn fields(event: &ChannelEvent) -> ChannelFields {
    let ch = &event.channel;
    let direction = match ch.direction {
        CallDirection::Inbound => "inbound",
        CallDirection::Outbound => "outbound",
    };
    let codec = ch.codec.as_ref().map(|(name, rate)| CodecInfo {
        name: name.clone(),
        rate: *rate,
        bit_rate: bit_rate(name),
    });
    let other_leg = ch.other_leg_uuid.as_ref().map(|uuid| {
        let kind = match ch.direction {
            CallDirection::Inbound => OtherLegType::Originatee,
            CallDirection::Outbound => OtherLegType::Originator,
        };
        let profile = CallerProfile {
            unique_id: uuid.clone(),
            ..CallerProfile::default()
        };
        (kind, profile)
    });
    ChannelFields {
        state: ch.state,
        next_state: None,
        call_state: ch.call_state,
        name: ch.name.clone(),
        uuid: ch.uuid.clone(),
        direction: direction.to_owned(),
        presence_direction: direction.to_owned(),
        hit_dialplan: true,
        presence_id: None,
        presence_data: None,
        call_uuid: ch.call_uuid.clone(),
        answer_state: ch.answer_state,
        hangup_cause: ch.hangup_cause.map(|c| c.name().to_owned()),
        read_codec: codec.clone(),
        write_codec: codec,
        caller: Some(caller_profile(ch, direction)),
        other_leg,
        variables: event
            .variables
            .as_ref()
            .map(|vars| vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    }
}

fn caller_profile(ch: &ChannelSnapshot, direction: &str) -> CallerProfile {
    let us = |t: u64| i64::try_from(t).unwrap_or(i64::MAX);
    CallerProfile {
        direction: direction.to_owned(),
        logical_direction: direction.to_owned(),
        username: ch.username.clone(),
        dialplan: "XML".to_owned(),
        caller_id_name: ch.caller_id_name.clone(),
        caller_id_number: ch.caller_id_number.clone(),
        orig_caller_id_name: ch.caller_id_name.clone(),
        orig_caller_id_number: ch.caller_id_number.clone(),
        network_addr: ch.network_addr.clone(),
        ani: ch.caller_id_number.clone(),
        destination_number: ch.destination_number.clone(),
        unique_id: ch.uuid.clone(),
        source: "mod_sofia".to_owned(),
        context: ch.context.clone(),
        channel_name: ch.name.clone(),
        profile_index: 1,
        times: ProfileTimes {
            profile_created: us(ch.created_us),
            channel_created: us(ch.created_us),
            answered: us(ch.answered_us),
            hangup: us(ch.hangup_us),
            ..ProfileTimes::default()
        },
        ..CallerProfile::default()
    }
}

/// Bit rate of the codecs the media engine speaks.
fn bit_rate(codec: &str) -> u32 {
    match codec.to_ascii_uppercase().as_str() {
        "PCMU" | "PCMA" | "G722" => 64_000,
        "OPUS" => 32_000,
        _ => 0,
    }
}
