//! A subscriber that stops reading while events keep coming: the producer never waits,
//! the queue never holds more than its capacity, and once the client reads again it
//! gets what fit, then one CUSTOM `witswitch::event_loss` notice counting the rest.

mod common;

use std::time::Instant;

use common::recorded_factory;
use witswitch_control::bus::EventBus;
use witswitch_control::event::{Event, EventTime};
use witswitch_control::session::{EslSession, Now, Request, SessionConfig};
use witswitch_control::wire::{Decoder, Frame, Limits};

#[test]
fn slow_client_gets_a_loss_notice_and_memory_stays_bounded() {
    const CAPACITY: usize = 100;
    const PUBLISHED: usize = 10_000;
    let mut bus = EventBus::new(CAPACITY);
    let (id, receiver) = bus.subscribe();
    let config = SessionConfig {
        password: "ClueCon".into(),
        limits: Limits::default(),
    };
    let mut session =
        EslSession::inbound(config, recorded_factory(), Box::new(|| "id".to_string()));
    session.handle_input(b"auth ClueCon\n\nevent plain CHANNEL_STATE\n\n");
    while let Some(request) = session.poll_request() {
        if let Request::Subscription(subscription) = request {
            bus.update(id, subscription);
        }
    }
    while session.poll_transmit().is_some() {}

    let mut dropped = 0;
    for n in 0..PUBLISHED {
        let mut event = Event::named("CHANNEL_STATE");
        event.add_header("Unique-ID", format!("call-{n}"));
        dropped += bus.publish(event).dropped;
        assert!(receiver.len() <= CAPACITY + 1, "queue grew past its bound");
    }
    assert_eq!(dropped, PUBLISHED - CAPACITY);

    // The client reads again.
    let now = Now {
        instant: Instant::now(),
        wall: EventTime {
            epoch_us: 1_795_695_534_283_285,
            utc_offset_secs: 0,
        },
    };
    while let Some(item) = receiver.pop() {
        session.handle_item(item, now);
    }
    let mut decoder = Decoder::default();
    while let Some(bytes) = session.poll_transmit() {
        decoder.push(&bytes);
    }
    let mut events = Vec::new();
    while let Ok(Some(packet)) = decoder.next_packet() {
        events.push(Frame::from_packet(packet).event().expect("event frame"));
    }
    assert_eq!(events.len(), CAPACITY + 1);
    assert!(
        events[..CAPACITY]
            .iter()
            .all(|e| e.name() == "CHANNEL_STATE")
    );
    assert_eq!(events[CAPACITY - 1].header("Unique-ID"), Some("call-99"));
    let notice = &events[CAPACITY];
    assert_eq!(notice.subclass(), Some("witswitch::event_loss"));
    assert_eq!(notice.header("Events-Lost"), Some("9900"));
    assert_eq!(notice.header("Events-Lost-Total"), Some("9900"));
    assert_eq!(
        notice.header("Event-Date-GMT"),
        Some("Thu, 26 Nov 2026 12:18:54 GMT")
    );
    assert_eq!(session.lost_total(), 9900);
}
