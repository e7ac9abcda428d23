//! Framing of messages on stream transports (TCP, later TLS and WebSocket
//! relays): Content-Length delimits each message (RFC 3261 §18.3), and
//! CRLF keep-alives may appear between messages (RFC 5626 §3.5.1).

use super::parser::{Limits, content_length_of, decode_head, find_head, leading_crlf, lines};
use super::{HeaderName, ParseError};
use crate::text::trim_ws;

/// What the front of a stream buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// Not enough bytes yet; read more and call again.
    NeedMore,
    /// CR/LF bytes before a message: drop `len` bytes. `ping` is true for a
    /// double CRLF, which RFC 5626 §3.5.1 answers with a single CRLF pong.
    Keepalive {
        /// Bytes to drop.
        len: usize,
        /// True for a CRLFCRLF ping.
        ping: bool,
    },
    /// A whole message occupies the first `len` bytes; parse them with
    /// [`Message::parse`](super::Message::parse).
    Message {
        /// Bytes of the message including its body.
        len: usize,
    },
}

/// Looks at the front of a stream buffer. Errors mean the framing is lost
/// (malformed or conflicting Content-Length, caps exceeded): the connection
/// should be closed (RFC 4475 §3.1.2.3, §3.3.9). A missing Content-Length
/// counts as 0, as RFC 3261 §18.3 requires it on streams.
pub fn frame_stream(buf: &[u8], limits: &Limits) -> Result<Frame, ParseError> {
    let crlf = leading_crlf(buf);
    if crlf > 0 {
        return Ok(keepalive(&buf[..crlf], crlf == buf.len()));
    }
    let Some(bounds) = find_head(buf, 0) else {
        return if buf.len() > limits.max_header_bytes {
            Err(ParseError::HeadersTooLarge {
                limit: limits.max_header_bytes,
            })
        } else {
            Ok(Frame::NeedMore)
        };
    };
    if bounds.text_end > limits.max_header_bytes {
        return Err(ParseError::HeadersTooLarge {
            limit: limits.max_header_bytes,
        });
    }
    let text = decode_head(&buf[..bounds.text_end]);
    let body = scan_content_length(&text)?.unwrap_or(0);
    if body > limits.max_body_bytes {
        return Err(ParseError::BodyTooLarge {
            length: body,
            limit: limits.max_body_bytes,
        });
    }
    let len = bounds.body_start + body;
    Ok(if buf.len() >= len {
        Frame::Message { len }
    } else {
        Frame::NeedMore
    })
}

/// Classifies a run of CR/LF bytes; `at_end` when nothing follows yet.
fn keepalive(run: &[u8], at_end: bool) -> Frame {
    if run.starts_with(b"\r\n\r\n") {
        return Frame::Keepalive { len: 4, ping: true };
    }
    // A lone CRLF followed by a message is a pong; at the end of the buffer
    // it may be the first half of a ping, so wait.
    if at_end && run.len() < 4 {
        return Frame::NeedMore;
    }
    Frame::Keepalive {
        len: run.len(),
        ping: false,
    }
}

/// Finds Content-Length values (full or compact name, any case) in a header
/// section without building the header list.
fn scan_content_length(text: &str) -> Result<Option<usize>, ParseError> {
    let values = lines(text).skip(1).filter_map(|(_, line)| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim_end_matches([' ', '\t']);
        (HeaderName::parse(name) == HeaderName::ContentLength).then(|| trim_ws(value))
    });
    content_length_of(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"OPTIONS sip:a@b SIP/2.0\r\nl: 4\r\n\r\nbodyNEXT";

    #[test]
    fn frames_by_content_length() {
        let limits = Limits::default();
        assert_eq!(
            frame_stream(MSG, &limits),
            Ok(Frame::Message { len: MSG.len() - 4 })
        );
        for cut in 0..MSG.len() - 4 {
            assert_eq!(
                frame_stream(&MSG[..cut], &limits),
                Ok(Frame::NeedMore),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn keepalives() {
        let limits = Limits::default();
        assert_eq!(
            frame_stream(b"\r\n\r\nOPTIONS", &limits),
            Ok(Frame::Keepalive { len: 4, ping: true })
        );
        assert_eq!(
            frame_stream(b"\r\nOPTIONS", &limits),
            Ok(Frame::Keepalive {
                len: 2,
                ping: false
            })
        );
        assert_eq!(frame_stream(b"\r\n", &limits), Ok(Frame::NeedMore));
    }

    #[test]
    fn caps_and_bad_lengths() {
        let small = Limits {
            max_header_bytes: 16,
            max_body_bytes: 2,
        };
        assert_eq!(
            frame_stream(b"OPTIONS sip:a@b SIP/2.0\r\n", &small),
            Err(ParseError::HeadersTooLarge { limit: 16 })
        );
        let limits = Limits {
            max_header_bytes: 1024,
            max_body_bytes: 2,
        };
        assert_eq!(
            frame_stream(MSG, &limits),
            Err(ParseError::BodyTooLarge {
                length: 4,
                limit: 2
            })
        );
        assert_eq!(
            frame_stream(b"X sip:a SIP/2.0\r\nContent-Length: -1\r\n\r\n", &limits),
            Err(ParseError::InvalidContentLength)
        );
    }
}
