//! Event fan-out cost: one realistic channel event (≈140 headers, the size of a
//! recorded CHANNEL_ANSWER) published to 10 subscribers on ALL events and carried
//! through each subscriber's queue and session onto its transmit queue.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use witswitch_control::bus::EventBus;
use witswitch_control::event::channel::{
    AnswerState, CallState, CallerProfile, ChannelEventKind, ChannelFields, ChannelState,
    CodecInfo, channel_event,
};
use witswitch_control::event::{
    CallSite, CoreIdentity, Event, EventFactory, EventFormat, EventTime, serialize,
};
use witswitch_control::queue::QueueReceiver;
use witswitch_control::session::{EslSession, Now, Request, SessionConfig};
use witswitch_control::wire::Limits;

fn factory() -> Arc<EventFactory> {
    Arc::new(EventFactory::new(CoreIdentity {
        core_uuid: "1a11402a-4903-4a28-9be1-ab0fc77533ea".into(),
        hostname: "vm".into(),
        switchname: "vm".into(),
        ipv4: "192.0.2.2".into(),
        ipv6: "fd00::2".into(),
    }))
}

fn answer_fields() -> ChannelFields {
    let uuid = "68d8b90b-3dbf-4bf5-9200-15832dd9f4d2".to_string();
    let codec = CodecInfo {
        name: "PCMU".into(),
        rate: 8000,
        bit_rate: 64000,
    };
    let caller = CallerProfile {
        direction: "inbound".into(),
        logical_direction: "inbound".into(),
        username: "1000".into(),
        dialplan: "XML".into(),
        caller_id_name: "1000".into(),
        caller_id_number: "1000".into(),
        network_addr: "127.0.0.1".into(),
        ani: "1000".into(),
        destination_number: "9196".into(),
        unique_id: uuid.clone(),
        source: "mod_sofia".into(),
        context: "public".into(),
        channel_name: "sofia/internal/1000@127.0.0.1".into(),
        profile_index: 1,
        screen_bit: true,
        ..CallerProfile::default()
    };
    let variables = (0..80)
        .map(|i| {
            (
                format!("sip_variable_{i}"),
                format!("value {i} with sip:1000@127.0.0.1:5060;transport=UDP"),
            )
        })
        .collect();
    ChannelFields {
        state: ChannelState::Execute,
        next_state: None,
        call_state: CallState::Active,
        name: "sofia/internal/1000@127.0.0.1".into(),
        uuid: uuid.clone(),
        direction: "inbound".into(),
        presence_direction: "inbound".into(),
        hit_dialplan: true,
        presence_id: Some("1000@127.0.0.1".into()),
        presence_data: None,
        call_uuid: uuid,
        answer_state: AnswerState::Answered,
        hangup_cause: None,
        read_codec: Some(codec.clone()),
        write_codec: Some(codec),
        caller: Some(caller),
        other_leg: None,
        variables,
    }
}

fn answer_event(factory: &EventFactory, fields: &ChannelFields) -> Event {
    let time = EventTime {
        epoch_us: 1_795_695_534_283_285,
        utc_offset_secs: 0,
    };
    let site = CallSite {
        file: "channel.rs",
        function: "answer",
        line: 1,
    };
    channel_event(factory, time, site, &ChannelEventKind::Answer, fields)
}

struct Subscriber {
    session: EslSession,
    receiver: QueueReceiver,
}

fn subscribers(bus: &mut EventBus, count: usize, formats: &[EventFormat]) -> Vec<Subscriber> {
    (0..count)
        .map(|index| {
            let (id, receiver) = bus.subscribe();
            let config = SessionConfig {
                password: "ClueCon".into(),
                limits: Limits::default(),
            };
            let mut session =
                EslSession::inbound(config, factory(), Box::new(|| "job".to_string()));
            let format = formats[index % formats.len()].as_str();
            session.handle_input(format!("auth ClueCon\n\nevent {format} ALL\n\n").as_bytes());
            while session.poll_transmit().is_some() {}
            while let Some(request) = session.poll_request() {
                if let Request::Subscription(subscription) = request {
                    bus.update(id, subscription);
                }
            }
            Subscriber { session, receiver }
        })
        .collect()
}

fn deliver(subscribers: &mut [Subscriber], now: Now) -> usize {
    let mut bytes = 0;
    for subscriber in subscribers {
        while let Some(item) = subscriber.receiver.pop() {
            subscriber.session.handle_item(item, now);
        }
        while let Some(frame) = subscriber.session.poll_transmit() {
            bytes += frame.len();
        }
    }
    bytes
}

fn fanout(c: &mut Criterion) {
    let factory = factory();
    let event = answer_event(&factory, &answer_fields());
    let now = Now {
        instant: Instant::now(),
        wall: EventTime::default(),
    };
    let mut group = c.benchmark_group("fanout");
    group.throughput(Throughput::Elements(1));
    for (label, formats) in [
        ("10_subscribers_plain", &[EventFormat::Plain][..]),
        ("10_subscribers_json", &[EventFormat::Json][..]),
        (
            "10_subscribers_mixed",
            &[EventFormat::Plain, EventFormat::Json, EventFormat::Xml][..],
        ),
    ] {
        let mut bus = EventBus::new(1024);
        let mut subs = subscribers(&mut bus, 10, formats);
        group.bench_function(label, |b| {
            b.iter_batched(
                || event.clone(),
                |event| {
                    bus.publish(event);
                    black_box(deliver(&mut subs, now))
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn serialization(c: &mut Criterion) {
    let factory = factory();
    let fields = answer_fields();
    let event = answer_event(&factory, &fields);
    let mut group = c.benchmark_group("serialize_channel_answer");
    for format in [EventFormat::Plain, EventFormat::Json, EventFormat::Xml] {
        group.bench_function(format.as_str(), |b| {
            b.iter(|| black_box(serialize::event_frame(black_box(&event), format)))
        });
    }
    group.bench_function("build", |b| {
        b.iter(|| black_box(answer_event(&factory, black_box(&fields))))
    });
    group.finish();
}

criterion_group!(benches, fanout, serialization);
criterion_main!(benches);
