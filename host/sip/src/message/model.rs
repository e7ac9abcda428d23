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
