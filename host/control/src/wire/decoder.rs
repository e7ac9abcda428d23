//! ESL packet framing, both directions (ESL.md "Framing"): `\n`-terminated lines (a `\r`
//! before the `\n` is dropped) ended by an empty line; with a `Content-Length` header
//! exactly that many body bytes follow. Leading blank lines are skipped.
//!
//! Incremental and bounded: bytes are pushed as they arrive, scanning resumes where it
//! stopped, and a header block or body over its cap is an error instead of memory growth.

use memchr::memchr;
use thiserror::Error;

/// Size caps for one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The command line plus headers, up to and including the blank line.
    pub max_head: usize,
    /// A `Content-Length` body.
    pub max_body: usize,
}

impl Default for Limits {
    /// 64 KiB of command and headers, 10 MiB of body (ESL.md caps a packet at 10 MiB).
    fn default() -> Self {
        Self {
            max_head: 64 * 1024,
            max_body: 10 * 1024 * 1024,
        }
    }
}

/// Why the byte stream cannot be framed; the connection should be closed.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum DecodeError {
    /// No blank line within `max_head` bytes.
    #[error("command or header block longer than {0} bytes")]
    HeadTooLong(usize),
    /// `Content-Length` above `max_body`.
    #[error("body of {length} bytes exceeds the {max} byte limit")]
    BodyTooLong {
        /// Announced length.
        length: usize,
        /// The cap.
        max: usize,
    },
    /// `Content-Length` that is not a number.
    #[error("invalid Content-Length {0:?}")]
    BadContentLength(String),
}

/// One framed packet: its lines (command line first for client commands; headers only
/// for server frames) and the body announced by `Content-Length`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Packet {
    /// The lines before the blank line, without line ends.
    pub lines: Vec<String>,
    /// The body, when `Content-Length` was present (possibly empty).
    pub body: Option<Vec<u8>>,
}

impl Packet {
    /// The value of the first `Name: value` line with that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.lines.iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim_start())
        })
    }
}

/// Incremental packet decoder.
#[derive(Debug, Default)]
pub struct Decoder {
    buffer: Vec<u8>,
    /// Bytes of `buffer` already scanned for the blank line.
    scanned: usize,
    limits: Limits,
}

impl Decoder {
    /// A decoder with these caps.
    pub fn new(limits: Limits) -> Self {
        Self {
            buffer: Vec::new(),
            scanned: 0,
            limits,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// Bytes received and not yet returned as packets.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// The next complete packet, `Ok(None)` when more bytes are needed.
    pub fn next_packet(&mut self) -> Result<Option<Packet>, DecodeError> {
        self.skip_leading_blank_lines();
        let Some(head_end) = self.find_head_end() else {
            if self.buffer.len() > self.limits.max_head {
                return Err(DecodeError::HeadTooLong(self.limits.max_head));
            }
            return Ok(None);
        };
        if head_end > self.limits.max_head {
            return Err(DecodeError::HeadTooLong(self.limits.max_head));
        }
        let lines = split_lines(&self.buffer[..head_end]);
        let mut packet = Packet { lines, body: None };
        let body_start = head_end;
        if let Some(text) = packet.header("Content-Length") {
            let length: usize = text
                .trim()
                .parse()
                .map_err(|_| DecodeError::BadContentLength(text.to_string()))?;
            if length > self.limits.max_body {
                return Err(DecodeError::BodyTooLong {
                    length,
                    max: self.limits.max_body,
                });
            }
            let Some(body) = self.buffer.get(body_start..body_start + length) else {
                return Ok(None);
            };
            packet.body = Some(body.to_vec());
            self.consume(body_start + length);
        } else {
            self.consume(body_start);
        }
        Ok(Some(packet))
    }

    fn consume(&mut self, count: usize) {
        self.buffer.drain(..count.min(self.buffer.len()));
        self.scanned = 0;
    }

    fn skip_leading_blank_lines(&mut self) {
        let mut start = 0;
        loop {
            match self.buffer.get(start) {
                Some(b'\n') => start += 1,
                Some(b'\r') if self.buffer.get(start + 1) == Some(&b'\n') => start += 2,
                _ => break,
            }
        }
        if start > 0 {
            self.consume(start);
        }
    }

    /// The offset just past the blank line that ends the head, if it has arrived.
    fn find_head_end(&mut self) -> Option<usize> {
        // Resume at the start of the last line scanned so far.
        let mut line_start = self.scanned;
        while let Some(offset) = memchr(b'\n', &self.buffer[line_start..]) {
            let line_end = line_start + offset;
            let line = &self.buffer[line_start..line_end];
            if line.is_empty() || line == b"\r" {
                return Some(line_end + 1);
            }
            line_start = line_end + 1;
        }
        self.scanned = line_start;
        None
    }
}

fn split_lines(head: &[u8]) -> Vec<String> {
    head.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(decoder: &mut Decoder) -> Vec<Packet> {
        let mut packets = Vec::new();
        while let Ok(Some(packet)) = decoder.next_packet() {
            packets.push(packet);
        }
        packets
    }

    #[test]
    fn commands_headers_and_bodies() {
        let mut decoder = Decoder::default();
        decoder.push(b"\r\n\nauth ClueCon\r\n\r\nsendevent CUSTOM\nEvent-Subclass: x::y\nContent-Length: 5\n\nhello");
        let packets = decode_all(&mut decoder);
        assert_eq!(packets.len(), 2);
        assert_eq!(packets[0].lines, ["auth ClueCon"]);
        assert_eq!(packets[1].lines[0], "sendevent CUSTOM");
        assert_eq!(packets[1].header("event-subclass"), Some("x::y"));
        assert_eq!(packets[1].body.as_deref(), Some(&b"hello"[..]));
        assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn byte_at_a_time_gives_the_same_packets() {
        let stream =
            b"api status\n\nbgapi originate x\nJob-UUID: j\n\nsendevent X\nContent-Length: 2\n\nab";
        let mut whole = Decoder::default();
        whole.push(stream);
        let expected = decode_all(&mut whole);
        let mut dribble = Decoder::default();
        let mut packets = Vec::new();
        for byte in stream {
            dribble.push(&[*byte]);
            packets.extend(decode_all(&mut dribble));
        }
        assert_eq!(packets, expected);
        assert_eq!(packets.len(), 3);
    }

    #[test]
    fn caps_and_bad_lengths_are_errors() {
        let limits = Limits {
            max_head: 16,
            max_body: 4,
        };
        let mut decoder = Decoder::new(limits);
        decoder.push(b"a very long command line without end");
        assert_eq!(decoder.next_packet(), Err(DecodeError::HeadTooLong(16)));
        let limits = Limits {
            max_head: 64,
            max_body: 4,
        };
        let mut decoder = Decoder::new(limits);
        decoder.push(b"x\nContent-Length: 5\n\n");
        assert_eq!(
            decoder.next_packet(),
            Err(DecodeError::BodyTooLong { length: 5, max: 4 })
        );
        let mut decoder = Decoder::new(limits);
        decoder.push(b"x\nContent-Length: -1\n\n");
        assert!(matches!(
            decoder.next_packet(),
            Err(DecodeError::BadContentLength(_))
        ));
    }

    #[test]
    fn waits_for_the_whole_body() {
        let mut decoder = Decoder::default();
        decoder.push(b"Content-Type: api/response\nContent-Length: 4\n\ntr");
        assert_eq!(decoder.next_packet(), Ok(None));
        decoder.push(b"ue");
        let packet = decoder.next_packet().ok().flatten();
        assert_eq!(packet.and_then(|p| p.body), Some(b"true".to_vec()));
    }
}
