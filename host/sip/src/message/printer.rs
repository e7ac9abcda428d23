//! Printing messages to wire bytes. Header names print in their canonical
//! long form; Content-Length always states the actual body length (RFC 3261
//! §18.3 makes a wrong one fatal on streams), in place when present, else
//! appended.

use std::fmt;
use std::io::Write as _;

use super::{HeaderName, Headers, Message, Request, Response};

fn write_headers_and_body(out: &mut Vec<u8>, headers: &Headers, body: &[u8]) {
    let mut length_written = false;
    for h in headers {
        if h.name == HeaderName::ContentLength {
            if !length_written {
                write_content_length(out, headers, body.len());
                length_written = true;
            }
            continue;
        }
        let start = out.len();
        out.extend_from_slice(h.name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(h.value.as_bytes());
        end_line(out, start);
    }
    if !length_written {
        write_content_length(out, headers, body.len());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

/// Terminates the line that starts at `start`, first turning any CR or LF
/// inside it into a space: a value set by code (or a URI field) holding a
/// line break must not be able to inject headers.
fn end_line(out: &mut Vec<u8>, start: usize) {
    if let Some(line) = out.get_mut(start..)
        && memchr::memchr2(b'\r', b'\n', line).is_some()
    {
        for b in line.iter_mut().filter(|b| **b == b'\r' || **b == b'\n') {
            *b = b' ';
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// Keeps the stored spelling when it already states `len` (so parsed
/// messages print back unchanged), else prints the number.
fn write_content_length(out: &mut Vec<u8>, headers: &Headers, len: usize) {
    out.extend_from_slice(b"Content-Length: ");
    match headers.get(&HeaderName::ContentLength) {
        Some(stored) if stored.parse::<usize>().ok() == Some(len) => {
            out.extend_from_slice(stored.as_bytes());
        }
        _ => {
            let _ = write!(out, "{len}");
        }
    }
    out.extend_from_slice(b"\r\n");
}

fn estimate(headers: &Headers, body: &[u8]) -> usize {
    128 + body.len()
        + headers
            .iter()
            .map(|h| h.name.as_str().len() + h.value.len() + 4)
            .sum::<usize>()
}

impl Request {
    /// Appends the wire form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(self.method.as_str().as_bytes());
        out.push(b' ');
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{}", self.uri);
        out.extend_from_slice(b" SIP/2.0");
        end_line(out, start);
        write_headers_and_body(out, &self.headers, &self.body);
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(estimate(&self.headers, &self.body));
        self.write_to(&mut out);
        out
    }
}

impl Response {
    /// Appends the wire form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(b"SIP/2.0 ");
        let _ = write!(out, "{}", self.status);
        out.push(b' ');
        out.extend_from_slice(self.reason.as_bytes());
        end_line(out, start);
        write_headers_and_body(out, &self.headers, &self.body);
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(estimate(&self.headers, &self.body));
        self.write_to(&mut out);
        out
    }
}

impl Message {
    /// Appends the wire form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Message::Request(r) => r.write_to(out),
            Message::Response(r) => r.write_to(out),
        }
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

/// Display shows the wire form; a non-UTF-8 body shows lossily.
fn display(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&String::from_utf8_lossy(bytes))
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(&self.to_bytes(), f)
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(&self.to_bytes(), f)
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(&self.to_bytes(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Method;
    use crate::uri::Uri;

    #[test]
    fn line_breaks_in_values_cannot_inject_headers() {
        let uri = Uri::parse("sip:bob@example.com").unwrap();
        let mut req = Request::new(Method::Options, uri);
        req.headers
            .push(HeaderName::Subject, "hi\r\nVia: SIP/2.0/UDP evil");
        let printed = req.to_bytes();
        let reparsed = Message::parse(&printed).unwrap().message;
        assert_eq!(reparsed.headers().count(&HeaderName::Via), 0);
        assert_eq!(
            reparsed.headers().get(&HeaderName::Subject),
            Some("hi  Via: SIP/2.0/UDP evil")
        );
        let mut resp = Response::new(200, "OK\r\nX: y");
        resp.headers.push(HeaderName::CallId, "c");
        let printed = String::from_utf8(resp.to_bytes()).unwrap();
        assert!(
            printed.starts_with("SIP/2.0 200 OK  X: y\r\nCall-ID: c\r\n"),
            "{printed}"
        );
    }
}
