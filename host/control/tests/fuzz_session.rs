//! Hostile input for the event socket session: random bytes and random mixes of valid
//! and broken commands must never panic, and buffers stay within their caps.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::recorded_factory;
use witswitch_control::api::{ApiCommand, LogLevel};
use witswitch_control::event::{Event, EventTime, SharedEvent};
use witswitch_control::queue::QueueItem;
use witswitch_control::session::{
    EslSession, IdSource, Now, OutboundConfig, Request, SessionConfig,
};
use witswitch_control::wire::{Limits, LogRecord};

/// xorshift64*: deterministic, seedable, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Up to `max` random bytes.
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max);
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// Up to `max` random bytes as (lossy) text.
    fn text(&mut self, max: usize) -> String {
        String::from_utf8_lossy(&self.bytes(max)).into_owned()
    }
}

fn ids() -> Box<dyn IdSource> {
    let mut n = 0u64;
    Box::new(move || {
        n += 1;
        format!("00000000-0000-4000-8000-{n:012}")
    })
}

const LIMITS: Limits = Limits {
    max_head: 4096,
    max_body: 16 * 1024,
};

fn inbound() -> EslSession {
    EslSession::inbound(
        SessionConfig {
            password: "ClueCon".into(),
            limits: LIMITS,
        },
        recorded_factory(),
        ids(),
    )
}

fn outbound(full: bool) -> EslSession {
    let mut data = Event::named("CHANNEL_DATA");
    data.add_header("Unique-ID", "u1");
    data.add_header("Channel-Name", "sofia/internal/1000@127.0.0.1");
    EslSession::outbound(
        SessionConfig {
            password: "ClueCon".into(),
            limits: LIMITS,
        },
        recorded_factory(),
        ids(),
        OutboundConfig {
            channel_data: data,
            async_mode: true,
            full,
        },
    )
}

const COMMANDS: &[&str] = &[
    "auth ClueCon",
    "auth nope",
    "userauth 1000@example.com:pw",
    "api status",
    "api show channels as json",
    "api regex 1001|^(10[01][0-9])$|user/$1",
    "api originate {a=b}user/1000 &park()",
    "api uuid_kill",
    "api",
    "bgapi status",
    "event plain ALL",
    "event json CHANNEL_ANSWER CUSTOM sofia::register",
    "event xml",
    "nixevent CHANNEL_STATE",
    "nixevent ALL",
    "noevents",
    "myevents u1",
    "myevents json",
    "filter Event-Name CHANNEL_ANSWER",
    "filter Unique-ID -/^tmp/",
    "filter Unique-ID /(/",
    "filter delete all",
    "filter delete Event-Name",
    "filter",
    "sendmsg u1\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: x.wav",
    "sendmsg\ncall-command: hangup",
    "sendmsg u1\ncall-command: warp",
    "sendevent CUSTOM\nEvent-Subclass: a::b\nContent-Length: 3\n\nabc",
    "log 7",
    "log banana",
    "nolog",
    "linger 1",
    "linger",
    "nolinger",
    "connect",
    "getvar call_uuid",
    "resume",
    "divert_events on",
    "exit",
    "\u{0}\u{ff}garbage \t",
];

/// Answers whatever the session asked, sometimes late, sometimes twice.
fn serve(session: &mut EslSession, rng: &mut Rng, delayed: &mut Vec<Request>) {
    while let Some(request) = session.poll_request() {
        if let Request::Api { command, .. } = &request {
            // The parser sees client text too: it must not panic either.
            let _ = ApiCommand::parse(command);
        }
        delayed.push(request);
    }
    if rng.below(3) == 0 {
        for request in delayed.drain(..) {
            match request {
                Request::Api { id, .. } => {
                    session.complete_api(id, "ok\n");
                    session.complete_api(id, "duplicate\n");
                }
                Request::SendMsg { id, .. } | Request::GetVar { id, .. } => {
                    session.complete_reply(id, "+OK\r\nInjected: x")
                }
                Request::UserAuth { id, .. } => session.complete_userauth(id, rng.below(2) == 0),
                _ => {}
            }
        }
    }
}

fn random_item(rng: &mut Rng) -> QueueItem {
    match rng.below(4) {
        0 => QueueItem::Lost(rng.next() % 1000),
        1 => QueueItem::Log(Arc::new(LogRecord {
            level: LogLevel::from_number(rng.below(9) as u32),
            text_channel: 0,
            file: "f.rs".into(),
            function: "f".into(),
            line: 1,
            user_data: None,
            body: rng.text(64),
        })),
        _ => {
            let names = [
                "CHANNEL_ANSWER",
                "CHANNEL_HANGUP_COMPLETE",
                "CUSTOM",
                "BACKGROUND_JOB",
                "HEARTBEAT",
            ];
            let mut event = Event::named(names[rng.below(names.len())]);
            event.add_header("Unique-ID", if rng.below(2) == 0 { "u1" } else { "u2" });
            event.add_header("Event-Subclass", "sofia::register");
            event.add_header("Job-UUID", "00000000-0000-4000-8000-000000000001");
            event.add_header("Weird", rng.text(32));
            if rng.below(2) == 0 {
                event.set_body(Some(rng.text(64)));
            }
            QueueItem::Event(SharedEvent::new(event))
        }
    }
}

fn run_one(mut session: EslSession, rng: &mut Rng) {
    let start = Instant::now();
    let mut delayed = Vec::new();
    let mut written = 0usize;
    for step in 0..400 {
        let now = Now {
            instant: start + Duration::from_millis(step * 100),
            wall: EventTime::default(),
        };
        match rng.below(6) {
            0 => session.handle_input(&rng.bytes(300)),
            1 => session.handle_item(random_item(rng), now),
            2 => session.handle_timeout(now.instant),
            _ => {
                let command = COMMANDS[rng.below(COMMANDS.len())];
                let mut bytes = command.as_bytes().to_vec();
                if !command.contains("\n\n") {
                    bytes.extend_from_slice(b"\n\n");
                }
                // Split at a random point to exercise partial reads.
                let cut = rng.below(bytes.len());
                session.handle_input(&bytes[..cut]);
                session.handle_input(&bytes[cut..]);
            }
        }
        serve(&mut session, rng, &mut delayed);
        while let Some(bytes) = session.poll_transmit() {
            written += bytes.len();
        }
        assert_eq!(session.pending_output(), 0);
        if session.is_closed() {
            assert!(!session.wants_read());
            break;
        }
    }
    assert!(written < 50 * 1024 * 1024);
}

#[test]
fn random_bytes_and_commands_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for round in 0..300 {
        let session = match round % 3 {
            0 => inbound(),
            1 => outbound(true),
            _ => outbound(false),
        };
        run_one(session, &mut rng);
    }
}

#[test]
fn endless_line_is_refused_with_bounded_memory() {
    let mut session = inbound();
    let chunk = vec![b'x'; 1024];
    let mut fed = 0;
    while session.wants_read() && fed < 10 * 1024 * 1024 {
        session.handle_input(&chunk);
        fed += chunk.len();
    }
    assert!(
        fed <= LIMITS.max_head + LIMITS.max_body + chunk.len(),
        "stopped reading after {fed} bytes"
    );
    assert!(session.is_closed());
    let mut out = Vec::new();
    while let Some(bytes) = session.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("Reply-Text: -ERR"), "{text}");
    assert!(text.ends_with("See you at ClueCon! http://www.cluecon.com/\n"));
}

#[test]
fn pipelined_commands_behind_a_slow_api_are_capped() {
    let mut session = inbound();
    session.handle_input(b"auth ClueCon\n\napi status\n\n");
    let mut fed = 0;
    while session.wants_read() && fed < 10 * 1024 * 1024 {
        session.handle_input(b"api status\n\n");
        fed += 12;
    }
    assert!(
        !session.wants_read(),
        "backpressure while the api is pending"
    );
    assert!(fed <= LIMITS.max_head + LIMITS.max_body + 12);
    assert!(!session.is_closed());
}
