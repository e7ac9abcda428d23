//! Requests, responses and the typed views shared by both.

use super::{HeaderName, Headers, Limits, Method, ParseError, parser};
use crate::headers::{CSeq, ContactList, HeaderError, NameAddr, Via};
use crate::uri::Uri;

/// A SIP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Method from the request line.
    pub method: Method,
    /// Request-URI.
    pub uri: Uri,
    /// Header fields in order.
    pub headers: Headers,
    /// Body bytes (may hold NULs, RFC 4475 §3.1.1.11).
    pub body: Vec<u8>,
}

/// A SIP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code, 100..=699.
    pub status: u16,
    /// Reason phrase (may be empty, RFC 4475 §3.1.1.13).
    pub reason: String,
    /// Header fields in order.
    pub headers: Headers,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

/// A parsed message and how many bytes of the input it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The message.
    pub message: Message,
    /// Bytes consumed, including leading CRLFs and the body; trailing bytes
    /// after that are not part of the message.
    pub consumed: usize,
}

/// Typed header views, identical on requests and responses; each delegates
/// to the method of the same name on [`Headers`].
macro_rules! typed_views {
    ($ty:ty) => {
        impl $ty {
            /// The first value of a header.
            pub fn header(&self, name: &HeaderName) -> Option<&str> {
                self.headers.get(name)
            }
            /// The topmost Via.
            pub fn via_top(&self) -> Result<Via, HeaderError> {
                self.headers.via_top()
            }
            /// Every Via, top first.
            pub fn vias(&self) -> Result<Vec<Via>, HeaderError> {
                self.headers.vias()
            }
            /// The CSeq header.
            pub fn cseq(&self) -> Result<CSeq, HeaderError> {
                self.headers.cseq()
            }
            /// The Call-ID header.
            pub fn call_id(&self) -> Result<&str, HeaderError> {
                self.headers.call_id()
            }
            /// The From header.
            pub fn from(&self) -> Result<NameAddr, HeaderError> {
                self.headers.from()
            }
            /// The To header.
            pub fn to(&self) -> Result<NameAddr, HeaderError> {
                self.headers.to()
            }
            /// The Contact headers.
            pub fn contacts(&self) -> Result<ContactList, HeaderError> {
                self.headers.contacts()
            }
            /// The Expires header.
            pub fn expires(&self) -> Result<Option<u32>, HeaderError> {
                self.headers.expires()
            }
            /// The Max-Forwards header.
            pub fn max_forwards(&self) -> Result<Option<u8>, HeaderError> {
                self.headers.max_forwards()
            }
            /// The Content-Length header.
            pub fn content_length(&self) -> Result<Option<usize>, HeaderError> {
                self.headers.content_length()
            }
            /// The Content-Type header.
            pub fn content_type(&self) -> Option<&str> {
                self.headers.content_type()
            }
        }
    };
}

typed_views!(Request);
typed_views!(Response);

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: Method, uri: Uri) -> Request {
        Request {
            method,
            uri,
            headers: Headers::new(),
            body: Vec::new(),
        }
    }
}

impl Response {
    /// A response with no headers and no body.
    pub fn new(status: u16, reason: impl Into<String>) -> Response {
        Response {
            status,
            reason: reason.into(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// A response to `request` carrying its Via headers (in order), From,
    /// To, Call-ID and CSeq, as RFC 3261 §8.2.6.1 requires. The To tag is
    /// left to the caller ([`Headers::set_to_tag`]).
    pub fn for_request(request: &Request, status: u16, reason: impl Into<String>) -> Response {
        Response::for_headers(&request.headers, status, reason)
    }

    /// Like [`Response::for_request`], from headers alone, e.g. those
    /// recovered with [`salvage_headers`](super::salvage_headers) from a
    /// request that failed to parse, to answer it with 400.
    pub fn for_headers(headers: &Headers, status: u16, reason: impl Into<String>) -> Response {
        const COPIED: [HeaderName; 5] = [
            HeaderName::Via,
            HeaderName::From,
            HeaderName::To,
            HeaderName::CallId,
            HeaderName::CSeq,
        ];
        let copied = headers
            .iter()
            .filter(|h| COPIED.contains(&h.name))
            .cloned()
            .collect();
        Response {
            status,
            reason: reason.into(),
            headers: copied,
            body: Vec::new(),
        }
    }

    /// The standard reason phrase for a status code ("" when unknown).
    pub fn default_reason(status: u16) -> &'static str {
        super::reason::default_reason(status)
    }
}

impl Message {
    /// Parses a datagram with default [`Limits`].
    pub fn parse(buf: &[u8]) -> Result<Parsed, ParseError> {
        parser::parse_datagram(buf, &Limits::default())
    }

    /// Parses a datagram with explicit limits.
    pub fn parse_with_limits(buf: &[u8], limits: &Limits) -> Result<Parsed, ParseError> {
        parser::parse_datagram(buf, limits)
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    /// The headers, mutably.
    pub fn headers_mut(&mut self) -> &mut Headers {
        match self {
            Message::Request(r) => &mut r.headers,
            Message::Response(r) => &mut r.headers,
        }
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    /// The request, when this is one.
    pub fn as_request(&self) -> Option<&Request> {
        match self {
            Message::Request(r) => Some(r),
            Message::Response(_) => None,
        }
    }

    /// The response, when this is one.
    pub fn as_response(&self) -> Option<&Response> {
        match self {
            Message::Response(r) => Some(r),
            Message::Request(_) => None,
        }
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Message {
        Message::Request(r)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Message {
        Message::Response(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &[u8] = b"INVITE sip:bob@example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n\
Max-Forwards: 70\r\n\
Record-Route: <sip:p.example.com;lr>\r\n\
From: Alice <sip:alice@example.com>;tag=1\r\n\
To: <sip:bob@example.com>\r\n\
Call-ID: c1\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:alice@a.example.com>\r\n\
Content-Length: 0\r\n\r\n";

    fn invite() -> Request {
        match Message::parse(INVITE).map(|p| p.message) {
            Ok(Message::Request(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn response_copies_the_rfc3261_headers() {
        let req = invite();
        let mut resp = Response::for_request(&req, 180, Response::default_reason(180));
        let names: Vec<_> = resp.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["Via", "From", "To", "Call-ID", "CSeq"]);
        assert_eq!(resp.vias().map(|v| v.len()), Ok(2));
        assert_eq!(resp.to().map(|t| t.tag().map(str::to_owned)), Ok(None));
        resp.headers.set_to_tag("as83kd").unwrap();
        assert_eq!(resp.to().unwrap().tag(), Some("as83kd"));
        let printed = resp.to_bytes();
        assert!(printed.starts_with(b"SIP/2.0 180 Ringing\r\n"));
        assert!(printed.ends_with(b"Content-Length: 0\r\n\r\n"));
    }

    #[test]
    fn printing_recomputes_content_length() {
        let mut req = invite();
        req.body = b"v=0\r\n".to_vec();
        let printed = req.to_bytes();
        let text = String::from_utf8(printed.clone()).unwrap();
        assert!(text.contains("Content-Length: 5\r\n"), "{text}");
        assert_eq!(text.matches("Content-Length").count(), 1);
        let reparsed = Message::parse(&printed).unwrap().message;
        assert_eq!(reparsed.body(), b"v=0\r\n");
    }

    #[test]
    fn via_received_and_rport_round_trip_through_the_message() {
        let mut req = invite();
        let mut top = req.via_top().unwrap();
        top.set_received("192.0.2.9".parse().unwrap());
        top.set_rport(5099);
        req.headers.set_via_top(&top).unwrap();
        let reparsed = match Message::parse(&req.to_bytes()).map(|p| p.message) {
            Ok(Message::Request(r)) => r,
            other => panic!("{other:?}"),
        };
        let vias = reparsed.vias().unwrap();
        assert_eq!(vias.len(), 2);
        assert_eq!(vias[0].received(), Some("192.0.2.9"));
        assert_eq!(vias[0].rport(), Some(Some(5099)));
        assert_eq!(vias[1].branch(), Some("z9hG4bK2"));
    }

    #[test]
    fn salvaged_headers_answer_a_broken_request() {
        let broken = b"INVITE <sip:bob@example.com> SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nCall-ID: c9\r\nCSeq: 4 INVITE\r\n\r\n";
        let error = Message::parse(broken).unwrap_err();
        let headers = super::super::salvage_headers(broken).unwrap();
        let resp = Response::for_headers(&headers, error.status_code(), "Bad Request");
        assert_eq!(resp.status, 400);
        assert_eq!(resp.call_id(), Ok("c9"));
        assert_eq!(resp.via_top().unwrap().branch(), Some("z9hG4bKx"));
        assert_eq!(
            super::super::salvage_headers(b"SIP/2.0 200 OK\r\nVia: x\r\n\r\n"),
            None
        );
    }
}
