//! RFC 4475 SIP torture tests: every file of the corpus, with what the RFC
//! expects a receiver to do (see ../shared/testdata/rfc4475/README.md).

mod common;

use common::{load, parse, request, response};
use witswitch_sip::headers::Problem;
use witswitch_sip::{
    ContactList, Frame, HeaderError, HeaderName, Host, Limits, Message, Method, ParseError,
    Transport, Uri, UriError, ValidationError, frame_stream,
};

fn parse_err(name: &str) -> ParseError {
    match Message::parse(&load(name)) {
        Ok(p) => panic!("{name} should not parse: {:?}", p.message),
        Err(e) => e,
    }
}

fn validation_err(name: &str) -> ValidationError {
    let result = match parse(name).message {
        Message::Request(r) => r.validate(),
        Message::Response(r) => r.validate(),
    };
    result.expect_err("message should fail validation")
}

fn valid_request(name: &str) -> witswitch_sip::Request {
    let r = request(name);
    r.validate()
        .unwrap_or_else(|e| panic!("{name} should validate: {e}"));
    r
}

fn malformed(header: HeaderName, problem: Problem) -> ValidationError {
    ValidationError::Header(HeaderError::Malformed { header, problem })
}

// ---- 3.1.1 valid messages -------------------------------------------------

#[test]
fn wsinv_short_tortuous_invite() {
    let r = valid_request("wsinv");
    assert_eq!(r.method, Method::Invite);
    let uri = r.uri.as_sip().expect("sip uri");
    assert!(uri.params.contains("unknownparam"));
    // Folded, spaced To with a spaced tag.
    let to = r.to().unwrap();
    assert_eq!(to.tag(), Some("1918181833n"));
    let from = r.from().unwrap();
    assert_eq!(from.display_name.as_deref(), Some(r#"J Rosenberg \""#));
    assert_eq!(from.tag(), Some("98asjd8"));
    assert_eq!(r.max_forwards(), Ok(Some(68)));
    assert_eq!(r.cseq().map(|c| (c.seq, c.method)), Ok((9, Method::Invite)));
    // Three Vias: one folded over three lines, two on the compact `v:` line.
    let vias = r.vias().unwrap();
    let branches: Vec<_> = vias
        .iter()
        .map(|v| v.branch().unwrap_or_default())
        .collect();
    assert_eq!(branches, ["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"]);
    assert_eq!(vias[0].transport, Transport::Udp);
    assert_eq!(vias[1].transport, Transport::Tcp);
    assert_eq!(r.header(&HeaderName::Subject), Some(""));
    assert_eq!(
        r.header(&HeaderName::parse("newfangledheader")),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(
        r.header(&HeaderName::parse("UnknownHeaderWithUnusualValue")),
        Some(";;,,;;,;")
    );
    let route = r.headers.name_addrs(&HeaderName::Route).unwrap();
    assert!(route[0].uri.as_sip().unwrap().lr());
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!("contacts")
    };
    assert_eq!(
        contacts[0].display_name.as_deref(),
        Some(r#"Quoted string """#)
    );
    assert_eq!(contacts[0].params.value("newparam"), Some("newvalue"));
    assert_eq!(contacts[0].q(), Some(330));
    assert_eq!(r.body.len(), 150);
    assert_eq!(r.content_type(), Some("application/sdp"));
}

#[test]
fn intmeth_wide_range_of_characters() {
    let r = valid_request("intmeth");
    let odd = "!interesting-Method0123456789_*+`.%indeed'~";
    assert_eq!(r.method, Method::Other(odd.to_owned()));
    let uri = r.uri.as_sip().unwrap();
    assert_eq!(
        uri.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        uri.password.as_deref(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    assert_eq!(uri.host, Host::Domain("example.com".into()));
    assert_eq!(r.via_top().unwrap().branch(), Some("z9hG4bK-.!%66*_+`'~"));
    let to = r.to().unwrap();
    assert_eq!(to.display_name.as_deref(), Some("BEL:\x07 NUL:\0 DEL:\x7f"));
    let from = r.from().unwrap();
    assert_eq!(
        from.display_name.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(from.tag(), Some("_token~1'+`*%!-."));
    assert_eq!(
        r.call_id(),
        Ok("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    );
    assert_eq!(r.max_forwards(), Ok(Some(255)));
    let ext = r
        .header(&HeaderName::parse("extensionHeader-!.%*+_`'~"))
        .unwrap();
    assert_eq!(ext, "\u{FEFF}大停電");
}

#[test]
fn esc01_percent_escapes_equal_their_characters() {
    let r = valid_request("esc01");
    let ruri = r.uri.as_sip().unwrap();
    assert_eq!(ruri.user_unescaped().unwrap(), b"sips:user@example.com");
    let to = r.to().unwrap();
    let Uri::Sip(to_uri) = &to.uri else { panic!() };
    assert_eq!(to_uri.user_unescaped().unwrap(), b"user");
    assert!(
        to_uri.equivalent(&match Uri::parse("sip:user@example.com") {
            Ok(Uri::Sip(u)) => u,
            other => panic!("{other:?}"),
        })
    );
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!()
    };
    let c = contacts[0].uri.as_sip().unwrap();
    assert_eq!(c.user_unescaped().unwrap(), b"caller");
    assert_eq!(c.params.len(), 2);
    assert_eq!(r.content_type(), Some("application/sdp"));
}

#[test]
fn escnull_registers_two_contacts_with_nuls() {
    let r = valid_request("escnull");
    assert_eq!(r.method, Method::Register);
    let to = r.to().unwrap();
    let aor = to.uri.as_sip().unwrap();
    assert_eq!(aor.user_unescaped().unwrap(), b"null-\0-null");
    assert_eq!(aor.aor(), "sip:null-%00-null@example.com");
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!()
    };
    assert_eq!(contacts.len(), 2);
    let users: Vec<_> = contacts
        .iter()
        .map(|c| c.uri.as_sip().unwrap().user_unescaped().unwrap())
        .collect();
    assert_eq!(users, [b"\0".to_vec(), b"\0\0".to_vec()]);
    assert_eq!(r.content_length(), Ok(Some(0)));
}

#[test]
fn esc02_percent_that_is_not_an_escape() {
    let r = valid_request("esc02");
    // The method is RE%47IST%45R, an unknown method, not REGISTER.
    assert_eq!(r.method, Method::Other("RE%47IST%45R".into()));
    assert_eq!(r.to().unwrap().display_name.as_deref(), Some("%Z%45"));
    assert_eq!(r.via_top().unwrap().branch(), Some("z9hG4bK209%fzsnel234"));
    // Two Contact headers; C%6Fntact is an unknown header, not a Contact.
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!()
    };
    assert_eq!(contacts.len(), 2);
    assert_eq!(
        r.header(&HeaderName::parse("C%6Fntact")),
        Some("<sip:alias2@host2.example.com>")
    );
}

#[test]
fn lwsdisp_display_name_without_space() {
    let r = valid_request("lwsdisp");
    assert_eq!(r.from().unwrap().display_name.as_deref(), Some("caller"));
    assert_eq!(r.from().unwrap().tag(), Some("323"));
}

#[test]
fn longreq_long_values() {
    let r = valid_request("longreq");
    let vias = r.vias().unwrap();
    assert_eq!(vias.len(), 34);
    assert!(vias.iter().all(|v| v.transport == Transport::Tcp));
    assert_eq!(vias[0].host, Host::Domain("sip33.example.com".into()));
    assert_eq!(vias[33].received(), Some("192.0.2.5"));
    assert!(vias[33].branch().is_some_and(|b| b.len() > 100));
    assert!(r.call_id().unwrap().len() > 100);
    let to = r.to().unwrap();
    assert!(
        to.display_name
            .as_deref()
            .is_some_and(|n| n.contains("extremeextreme"))
    );
    assert_eq!(to.uri.as_sip().unwrap().port, Some(6000));
    assert!(r.from().unwrap().tag().is_some_and(|t| t.len() > 50));
    assert_eq!(r.body.len(), 150);
}

#[test]
fn dblreq_ignores_trailing_octets() {
    let bytes = load("dblreq");
    let parsed = parse("dblreq");
    let Message::Request(r) = &parsed.message else {
        panic!()
    };
    assert_eq!(r.method, Method::Register);
    assert!(r.body.is_empty());
    assert!(parsed.consumed < bytes.len());
    assert!(bytes[parsed.consumed..].windows(6).any(|w| w == b"INVITE"));
    r.validate().unwrap();
    // Printing it never carries the trailing INVITE.
    assert!(!r.to_bytes().windows(6).any(|w| w == b"INVITE"));
}

#[test]
fn semiuri_semicolon_in_user_part() {
    let r = valid_request("semiuri");
    let uri = r.uri.as_sip().unwrap();
    assert_eq!(uri.user.as_deref(), Some("user;par=u%40example.net"));
    assert_eq!(uri.user_unescaped().unwrap(), b"user;par=u@example.net");
    assert_eq!(uri.host, Host::Domain("example.com".into()));
    assert!(uri.params.is_empty());
    let accept: Vec<_> = r.headers.get_all(&HeaderName::Accept).collect();
    assert_eq!(accept.len(), 6);
    assert_eq!(accept[5], "message/sipfrag");
}

#[test]
fn transports_varied_and_unknown() {
    let r = valid_request("transports");
    let transports: Vec<_> = r.vias().unwrap().into_iter().map(|v| v.transport).collect();
    assert_eq!(
        transports,
        [
            Transport::Udp,
            Transport::Sctp,
            Transport::Tls,
            Transport::Other("UNKNOWN".into()),
            Transport::Tcp
        ]
    );
}

#[test]
fn mpart01_multipart_body_with_nuls() {
    let bytes = load("mpart01");
    let parsed = parse("mpart01");
    let Message::Request(r) = &parsed.message else {
        panic!()
    };
    r.validate().unwrap();
    assert_eq!(r.method, Method::Message);
    assert_eq!(r.content_length(), Ok(Some(553)));
    assert_eq!(r.body.len(), 553);
    assert_eq!(r.body.iter().filter(|&&b| b == 0).count(), 2);
    assert!(r.body.ends_with(b"--7a9cbec02ceef655--\r\n"));
    assert_eq!(parsed.consumed, bytes.len());
    assert_eq!(r.via_top().unwrap().rport(), Some(None));
}

#[test]
fn unreason_utf8_reason_phrase() {
    let r = response("unreason");
    assert_eq!(r.status, 200);
    assert_eq!(r.reason, "= 2**3 * 5**2 но сто девяносто девять - простое");
    r.validate().unwrap();
}

#[test]
fn noreason_empty_reason_phrase() {
    let r = response("noreason");
    assert_eq!(r.status, 100);
    assert_eq!(r.reason, "");
    r.validate().unwrap();
}

// ---- 3.1.2 invalid messages -----------------------------------------------

#[test]
fn badinv01_extraneous_separators_get_400() {
    let e = validation_err("badinv01");
    assert_eq!(e, malformed(HeaderName::Via, Problem::Param));
    assert_eq!(e.status_code(), 400);
    // The Contact is bad too.
    let r = request("badinv01");
    assert!(matches!(
        r.contacts(),
        Err(HeaderError::Malformed {
            header: HeaderName::Contact,
            ..
        })
    ));
}

#[test]
fn clerr_content_length_larger_than_message() {
    let bytes = load("clerr");
    assert!(matches!(
        parse_err("clerr"),
        ParseError::BodyTruncated { expected: 9999, .. }
    ));
    // On a stream, wait for more data.
    assert_eq!(
        frame_stream(&bytes, &Limits::default()),
        Ok(Frame::NeedMore)
    );
}

#[test]
fn ncl_negative_content_length() {
    let e = parse_err("ncl");
    assert_eq!(e, ParseError::InvalidContentLength);
    assert!(e.breaks_stream_framing());
    assert_eq!(
        frame_stream(&load("ncl"), &Limits::default()),
        Err(ParseError::InvalidContentLength)
    );
}

#[test]
fn scalar02_overlarge_request_scalars() {
    let e = validation_err("scalar02");
    assert_eq!(e, malformed(HeaderName::CSeq, Problem::Number));
    assert_eq!(e.status_code(), 400);
    let r = request("scalar02");
    assert!(r.max_forwards().is_err(), "300 > 255");
    assert!(r.expires().is_err());
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!()
    };
    // Out-of-range contact expires reads as absent: the registrar's default.
    assert_eq!(contacts[0].expires(), None);
}

#[test]
fn scalarlg_overlarge_response_scalars_are_discarded() {
    let e = validation_err("scalarlg");
    assert_eq!(e, malformed(HeaderName::CSeq, Problem::Number));
}

#[test]
fn quotbal_unterminated_quote() {
    assert_eq!(
        validation_err("quotbal"),
        malformed(HeaderName::To, Problem::UnterminatedQuote)
    );
}

#[test]
fn ltgtruri_angle_brackets_around_request_uri() {
    let e = parse_err("ltgtruri");
    assert_eq!(
        e,
        ParseError::InvalidRequestUri(UriError::ForbiddenCharacter)
    );
    assert_eq!(e.status_code(), 400);
    // Enough is salvaged to send the 400.
    let headers = witswitch_sip::salvage_headers(&load("ltgtruri")).expect("headers");
    let resp = witswitch_sip::Response::for_headers(&headers, e.status_code(), "Bad Request");
    assert_eq!(resp.call_id(), Ok("ltgtruri.1@192.0.2.5"));
}

#[test]
fn lwsruri_whitespace_inside_request_uri() {
    assert_eq!(
        parse_err("lwsruri"),
        ParseError::InvalidRequestUri(UriError::ForbiddenCharacter)
    );
}

#[test]
fn lwsstart_multiple_spaces_in_request_line() {
    assert_eq!(parse_err("lwsstart"), ParseError::InvalidRequestLine);
}

#[test]
fn trws_trailing_space_on_request_line() {
    assert_eq!(parse_err("trws"), ParseError::InvalidRequestLine);
}

#[test]
fn escruri_headers_in_request_uri() {
    assert_eq!(parse_err("escruri"), ParseError::HeadersInRequestUri);
}

#[test]
fn baddate_is_accepted_because_date_does_not_matter() {
    let r = valid_request("baddate");
    assert_eq!(
        r.header(&HeaderName::Date),
        Some("Fri, 01 Jan 2010 16:00:00 EST")
    );
}

#[test]
fn regbadct_contact_with_header_needs_angle_brackets() {
    assert_eq!(
        validation_err("regbadct"),
        malformed(HeaderName::Contact, Problem::UnenclosedUri)
    );
}

#[test]
fn badaspec_spaces_inside_addr_spec() {
    assert_eq!(
        validation_err("badaspec"),
        malformed(HeaderName::To, Problem::Uri(UriError::ForbiddenCharacter))
    );
}

#[test]
fn baddn_non_token_display_name() {
    assert_eq!(
        validation_err("baddn"),
        malformed(HeaderName::From, Problem::InvalidDisplayName)
    );
}

#[test]
fn badvers_unknown_version_gets_505() {
    let e = parse_err("badvers");
    assert_eq!(e, ParseError::UnsupportedVersion);
    assert_eq!(e.status_code(), 505);
}

#[test]
fn mismatch01_cseq_method_mismatch() {
    let e = validation_err("mismatch01");
    assert_eq!(
        e,
        ValidationError::CSeqMethodMismatch {
            request: Method::Options,
            cseq: Method::Invite
        }
    );
    assert_eq!(e.status_code(), 400);
}

#[test]
fn mismatch02_unknown_method_with_cseq_mismatch() {
    let e = validation_err("mismatch02");
    assert!(matches!(
        e,
        ValidationError::CSeqMethodMismatch {
            request: Method::Other(_),
            ..
        }
    ));
}

#[test]
fn bigcode_overlarge_status_code() {
    assert_eq!(parse_err("bigcode"), ParseError::InvalidStatusCode);
}

// ---- 3.2 transaction layer ------------------------------------------------

#[test]
fn badbranch_branch_is_only_the_magic_cookie() {
    // Parses; the transaction layer decides (RFC 2543 fallback or 400).
    let r = valid_request("badbranch");
    assert_eq!(r.via_top().unwrap().branch(), Some("z9hG4bK"));
}

// ---- 3.3 application layer ------------------------------------------------

#[test]
fn insuf_missing_required_headers() {
    let e = validation_err("insuf");
    assert!(matches!(
        e,
        ValidationError::Header(HeaderError::Missing(_))
    ));
    assert_eq!(e.status_code(), 400);
}

#[test]
fn unkscm_unknown_request_uri_scheme() {
    let r = valid_request("unkscm");
    assert_eq!(r.uri.scheme(), "nobodyKnowsThisScheme");
    assert_eq!(
        r.uri.to_string(),
        "nobodyKnowsThisScheme:totallyopaquecontent"
    );
}

#[test]
fn novelsc_known_but_atypical_scheme() {
    let r = valid_request("novelsc");
    assert_eq!(r.uri.scheme(), "soap.beep");
    assert!(r.uri.as_sip().is_none());
}

#[test]
fn unksm2_unknown_schemes_in_headers() {
    let r = valid_request("unksm2");
    assert_eq!(r.to().unwrap().uri.scheme(), "isbn");
    assert_eq!(r.from().unwrap().uri.scheme(), "http");
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!()
    };
    assert_eq!(contacts[0].uri.to_string(), "name:John_Smith");
}

#[test]
fn bext01_require_and_proxy_require() {
    let r = valid_request("bext01");
    let require: Vec<_> = r.headers.get_all(&HeaderName::Require).collect();
    assert_eq!(
        require,
        ["nothingSupportsThis", "nothingSupportsThisEither"]
    );
    let proxy: Vec<_> = r.headers.get_all(&HeaderName::ProxyRequire).collect();
    assert_eq!(
        proxy,
        ["noProxiesSupportThis", "norDoAnyProxiesSupportThis"]
    );
    assert_eq!(r.via_top().unwrap().transport, Transport::Tls);
}

#[test]
fn invut_unknown_content_type() {
    let r = valid_request("invut");
    assert_eq!(r.content_type(), Some("application/unknownformat"));
    assert_eq!(r.body.len(), 40);
}

#[test]
fn regaut01_unknown_authorization_scheme() {
    let r = valid_request("regaut01");
    assert_eq!(
        r.headers
            .digest_credentials(&HeaderName::Authorization, "example.com"),
        Ok(None)
    );
    let raw = r.header(&HeaderName::Authorization).unwrap();
    assert_eq!(
        witswitch_sip::DigestCredentials::parse(raw),
        Err(Problem::AuthScheme("NoOneKnowsThisScheme".into()))
    );
}

#[test]
fn multi01_multiple_values_in_single_value_headers() {
    let e = validation_err("multi01");
    assert!(matches!(
        e,
        ValidationError::Header(HeaderError::Multiple(_))
    ));
    let r = request("multi01");
    assert_eq!(r.cseq(), Err(HeaderError::Multiple(HeaderName::CSeq)));
    assert_eq!(r.call_id(), Err(HeaderError::Multiple(HeaderName::CallId)));
    assert_eq!(
        r.to().map(|_| ()),
        Err(HeaderError::Multiple(HeaderName::To))
    );
}

#[test]
fn mcl01_multiple_content_lengths() {
    let e = parse_err("mcl01");
    assert_eq!(e, ParseError::ConflictingContentLength);
    assert!(e.breaks_stream_framing());
}

#[test]
fn bcast_broadcast_via_is_well_formed() {
    let r = response("bcast");
    r.validate().unwrap();
    let vias = r.vias().unwrap();
    assert_eq!(vias[1].host, Host::Ipv4("255.255.255.255".parse().unwrap()));
}

#[test]
fn zeromf_max_forwards_zero() {
    let r = valid_request("zeromf");
    assert_eq!(r.max_forwards(), Ok(Some(0)));
}

#[test]
fn cparam01_contact_parameter_is_not_a_uri_parameter() {
    let r = valid_request("cparam01");
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!()
    };
    assert!(contacts[0].params.contains("unknownparam"));
    assert!(contacts[0].uri.as_sip().unwrap().params.is_empty());
}

#[test]
fn cparam02_uri_parameter_stays_in_uri() {
    let r = valid_request("cparam02");
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!()
    };
    assert!(contacts[0].params.is_empty());
    let uri = contacts[0].uri.as_sip().unwrap();
    assert!(uri.params.contains("unknownparam"));
    assert_eq!(
        uri.to_string(),
        "sip:+19725552222@gw1.example.net;unknownparam"
    );
}

#[test]
fn regescrt_escaped_header_kept_in_contact() {
    let r = valid_request("regescrt");
    let ContactList::Addresses(contacts) = r.contacts().unwrap() else {
        panic!()
    };
    let uri = contacts[0].uri.as_sip().unwrap();
    assert_eq!(
        uri.headers,
        [("Route".to_owned(), "%3Csip:sip.example.com%3E".to_owned())]
    );
    assert_eq!(
        contacts[0].to_string(),
        "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>"
    );
}

#[test]
fn sdp01_unacceptable_accept() {
    let r = valid_request("sdp01");
    assert_eq!(r.header(&HeaderName::Accept), Some("text/nobodyKnowsThis"));
    assert_eq!(r.content_type(), Some("application/sdp"));
}

// ---- 3.4 backward compatibility ------------------------------------------

#[test]
fn inv2543_rfc2543_syntax() {
    let bytes = load("inv2543");
    let parsed = parse("inv2543");
    let Message::Request(r) = &parsed.message else {
        panic!()
    };
    r.validate().unwrap();
    assert_eq!(r.via_top().unwrap().branch(), None);
    assert_eq!(r.from().unwrap().tag(), None);
    assert_eq!(r.max_forwards(), Ok(None));
    assert_eq!(r.content_length(), Ok(None));
    // No Content-Length over a datagram: the body is the rest.
    assert_eq!(parsed.consumed, bytes.len());
    assert!(r.body.starts_with(b"v=0"));
    assert!(r.body.ends_with(b"\r\n"));
}

#[test]
fn test_dat_request_line_without_version() {
    assert_eq!(parse_err("test"), ParseError::InvalidRequestLine);
}

// ---- the whole corpus -----------------------------------------------------

/// Files whose message parses and validates (the valid ones and the
/// application-layer ones whose problem is semantic).
const ACCEPTED: [&str; 28] = [
    "wsinv",
    "intmeth",
    "esc01",
    "escnull",
    "esc02",
    "lwsdisp",
    "longreq",
    "dblreq",
    "semiuri",
    "transports",
    "mpart01",
    "unreason",
    "noreason",
    "baddate",
    "badbranch",
    "unkscm",
    "novelsc",
    "unksm2",
    "bext01",
    "invut",
    "regaut01",
    "bcast",
    "zeromf",
    "cparam01",
    "cparam02",
    "regescrt",
    "sdp01",
    "inv2543",
];
/// Files that fail to parse.
const PARSE_ERRORS: [&str; 11] = [
    "clerr", "ncl", "ltgtruri", "lwsruri", "lwsstart", "trws", "escruri", "badvers", "bigcode",
    "mcl01", "test",
];
/// Files that parse but fail validation.
const VALIDATION_ERRORS: [&str; 11] = [
    "badinv01",
    "scalar02",
    "scalarlg",
    "quotbal",
    "regbadct",
    "badaspec",
    "baddn",
    "mismatch01",
    "mismatch02",
    "insuf",
    "multi01",
];

#[test]
fn every_corpus_file_is_classified() {
    let files = common::all();
    assert_eq!(files.len(), 50, "corpus has 50 files");
    for (name, bytes) in &files {
        let result = Message::parse(bytes);
        if ACCEPTED.contains(&name.as_str()) {
            let message = result.unwrap_or_else(|e| panic!("{name}: {e}")).message;
            let valid = match &message {
                Message::Request(r) => r.validate(),
                Message::Response(r) => r.validate(),
            };
            assert_eq!(valid, Ok(()), "{name}");
        } else if PARSE_ERRORS.contains(&name.as_str()) {
            assert!(result.is_err(), "{name} should not parse");
        } else if VALIDATION_ERRORS.contains(&name.as_str()) {
            let message = result.unwrap_or_else(|e| panic!("{name}: {e}")).message;
            let valid = match &message {
                Message::Request(r) => r.validate(),
                Message::Response(r) => r.validate(),
            };
            assert!(valid.is_err(), "{name} should fail validation");
        } else {
            panic!("{name} is not classified");
        }
    }
}

#[test]
fn accepted_messages_round_trip_through_the_printer() {
    for name in ACCEPTED {
        let first = parse(name).message;
        let printed = first.to_bytes();
        let second = Message::parse(&printed)
            .unwrap_or_else(|e| panic!("{name} reprint: {e}"))
            .message;
        // The printer always states Content-Length; a message that had none
        // gains one and is otherwise identical.
        let mut expected = first.clone();
        if !expected.headers().contains(&HeaderName::ContentLength) {
            let len = expected.body().len();
            expected
                .headers_mut()
                .push(HeaderName::ContentLength, len.to_string());
        }
        assert_eq!(second, expected, "{name}");
        assert_eq!(second.to_bytes(), printed, "{name} printing is a fixpoint");
    }
}
