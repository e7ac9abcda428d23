//! Requests the transaction layer derives from an INVITE: the ACK for a non-2xx final
//! response (§17.1.1.3) and CANCEL (§9.1). Both copy the INVITE's top Via (same branch),
//! so the peer matches them to the INVITE's transaction.

use crate::headers::CSeq;
use crate::message::{HeaderName, Method, Request, Response};

/// Max-Forwards for derived requests when the INVITE has none (RFC 3261 §8.1.1.6).
const DEFAULT_MAX_FORWARDS: &str = "70";

/// The ACK for a 300-699 response to `invite` (§17.1.1.3): Request-URI, Call-ID, From,
/// CSeq number and Route set of the INVITE, a single Via equal to the INVITE's top Via,
/// the To header of the response (with the UAS's tag), CSeq method ACK, no body.
pub fn ack_for_failure(invite: &Request, cseq: u32, response: &Response) -> Request {
    let mut ack = derived(invite, Method::Ack, cseq);
    if let Some(to) = response.header(&HeaderName::To) {
        ack.headers.set(HeaderName::To, to);
    }
    ack
}

/// The CANCEL for `invite` (§9.1): Request-URI, Call-ID, From, To, CSeq number and Route
/// set of the INVITE, a single Via equal to its top Via, CSeq method CANCEL, no body.
pub fn cancel_for(invite: &Request, cseq: u32) -> Request {
    derived(invite, Method::Cancel, cseq)
}

/// A request copying the §9.1/§17.1.1.3 fields of `invite`, with To from the INVITE.
fn derived(invite: &Request, method: Method, cseq: u32) -> Request {
    let mut request = Request::new(method.clone(), invite.uri.clone());
    let headers = &mut request.headers;
    if let Some(via) = invite.header(&HeaderName::Via) {
        headers.push(HeaderName::Via, via);
    }
    for route in invite.headers.get_all(&HeaderName::Route) {
        headers.push(HeaderName::Route, route);
    }
    let max_forwards = invite
        .header(&HeaderName::MaxForwards)
        .unwrap_or(DEFAULT_MAX_FORWARDS);
    headers.push(HeaderName::MaxForwards, max_forwards);
    for name in [HeaderName::From, HeaderName::To, HeaderName::CallId] {
        if let Some(value) = invite.header(&name) {
            headers.push(name, value);
        }
    }
    headers.push(HeaderName::CSeq, CSeq::new(cseq, method).to_string());
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn invite() -> Request {
        let raw = b"INVITE sip:bob@example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKinv1\r\n\
Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKprev\r\n\
Route: <sip:proxy1.example.com;lr>\r\n\
Route: <sip:proxy2.example.com;lr>\r\n\
Max-Forwards: 69\r\n\
From: <sip:alice@example.com>;tag=a1\r\n\
To: <sip:bob@example.com>\r\n\
Call-ID: c1@192.0.2.1\r\n\
CSeq: 314 INVITE\r\n\
Contact: <sip:alice@192.0.2.1>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 4\r\n\r\nv=0\n";
        match Message::parse(raw).map(|p| p.message) {
            Ok(Message::Request(r)) => r,
            other => panic!("test INVITE did not parse: {other:?}"),
        }
    }

    #[test]
    fn ack_copies_invite_fields_and_response_to() {
        let invite = invite();
        let mut response = Response::for_request(&invite, 486, "Busy Here");
        response
            .headers
            .set_to_tag("b7")
            .expect("To header is present");
        let ack = ack_for_failure(&invite, 314, &response);
        assert_eq!(ack.method, Method::Ack);
        assert_eq!(ack.uri, invite.uri);
        let vias: Vec<&str> = ack.headers.get_all(&HeaderName::Via).collect();
        assert_eq!(vias, ["SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKinv1"]);
        assert_eq!(ack.headers.count(&HeaderName::Route), 2);
        assert_eq!(
            ack.to()
                .ok()
                .and_then(|t| t.tag().map(str::to_owned))
                .as_deref(),
            Some("b7")
        );
        assert_eq!(ack.from().ok(), invite.from().ok());
        assert_eq!(ack.call_id().ok(), Some("c1@192.0.2.1"));
        assert_eq!(ack.cseq().ok(), Some(CSeq::new(314, Method::Ack)));
        assert_eq!(ack.max_forwards().ok(), Some(Some(69)));
        assert!(ack.body.is_empty());
        assert_eq!(ack.validate(), Ok(()));
    }

    #[test]
    fn cancel_keeps_the_invite_to_and_branch() {
        let invite = invite();
        let cancel = cancel_for(&invite, 314);
        assert_eq!(cancel.method, Method::Cancel);
        assert_eq!(cancel.to().ok(), invite.to().ok());
        assert_eq!(cancel.via_top().ok(), invite.via_top().ok());
        assert_eq!(cancel.headers.count(&HeaderName::Via), 1);
        assert_eq!(cancel.cseq().ok(), Some(CSeq::new(314, Method::Cancel)));
        assert_eq!(cancel.validate(), Ok(()));
    }
}
