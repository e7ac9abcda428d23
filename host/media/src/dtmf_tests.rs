use super::*;

fn block(event: u8, end: bool, duration: u16) -> [u8; 4] {
    EventPayload {
        event,
        end,
        volume: 10,
        duration,
    }
    .to_bytes()
}

#[test]
fn digit_table_round_trips() {
    for event in 0..=16u8 {
        let digit = event_to_digit(event).unwrap();
        assert_eq!(digit_to_event(digit), Some(event));
    }
    assert_eq!(event_to_digit(10), Some('*'));
    assert_eq!(event_to_digit(11), Some('#'));
    assert_eq!(event_to_digit(15), Some('D'));
    assert_eq!(digit_to_event('b'), Some(13));
    assert_eq!(event_to_digit(17), None);
    assert_eq!(digit_to_event('x'), None);
}

#[test]
fn payload_wire_format() {
    let p = EventPayload::parse(&[5, 0x8A, 0x03, 0x20]).unwrap();
    assert_eq!(
        p,
        EventPayload {
            event: 5,
            end: true,
            volume: 10,
            duration: 800
        }
    );
    assert_eq!(p.to_bytes(), [5, 0x8A, 0x03, 0x20]);
    // the R bit is ignored
    assert!(!EventPayload::parse(&[5, 0x4A, 0, 0]).unwrap().end);
    assert_eq!(
        EventPayload::parse(&[1, 2, 3]),
        Err(DtmfError::Truncated(3))
    );
}

#[test]
fn sipp_style_event_with_three_end_packets_is_reported_once() {
    // The packet sequence of sipp's dtmf_2833_1.pcap: timestamp 13280,
    // durations 0..1920 every 20 ms, then the end packet (2240) three times.
    let mut rx = DtmfReceiver::new(8000);
    let mut events = Vec::new();
    for duration in (0..=1920).step_by(320) {
        events.extend(rx.handle(13280, &block(1, false, duration)).unwrap());
    }
    assert!(events.is_empty());
    for _ in 0..3 {
        events.extend(rx.handle(13280, &block(1, true, 2240)).unwrap());
    }
    assert_eq!(
        events,
        vec![DtmfEvent {
            digit: '1',
            duration: Duration::from_millis(280)
        }]
    );
    assert_eq!(rx.flush(), None);
}

#[test]
fn lost_end_packets_still_report_the_key_when_the_next_one_starts() {
    let mut rx = DtmfReceiver::new(8000);
    assert!(rx.handle(1000, &block(11, false, 160)).unwrap().is_empty());
    assert!(rx.handle(1000, &block(11, false, 320)).unwrap().is_empty());
    // '#' never ended; '4' starts at a new timestamp and ends at once
    let events = rx.handle(5000, &block(4, true, 800)).unwrap();
    let digits: Vec<char> = events.iter().map(|e| e.digit).collect();
    assert_eq!(digits, vec!['#', '4']);
    assert_eq!(events[0].duration, Duration::from_millis(40));
    // a stream that stops mid-event is flushed by the engine
    rx.handle(9000, &block(0, false, 480)).unwrap();
    assert_eq!(rx.flush().map(|e| e.digit), Some('0'));
    assert_eq!(rx.flush(), None);
}

#[test]
fn reordered_update_does_not_shorten_and_late_packets_are_ignored() {
    let mut rx = DtmfReceiver::new(8000);
    rx.handle(100, &block(7, false, 640)).unwrap();
    rx.handle(100, &block(7, false, 320)).unwrap(); // arrived late
    let events = rx.handle(100, &block(7, true, 0)).unwrap();
    assert_eq!(events[0].duration, Duration::from_millis(80));
    assert!(rx.handle(100, &block(7, false, 960)).unwrap().is_empty());
    assert_eq!(
        rx.handle(200, &block(40, false, 1)),
        Err(DtmfError::NotDtmf(40))
    );
}

#[test]
fn sender_produces_the_rfc_4733_packet_train() {
    let mut tx = DtmfSender::new(
        '5',
        Duration::from_millis(100),
        8000,
        Duration::from_millis(20),
        10,
    )
    .unwrap();
    let mut packets = Vec::new();
    while let Some(p) = tx.next_packet() {
        packets.push(p);
    }
    assert!(tx.is_finished());
    // 5 updates (160..800) of which the last is the first end packet, plus 2 retransmissions
    let blocks: Vec<EventPayload> = packets
        .iter()
        .map(|p| EventPayload::parse(&p.payload).unwrap())
        .collect();
    let durations: Vec<u16> = blocks.iter().map(|b| b.duration).collect();
    assert_eq!(durations, vec![160, 320, 480, 640, 800, 800, 800]);
    let ends: Vec<bool> = blocks.iter().map(|b| b.end).collect();
    assert_eq!(ends, vec![false, false, false, false, true, true, true]);
    assert!(packets[0].marker && packets[1..].iter().all(|p| !p.marker));
    assert!(blocks.iter().all(|b| b.event == 5 && b.volume == 10));
}

#[test]
fn sender_and_receiver_agree() {
    let mut rx = DtmfReceiver::new(8000);
    let mut heard = Vec::new();
    for (i, digit) in "159#*D".chars().enumerate() {
        let mut tx = DtmfSender::new(
            digit,
            Duration::from_millis(120),
            8000,
            Duration::from_millis(20),
            10,
        )
        .unwrap();
        let timestamp = 10_000 + i as u32 * 4000;
        while let Some(p) = tx.next_packet() {
            heard.extend(rx.handle(timestamp, &p.payload).unwrap());
        }
    }
    let digits: String = heard.iter().map(|e| e.digit).collect();
    assert_eq!(digits, "159#*D");
    assert!(
        heard
            .iter()
            .all(|e| e.duration == Duration::from_millis(120))
    );
}

#[test]
fn sender_limits() {
    assert_eq!(
        DtmfSender::new(
            'x',
            Duration::from_millis(100),
            8000,
            Duration::from_millis(20),
            10
        )
        .unwrap_err(),
        DtmfError::BadDigit('x')
    );
    assert_eq!(
        DtmfSender::new('1', Duration::from_millis(100), 8000, Duration::ZERO, 10).unwrap_err(),
        DtmfError::BadTiming
    );
    // a very short press still sends one update-and-end, a very long one is capped
    let mut short = DtmfSender::new(
        '1',
        Duration::from_millis(1),
        8000,
        Duration::from_millis(20),
        10,
    )
    .unwrap();
    let first = EventPayload::parse(&short.next_packet().unwrap().payload).unwrap();
    assert_eq!((first.duration, first.end), (160, true));
    let mut long = DtmfSender::new(
        '1',
        Duration::from_secs(60),
        8000,
        Duration::from_millis(20),
        10,
    )
    .unwrap();
    let mut last = None;
    while let Some(p) = long.next_packet() {
        last = Some(EventPayload::parse(&p.payload).unwrap());
    }
    assert_eq!(last.map(|b| b.duration), Some(u16::MAX));
}
