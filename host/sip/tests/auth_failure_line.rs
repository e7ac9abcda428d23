//! Replays the REGISTER ladders recorded from FreeSWITCH 1.10.12 with sipp 3.6.1
//! (`testdata/freeswitch-1.10.12/sip/register*.txt`) through the registrar, and checks the
//! status codes and the fail2ban log lines against the real ones
//! (`log/register_badpass_log_auth_failures.log`).

mod registrar_support;

use std::net::SocketAddr;
use std::time::Instant;

use md5::{Digest as _, Md5};
use registrar_support::{
    challenge_param, contact_expiries, directory, header_values, hex, parse_request, registrar,
};
use witswitch_sip::registrar::AuthEvent;
use witswitch_sip::{HeaderName, Transport};

const TESTDATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/freeswitch-1.10.12"
);

/// The payload of datagram `#n` of a SIP transcript, CRLFs intact.
fn datagram(file: &str, n: usize) -> Vec<u8> {
    let path = format!("{TESTDATA}/sip/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let marker = format!("### #{n} ");
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker} in {path}"));
    let body_start = start + text[start..].find('\n').map_or(0, |i| i + 1);
    let end = text[body_start..]
        .find("\n### #")
        .map_or(text.len(), |i| body_start + i + 1);
    text.as_bytes()[body_start..end].to_vec()
}

/// Replaces one `name="value"` (or `name=value`) parameter inside an Authorization line.
fn set_param(authorization: &str, name: &str, value: &str) -> String {
    // Match at a parameter boundary so that `nonce` does not hit `cnonce`.
    let start = [" ", ","]
        .iter()
        .find_map(|sep| {
            authorization
                .find(&format!("{sep}{name}=\""))
                .map(|i| i + sep.len())
        })
        .unwrap_or_else(|| panic!("{name} not in {authorization}"));
    let value_start = start + name.len() + 2;
    let end = value_start + authorization[value_start..].find('"').unwrap_or(0);
    format!(
        "{}{}{}",
        &authorization[..value_start],
        value,
        &authorization[end..]
    )
}

/// A parameter of sipp's comma-separated Authorization line, unquoted.
fn auth_param(line: &str, name: &str) -> String {
    let params = line.trim_start_matches("Authorization: Digest ");
    params
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .unwrap_or_else(|| panic!("{name} not in {line}"))
}

/// Puts our nonce (and optionally a recomputed response) into a recorded REGISTER.
fn rewrite(recorded: &[u8], nonce: &str, password: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8_lossy(recorded).into_owned();
    let line_start = text
        .find("Authorization: ")
        .unwrap_or_else(|| panic!("no Authorization"));
    let line_end = line_start + text[line_start..].find("\r\n").unwrap_or(0);
    let mut line = set_param(&text[line_start..line_end], "nonce", nonce);
    if let Some(password) = password {
        // sipp's parameters: username, realm, cnonce, nc, qop, uri as recorded.
        let param = |name: &str| auth_param(&line, name);
        let h = |s: String| hex(&Md5::digest(s.as_bytes()));
        let ha1 = h(format!(
            "{}:{}:{password}",
            param("username"),
            param("realm")
        ));
        let ha2 = h(format!("REGISTER:{}", param("uri")));
        let response = h(format!(
            "{ha1}:{nonce}:{}:{}:auth:{ha2}",
            param("nc"),
            param("cnonce")
        ));
        line = set_param(&line, "response", &response);
    }
    format!("{}{}{}", &text[..line_start], line, &text[line_end..]).into_bytes()
}

fn log_line_after_source(marker: &str) -> String {
    let path = format!("{TESTDATA}/log/register_badpass_log_auth_failures.log");
    let log = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let line = log
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no {marker} line in {path}"));
    // "<date> <time> <cpu>% [WARNING] sofia_reg.c:NNNN <message>"
    let after_level = line
        .split_once("] ")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    after_level
        .split_once(' ')
        .map(|(_, message)| message.to_owned())
        .unwrap_or_default()
}

#[test]
fn wrong_password_ladder_matches_freeswitch_codes_and_log_lines() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let source: SocketAddr = "127.0.0.1:5094".parse().unwrap_or_else(|e| panic!("{e}"));
    let users = directory();

    let first = parse_request(&datagram("register_badpass.txt", 1));
    let challenge = registrar.handle_register(t0, &first, source, Transport::Udp, &users);
    assert_eq!(challenge.response.status, 401);
    let offered = header_values(&challenge.response, &HeaderName::WwwAuthenticate);
    let md5 = offered.first().copied().unwrap_or_default();
    assert_eq!(challenge_param(md5, "realm").as_deref(), Some("127.0.0.1"));
    assert_eq!(challenge_param(md5, "algorithm").as_deref(), Some("MD5"));
    assert_eq!(challenge_param(md5, "qop").as_deref(), Some("auth"));
    let Some(AuthEvent::Challenged(notice)) = &challenge.auth else {
        panic!("expected a challenge notice, got {:?}", challenge.auth);
    };
    assert_eq!(
        notice.to_string(),
        log_line_after_source("SIP auth challenge")
    );

    // sipp's answer with the wrong password, re-pointed at our nonce.
    let nonce = challenge_param(md5, "nonce").unwrap_or_default();
    let answer = parse_request(&rewrite(&datagram("register_badpass.txt", 3), &nonce, None));
    let refused = registrar.handle_register(t0, &answer, source, Transport::Udp, &users);
    assert_eq!(
        refused.response.status, 403,
        "FreeSWITCH answers 403 Forbidden"
    );
    assert_eq!(refused.response.reason, "Forbidden");
    assert!(refused.changes.is_empty());
    let Some(AuthEvent::Failed(failure)) = &refused.auth else {
        panic!("expected an auth failure, got {:?}", refused.auth);
    };
    let expected = log_line_after_source("SIP auth failure");
    assert_eq!(
        expected,
        "SIP auth failure (REGISTER) on sofia profile 'internal' for [1002@127.0.0.1] from ip 127.0.0.1"
    );
    assert_eq!(failure.to_string(), expected);
}

#[test]
fn good_password_ladder_registers_like_freeswitch() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let source: SocketAddr = "127.0.0.1:5092".parse().unwrap_or_else(|e| panic!("{e}"));
    let users = directory();

    let first = parse_request(&datagram("register.txt", 1));
    let challenge = registrar.handle_register(t0, &first, source, Transport::Udp, &users);
    assert_eq!(challenge.response.status, 401);
    let offered = header_values(&challenge.response, &HeaderName::WwwAuthenticate);
    let nonce = offered
        .first()
        .and_then(|c| challenge_param(c, "nonce"))
        .unwrap_or_default();

    // sipp's exact Authorization (uri="sip:127.0.0.1:5060", unquoted nc/qop/algorithm),
    // with the response recomputed for our nonce.
    let answer = parse_request(&rewrite(
        &datagram("register.txt", 3),
        &nonce,
        Some("bench-not-1234"),
    ));
    let ok = registrar.handle_register(t0, &answer, source, Transport::Udp, &users);
    assert_eq!(
        ok.response.status,
        200,
        "{}",
        String::from_utf8_lossy(&ok.response.to_bytes())
    );
    assert_eq!(
        contact_expiries(&ok.response),
        vec![(
            "sip:1001@127.0.0.1:5092;transport=UDP".to_owned(),
            Some(3600)
        )]
    );
    // Via, From, Call-ID and CSeq are echoed; To gains a tag (RFC 3261 §8.2.6.2).
    for name in [
        HeaderName::Via,
        HeaderName::From,
        HeaderName::CallId,
        HeaderName::CSeq,
    ] {
        assert_eq!(
            ok.response.headers.get(&name),
            answer.headers.get(&name),
            "{name}"
        );
    }
    assert!(
        ok.response
            .to()
            .ok()
            .and_then(|to| to.tag().map(str::to_owned))
            .is_some()
    );
}
