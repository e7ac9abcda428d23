//! The ESL byte layer: packet framing ([`decoder`]), server frame writers ([`frames`]),
//! and a client-side view of received frames ([`Frame`]) with event parsing for all
//! three formats (used by the CLI and by tests that read recordings).

pub mod decoder;
pub mod frames;

use thiserror::Error;

pub use decoder::{DecodeError, Decoder, Limits, Packet};
pub use frames::LogRecord;

use crate::event::{Event, EventFormat};
use crate::{json, urlenc};

/// A frame received from a server: headers as sent (not decoded) and the body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    /// `Name: value` pairs in order.
    pub headers: Vec<(String, String)>,
    /// The `Content-Length` body.
    pub body: Option<Vec<u8>>,
}

/// Why an event frame's body could not be read as an event.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum EventParseError {
    /// The frame is not `text/event-*`.
    #[error("not an event frame (Content-Type {0:?})")]
    NotAnEvent(Option<String>),
    /// A JSON event that is not a flat object of strings.
    #[error("bad JSON event: {0}")]
    Json(#[from] json::JsonError),
    /// An XML event not in FreeSWITCH's layout.
    #[error("bad XML event")]
    Xml,
}

impl Frame {
    /// The frame from a decoded packet (`Name: value` lines; other lines are skipped).
    pub fn from_packet(packet: Packet) -> Self {
        let headers = packet
            .lines
            .iter()
            .filter_map(|line| line.split_once(": ").or_else(|| line.split_once(':')))
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        Self {
            headers,
            body: packet.body,
        }
    }

    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Content-Type`.
    pub fn content_type(&self) -> Option<&str> {
        self.header("Content-Type")
    }

    /// The body as text (lossy).
    pub fn body_text(&self) -> String {
        self.body
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default()
            .into_owned()
    }

    /// The event format, for `text/event-*` frames.
    pub fn event_format(&self) -> Option<EventFormat> {
        match self.content_type()? {
            "text/event-plain" => Some(EventFormat::Plain),
            "text/event-json" => Some(EventFormat::Json),
            "text/event-xml" => Some(EventFormat::Xml),
            _ => None,
        }
    }

    /// The event carried by a `text/event-*` frame.
    pub fn event(&self) -> Result<Event, EventParseError> {
        let format = self
            .event_format()
            .ok_or_else(|| EventParseError::NotAnEvent(self.content_type().map(str::to_string)))?;
        let body = self.body.as_deref().unwrap_or_default();
        parse_event(body, format)
    }
}

/// Parses a serialized event (the body of an event frame).
pub fn parse_event(payload: &[u8], format: EventFormat) -> Result<Event, EventParseError> {
    match format {
        EventFormat::Plain => Ok(parse_plain(payload)),
        EventFormat::Json => parse_json(payload),
        EventFormat::Xml => parse_xml(payload),
    }
}

/// Plain: URL-encoded `Name: value` lines; an inner `Content-Length` announces the body
/// after the blank line.
pub fn parse_plain(payload: &[u8]) -> Event {
    let (head, rest) = match memchr::memmem::find(payload, b"\n\n") {
        Some(index) => (&payload[..index], &payload[index + 2..]),
        None => (payload, &[][..]),
    };
    let mut headers = Vec::new();
    let mut body_length = None;
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(": ").or_else(|| line.split_once(':')) else {
            continue;
        };
        if name.eq_ignore_ascii_case("Content-Length") {
            body_length = value.trim().parse::<usize>().ok();
            continue;
        }
        headers.push((name.to_string(), urlenc::decode(value)));
    }
    let body = body_length
        .map(|length| String::from_utf8_lossy(&rest[..length.min(rest.len())]).into_owned());
    Event::from_parts(headers, body)
}

fn parse_json(payload: &[u8]) -> Result<Event, EventParseError> {
    let mut pairs = json::parse_flat_object(payload)?;
    let body_index = pairs.iter().position(|(k, _)| k == "_body");
    let body = body_index.map(|index| pairs.remove(index).1);
    if body.is_some()
        && let Some(index) = pairs.iter().rposition(|(k, _)| k == "Content-Length")
    {
        pairs.remove(index);
    }
    Ok(Event::from_parts(pairs, body))
}

fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn parse_xml(payload: &[u8]) -> Result<Event, EventParseError> {
    let text = String::from_utf8_lossy(payload);
    let start = text.find("<headers>").ok_or(EventParseError::Xml)? + "<headers>".len();
    let end = text.find("</headers>").ok_or(EventParseError::Xml)?;
    let mut headers = Vec::new();
    for line in text.get(start..end).ok_or(EventParseError::Xml)?.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let inner = line.strip_prefix('<').ok_or(EventParseError::Xml)?;
        let (name, rest) = inner.split_once('>').ok_or(EventParseError::Xml)?;
        let value = rest
            .strip_suffix(&format!("</{name}>"))
            .ok_or(EventParseError::Xml)?;
        headers.push((name.to_string(), urlenc::decode(value)));
    }
    let body = match (text.find("<body>"), text.rfind("</body>")) {
        (Some(open), Some(close)) if open + 6 <= close => {
            Some(xml_unescape(&text[open + 6..close]))
        }
        _ => None,
    };
    Ok(Event::from_parts(headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::serialize;

    fn sample() -> Event {
        let mut event = Event::named("BACKGROUND_JOB");
        event.add_header("Job-Command-Arg", "user/1005 &echo <x> 100%");
        event.add_header("Multi", "line1\nline2");
        event.set_body(Some("-ERR <USER_NOT_REGISTERED> & more\n".to_string()));
        event
    }

    #[test]
    fn every_format_round_trips() {
        for format in [EventFormat::Plain, EventFormat::Json, EventFormat::Xml] {
            let event = sample();
            let bytes = serialize::serialize(&event, format);
            assert_eq!(parse_event(&bytes, format), Ok(event.clone()), "{format:?}");
            let headers_only = Event::named("HEARTBEAT");
            let bytes = serialize::serialize(&headers_only, format);
            assert_eq!(parse_event(&bytes, format), Ok(headers_only), "{format:?}");
        }
    }

    #[test]
    fn frame_view_of_a_packet() {
        let mut decoder = Decoder::default();
        decoder.push(b"Content-Type: api/response\nContent-Length: 4\n\ntrue");
        let packet = decoder.next_packet().ok().flatten().unwrap_or_default();
        let frame = Frame::from_packet(packet);
        assert_eq!(frame.content_type(), Some("api/response"));
        assert_eq!(frame.body_text(), "true");
        assert!(matches!(frame.event(), Err(EventParseError::NotAnEvent(_))));
        assert!(matches!(
            parse_event(b"<event>", EventFormat::Xml),
            Err(EventParseError::Xml)
        ));
    }
}
