//! Shared helpers for tests that read the FreeSWITCH 1.10.12 recordings
//! (`../shared/testdata/freeswitch-1.10.12/`, format in its README).
#![allow(dead_code)]

pub mod replay;

use std::path::PathBuf;
use std::sync::Arc;

use witswitch_control::api::LogLevel;
use witswitch_control::event::{CoreIdentity, Event, EventFactory};
use witswitch_control::wire::{Decoder, Frame, Limits, LogRecord};

/// A file of the recordings.
pub fn testdata(relative: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/freeswitch-1.10.12/"
    ))
    .join(relative)
}

/// The authoritative server byte stream of a recording (`esl/auth_ok_exit`, ...).
pub fn server_stream(name: &str) -> Vec<u8> {
    let path = testdata(&format!("{name}.server.bin"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()))
}

/// A frame as received: its exact bytes and the parsed view.
#[derive(Debug, Clone)]
pub struct RawFrame {
    pub bytes: Vec<u8>,
    pub frame: Frame,
}

/// Splits a server byte stream into frames, keeping each frame's exact bytes.
pub fn split_frames(stream: &[u8]) -> Vec<RawFrame> {
    let mut decoder = Decoder::new(Limits {
        max_head: 1 << 20,
        max_body: 1 << 24,
    });
    decoder.push(stream);
    let mut frames = Vec::new();
    let mut offset = 0;
    loop {
        let before = decoder.buffered();
        let packet = match decoder.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(err) => panic!("recording does not frame: {err}"),
        };
        let used = before - decoder.buffered();
        frames.push(RawFrame {
            bytes: stream[offset..offset + used].to_vec(),
            frame: Frame::from_packet(packet),
        });
        offset += used;
    }
    assert_eq!(offset, stream.len(), "trailing bytes after the last frame");
    frames
}

/// One step of a recorded session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Bytes the client sent (one command with its blank line).
    Client(Vec<u8>),
    /// Bytes the server sent until the next client command.
    Server(Vec<u8>),
}

const NO_LF: &str =
    "### (no LF at end of preceding server bytes; the LF before this line was added)";

/// The steps of a `.txt` transcript (rules of `tools/verify_txt.py`).
pub fn steps(name: &str) -> Vec<Step> {
    let path = testdata(&format!("{name}.txt"));
    let text = std::fs::read(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()));
    let mut steps = Vec::new();
    let mut server: Vec<u8> = Vec::new();
    let mut client: Vec<u8> = Vec::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        let as_text = String::from_utf8_lossy(line);
        let trimmed = as_text.trim_end_matches('\n');
        if trimmed == NO_LF {
            assert_eq!(server.pop(), Some(b'\n'));
        } else if let Some(command) = trimmed.strip_prefix(">>>") {
            if !server.is_empty() {
                steps.push(Step::Server(std::mem::take(&mut server)));
            }
            let command = command.strip_prefix(' ').unwrap_or(command);
            client.extend_from_slice(command.as_bytes());
            client.push(b'\n');
            if command.is_empty() {
                steps.push(Step::Client(std::mem::take(&mut client)));
            }
        } else if trimmed.starts_with("### ") {
            continue;
        } else {
            server.extend_from_slice(line);
        }
    }
    if !server.is_empty() {
        steps.push(Step::Server(server));
    }
    steps
}

/// Every server frame of every recording (inbound and outbound), by file.
pub fn all_recorded_frames() -> Vec<(String, RawFrame)> {
    let mut all = Vec::new();
    for dir in ["esl", "esl_outbound"] {
        let mut names: Vec<String> = std::fs::read_dir(testdata(dir))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .filter(|n| n.ends_with(".server.bin"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for file in names {
            let name = format!("{dir}/{}", file.trim_end_matches(".server.bin"));
            for frame in split_frames(&server_stream(&name)) {
                all.push((name.clone(), frame));
            }
        }
    }
    all
}

/// A log record read back from a `log/data` frame.
pub fn log_record(frame: &Frame) -> LogRecord {
    let number = |name: &str| {
        frame
            .header(name)
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    };
    LogRecord {
        level: LogLevel::from_number(number("Log-Level")),
        text_channel: u8::try_from(number("Text-Channel")).unwrap_or(0),
        file: frame.header("Log-File").unwrap_or_default().to_string(),
        function: frame.header("Log-Func").unwrap_or_default().to_string(),
        line: number("Log-Line"),
        user_data: frame.header("User-Data").map(str::to_string),
        body: frame.body_text(),
    }
}

/// The identity of the recorded switch.
pub fn recorded_core() -> CoreIdentity {
    CoreIdentity {
        core_uuid: "1a11402a-4903-4a28-9be1-ab0fc77533ea".into(),
        hostname: "vm".into(),
        switchname: "vm".into(),
        ipv4: "192.0.2.2".into(),
        ipv6: "fd00::2".into(),
    }
}

/// A factory with the recorded identity.
pub fn recorded_factory() -> Arc<EventFactory> {
    Arc::new(EventFactory::new(recorded_core()))
}

/// The event of an event frame.
pub fn event_of(frame: &RawFrame) -> Event {
    frame
        .frame
        .event()
        .unwrap_or_else(|err| panic!("recorded event does not parse: {err}"))
}
