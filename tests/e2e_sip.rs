//! End-to-end SIP tests: the real `witswitch` binary on 127.0.0.1, its own port per test,
//! a config written to a temporary directory, driven by sipp and raw sockets.
//!
//! Run with `cargo test -p witswitch --test e2e_sip` (needs `sipp`, apt `sip-tester`).

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::conf::TestConf;
use common::{
    DEADLINE, Switch, assert_sipp_ok, options_request, options_tcp, options_udp, probe_socket,
    read_tcp_until, recv_response_udp, status_code, unique, wait_for,
};

const SHORT: Duration = Duration::from_millis(500);

fn user_rows(conf: &TestConf, users: impl IntoIterator<Item = u32>) -> Vec<(String, String)> {
    users
        .into_iter()
        .map(|u| (u.to_string(), conf.password(u)))
        .collect()
}

#[test]
fn digest_register_succeeds_over_udp_and_tcp() {
    let conf = TestConf::new();
    let switch = Switch::start(&conf);
    let csv = switch.write_csv("one.csv", &user_rows(&conf, [1000]));
    let csv = csv.to_str().unwrap();
    let out = switch.sipp("register.xml", &["-inf", csv, "-m", "1"]);
    assert_sipp_ok(&out, "register over UDP", &switch);
    let out = switch.sipp("register.xml", &["-inf", csv, "-m", "1", "-t", "t1"]);
    assert_sipp_ok(&out, "register over TCP", &switch);
}

#[test]
fn wrong_password_is_refused_and_logged_for_fail2ban() {
    let conf = TestConf::new();
    let switch = Switch::start(&conf);
    let csv = switch.write_csv("bad.csv", &[("1000".into(), "not-the-password".into())]);
    let out = switch.sipp(
        "register_badpass.xml",
        &["-inf", csv.to_str().unwrap(), "-m", "1"],
    );
    assert_sipp_ok(
        &out,
        "register with a wrong password (expects 403)",
        &switch,
    );
    switch.wait_for_log(
        "SIP auth failure (REGISTER) on sofia profile 'internal' for [1000@127.0.0.1] from ip 127.0.0.1",
    );
    let line = switch
        .log()
        .lines()
        .find(|l| l.contains("SIP auth failure"))
        .map(str::to_owned)
        .unwrap();
    assert!(line.contains("[WARNING]"), "logged at WARNING: {line}");
    assert!(
        line.ends_with("from ip 127.0.0.1"),
        "nothing after the ip: {line}"
    );
}

#[test]
fn two_hundred_users_register_from_a_csv() {
    let conf = TestConf::new();
    let switch = Switch::start(&conf);
    let csv = switch.write_csv("users.csv", &user_rows(&conf, 1000..1200));
    let out = switch.sipp(
        "register.xml",
        &[
            "-inf",
            csv.to_str().unwrap(),
            "-m",
            "200",
            "-r",
            "100",
            "-l",
            "50",
        ],
    );
    assert_sipp_ok(&out, "200 registrations", &switch);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        cumulative(&stdout, "Successful call"),
        Some(200),
        "{stdout}"
    );
    assert_eq!(cumulative(&stdout, "Failed call"), Some(0), "{stdout}");
    // The switch saw 200 distinct new bindings.
    switch.wait_for_log("registered 1199@127.0.0.1");
    let log = switch.log();
    let registered: std::collections::BTreeSet<&str> = log
        .lines()
        .filter_map(|l| l.split(" registered ").nth(1))
        .filter_map(|rest| rest.split(' ').next())
        .collect();
    assert_eq!(registered.len(), 200, "distinct AORs registered");
}

/// The cumulative column of a sipp statistics row (`  Successful call | 0 | 200`).
fn cumulative(stdout: &str, row: &str) -> Option<u64> {
    stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with(row))?
        .rsplit('|')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[test]
fn unregister_removes_the_binding() {
    let conf = TestConf::new();
    let switch = Switch::start(&conf);
    let csv = switch.write_csv("one.csv", &user_rows(&conf, [1001]));
    let out = switch.sipp(
        "unregister.xml",
        &["-inf", csv.to_str().unwrap(), "-m", "1"],
    );
    assert_sipp_ok(&out, "register, query, unregister, query", &switch);
}

#[test]
fn options_is_answered_over_udp_and_tcp() {
    let conf = TestConf::new();
    let switch = Switch::start(&conf);
    let out = switch.sipp("options.xml", &["-m", "1"]);
    assert_sipp_ok(&out, "OPTIONS over UDP", &switch);
    let out = switch.sipp("options.xml", &["-m", "1", "-t", "t1"]);
    assert_sipp_ok(&out, "OPTIONS over TCP", &switch);
}

/// Malformed datagrams: each gets a 400 (when its Via/From/To/Call-ID/CSeq can be read)
/// or nothing; the switch keeps answering OPTIONS and its memory stays bounded.
#[test]
fn malformed_udp_input_gets_400_or_is_dropped() {
    let conf = TestConf::new();
    let mut switch = Switch::start(&conf);
    let sock = probe_socket("127.0.0.1");
    let me = sock.local_addr().unwrap();
    let to = switch.addr();
    let rss_before = switch.rss_kib();

    // Routable but broken: Content-Length larger than the datagram (RFC 3261 §18.3).
    let call_id = unique("cl");
    let long_cl = options_request(to, me, "UDP", &call_id)
        .replace("Content-Length: 0", "Content-Length: 500");
    sock.send_to(long_cl.as_bytes(), to).unwrap();
    let reply =
        recv_response_udp(&sock, &call_id, DEADLINE).expect("a 400 for Content-Length > body");
    assert_eq!(status_code(&reply), Some(400), "{reply}");

    // Routable but broken: a NUL byte inside the Request-URI.
    let call_id = unique("nul");
    let nul = options_request(to, me, "UDP", &call_id).replacen("ping@", "pi\0ng@", 1);
    sock.send_to(nul.as_bytes(), to).unwrap();
    if let Some(reply) = recv_response_udp(&sock, &call_id, SHORT) {
        assert_eq!(status_code(&reply), Some(400), "{reply}");
    }

    // Unroutable: garbage, NULs, a truncated request line, a 64 KiB header line
    // (one datagram can hold at most ~64 KiB, so this is the largest UDP case).
    let big = format!(
        "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nSubject: {}\r\n\r\n",
        "x".repeat(60 * 1024)
    );
    let cases: Vec<Vec<u8>> = vec![
        b"\x16\x03\x01\x02\x00garbage that is not SIP".to_vec(),
        vec![0u8; 1400],
        b"OPTIONS sip:a@127.0.0.1 SIP/2".to_vec(),
        big.into_bytes(),
        b"SIP/2.0 200 OK\r\n\r\n".to_vec(),
    ];
    for _ in 0..200 {
        for case in &cases {
            sock.send_to(case, to).unwrap();
        }
    }
    // None of those is answered; OPTIONS still is (retransmitted as a UA would, since
    // the socket buffer may have overflowed under the burst).
    wait_for("OPTIONS answered after the garbage", DEADLINE, || {
        options_udp(&sock, to, SHORT).filter(|&code| code == 200)
    });
    switch.assert_running();
    let growth = switch.rss_kib().saturating_sub(rss_before);
    assert!(growth < 64 * 1024, "RSS grew by {growth} KiB");
}

/// Malformed streams: garbage, truncated, a 64 KiB header, Content-Length over the body,
/// NUL bytes. Each connection gets a 400 and/or is closed; the listener keeps serving.
#[test]
fn malformed_tcp_input_gets_400_or_is_closed() {
    let conf = TestConf::new();
    let mut switch = Switch::start(&conf);
    let to = switch.addr();
    let rss_before = switch.rss_kib();

    // A 64 KiB header: over the header cap, answered 400 then closed.
    let mut s = TcpStream::connect(to).unwrap();
    let me = s.local_addr().unwrap();
    let call_id = unique("big");
    let big = options_request(to, me, "TCP", &call_id).replace(
        "Content-Length: 0\r\n",
        &format!(
            "Subject: {}\r\nContent-Length: 0\r\n",
            "y".repeat(64 * 1024)
        ),
    );
    let _ = s.write_all(big.as_bytes());
    let reply = read_tcp_until(&mut s, &call_id, DEADLINE).expect("a 4xx/5xx for a 64 KiB header");
    assert!(refused(&reply), "{reply}");
    assert_closed(&mut s);

    // Garbage with NUL bytes and no header end, beyond the cap: closed, maybe no answer.
    let mut s = TcpStream::connect(to).unwrap();
    let _ = s.write_all(&vec![0u8; 70 * 1024]);
    assert_closed(&mut s);

    // Content-Length over the body cap: 400 then closed.
    let mut s = TcpStream::connect(to).unwrap();
    let me = s.local_addr().unwrap();
    let call_id = unique("huge-cl");
    let huge = options_request(to, me, "TCP", &call_id)
        .replace("Content-Length: 0", "Content-Length: 900000000");
    s.write_all(huge.as_bytes()).unwrap();
    let reply =
        read_tcp_until(&mut s, &call_id, DEADLINE).expect("an answer to a huge Content-Length");
    assert!(refused(&reply), "{reply}");
    assert_closed(&mut s);

    // Content-Length larger than the body, then the peer closes: a truncated stream.
    let mut s = TcpStream::connect(to).unwrap();
    let me = s.local_addr().unwrap();
    let call_id = unique("short");
    let short = options_request(to, me, "TCP", &call_id).replace(
        "Content-Length: 0\r\n\r\n",
        "Content-Length: 100\r\n\r\nonly ten b",
    );
    s.write_all(short.as_bytes()).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    assert_closed(&mut s);

    // A NUL byte inside a complete message: 400 on a still-open connection, which then
    // serves a valid OPTIONS.
    let mut s = TcpStream::connect(to).unwrap();
    let me = s.local_addr().unwrap();
    let call_id = unique("nul-tcp");
    let nul = options_request(to, me, "TCP", &call_id).replacen("ping@", "pi\0ng@", 1);
    s.write_all(nul.as_bytes()).unwrap();
    let reply = read_tcp_until(&mut s, &call_id, DEADLINE).expect("a 400 for a NUL byte");
    assert_eq!(status_code(&reply), Some(400), "{reply}");
    assert_eq!(options_tcp(&mut s, to, DEADLINE), Some(200));

    // Many truncated connections at once, then everything still works.
    let mut open = Vec::new();
    for _ in 0..100 {
        let mut s = TcpStream::connect(to).unwrap();
        let _ =
            s.write_all(b"INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;bra");
        open.push(s);
    }
    let mut s = TcpStream::connect(to).unwrap();
    assert_eq!(options_tcp(&mut s, to, DEADLINE), Some(200));
    drop(open);
    let sock = probe_socket("127.0.0.1");
    assert_eq!(options_udp(&sock, to, DEADLINE), Some(200));
    switch.assert_running();
    let growth = switch.rss_kib().saturating_sub(rss_before);
    assert!(growth < 64 * 1024, "RSS grew by {growth} KiB");
}

/// 400 Bad Request, or 513 Message Too Large for the size caps (RFC 3261 §21.5.14).
fn refused(reply: &str) -> bool {
    matches!(status_code(reply), Some(400 | 513))
}

fn assert_closed(s: &mut TcpStream) {
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut buf = [0u8; 4096];
    wait_for("the switch to close the connection", DEADLINE, || {
        match s.read(&mut buf) {
            Ok(0) => Some(()),
            Ok(_) => None,
            // A reset (RST after unread data) is a close too.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Some(()),
            Err(e) => panic!("read failed instead of EOF: {e}"),
        }
    });
}

/// After the configured number of failed digests from one address, that address is
/// banned (its requests are dropped); other addresses are still served.
#[test]
fn auth_failures_ban_the_source_address() {
    let mut conf = TestConf::new();
    conf.ban_after_failures = 3;
    let switch = Switch::start(&conf);
    let banned = probe_socket("127.0.0.2");
    let to = switch.addr();
    // Before: served.
    assert_eq!(options_udp(&banned, to, DEADLINE), Some(200));

    let csv = switch.write_csv("bad.csv", &vec![("1002".to_owned(), "wrong".to_owned()); 3]);
    let out = common::run_sipp(
        &common::scenario("register_badpass.xml"),
        &format!("127.0.0.1:{}", switch.port),
        switch.dir.path(),
        &["-inf", csv.to_str().unwrap(), "-m", "3", "-i", "127.0.0.2"],
    );
    assert_sipp_ok(&out, "three bad registrations from 127.0.0.2", &switch);

    // Banned: no answer at all, even to OPTIONS.
    assert_eq!(options_udp(&banned, to, Duration::from_secs(2)), None);
    // Everyone else: served.
    let other = probe_socket("127.0.0.3");
    assert_eq!(options_udp(&other, to, DEADLINE), Some(200));
    switch.wait_for_log("banning 127.0.0.2 on sofia profile 'internal'");
}

/// Requests get clear answers: an unauthenticated INVITE 407 (auth-calls challenges it
/// before any routing), BYE 481 (no dialog), SUBSCRIBE 405, an unknown method 501.
#[test]
fn unserved_requests_get_clear_answers() {
    let conf = TestConf::new();
    let switch = Switch::start(&conf);
    let sock = probe_socket("127.0.0.1");
    let to = switch.addr();
    assert_eq!(common::final_status_udp(&sock, to, "INVITE"), Some(407));
    assert_eq!(common::final_status_udp(&sock, to, "BYE"), Some(481));
    assert_eq!(common::final_status_udp(&sock, to, "SUBSCRIBE"), Some(405));
    assert_eq!(common::final_status_udp(&sock, to, "FROBNICATE"), Some(501));
}

/// `apply-register-acl`: a denied address gets 403 to REGISTER, before any digest.
#[test]
fn register_acl_denies_with_403() {
    let mut conf = TestConf::new();
    conf.register_deny = vec!["127.0.0.4/32".to_owned()];
    let switch = Switch::start(&conf);
    let sock = probe_socket("127.0.0.4");
    assert_eq!(
        common::final_status_udp(&sock, switch.addr(), "REGISTER"),
        Some(403)
    );
    let allowed = probe_socket("127.0.0.5");
    assert_eq!(
        common::final_status_udp(&allowed, switch.addr(), "REGISTER"),
        Some(401)
    );
}
