//! Answers for bytes that did not parse: `400 Bad Request` (or 505/513, as
//! [`ParseError::status_code`] says) built from the headers the SIP crate can salvage.
//!
//! RFC 3261 §8.2.6.2 builds a response from the request's Via, From, To, Call-ID and
//! CSeq; RFC 4475 §3.1.2 expects such an answer for most invalid messages. Input that
//! is not a request, is an ACK (never answered, §17.2.1), or lacks any of the five
//! headers (or has control characters in them) is not answered: the caller drops and
//! counts it, so the switch does not reflect garbage at whoever spoofed the source.

use witswitch_sip::{HeaderName, ParseError, Response, salvage_headers};

/// The response bytes for `raw`, which failed with `error`; `None` when nothing
/// should be sent.
pub fn error_response(raw: &[u8], error: &ParseError) -> Option<Response> {
    if is_ack(raw) {
        return None;
    }
    let headers = salvage_headers(raw)?;
    let required = [
        HeaderName::From,
        HeaderName::To,
        HeaderName::CallId,
        HeaderName::CSeq,
    ];
    if required.iter().any(|h| headers.count(h) != 1) || headers.via_top().is_err() {
        return None;
    }
    let copied = [HeaderName::Via, HeaderName::From, HeaderName::To]
        .iter()
        .chain(&required[2..])
        .flat_map(|name| headers.get_all(name))
        .all(|value| !value.chars().any(char::is_control));
    if !copied {
        return None;
    }
    let status = error.status_code();
    let mut response = Response::for_headers(&headers, status, Response::default_reason(status));
    let has_tag = response.headers.to().is_ok_and(|to| to.tag().is_some());
    if !has_tag {
        // §8.2.6.2: a response carries a To tag; derive it from the Call-ID so that a
        // retransmission of the same broken request gets the same tag.
        let call_id = headers.get(&HeaderName::CallId).unwrap_or_default();
        let _ = response
            .headers
            .set_to_tag(&format!("{:08x}", fnv1a(call_id.as_bytes())));
    }
    Some(response)
}

/// True when the start line is an ACK request.
fn is_ack(raw: &[u8]) -> bool {
    let start = raw
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(raw.len());
    raw[start..].starts_with(b"ACK ")
}

/// FNV-1a, 32 bits: a stable tag from the Call-ID, not a security property.
fn fnv1a(data: &[u8]) -> u32 {
    data.iter().fold(0x811c_9dc5_u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use witswitch_sip::Message;

    const BROKEN: &[u8] = b"OPTIONS sip:a@b SIP/2.0\r\n\
        v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n\
        Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\r\n\
        From: <sip:x@y>;tag=1\r\n\
        To: <sip:a@b>\r\n\
        Call-ID: abc\r\n\
        CSeq: 1 OPTIONS\r\n\
        Content-Length: 500\r\n\r\nshort";

    fn answer(raw: &[u8]) -> Option<String> {
        let error = Message::parse(raw).err()?;
        error_response(raw, &error).map(|r| String::from_utf8(r.to_bytes()).unwrap())
    }

    #[test]
    fn truncated_body_gets_400_with_the_five_headers() {
        let r = answer(BROKEN).expect("an answer");
        assert!(r.starts_with("SIP/2.0 400 "), "{r}");
        let via1 = r.find("SIP/2.0/UDP 10.0.0.1").unwrap();
        let via2 = r.find("SIP/2.0/UDP 10.0.0.2").unwrap();
        assert!(via1 < via2, "Via order kept: {r}");
        assert!(r.contains("tag=1"));
        assert!(r.contains("Call-ID: abc\r\n"));
        let reparsed = Message::parse(r.as_bytes()).unwrap().message;
        let to = reparsed.headers().to().unwrap();
        assert!(to.tag().is_some(), "To tag added: {r}");
    }

    #[test]
    fn garbage_responses_and_ack_are_not_answered() {
        assert!(answer(b"\x00\x01garbage\r\n\r\n").is_none());
        assert!(answer(b"SIP/2.0 200 OK\r\nVia: x\r\n\r\n").is_none());
        let ack = [b"ACK".as_slice(), &BROKEN[7..]].concat();
        assert!(answer(&ack).is_none());
    }

    #[test]
    fn missing_or_binary_headers_mean_no_answer() {
        let no_cseq = b"OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: a;tag=1\r\nTo: b\r\nCall-ID: c\r\nContent-Length: 9\r\n\r\n";
        assert!(answer(no_cseq).is_none());
        let nul = b"OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a\x00>;tag=1\r\nTo: <sip:b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 9\r\n\r\n";
        assert!(answer(nul).is_none());
    }
}
