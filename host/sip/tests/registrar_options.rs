//! OPTIONS answered 200 with Allow, Accept and Supported (RFC 3261 §11.2), replaying the
//! sipp probe recorded against FreeSWITCH (`testdata/freeswitch-1.10.12/sip/options.txt`).

mod registrar_support;

use registrar_support::parse_request;
use witswitch_sip::options::{Capabilities, options_response};
use witswitch_sip::registrar::ToTagMinter;
use witswitch_sip::{HeaderName, Message};

const PROBE: &str = "OPTIONS sip:ping@127.0.0.1:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5072;branch=z9hG4bK-8875-1-0\r\n\
From: <sip:probe@127.0.0.1>;tag=8875SIPpTagO1\r\n\
To: <sip:ping@127.0.0.1:5060>\r\n\
Call-ID: 1-8875@127.0.0.1\r\n\
CSeq: 1 OPTIONS\r\n\
Contact: <sip:probe@127.0.0.1:5072>\r\n\
Max-Forwards: 70\r\n\
Accept: application/sdp\r\n\
Content-Length: 0\r\n\r\n";

#[test]
fn probe_gets_200_with_capabilities_and_a_to_tag() {
    let request = parse_request(PROBE.as_bytes());
    let tags = ToTagMinter::new(b"options-secret");
    let tag = tags.tag_for(&request);
    let response = options_response(&request, &Capabilities::default(), &tag);
    assert_eq!(response.status, 200);
    assert_eq!(response.reason, "OK");
    let allow: Vec<&str> = response.headers.get_all(&HeaderName::Allow).collect();
    for method in ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER"] {
        assert!(allow.contains(&method), "{method} in {allow:?}");
    }
    assert_eq!(
        response.headers.get(&HeaderName::Accept),
        Some("application/sdp")
    );
    assert!(response.headers.contains(&HeaderName::Supported));
    for name in [
        HeaderName::Via,
        HeaderName::From,
        HeaderName::CallId,
        HeaderName::CSeq,
    ] {
        assert_eq!(
            response.headers.get(&name),
            request.headers.get(&name),
            "{name}"
        );
    }
    let to = response.to().ok();
    assert_eq!(to.as_ref().and_then(|t| t.tag()), Some(tag.as_str()));
    // The printed response parses back as the same response.
    let bytes = response.to_bytes();
    match Message::parse(&bytes).map(|p| p.message) {
        Ok(Message::Response(back)) => {
            let names = |r: &witswitch_sip::Response| -> Vec<(String, String)> {
                r.headers
                    .iter()
                    .filter(|h| h.name != HeaderName::ContentLength)
                    .map(|h| (h.name.to_string(), h.value.clone()))
                    .collect()
            };
            assert_eq!(back.status, 200);
            assert_eq!(names(&back), names(&response));
        }
        other => panic!("printed OPTIONS answer does not parse back: {other:?}"),
    }
}

#[test]
fn tags_are_stable_per_request_and_differ_between_requests() {
    let tags = ToTagMinter::new(b"options-secret");
    let first = parse_request(PROBE.as_bytes());
    let second = parse_request(
        PROBE
            .replace("CSeq: 1 OPTIONS", "CSeq: 2 OPTIONS")
            .as_bytes(),
    );
    assert_eq!(
        tags.tag_for(&first),
        tags.tag_for(&first),
        "retransmission, same tag"
    );
    assert_ne!(tags.tag_for(&first), tags.tag_for(&second));
    assert_ne!(
        tags.tag_for(&first),
        ToTagMinter::new(b"other").tag_for(&first)
    );
}

#[test]
fn configured_capabilities_and_existing_to_tag_are_respected() {
    let request = parse_request(
        PROBE
            .replace(
                "To: <sip:ping@127.0.0.1:5060>",
                "To: <sip:ping@127.0.0.1:5060>;tag=dialog1",
            )
            .as_bytes(),
    );
    let capabilities = Capabilities {
        allow: vec!["INVITE".to_owned(), "OPTIONS".to_owned()],
        accept: vec!["application/sdp".to_owned()],
        supported: vec!["timer".to_owned(), "replaces".to_owned()],
    };
    let response = options_response(&request, &capabilities, "ignored");
    let all = |name: HeaderName| -> Vec<String> {
        response.headers.get_all(&name).map(str::to_owned).collect()
    };
    assert_eq!(all(HeaderName::Allow), ["INVITE", "OPTIONS"]);
    assert_eq!(all(HeaderName::Supported), ["timer", "replaces"]);
    assert_eq!(
        response
            .to()
            .ok()
            .and_then(|t| t.tag().map(str::to_owned))
            .as_deref(),
        Some("dialog1")
    );
}
