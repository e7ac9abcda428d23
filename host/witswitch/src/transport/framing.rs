//! Splitting a reliable byte stream into SIP messages.
//!
//! TCP (and later TLS, the same bytes over an encrypted stream) frames by Content-Length
//! (RFC 3261 §18.3) with the SIP crate's [`frame_stream`]; WebSocket (RFC 7118) would
//! carry one message per WebSocket message and implement [`StreamFraming`] with its own
//! decoder, leaving the connection code unchanged.

use bytes::{Buf, Bytes, BytesMut};
use witswitch_sip::{Frame as SipFrame, Limits, ParseError, frame_stream};

/// What a framer yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// One whole SIP message: header section, empty line and Content-Length body bytes.
    Message(Bytes),
    /// A `CRLF CRLF` keep-alive ping (RFC 5626 §3.5.1): answer with one `CRLF`.
    KeepAlivePing,
}

/// The interface a connection uses, whatever the stream's framing.
pub trait StreamFraming: Send + std::fmt::Debug {
    /// Appends bytes read from the stream.
    fn push(&mut self, data: &[u8]);
    /// The next complete frame, `Ok(None)` when more bytes are needed. An error means
    /// the framing is lost: answer (see [`StreamFraming::pending`]) and close.
    fn next_frame(&mut self) -> Result<Option<Frame>, ParseError>;
    /// The buffered bytes not yet framed (to salvage a 400 from after an error).
    fn pending(&self) -> &[u8];
}

/// Content-Length framing with caps: a connection's buffer stays below
/// `max_header_bytes + max_body_bytes` plus one read.
#[derive(Debug)]
pub struct ContentLengthFraming {
    buf: BytesMut,
    limits: Limits,
}

impl ContentLengthFraming {
    /// A framer with the given caps.
    pub fn new(limits: Limits) -> Self {
        ContentLengthFraming {
            buf: BytesMut::with_capacity(4096),
            limits,
        }
    }
}

impl StreamFraming for ContentLengthFraming {
    fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, ParseError> {
        loop {
            match frame_stream(&self.buf, &self.limits)? {
                SipFrame::NeedMore => return Ok(None),
                SipFrame::Keepalive { len, ping } => {
                    self.buf.advance(len.min(self.buf.len()));
                    if ping {
                        return Ok(Some(Frame::KeepAlivePing));
                    }
                }
                SipFrame::Message { len } => {
                    let len = len.min(self.buf.len());
                    return Ok(Some(Frame::Message(self.buf.split_to(len).freeze())));
                }
            }
        }
    }

    fn pending(&self) -> &[u8] {
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &[u8] = b"OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/TCP h\r\nl: 4\r\n\r\nbody";

    fn framer() -> ContentLengthFraming {
        ContentLengthFraming::new(Limits {
            max_header_bytes: 1024,
            max_body_bytes: 64,
        })
    }

    #[test]
    fn frames_byte_by_byte_and_back_to_back() {
        let mut f = framer();
        let two = [OPTIONS, OPTIONS].concat();
        let mut frames = Vec::new();
        for b in &two {
            f.push(std::slice::from_ref(b));
            while let Some(frame) = f.next_frame().unwrap() {
                frames.push(frame);
            }
        }
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0], Frame::Message(Bytes::from_static(OPTIONS)));
        assert!(f.pending().is_empty());
    }

    #[test]
    fn keepalive_ping_then_message() {
        let mut f = framer();
        f.push(b"\r\n\r\n");
        assert_eq!(f.next_frame().unwrap(), Some(Frame::KeepAlivePing));
        f.push(b"\r\n");
        f.push(OPTIONS);
        assert_eq!(
            f.next_frame().unwrap(),
            Some(Frame::Message(Bytes::from_static(OPTIONS)))
        );
    }

    #[test]
    fn truncated_body_waits_and_caps_break_framing() {
        let mut f = framer();
        f.push(&OPTIONS[..OPTIONS.len() - 1]);
        assert_eq!(f.next_frame().unwrap(), None);
        let mut f = framer();
        f.push(&[b'a'; 2000]);
        assert!(f.next_frame().is_err_and(|e| e.breaks_stream_framing()));
        let mut f = framer();
        f.push(b"OPTIONS sip:a SIP/2.0\r\nContent-Length: 65\r\n\r\n");
        assert!(f.next_frame().is_err_and(|e| e.breaks_stream_framing()));
    }
}
