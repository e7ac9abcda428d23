//! Every event and log frame FreeSWITCH 1.10.12 sent in the recordings, parsed and
//! re-serialized by witswitch, must come out byte for byte the same; and the builders
//! reproduce the recorded HEARTBEAT and BACKGROUND_JOB events from their inputs.

mod common;

use common::{
    all_recorded_frames, event_of, log_record, recorded_core, server_stream, split_frames,
};
use witswitch_control::api::status::{StatusInfo, VersionInfo};
use witswitch_control::event::serialize::event_frame;
use witswitch_control::event::{CallSite, EventFactory, EventTime, builders};
use witswitch_control::wire::frames;

#[test]
fn every_recorded_event_frame_reserializes_byte_for_byte() {
    let mut counts = [0usize; 3];
    for (file, raw) in all_recorded_frames() {
        let Some(format) = raw.frame.event_format() else {
            continue;
        };
        let event = event_of(&raw);
        let again = event_frame(&event, format);
        assert!(
            again == raw.bytes,
            "{file}: {} {:?} differs\nexpected: {}\nactual:   {}",
            event.name(),
            format,
            String::from_utf8_lossy(&raw.bytes),
            String::from_utf8_lossy(&again)
        );
        counts[match format.as_str() {
            "plain" => 0,
            "json" => 1,
            _ => 2,
        }] += 1;
    }
    // 31 + 3 + 1 + 8 + 1 plain inbound, 25 outbound; 33 json; 1 xml.
    assert!(counts[0] >= 60, "plain events checked: {}", counts[0]);
    assert_eq!(counts[1], 33);
    assert_eq!(counts[2], 1);
}

#[test]
fn every_recorded_log_frame_reserializes_byte_for_byte() {
    let frames: Vec<_> = split_frames(&server_stream("esl/log_nolog"))
        .into_iter()
        .filter(|raw| raw.frame.content_type() == Some("log/data"))
        .collect();
    assert_eq!(frames.len(), 98);
    for raw in frames {
        let again = frames::log_data(&log_record(&raw.frame));
        assert_eq!(
            String::from_utf8_lossy(&again),
            String::from_utf8_lossy(&raw.bytes)
        );
    }
}

fn recorded_version() -> VersionInfo {
    VersionInfo {
        product: "FreeSWITCH".into(),
        full: "1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit".into(),
        full_human: "1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit".into(),
        revision_human: "git a88d069 2024-08-02 21:02:27Z 64bit".into(),
        short: "1.10.12".into(),
    }
}

#[test]
fn heartbeat_builder_reproduces_the_recorded_event() {
    let recorded = split_frames(&server_stream("esl/heartbeat"))
        .into_iter()
        .find(|raw| raw.frame.event_format().is_some())
        .expect("the recording has a HEARTBEAT");
    let factory = EventFactory::starting_at(recorded_core(), 522);
    let status = StatusInfo {
        version: recorded_version(),
        uptime_us: 160_041_308,
        ready: true,
        sessions_since_startup: 0,
        sessions_now: 0,
        sessions_peak: 0,
        sessions_peak_5min: 0,
        sps_last: 0,
        sps_max: 5000,
        sps_peak: 0,
        sps_peak_5min: 0,
        max_sessions: 20000,
        idle_cpu_min: 0.0,
        idle_cpu_now: 99.1,
        stack_kib: None,
    };
    let time = EventTime {
        epoch_us: 1_795_695_464_363_306,
        utc_offset_secs: 0,
    };
    let site = CallSite {
        file: "switch_core.c",
        function: "send_heartbeat",
        line: 95,
    };
    let event = builders::heartbeat(&factory, time, site, &status);
    let frame = event_frame(&event, witswitch_control::event::EventFormat::Plain);
    assert_eq!(
        String::from_utf8_lossy(&frame),
        String::from_utf8_lossy(&recorded.bytes)
    );
}

#[test]
fn background_job_builder_reproduces_the_recorded_events() {
    let recorded: Vec<_> = split_frames(&server_stream("esl/bgapi_background_job"))
        .into_iter()
        .filter(|raw| raw.frame.event_format().is_some())
        .collect();
    assert_eq!(recorded.len(), 3);
    let time = EventTime {
        epoch_us: 1_795_695_517_083_284,
        utc_offset_secs: 0,
    };
    let site = CallSite {
        file: "mod_event_socket.c",
        function: "api_exec",
        line: 1572,
    };
    for raw in recorded {
        let original = event_of(&raw);
        let sequence: u64 = original
            .header("Event-Sequence")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let factory = EventFactory::starting_at(recorded_core(), sequence);
        let event = builders::background_job(
            &factory,
            time,
            site,
            original.header("Job-UUID").unwrap_or_default(),
            original.header("Job-Command").unwrap_or_default(),
            original.header("Job-Command-Arg").unwrap_or_default(),
            original.body().unwrap_or_default().to_string(),
        );
        assert_eq!(event, original);
    }
}
