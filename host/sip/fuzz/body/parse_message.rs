//! The body of the `parse_message` fuzz target, shared with the stable
//! smoke test (`tests/fuzz_smoke.rs`) through `#[path]`, so CI runs the
//! same checks over the corpus that libFuzzer runs over random inputs.
//!
//! Besides "never panics", it checks invariants: `consumed` stays within
//! the input, a parsed message prints to bytes that parse again, and
//! printing that again gives the same bytes.

use witswitch_sip::{
    DigestChallenge, DigestCredentials, HeaderName, Limits, Message, Request, Response, Via,
    frame_stream, salvage_headers,
};

/// Runs every parser entry point over `data`.
pub fn parse_message(data: &[u8]) {
    let limits = Limits::default();
    if let Ok(witswitch_sip::Frame::Message { len }) = frame_stream(data, &limits) {
        assert!(len <= data.len(), "frame longer than input");
    }
    if let Some(headers) = salvage_headers(data) {
        let response = Response::for_headers(&headers, 400, "Bad Request");
        let _ = response.to_bytes();
    }
    let Ok(parsed) = Message::parse(data) else {
        return;
    };
    assert!(parsed.consumed <= data.len(), "consumed beyond input");
    exercise_views(&parsed.message);
    let printed = parsed.message.to_bytes();
    let reparsed = match Message::parse(&printed) {
        Ok(p) => p,
        Err(e) => panic!(
            "printed message does not parse ({e}): {:?}",
            String::from_utf8_lossy(&printed)
        ),
    };
    assert_eq!(
        reparsed.consumed,
        printed.len(),
        "printed message has trailing bytes"
    );
    assert_eq!(
        reparsed.message.to_bytes(),
        printed,
        "printing is not a fixpoint"
    );
}

/// Calls every typed accessor, and checks that typed headers which parse
/// print back to an equal value.
fn exercise_views(message: &Message) {
    let headers = message.headers();
    match message {
        Message::Request(r) => {
            let _ = r.validate();
            let _ = Response::for_request(r, 200, "OK").to_bytes();
            check_request_views(r);
        }
        Message::Response(r) => {
            let _ = r.validate();
        }
    }
    let _ = headers.cseq().map(|c| c.to_string());
    let _ = headers.call_id();
    let _ = headers.expires();
    let _ = headers.min_expires();
    let _ = headers.max_forwards();
    let _ = headers.content_length();
    if let Ok(vias) = headers.vias() {
        for via in vias {
            assert_eq!(
                Via::parse(&via.to_string()).as_ref(),
                Ok(&via),
                "Via reprint"
            );
            let _ = (via.branch(), via.received(), via.rport());
        }
    }
    for name in [HeaderName::From, HeaderName::To] {
        for value in headers.get_all(&name) {
            if let Ok(addr) = witswitch_sip::NameAddr::parse(value) {
                assert_eq!(
                    witswitch_sip::NameAddr::parse(&addr.to_string()).as_ref(),
                    Ok(&addr),
                    "name-addr reprint"
                );
            }
        }
    }
    if let Ok(witswitch_sip::ContactList::Addresses(list)) = headers.contacts() {
        for c in list {
            let _ = (c.expires(), c.q(), c.tag());
        }
    }
    let _ = headers.name_addrs(&HeaderName::Route);
    let _ = headers.name_addrs(&HeaderName::RecordRoute);
    for name in [HeaderName::WwwAuthenticate, HeaderName::ProxyAuthenticate] {
        for value in headers.get_all(&name) {
            if let Ok(c) = DigestChallenge::parse(value) {
                assert_eq!(DigestChallenge::parse(&c.to_string()).as_ref(), Ok(&c));
            }
        }
    }
    for name in [HeaderName::Authorization, HeaderName::ProxyAuthorization] {
        for value in headers.get_all(&name) {
            if let Ok(c) = DigestCredentials::parse(value) {
                assert_eq!(DigestCredentials::parse(&c.to_string()).as_ref(), Ok(&c));
            }
        }
    }
}

fn check_request_views(r: &Request) {
    let printed = r.uri.to_string();
    assert_eq!(
        witswitch_sip::Uri::parse(&printed).as_ref(),
        Ok(&r.uri),
        "Request-URI reprint"
    );
    if let Some(sip) = r.uri.as_sip() {
        let _ = (sip.aor(), sip.equivalent(sip), sip.user_unescaped());
        assert!(sip.equivalent(sip), "URI not equivalent to itself");
    }
}
