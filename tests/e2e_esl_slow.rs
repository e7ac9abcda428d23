//! A slow event socket client (issue 7 acceptance): a client subscribed to ALL events
//! that never reads while calls flow does not slow the calls, the switch's memory stays
//! bounded, and when the client reads again it gets the explicit loss notice.

mod calls;
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use calls::{CallConf, CallSwitch};
use common::DEADLINE;

/// Reads until `marker` shows up in what was read (or the deadline passes).
fn read_until(stream: &mut TcpStream, marker: &str) -> String {
    read_while(stream, |text| !text.contains(marker))
}

/// Reads while `more` holds for what was read (or until the deadline passes).
fn read_while(stream: &mut TcpStream, more: impl Fn(&str) -> bool) -> String {
    let end = Instant::now() + DEADLINE;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while Instant::now() < end {
        if !more(&String::from_utf8_lossy(&got)) {
            break;
        }
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .expect("timeout");
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// `calls` authenticated echo calls at `rate` per second, no hold time.
fn call_burst(switch: &CallSwitch, name: &str, calls: u32, rate: u32) {
    let csv = switch.user_csv(1000);
    let rtp = common::free_port().to_string();
    let (calls, rate) = (calls.to_string(), rate.to_string());
    switch
        .sipp(
            name,
            Some(switch.conf.internal),
            "uac_auth_call.xml",
            &[
                "-s",
                "9196",
                "-inf",
                csv.to_str().expect("path"),
                "-d",
                "0",
                "-m",
                &calls,
                "-r",
                &rate,
                "-l",
                "400",
                "-key",
                "rtp_port",
                &rtp,
                "-key",
                "pt",
                "0",
                "-key",
                "codec",
                "PCMU",
            ],
        )
        .assert_ok(switch);
}

#[test]
fn a_client_that_never_reads_loses_events_with_a_notice_and_calls_flow_on() {
    let mut conf = CallConf::new();
    conf.max_sessions = 2000;
    conf.sessions_per_second = 1000;
    let switch = CallSwitch::start(conf);
    let mut slow = TcpStream::connect(("127.0.0.1", switch.conf.esl)).expect("connect");
    assert!(read_until(&mut slow, "auth/request").contains("auth/request"));
    write!(slow, "auth {}\n\n", CallConf::ESL_PASSWORD).expect("auth");
    assert!(read_until(&mut slow, "+OK accepted").contains("+OK accepted"));
    slow.write_all(b"event plain ALL\n\n").expect("subscribe");
    assert!(read_until(&mut slow, "+OK event listener").contains("+OK event listener"));

    // From here on the client does not read. The first burst fills the socket
    // buffers and the subscriber's bounded queue; the second must not grow memory.
    call_burst(&switch, "burst1", 1000, 200);
    let rss_full = switch.rss_kib();
    call_burst(&switch, "burst2", 600, 200);
    let rss_after = switch.rss_kib();
    assert!(
        rss_after < rss_full + 16 * 1024,
        "memory grew with a slow client: {rss_full} KiB -> {rss_after} KiB"
    );
    eprintln!(
        "RSS with a full slow subscriber: {rss_full} KiB, after 600 more calls: {rss_after} KiB"
    );

    // Now the client reads: it gets what was queued, then the loss notice (read
    // to the end of its Events-Lost line: it may arrive in a later segment).
    let text = read_while(&mut slow, |text| {
        text.split("Event-Subclass: witswitch%3A%3Aevent_loss")
            .nth(1)
            .and_then(|notice| notice.split("Events-Lost: ").nth(1))
            .is_none_or(|count| !count.contains('\n'))
    });
    let notice = text
        .split("Event-Subclass: witswitch%3A%3Aevent_loss")
        .nth(1)
        .unwrap_or_else(|| panic!("no loss notice in {} bytes", text.len()));
    let lost: u64 = notice
        .lines()
        .find_map(|l| l.strip_prefix("Events-Lost: "))
        .and_then(|v| v.trim().parse().ok())
        .expect("Events-Lost header");
    assert!(lost > 0, "{notice}");
    // The connection is still usable.
    slow.write_all(b"api uptime s\n\n").expect("api");
    let reply = read_until(&mut slow, "api/response");
    assert!(reply.contains("api/response"), "socket still served");
}
