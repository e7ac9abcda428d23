//! Datagram parsing: start line, header lines (folding, compact names,
//! comma-separated values) and Content-Length framing (RFC 3261 §7, §18.3).

use std::borrow::Cow;

use super::{HeaderName, Headers, Message, Method, ParseError, Parsed, Request, Response};
use crate::text::{is_token, is_ws, parse_decimal, trim_ws};
use crate::uri::{Uri, UriError};

/// Size caps applied while parsing or framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest start line plus header section, in bytes.
    pub max_header_bytes: usize,
    /// Largest body (Content-Length), in bytes.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    /// 16 KiB of headers and 64 KiB of body: far above real signalling and
    /// the largest UDP datagram, small enough to bound per-connection memory.
    fn default() -> Limits {
        Limits {
            max_header_bytes: 16 * 1024,
            max_body_bytes: 64 * 1024,
        }
    }
}

/// Where the header section ends inside a buffer.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeadBounds {
    /// First byte of the start line (after leading CRLFs).
    pub start: usize,
    /// End of the last header line (just past its LF).
    pub text_end: usize,
    /// First byte of the body (just past the empty line).
    pub body_start: usize,
}

/// Number of CR/LF bytes before the start line (RFC 3261 §7.5 says to
/// ignore them).
pub(super) fn leading_crlf(buf: &[u8]) -> usize {
    buf.iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

/// Finds the empty line ending the header section; bare LF line ends are
/// tolerated.
pub(super) fn find_head(buf: &[u8], start: usize) -> Option<HeadBounds> {
    let tail = buf.get(start..)?;
    for offset in memchr::memchr_iter(b'\n', tail) {
        let lf = start + offset;
        match buf.get(lf + 1..) {
            Some([b'\n', ..]) => {
                return Some(HeadBounds {
                    start,
                    text_end: lf + 1,
                    body_start: lf + 2,
                });
            }
            Some([b'\r', b'\n', ..]) => {
                return Some(HeadBounds {
                    start,
                    text_end: lf + 1,
                    body_start: lf + 3,
                });
            }
            _ => {}
        }
    }
    None
}

/// Parses one message from a datagram (or an exact stream frame). Bytes
/// after Content-Length are ignored and not part of `consumed` (RFC 4475
/// §3.1.1.8); without Content-Length the body is the rest (RFC 3261 §18.3).
pub fn parse_datagram(buf: &[u8], limits: &Limits) -> Result<Parsed, ParseError> {
    let start = leading_crlf(buf);
    if start == buf.len() {
        return Err(ParseError::Empty);
    }
    let bounds = match find_head(buf, start) {
        Some(b) => b,
        // A datagram is complete: accept a header section that ends with a
        // line end but lacks the empty line (RFC 4475 §3.1.2.15's file).
        None if buf.ends_with(b"\n") => HeadBounds {
            start,
            text_end: buf.len(),
            body_start: buf.len(),
        },
        None => {
            return Err(if buf.len() - start > limits.max_header_bytes {
                ParseError::HeadersTooLarge {
                    limit: limits.max_header_bytes,
                }
            } else {
                ParseError::Incomplete
            });
        }
    };
    if bounds.text_end - bounds.start > limits.max_header_bytes {
        return Err(ParseError::HeadersTooLarge {
            limit: limits.max_header_bytes,
        });
    }
    let text = decode_head(&buf[bounds.start..bounds.text_end]);
    let (start_line, headers) = parse_head(&text)?;
    let available = buf.len() - bounds.body_start;
    let body_len = match content_length(&headers)? {
        Some(n) if n > limits.max_body_bytes => {
            return Err(ParseError::BodyTooLarge {
                length: n,
                limit: limits.max_body_bytes,
            });
        }
        Some(n) if n > available => {
            return Err(ParseError::BodyTruncated {
                expected: n,
                available,
            });
        }
        Some(n) => n,
        None if available > limits.max_body_bytes => {
            return Err(ParseError::BodyTooLarge {
                length: available,
                limit: limits.max_body_bytes,
            });
        }
        None => available,
    };
    let body = buf[bounds.body_start..bounds.body_start + body_len].to_vec();
    let message = match start_line {
        StartLine::Request(method, uri) => Message::Request(Request {
            method,
            uri,
            headers,
            body,
        }),
        StartLine::Response(status, reason) => Message::Response(Response {
            status,
            reason,
            headers,
            body,
        }),
    };
    Ok(Parsed {
        message,
        consumed: bounds.body_start + body_len,
    })
}

/// Header text is UTF-8 by RFC 3261 §7.3.1; invalid sequences become
/// U+FFFD rather than sinking the message (some phones send Latin-1 names).
pub(super) fn decode_head(bytes: &[u8]) -> Cow<'_, str> {
    // `from_utf8` is the fast path; the lossy decoder only runs on bad input.
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

pub(super) enum StartLine {
    Request(Method, Uri),
    Response(u16, String),
}

/// Lines of a header section with CR stripped, paired with 1-based numbers.
pub(super) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        // memchr beats `str::split` on these short lines; '\n' is ASCII so
        // the split point is a char boundary.
        let line = match memchr::memchr(b'\n', current.as_bytes()) {
            Some(lf) => {
                rest = current.get(lf + 1..);
                current.get(..lf).unwrap_or_default()
            }
            None => {
                rest = None;
                current
            }
        };
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
    .enumerate()
    .map(|(i, l)| (i + 1, l))
}

/// Trims white space around a header value, counting stray CRs as white
/// space: the printer turns them into spaces (no bare CR reaches the wire),
/// so trimming them here keeps parse and print consistent.
fn trim_value(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r'])
}

/// Parses the start line and the header lines.
pub(super) fn parse_head(text: &str) -> Result<(StartLine, Headers), ParseError> {
    let mut lines = lines(text).peekable();
    let (_, first) = lines.next().ok_or(ParseError::Empty)?;
    let start_line = parse_start_line(first)?;
    let mut headers = Headers::with_capacity(16);
    while let Some((number, line)) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let colon = line
            .find(':')
            .ok_or(ParseError::InvalidHeaderLine { line: number })?;
        let name = line[..colon].trim_end_matches([' ', '\t']);
        if !is_token(name) {
            return Err(ParseError::InvalidHeaderLine { line: number });
        }
        let first_part = trim_value(&line[colon + 1..]);
        // RFC 3261 §7.3.1: a line starting with white space continues the
        // previous one; the folding is equivalent to a single SP.
        let mut folded: Option<String> = None;
        while let Some((_, next)) = lines.peek() {
            let Some(&b) = next.as_bytes().first() else {
                break;
            };
            if !is_ws(b) {
                break;
            }
            let piece = trim_value(next);
            let value = folded.get_or_insert_with(|| first_part.to_owned());
            if !piece.is_empty() {
                if !value.is_empty() {
                    value.push(' ');
                }
                value.push_str(piece);
            }
            lines.next();
        }
        let name = HeaderName::parse(name);
        match folded {
            Some(value) => headers.push(name, value),
            None => headers.push(name, first_part),
        }
    }
    Ok((start_line, headers))
}

fn parse_start_line(line: &str) -> Result<StartLine, ParseError> {
    if line
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("SIP/"))
    {
        return parse_status_line(line);
    }
    let (method, rest) = line.split_once(' ').ok_or(ParseError::InvalidRequestLine)?;
    let (uri, version) = rest
        .rsplit_once(' ')
        .ok_or(ParseError::InvalidRequestLine)?;
    check_version(version, ParseError::InvalidRequestLine)?;
    if uri.is_empty() || uri.starts_with(' ') || uri.ends_with(' ') {
        return Err(ParseError::InvalidRequestLine);
    }
    let method = Method::parse(method).map_err(|_| ParseError::InvalidMethod)?;
    let uri = Uri::parse(uri).map_err(|e| match e {
        UriError::Empty => ParseError::InvalidRequestLine,
        other => ParseError::InvalidRequestUri(other),
    })?;
    if uri.as_sip().is_some_and(|u| !u.headers.is_empty()) {
        return Err(ParseError::HeadersInRequestUri);
    }
    Ok(StartLine::Request(method, uri))
}

/// `SIP/2.0`, case-insensitively; another well-formed version is
/// [`ParseError::UnsupportedVersion`], anything else `malformed`.
fn check_version(version: &str, malformed: ParseError) -> Result<(), ParseError> {
    let Some(number) = version
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("SIP/"))
        .and_then(|_| version.get(4..))
    else {
        return Err(malformed);
    };
    if number == "2.0" {
        return Ok(());
    }
    let well_formed = number.split_once('.').is_some_and(|(major, minor)| {
        parse_decimal::<u32>(major).is_some() && parse_decimal::<u32>(minor).is_some()
    });
    Err(if well_formed {
        ParseError::UnsupportedVersion
    } else {
        malformed
    })
}

fn parse_status_line(line: &str) -> Result<StartLine, ParseError> {
    let (version, rest) = line.split_once(' ').ok_or(ParseError::InvalidStatusLine)?;
    check_version(version, ParseError::InvalidStatusLine)?;
    // The reason phrase may be empty, even without its SP (RFC 4475 §3.1.1.13).
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::InvalidStatusCode);
    }
    let status: u16 = parse_decimal(code).ok_or(ParseError::InvalidStatusCode)?;
    if !(100..=699).contains(&status) {
        return Err(ParseError::InvalidStatusCode);
    }
    Ok(StartLine::Response(status, reason.to_owned()))
}

/// The body length declared by Content-Length headers (equal repeats are
/// tolerated, differing ones are not: RFC 4475 §3.3.9).
pub(super) fn content_length(headers: &Headers) -> Result<Option<usize>, ParseError> {
    content_length_of(headers.get_all(&HeaderName::ContentLength))
}

pub(super) fn content_length_of<'a>(
    values: impl Iterator<Item = &'a str>,
) -> Result<Option<usize>, ParseError> {
    let mut length = None;
    for value in values {
        let n: usize = parse_decimal(trim_ws(value)).ok_or(ParseError::InvalidContentLength)?;
        if length.is_some_and(|prev| prev != n) {
            return Err(ParseError::ConflictingContentLength);
        }
        length = Some(n);
    }
    Ok(length)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::CSeq;

    fn parse(buf: &[u8]) -> Result<Parsed, ParseError> {
        parse_datagram(buf, &Limits::default())
    }

    fn request(buf: &[u8]) -> Request {
        match parse(buf).map(|p| p.message) {
            Ok(Message::Request(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn folded_and_compact_headers() {
        let r = request(
            b"\r\nOPTIONS sip:a@b SIP/2.0\r\ni: x\r\nSubject: one\r\n  two\r\n\tthree\r\nl:0\r\n\r\n",
        );
        assert_eq!(r.call_id(), Ok("x"));
        assert_eq!(r.header(&HeaderName::Subject), Some("one two three"));
        assert_eq!(r.content_length(), Ok(Some(0)));
        assert_eq!(r.headers.len(), 3);
    }

    #[test]
    fn bare_lf_line_ends_are_tolerated() {
        let r = request(b"BYE sip:a@b SIP/2.0\nCSeq: 2 BYE\nContent-Length: 2\n\nhi");
        assert_eq!(r.cseq(), Ok(CSeq::new(2, Method::Bye)));
        assert_eq!(r.body, b"hi");
    }

    #[test]
    fn start_line_errors() {
        let cases: [(&[u8], ParseError); 9] = [
            (b"", ParseError::Empty),
            (b"\r\n\r\n", ParseError::Empty),
            (b"INVITE sip:a@b SIP/2.0\r\nVia: x", ParseError::Incomplete),
            (
                b"INVITE sip:a@b SIP/2.1\r\n\r\n",
                ParseError::UnsupportedVersion,
            ),
            (
                b"INVITE sip:a@b HTTP/1.1\r\n\r\n",
                ParseError::InvalidRequestLine,
            ),
            (
                b"IN VITE sip:a@b SIP/2.0\r\n\r\n",
                ParseError::InvalidRequestUri(UriError::ForbiddenCharacter),
            ),
            (b"INV(TE sip:a@b SIP/2.0\r\n\r\n", ParseError::InvalidMethod),
            (b"SIP/2.0 20 OK\r\n\r\n", ParseError::InvalidStatusCode),
            (b"SIP/2.0 700 Nope\r\n\r\n", ParseError::InvalidStatusCode),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).map(|p| p.message), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn header_line_errors() {
        assert_eq!(
            parse(b"OPTIONS sip:a@b SIP/2.0\r\nNo colon here\r\n\r\n"),
            Err(ParseError::InvalidHeaderLine { line: 2 })
        );
        assert_eq!(
            parse(b"OPTIONS sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n"),
            Err(ParseError::InvalidHeaderLine { line: 2 })
        );
        assert_eq!(
            parse(b"OPTIONS sip:a@b SIP/2.0\r\n continuation: first\r\n\r\n"),
            Err(ParseError::InvalidHeaderLine { line: 2 })
        );
    }

    #[test]
    fn response_line_with_and_without_reason() {
        for (input, reason) in [
            (&b"SIP/2.0 180 Ringing\r\n\r\n"[..], "Ringing"),
            (b"SIP/2.0 100 \r\n\r\n", ""),
            (b"SIP/2.0 100\r\n\r\n", ""),
            (b"sip/2.0 486 Busy Here\r\n\r\n", "Busy Here"),
        ] {
            let Ok(Message::Response(r)) = parse(input).map(|p| p.message) else {
                panic!("{input:?}")
            };
            assert_eq!(r.reason, reason);
        }
    }

    #[test]
    fn body_framing_and_caps() {
        let msg = b"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\nabcdef";
        let parsed = parse(msg).unwrap();
        assert_eq!(parsed.consumed, msg.len() - 3);
        assert_eq!(parsed.message.body(), b"abc");
        let no_length = b"MESSAGE sip:a@b SIP/2.0\r\n\r\nabcdef";
        assert_eq!(parse(no_length).unwrap().message.body(), b"abcdef");
        let tight = Limits {
            max_header_bytes: 20,
            max_body_bytes: 2,
        };
        assert_eq!(
            parse_datagram(msg, &tight),
            Err(ParseError::HeadersTooLarge { limit: 20 })
        );
        let tight = Limits {
            max_header_bytes: 1024,
            max_body_bytes: 2,
        };
        assert_eq!(
            parse_datagram(msg, &tight),
            Err(ParseError::BodyTooLarge {
                length: 3,
                limit: 2
            })
        );
        assert_eq!(
            parse_datagram(no_length, &tight),
            Err(ParseError::BodyTooLarge {
                length: 6,
                limit: 2
            })
        );
    }

    #[test]
    fn invalid_utf8_in_headers_is_replaced_not_fatal() {
        let r = request(b"OPTIONS sip:a@b SIP/2.0\r\nSubject: caf\xe9\r\n\r\n");
        assert_eq!(r.header(&HeaderName::Subject), Some("caf\u{FFFD}"));
    }
}
